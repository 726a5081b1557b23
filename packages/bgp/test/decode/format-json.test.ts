import { describe, expect, it } from 'vitest';
import {
  formatAttributes,
  formatCapability,
  formatExtendedCommunity,
  formatNlri,
  hexOf,
} from '../../src/decode/format-json.js';
import { ipv4Prefix, parsePrefix } from '../../src/wire/prefix.js';
import { hex } from '../support/bytes.js';

describe('JSON formatting of decoded values', () => {
  it('writes prefixes as CIDR text, and as {prefix, pathId} with an ADD-PATH path id (RFC 7911)', () => {
    expect(formatNlri(parsePrefix('2001:db8::/32'))).toBe('2001:db8::/32');
    expect(formatNlri(ipv4Prefix(0x0a000000, 8, 7))).toEqual({ prefix: '10.0.0.0/8', pathId: 7 });
  });

  it('writes route targets and origins as target:G:L / origin:G:L, anything else as hex (RFC 4360, RFC 5668)', () => {
    expect(formatExtendedCommunity(hex('0002 fde8 00000064'))).toBe('target:65000:100');
    expect(formatExtendedCommunity(hex('0102 c0000201 0064'))).toBe('target:192.0.2.1:100');
    expect(formatExtendedCommunity(hex('0203 00030d40 0001'))).toBe('origin:200000:1');
    expect(formatExtendedCommunity(hex('4300 0000 00000002'))).toBe('0x4300000000000002');
  });

  it('names attributes as the output contract does, with unknown ones as {code, flags, hex}', () => {
    const o = formatAttributes([
      { kind: 'origin', value: 2 },
      {
        kind: 'asPath',
        segments: [
          { type: 'sequence', asns: [1, 2] },
          { type: 'set', asns: [3] },
        ],
      },
      { kind: 'communities', values: [0xfde80064, 0xffffff01] },
      { kind: 'largeCommunities', values: [[200000, 1, 2]] },
      { kind: 'med', value: 5 },
      { kind: 'localPref', value: 100 },
      { kind: 'atomicAggregate' },
      { kind: 'aggregator', asn: 65000, address: '192.0.2.1' },
      { kind: 'mpUnreach', afi: 1, safi: 128, withdrawn: undefined, raw: hex('0102') },
      { kind: 'unknown', code: 99, flags: 0xc0, value: hex('abcd') },
    ]);
    expect(o).toEqual({
      origin: 'INCOMPLETE',
      asPath: [
        { type: 'AS_SEQUENCE', asns: [1, 2] },
        { type: 'AS_SET', asns: [3] },
      ],
      communities: ['65000:100', '65535:65281'],
      largeCommunities: ['200000:1:2'],
      med: 5,
      localPref: 100,
      atomicAggregate: true,
      aggregator: { asn: 65000, address: '192.0.2.1' },
      mpUnreach: { afi: 1, safi: 128, hex: '0102' },
      unknown: [{ code: 99, flags: 0xc0, hex: 'abcd' }],
    });
  });

  it('writes capabilities with their IANA code and name (RFC 5492)', () => {
    expect(formatCapability({ kind: 'fourOctetAs', asn: 200000 })).toEqual({
      code: 65,
      name: 'FOUR_OCTET_AS',
      asn: 200000,
    });
    expect(formatCapability({ kind: 'unknown', code: 200, value: hex('01') })).toEqual({
      code: 200,
      name: 'UNKNOWN',
      hex: '01',
    });
  });

  it('writes bytes as lower-case hex', () => {
    expect(hexOf(hex('00ff10'))).toBe('00ff10');
  });
});
