import { describe, expect, it } from 'vitest';
import { WireError } from '../../src/wire/errors.js';
import { decodeHeader } from '../../src/wire/header.js';
import { encodeKeepalive, keepalive } from '../../src/wire/keepalive.js';
import { message, toHex } from '../support/bytes.js';

describe('KEEPALIVE (RFC 4271 §4.4)', () => {
  it('is a bare 19-octet header of type 4: the KEEPALIVE in tcpdump bgp-role.pcapng', () => {
    expect(toHex(encodeKeepalive())).toBe('ffffffffffffffffffffffffffffffff001304');
  });

  it('hands out a fresh copy each time, so a caller cannot corrupt the next one', () => {
    const first = encodeKeepalive();
    first[18] = 0;
    expect(toHex(encodeKeepalive())).toBe('ffffffffffffffffffffffffffffffff001304');
    expect(encodeKeepalive()).not.toBe(encodeKeepalive());
  });

  it('has a frozen shared value', () => {
    expect(keepalive).toEqual({ kind: 'keepalive' });
    expect(Object.isFrozen(keepalive)).toBe(true);
  });

  it('passes the header check', () => {
    expect(decodeHeader(encodeKeepalive(), 4096)).toEqual({ length: 19, type: 4 });
  });

  it('with any body is refused with 1/2 Bad Message Length and the length as data (RFC 4271 §6.1)', () => {
    let caught: unknown;
    try {
      decodeHeader(message(4, '00'), 4096);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WireError);
    const err = caught as WireError;
    expect([err.code, err.subcode, err.errorCode]).toEqual([1, 2, 'BGP_HEADER_BAD_MESSAGE_LENGTH']);
    expect(toHex(err.data)).toBe('0014');
  });
});
