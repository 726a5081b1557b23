import { describe, expect, it } from 'vitest';
import { WireError } from '../../src/wire/errors.js';
import { decodeHeader, peekMessageLength, writeMarker } from '../../src/wire/header.js';
import { concat, hex, message, toHex } from '../support/bytes.js';

const MARKER = 'ff'.repeat(16);

function caught(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WireError);
    return e as WireError;
  }
  throw new Error('expected a WireError');
}

describe('peekMessageLength: framing a TCP stream (RFC 4271 §4.1)', () => {
  it('waits (undefined) until 19 octets are buffered', () => {
    expect(peekMessageLength(hex(`${MARKER}0017`), 0, 4096)).toBeUndefined();
    expect(peekMessageLength(new Uint8Array(0), 0, 4096)).toBeUndefined();
  });

  it('reads the length of the message at an offset', () => {
    const stream = concat(hex('aabbcc'), hex(`${MARKER}00170500010001`), hex(`${MARKER}001304`));
    expect(peekMessageLength(stream, 3, 4096)).toBe(23);
    expect(peekMessageLength(stream, 26, 4096)).toBe(19);
    expect(peekMessageLength(stream, 27, 4096)).toBeUndefined();
  });

  it('refuses a marker that is not all ones with 1/1 Connection Not Synchronized (RFC 4271 §6.1)', () => {
    const err = caught(() => peekMessageLength(hex(`${'ff'.repeat(15)}fe001304`), 0, 4096));
    expect([err.code, err.subcode, err.errorCode]).toEqual([1, 1, 'BGP_HEADER_CONNECTION_NOT_SYNCHRONIZED']);
  });

  it('refuses a length below 19 or above the maximum with 1/2 and the length as data (RFC 4271 §6.1)', () => {
    const short = caught(() => peekMessageLength(hex(`${MARKER}001204`), 0, 4096));
    expect([short.code, short.subcode, toHex(short.data)]).toEqual([1, 2, '0012']);
    const long = caught(() => peekMessageLength(hex(`${MARKER}100102`), 0, 4096));
    expect([long.code, long.subcode, toHex(long.data)]).toEqual([1, 2, '1001']);
  });

  it('accepts lengths up to 65535 once extended messages are negotiated (RFC 8654 §4)', () => {
    expect(peekMessageLength(hex(`${MARKER}ffff02`), 0, 65535)).toBe(65535);
  });
});

describe('decodeHeader: a whole message (RFC 4271 §4.1, §6.1)', () => {
  it('returns length and type for each message type at its minimum length', () => {
    expect(decodeHeader(message(1, '04 fde9 00b4 0a000001 00'), 4096)).toEqual({ length: 29, type: 1 });
    expect(decodeHeader(message(2, '0000 0000'), 4096)).toEqual({ length: 23, type: 2 });
    expect(decodeHeader(message(3, '06 02'), 4096)).toEqual({ length: 21, type: 3 });
    expect(decodeHeader(message(4, ''), 4096)).toEqual({ length: 19, type: 4 });
    expect(decodeHeader(message(5, '0001 00 01'), 4096)).toEqual({ length: 23, type: 5 });
  });

  it('refuses a buffer shorter than the header with 1/2', () => {
    const err = caught(() => decodeHeader(hex(`${MARKER}00`), 4096));
    expect([err.code, err.subcode, toHex(err.data)]).toEqual([1, 2, '0011']);
  });

  it('refuses a length field that disagrees with the message with 1/2', () => {
    const b = message(4, '');
    const err = caught(() => decodeHeader(concat(b, hex('00')), 4096));
    expect([err.code, err.subcode, toHex(err.data)]).toEqual([1, 2, '0013']);
  });

  it('refuses an unknown type with 1/3 Bad Message Type and the type as data (RFC 4271 §6.1)', () => {
    for (const type of [0, 6, 255]) {
      const err = caught(() => decodeHeader(message(type, ''), 4096));
      expect([err.code, err.subcode, err.errorCode, toHex(err.data)]).toEqual([
        1,
        3,
        'BGP_HEADER_BAD_MESSAGE_TYPE',
        type.toString(16).padStart(2, '0'),
      ]);
    }
  });

  const tooShort: [string, number, string][] = [
    ['an OPEN of 28 octets (RFC 4271 §4.2)', 1, '04 fde9 00b4 0a000001'],
    ['an UPDATE of 22 octets (RFC 4271 §4.3)', 2, '0000 00'],
    ['a NOTIFICATION of 20 octets (RFC 4271 §4.5)', 3, '06'],
    ['a ROUTE-REFRESH of 22 octets (RFC 2918 §3)', 5, '0001 00'],
  ];
  for (const [name, type, body] of tooShort) {
    it(`refuses ${name} with 1/2 and the length as data (RFC 4271 §6.1)`, () => {
      const b = message(type, body);
      const err = caught(() => decodeHeader(b, 4096));
      expect([err.code, err.subcode, err.errorCode]).toEqual([1, 2, 'BGP_HEADER_BAD_MESSAGE_LENGTH']);
      expect(toHex(err.data)).toBe(b.length.toString(16).padStart(4, '0'));
    });
  }

  it('refuses a message above the maximum length with 1/2', () => {
    const b = message(2, new Uint8Array(4096 - 19 + 1));
    const err = caught(() => decodeHeader(b, 4096));
    expect([err.code, err.subcode, toHex(err.data)]).toEqual([1, 2, '1001']);
    expect(decodeHeader(b, 65535)).toEqual({ length: 4097, type: 2 });
  });
});

describe('writeMarker', () => {
  it('writes 16 octets of ones at the offset and nothing else', () => {
    const b = new Uint8Array(20);
    writeMarker(b, 2);
    expect(toHex(b)).toBe(`0000${MARKER}0000`);
  });
});
