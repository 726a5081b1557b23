import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireError } from '../../src/wire/errors.js';
import { decodeNlri, encodedPrefixLength, encodePrefix } from '../../src/wire/nlri.js';
import { formatPrefix, ipv4Prefix, ipv6Prefix, type Prefix, parsePrefix } from '../../src/wire/prefix.js';
import { Writer } from '../../src/wire/writer.js';
import { hex, toHex } from '../support/bytes.js';

function decode(bytes: string, afi: 1 | 2, addPath = false): Prefix[] {
  const b = hex(bytes);
  const out: Prefix[] = [];
  decodeNlri(b, 0, b.length, afi, addPath, out);
  return out;
}

describe('NLRI (RFC 4271 §4.3, RFC 4760 §5)', () => {
  it('decodes length-prefixed IPv4 prefixes with only the significant octets', () => {
    expect(decode('08 0a | 10 ac10 | 18 c0a800 | 20 0afaff01 | 00', 1).map(formatPrefix)).toEqual([
      '10.0.0.0/8',
      '172.16.0.0/16',
      '192.168.0.0/24',
      '10.250.255.1/32',
      '0.0.0.0/0',
    ]);
  });

  it('masks trailing bits beyond the prefix length (bytes 0b 0d for a /13 → 11.8.0.0/13)', () => {
    expect(decode('0d 0b0d', 1).map(formatPrefix)).toEqual(['11.8.0.0/13']);
  });

  it('decodes IPv6 prefixes', () => {
    expect(
      decode('20 20010db8 | 40 20010db800000001 | 80 fd000250000000000000000000000001', 2).map(formatPrefix),
    ).toEqual(['2001:db8::/32', '2001:db8:0:1::/64', 'fd00:250::1/128']);
  });

  it('reads the 4-octet path identifier before each prefix with ADD-PATH (RFC 7911 §3)', () => {
    const out = decode('00000001 18 0a0000 | 00000002 18 0a0000', 1, true);
    expect(out.map((p) => [formatPrefix(p), p.pathId])).toEqual([
      ['10.0.0.0/24', 1],
      ['10.0.0.0/24', 2],
    ]);
  });

  it('rejects a length above 32/128 and a truncated prefix with 3/10 Invalid Network Field', () => {
    for (const [bytes, afi] of [
      ['21 0a000000 00', 1],
      ['18 0a00', 1],
      ['81 00', 2],
      ['000001', 1],
    ] as const) {
      try {
        decode(bytes, afi, bytes === '000001');
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(WireError);
        expect([(e as WireError).code, (e as WireError).subcode]).toEqual([3, 10]);
      }
    }
  });

  it('encodes what it decodes, with the exact length it announces', () => {
    const prefixArb = fc.oneof(
      fc
        .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
        .map(([a, l]) => ipv4Prefix(a, l)),
      fc
        .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }))
        .map(([a, l]) => ipv6Prefix(a, l)),
    );
    fc.assert(
      fc.property(fc.array(prefixArb, { maxLength: 20 }), fc.boolean(), (prefixes, addPath) => {
        const w = new Writer(8);
        const withIds = prefixes.map((p, i) => (addPath ? { ...p, pathId: i } : p));
        for (const p of withIds) encodePrefix(w, p, addPath);
        const bytes = w.finish();
        expect(bytes.length).toBe(withIds.reduce((n, p) => n + encodedPrefixLength(p, addPath), 0));
        for (const afi of [1, 2] as const) {
          const same = withIds.filter((p) => p.afi === afi);
          const w2 = new Writer();
          for (const p of same) encodePrefix(w2, p, addPath);
          const out: Prefix[] = [];
          const b = w2.finish();
          decodeNlri(b, 0, b.length, afi, addPath, out);
          expect(out).toEqual(same);
        }
      }),
    );
  });

  it('encodes a /32 as length and four octets', () => {
    const w = new Writer();
    encodePrefix(w, parsePrefix('10.250.255.1/32'), false);
    expect(toHex(w.finish())).toBe('200afaff01');
  });
});
