import { describe, expect, it } from 'vitest';
import { LocalProtocolError } from '../../src/wire/errors.js';
import { formatPrefix, parsePrefix, prefixEquals, prefixKey } from '../../src/wire/prefix.js';

describe('prefixes', () => {
  it.each(['10.0.0.0/8', '0.0.0.0/0', '10.250.255.1/32', '2001:db8::/32', '::/0', 'fd00:250::1/128'])(
    'parses and formats %s',
    (text) => {
      expect(formatPrefix(parsePrefix(text))).toBe(text);
    },
  );

  it('treats a bare address as a host route', () => {
    expect(formatPrefix(parsePrefix('10.250.0.1'))).toBe('10.250.0.1/32');
    expect(formatPrefix(parsePrefix('fd00:250::1'))).toBe('fd00:250::1/128');
  });

  it('refuses host bits beyond the length, as ip route does', () => {
    expect(() => parsePrefix('10.0.0.1/8')).toThrow(LocalProtocolError);
    expect(() => parsePrefix('2001:db8::1/32')).toThrow(/host bits/);
  });

  it("refuses '010.254.0.1/32': a leading zero is octal to inet_aton, so the address is ambiguous", () => {
    expect(() => parsePrefix('010.254.0.1/32')).toThrow(LocalProtocolError);
  });

  it('refuses bad lengths and text', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/-1', 'x/8', '10.0.0.0/8/8']) {
      expect(() => parsePrefix(bad), bad).toThrow(LocalProtocolError);
    }
  });

  it('keys and compares by prefix and ADD-PATH path id (RFC 7911)', () => {
    const a = parsePrefix('10.0.0.0/8', 1);
    const b = parsePrefix('10.0.0.0/8', 2);
    expect(prefixEquals(a, b)).toBe(false);
    expect(prefixKey(a)).not.toBe(prefixKey(b));
    expect(prefixEquals(a, parsePrefix('10.0.0.0/8', 1))).toBe(true);
    expect(prefixEquals(parsePrefix('2001:db8::/32'), parsePrefix('2001:db8::/32'))).toBe(true);
  });
});
