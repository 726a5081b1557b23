import { describe, expect, it } from 'vitest';
import { Framer } from '../../src/session/framer.js';
import { WireError } from '../../src/wire/errors.js';
import { concat, hex, message, toHex } from '../support/bytes.js';

const keepalive = message(4, '');
const update = message(2, '0000 0000'); // End-of-RIB for IPv4 (RFC 4724 §2)
const notification = message(3, '0602 05 6279652121');

function drain(f: Framer): string[] {
  const out: string[] = [];
  for (let m = f.next(); m; m = f.next()) out.push(toHex(m));
  return out;
}

describe('Framer (RFC 4271 §4.1 framing over TCP)', () => {
  const stream = concat(keepalive, update, notification, keepalive);
  const expected = [keepalive, update, notification, keepalive].map(toHex);

  it('yields the same messages whatever offset the stream is split at', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = new Framer();
      const got: string[] = [];
      f.push(stream.subarray(0, cut));
      got.push(...drain(f));
      f.push(stream.subarray(cut));
      got.push(...drain(f));
      expect(got, `split at ${cut}`).toEqual(expected);
      expect(f.buffered).toBe(0);
    }
  });

  it('yields the same messages when fed one octet at a time', () => {
    const f = new Framer();
    const got: string[] = [];
    for (const b of stream) {
      f.push(Uint8Array.of(b));
      got.push(...drain(f));
    }
    expect(got).toEqual(expected);
  });

  it('throws Connection Not Synchronized for a bad marker as soon as a header is buffered', () => {
    const f = new Framer();
    const bad = keepalive.slice();
    bad[3] = 0;
    f.push(bad);
    expect(() => f.next()).toThrow(WireError);
    try {
      f.next();
    } catch (e) {
      expect([(e as WireError).code, (e as WireError).subcode]).toEqual([1, 1]);
    }
  });

  it('throws Bad Message Length for a length above the negotiated maximum instead of waiting (RFC 8654)', () => {
    const f = new Framer(4096);
    f.push(hex('ffffffffffffffffffffffffffffffff 1001 02'));
    try {
      f.next();
      expect.unreachable();
    } catch (e) {
      expect([(e as WireError).code, (e as WireError).subcode]).toEqual([1, 2]);
      expect(toHex((e as WireError).data)).toBe('1001');
    }
    const big = new Framer(65535);
    big.push(hex('ffffffffffffffffffffffffffffffff 1001 02'));
    expect(big.next()).toBeUndefined();
  });
});
