import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatExtendedCommunity as formatForCli } from '../../src/decode/format-json.js';
import {
  extendedCommunitiesCodec,
  formatExtendedCommunity,
  parseExtendedCommunity,
} from '../../src/wire/attributes/extended-communities.js';
import {
  decodeLinkBandwidth,
  encodeLinkBandwidth,
  formatLinkBandwidth,
  type LinkBandwidth,
  parseLinkBandwidth,
} from '../../src/wire/attributes/link-bandwidth.js';
import { defaultContext } from '../../src/wire/context.js';
import { LocalProtocolError } from '../../src/wire/errors.js';
import { hex, toHex } from '../support/bytes.js';

/**
 * Vectors worked by hand from draft-ietf-idr-link-bandwidth §3 and IEEE 754 binary32:
 * 125,000,000 B/s = 1.862645149 × 2^26: exponent 26 + 127 = 0x99, mantissa
 * 125,000,000 / 8 − 2^23 = 7,236,392 = 0x6e6b28, so 0 10011001 110111001101011 00101000 = 0x4cee6b28.
 * 625,000,000 B/s = 9,765,625 × 2^6: exponent 29 + 127 = 0x9c, mantissa 9,765,625 − 2^23 =
 * 0x1502f9, so 0x4e1502f9. 1,250,000 B/s = 0x49989680. AS 65001 = 0xfde9, AS_TRANS 23456 = 0x5ba0.
 */
const vectors: readonly (readonly [string, LinkBandwidth, string])[] = [
  [
    '4004 fde9 4cee6b28',
    { kind: 'linkBandwidth', transitive: false, asn: 65001, bytesPerSec: 125_000_000 },
    'link-bandwidth:65001:125000000',
  ],
  [
    '0004 fde9 4cee6b28',
    { kind: 'linkBandwidth', transitive: true, asn: 65001, bytesPerSec: 125_000_000 },
    'link-bandwidth-transitive:65001:125000000',
  ],
  [
    '4004 5ba0 4e1502f9',
    { kind: 'linkBandwidth', transitive: false, asn: 23456, bytesPerSec: 625_000_000 },
    'link-bandwidth:23456:625000000',
  ],
  [
    '4004 fde8 49989680',
    { kind: 'linkBandwidth', transitive: false, asn: 65000, bytesPerSec: 1_250_000 },
    'link-bandwidth:65000:1250000',
  ],
  [
    '0004 0000 00000000',
    { kind: 'linkBandwidth', transitive: true, asn: 0, bytesPerSec: 0 },
    'link-bandwidth-transitive:0:0',
  ],
];

describe('link-bandwidth extended community (draft-ietf-idr-link-bandwidth §3)', () => {
  it('decodes the non-transitive 0x40/0x04 and the transitive 0x00/0x04 forms to typed values', () => {
    for (const [h, value] of vectors) expect(decodeLinkBandwidth(hex(h))).toEqual(value);
  });

  it('encodes typed values to the hand-checked octets', () => {
    for (const [h, value] of vectors) expect(toHex(encodeLinkBandwidth(value))).toBe(toHex(hex(h)));
  });

  it('formats and parses the text forms, and the generic extended-community text agrees', () => {
    for (const [h, value, text] of vectors) {
      expect(formatLinkBandwidth(value)).toBe(text);
      expect(parseLinkBandwidth(text)).toEqual(value);
      expect(formatExtendedCommunity(hex(h))).toBe(text);
      expect(toHex(parseExtendedCommunity(text))).toBe(toHex(hex(h)));
    }
  });

  it('leaves other sub-types and types alone: route target 0x00/0x02, 4-octet AS 0x02/0x04, wrong length', () => {
    expect(decodeLinkBandwidth(hex('0002fde800000064'))).toBeUndefined();
    expect(decodeLinkBandwidth(hex('0204fde800000064'))).toBeUndefined();
    expect(decodeLinkBandwidth(hex('4004fde84cee6b'))).toBeUndefined();
  });

  it('keeps a bandwidth that text cannot carry (NaN, -0, negative) byte-exact as hex', () => {
    for (const h of ['40040001 7fc00000', '40040001 80000000', '40040001 bf800000', '00040001 7f800000']) {
      expect(decodeLinkBandwidth(hex(h))).toBeDefined();
      const text = formatExtendedCommunity(hex(h));
      expect(text).toBe(`0x${toHex(hex(h))}`);
      expect(toHex(parseExtendedCommunity(text))).toBe(toHex(hex(h)));
    }
  });

  it('refuses an AS beyond 2 octets and a negative or infinite bandwidth with ANYVIP_BAD_COMMUNITY', () => {
    const bad = [
      { transitive: false, asn: 65536, bytesPerSec: 1 },
      { transitive: false, asn: 1, bytesPerSec: -1 },
      { transitive: false, asn: 1, bytesPerSec: Number.POSITIVE_INFINITY },
      { transitive: false, asn: 1, bytesPerSec: 1e39 },
    ];
    for (const b of bad) {
      expect(() => encodeLinkBandwidth(b)).toThrow(LocalProtocolError);
      expect(() => encodeLinkBandwidth(b)).toThrow(/ANYVIP_BAD_COMMUNITY|not/);
    }
    for (const t of [
      'link-bandwidth:65536:1',
      'link-bandwidth:1:-1',
      'link-bandwidth:1',
      'link-bandwidth:1:1e39',
    ])
      expect(() => parseExtendedCommunity(t)).toThrow(LocalProtocolError);
  });

  it('rides in EXTENDED_COMMUNITIES beside a route target, decoded in order', () => {
    const attr = hex('c0 10 10 0002fde800000064 4004fde94cee6b28');
    const a = extendedCommunitiesCodec.decode(attr, 3, defaultContext);
    expect(a.values.map(formatExtendedCommunity)).toEqual([
      'target:65000:100',
      'link-bandwidth:65001:125000000',
    ]);
  });

  it('shows in `anyvip-bgp decode` output (both forms)', () => {
    expect(formatForCli(hex('4004fde94cee6b28'))).toBe('link-bandwidth:65001:125000000');
    expect(formatForCli(hex('0004fde94cee6b28'))).toBe('link-bandwidth-transitive:65001:125000000');
  });
});

describe('link-bandwidth round trips (fast-check)', () => {
  const arbValue = fc.record({
    kind: fc.constant('linkBandwidth' as const),
    transitive: fc.boolean(),
    asn: fc.integer({ min: 0, max: 0xffff }),
    bytesPerSec: fc.float({ min: 0, noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  });

  it('typed → octets → typed is the identity', () => {
    fc.assert(
      fc.property(arbValue, (v) => {
        expect(decodeLinkBandwidth(encodeLinkBandwidth(v))).toEqual(v);
      }),
    );
  });

  it('typed → text → typed is the identity', () => {
    fc.assert(
      fc.property(arbValue, (v) => {
        expect(parseLinkBandwidth(formatLinkBandwidth(v))).toEqual(v);
      }),
    );
  });

  it('any 0x00/0x40, 0x04 octets → text → octets is byte-exact (hex for what text cannot hold)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x00, 0x40),
        fc.uint8Array({ minLength: 6, maxLength: 6 }),
        (type, rest) => {
          const b = new Uint8Array([type, 0x04, ...rest]);
          expect(toHex(parseExtendedCommunity(formatExtendedCommunity(b)))).toBe(toHex(b));
        },
      ),
    );
  });
});
