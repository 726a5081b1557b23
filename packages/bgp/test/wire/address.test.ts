import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressBytes, formatIpv6Bytes, parseIpv4, parseIpv6 } from '../../src/wire/address.js';
import { LocalProtocolError } from '../../src/wire/errors.js';
import { hex } from '../support/bytes.js';

describe('IPv6 text (RFC 5952)', () => {
  it.each([
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000010000000000000000', '2001:db8:0:1::'],
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['00000000000000000000ffff0a000001', '::ffff:10.0.0.1'],
    ['fe800000000000000000000000000001', 'fe80::1'],
  ])('formats %s as %s (§4.2: longest zero run, first on ties, one zero not compressed)', (h, text) => {
    expect(formatIpv6Bytes(hex(h))).toBe(text);
    expect(parseIpv6(text)).toEqual(hex(h));
  });

  it('parses embedded IPv4 tails and rejects malformed text', () => {
    expect(parseIpv6('::10.0.0.1')).toEqual(hex('0000000000000000000000000a000001'));
    expect(parseIpv6('1:2:3:4:5:6:1.2.3.4')).toEqual(hex('00010002000300040005000601020304'));
    for (const bad of [
      '',
      ':::',
      '1::2::3',
      '12345::',
      '1:2:3:4:5:6:7:8:9',
      'g::1',
      '1.2.3.4',
      '::1.2.3.256',
    ]) {
      expect(parseIpv6(bad), bad).toBeUndefined();
    }
  });

  it('round-trips every 16-byte value and agrees with node:net on validity', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const text = formatIpv6Bytes(b);
        expect(isIPv6(text)).toBe(true);
        expect(parseIpv6(text)).toEqual(b);
      }),
    );
  });
});

describe('IPv4 text', () => {
  it('parses dotted quads strictly', () => {
    expect(parseIpv4('10.250.0.1')).toBe(0x0afa0001);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['10.0.0', '10.0.0.256', '1.2.3.4.5', 'a.b.c.d', '1..2.3', '01234.1.1.1']) {
      expect(parseIpv4(bad), bad).toBeUndefined();
    }
  });

  it('refuses leading zeros (inet_aton reads 010 as octal 8; others read 10): 010.254.0.1 is not 10.254.0.1', () => {
    for (const bad of ['010.254.0.1', '10.254.0.01', '10.00.0.1', '0.0.0.00']) {
      expect(parseIpv4(bad), bad).toBeUndefined();
    }
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('10.0.100.1')).toBe(0x0a006401);
  });

  it('rejects non-addresses with a LocalProtocolError (API misuse, not a peer fault)', () => {
    expect(() => addressBytes('not-an-ip')).toThrow(LocalProtocolError);
  });
});
