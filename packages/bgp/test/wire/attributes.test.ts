import { describe, expect, it } from 'vitest';
import { effectiveAggregator } from '../../src/wire/attributes/aggregator.js';
import {
  asPathLength,
  effectiveAsPath,
  formatAsPath,
  mergeAs4Path,
} from '../../src/wire/attributes/as-path.js';
import { communityName, formatCommunity, parseCommunity } from '../../src/wire/attributes/communities.js';
import {
  formatExtendedCommunity,
  parseExtendedCommunity,
} from '../../src/wire/attributes/extended-communities.js';
import {
  attributeName,
  canonicalFlags,
  codecForCode,
  encodeAttribute,
} from '../../src/wire/attributes/index.js';
import { formatLargeCommunity, parseLargeCommunity } from '../../src/wire/attributes/large-communities.js';
import type { AsPathSegment, PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import { markPartial } from '../../src/wire/attributes/unknown.js';
import { type CodecContext, defaultContext, makeContext, modernContext } from '../../src/wire/context.js';
import { LocalProtocolError, WireError } from '../../src/wire/errors.js';
import { formatPrefix, parsePrefix } from '../../src/wire/prefix.js';
import { Writer } from '../../src/wire/writer.js';
import { hex, toHex } from '../support/bytes.js';

const two = defaultContext;
const four = modernContext;

/** Decodes one whole attribute (flags, type, length, value) given in hex. */
function decode(text: string, ctx: CodecContext = four): PathAttribute {
  const attr = hex(text);
  const at = attr[0]! & 0x10 ? 4 : 3;
  const declared = at === 4 ? (attr[2]! << 8) | attr[3]! : attr[2]!;
  if (declared !== attr.length - at) throw new Error(`test vector ${text} declares ${declared} octets`);
  const codec = codecForCode(attr[1]!);
  if (codec === undefined) throw new Error(`no codec for ${attr[1]}`);
  return codec.decode(attr, at, ctx);
}

function encode(a: PathAttribute, ctx: CodecContext = four): string {
  const w = new Writer(8);
  encodeAttribute(w, a, ctx);
  return toHex(w.finish());
}

function fault(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('expected a WireError');
}

/** Checks the decoded value and that it re-encodes to the same bytes. */
function both(text: string, value: PathAttribute, ctx: CodecContext = four): void {
  expect(decode(text, ctx)).toEqual(value);
  expect(encode(value, ctx)).toBe(text.replace(/[\s|]/g, ''));
}

describe('ORIGIN (RFC 4271 §4.3 a)', () => {
  it('decodes and encodes IGP, EGP and INCOMPLETE in one octet with flags 0x40', () => {
    both('40 01 01 00', { kind: 'origin', flags: 0x40, value: 0 });
    both('40 01 01 01', { kind: 'origin', flags: 0x40, value: 1 });
    both('40 01 01 02', { kind: 'origin', flags: 0x40, value: 2 });
    expect(encode({ kind: 'origin', value: 2 })).toBe('40010102');
  });

  it('gives 3/6 treat-as-withdraw with the attribute as data for a value above 2 (RFC 7606 §7.1)', () => {
    const e = fault(() => decode('40 01 01 03'));
    expect([e.code, e.subcode, e.action, toHex(e.data)]).toEqual([3, 6, 'treatAsWithdraw', '40010103']);
  });

  it('gives 3/5 treat-as-withdraw for a length other than 1 (RFC 7606 §7.1)', () => {
    const e = fault(() => decode('40 01 02 00 00'));
    expect([e.code, e.subcode, e.action, toHex(e.data)]).toEqual([3, 5, 'treatAsWithdraw', '4001020000']);
  });
});

describe('AS_PATH and AS4_PATH (RFC 4271 §4.3 b, RFC 6793, RFC 5065)', () => {
  const seq = (...asns: number[]): AsPathSegment => ({ type: 'sequence', asns });

  it('decodes 4-octet ASNs on a 4-octet session (RFC 6793 §4)', () => {
    both('40 02 0e | 02 03 0000fde8 0000fde9 00010000', {
      kind: 'asPath',
      flags: 0x40,
      segments: [seq(65000, 65001, 65536)],
    });
  });

  it('decodes 2-octet ASNs on a 2-octet session', () => {
    both('40 02 06 | 02 02 fde8 fde9', { kind: 'asPath', flags: 0x40, segments: [seq(65000, 65001)] }, two);
  });

  it('decodes all four segment types: AS_SET 1, AS_SEQUENCE 2, AS_CONFED_SEQUENCE 3, AS_CONFED_SET 4', () => {
    both(
      '40 02 14 | 03 01 fde8 | 02 02 0001 0002 | 01 02 0003 0004 | 04 01 fde9',
      {
        kind: 'asPath',
        flags: 0x40,
        segments: [
          { type: 'confedSequence', asns: [65000] },
          seq(1, 2),
          { type: 'set', asns: [3, 4] },
          { type: 'confedSet', asns: [65001] },
        ],
      },
      two,
    );
  });

  it('accepts an empty AS_PATH (iBGP, RFC 4271 §5.1.2)', () => {
    both('40 02 00', { kind: 'asPath', flags: 0x40, segments: [] });
  });

  it('sends ASNs above 65535 as AS_TRANS 23456 on a 2-octet session (RFC 6793 §4.2.2)', () => {
    expect(encode({ kind: 'asPath', segments: [seq(4200000000, 65000)] }, two)).toBe('40020602025ba0fde8');
  });

  it('splits a segment of more than 255 ASNs into several (RFC 4271 §4.3 b)', () => {
    const asns = Array.from({ length: 300 }, (_, i) => i + 1);
    const bytes = hex(encode({ kind: 'asPath', segments: [seq(...asns)] }, two));
    // Extended length: 2 + 255*2 + 2 + 45*2 = 604 octets.
    expect(toHex(bytes.subarray(0, 6))).toBe('5002025c02ff');
    expect(bytes[4 + 2 + 510]).toBe(2);
    expect(bytes[4 + 2 + 510 + 1]).toBe(45);
    expect(decode(toHex(bytes), two)).toMatchObject({
      segments: [seq(...asns.slice(0, 255)), seq(...asns.slice(255))],
    });
  });

  for (const [what, value] of [
    ['a segment of unknown type 5', '05 01 fde8'],
    ['a segment of type 0', '00 01 fde8'],
    ['a segment with no ASNs', '02 00'],
    ['a segment that overruns the attribute', '02 03 fde8 fde9'],
    ['a lone trailing octet', '02 01 fde8 02'],
  ] as const) {
    it(`rejects ${what} with 3/11 treat-as-withdraw and no data (RFC 7606 §7.2)`, () => {
      const v = hex(value);
      const attr = toHex(Uint8Array.of(0x40, 0x02, v.length, ...v));
      const e = fault(() => decode(attr, two));
      expect([e.code, e.subcode, e.action, e.data.length, e.errorCode]).toEqual([
        3,
        11,
        'treatAsWithdraw',
        0,
        'BGP_UPDATE_MALFORMED_AS_PATH',
      ]);
    });
  }

  it('decodes AS4_PATH with 4-octet ASNs even on a 2-octet session (RFC 6793 §3)', () => {
    both(
      'c0 11 0a | 02 02 0000fde8 00010000',
      { kind: 'as4Path', flags: 0xc0, segments: [seq(65000, 65536)] },
      two,
    );
  });

  it('discards a malformed AS4_PATH with 3/9 attribute discard (RFC 6793 §6)', () => {
    const e = fault(() => decode('c0 11 02 02 00', two));
    expect([e.code, e.subcode, e.action, toHex(e.data)]).toEqual([3, 9, 'attributeDiscard', 'c011020200']);
  });

  it('counts an AS_SET as one and confederation segments as none (RFC 4271 §9.1.2.2, RFC 5065 §5.3)', () => {
    expect(
      asPathLength([seq(1, 2, 3), { type: 'set', asns: [4, 5] }, { type: 'confedSequence', asns: [6, 7] }]),
    ).toBe(4);
  });

  it('formats a path as text', () => {
    expect(
      formatAsPath([
        { type: 'confedSequence', asns: [65000] },
        seq(1, 2),
        { type: 'set', asns: [3, 4] },
        { type: 'confedSet', asns: [5] },
      ]),
    ).toBe('(65000) 1 2 {3,4} [5]');
  });
});

describe('mergeAs4Path and effectiveAsPath (RFC 6793 §4.2.3)', () => {
  const seq = (...asns: number[]): AsPathSegment => ({ type: 'sequence', asns });
  const T = 23456;

  it('replaces the trailing AS_TRANS part of AS_PATH with AS4_PATH', () => {
    expect(mergeAs4Path([seq(65001, T, 65002, T)], [seq(4200000001, 65002, 4200000002)])).toEqual([
      seq(65001, 4200000001, 65002, 4200000002),
    ]);
  });

  it('ignores AS4_PATH when it counts more ASNs than AS_PATH', () => {
    expect(mergeAs4Path([seq(65001, T)], [seq(1, 2, 3)])).toEqual([seq(65001, T)]);
  });

  it('takes whole AS_SETs from the front and keeps adjacent confederation segments', () => {
    expect(
      mergeAs4Path(
        [{ type: 'confedSequence', asns: [64512] }, { type: 'set', asns: [1, 2] }, seq(T, T)],
        [seq(4200000001, 4200000002)],
      ),
    ).toEqual([
      { type: 'confedSequence', asns: [64512] },
      { type: 'set', asns: [1, 2] },
      seq(4200000001, 4200000002),
    ]);
  });

  it('drops confederation segments found in AS4_PATH (RFC 6793 §5)', () => {
    expect(
      mergeAs4Path([seq(T, T)], [{ type: 'confedSequence', asns: [9] }, seq(4200000001, 4200000002)]),
    ).toEqual([seq(4200000001, 4200000002)]);
  });

  it('merges only on 2-octet sessions, and not when AGGREGATOR holds a real ASN', () => {
    const attrs: PathAttribute[] = [
      { kind: 'asPath', segments: [seq(65001, T)] },
      { kind: 'as4Path', segments: [seq(4200000001)] },
    ];
    expect(effectiveAsPath(attrs, two)).toEqual([seq(65001, 4200000001)]);
    expect(effectiveAsPath(attrs, four)).toEqual([seq(65001, T)]);
    expect(
      effectiveAsPath([...attrs, { kind: 'aggregator', asn: 65003, address: '10.250.0.1' }], two),
    ).toEqual([seq(65001, T)]);
    expect(effectiveAsPath([...attrs, { kind: 'aggregator', asn: T, address: '10.250.0.1' }], two)).toEqual([
      seq(65001, 4200000001),
    ]);
    expect(effectiveAsPath([], two)).toEqual([]);
  });
});

describe('NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF, ORIGINATOR_ID, OTC (4-octet values)', () => {
  it('NEXT_HOP is 4 octets of IPv4 with flags 0x40 (RFC 4271 §4.3 c)', () => {
    both('40 03 04 0a fa 00 01', { kind: 'nextHop', flags: 0x40, address: '10.250.0.1' });
  });

  it('MULTI_EXIT_DISC is optional non-transitive, flags 0x80 (RFC 4271 §4.3 d)', () => {
    both('80 04 04 00 00 00 64', { kind: 'med', flags: 0x80, value: 100 });
    both('80 04 04 ff ff ff ff', { kind: 'med', flags: 0x80, value: 0xffffffff });
  });

  it('LOCAL_PREF is well-known, flags 0x40 (RFC 4271 §4.3 e)', () => {
    both('40 05 04 00 00 00 64', { kind: 'localPref', flags: 0x40, value: 100 });
  });

  it('ORIGINATOR_ID is an IPv4-formatted identifier, flags 0x80 (RFC 4456 §8)', () => {
    both('80 09 04 0a fa 00 02', { kind: 'originatorId', flags: 0x80, id: '10.250.0.2' });
  });

  it('OTC is a 4-octet ASN, optional transitive (RFC 9234 §5)', () => {
    both('c0 23 04 00 00 fd e8', { kind: 'otc', flags: 0xc0, asn: 65000 });
  });

  for (const [name, text] of [
    ['NEXT_HOP (RFC 7606 §7.3)', '40 03 00'],
    ['MULTI_EXIT_DISC (RFC 7606 §7.4)', '80 04 03 00 00 01'],
    ['LOCAL_PREF (RFC 7606 §7.5)', '40 05 05 00 00 00 00 01'],
    ['ORIGINATOR_ID (RFC 7606 §7.9)', '80 09 03 0a fa 00'],
    ['OTC (RFC 9234 §5)', 'c0 23 02 fd e8'],
  ] as const) {
    it(`gives 3/5 treat-as-withdraw with the attribute as data for a wrong length of ${name}`, () => {
      const e = fault(() => decode(text));
      expect([e.code, e.subcode, e.action, toHex(e.data)]).toEqual([
        3,
        5,
        'treatAsWithdraw',
        text.replace(/\s/g, ''),
      ]);
    });
  }

  it('refuses a next hop that is not IPv4 text when encoding (a local error)', () => {
    expect(() => encode({ kind: 'nextHop', address: '2001:db8::1' })).toThrow(LocalProtocolError);
  });
});

describe('ATOMIC_AGGREGATE and AGGREGATOR (RFC 4271 §4.3 f, g; RFC 6793)', () => {
  it('ATOMIC_AGGREGATE has no value', () => {
    both('40 06 00', { kind: 'atomicAggregate', flags: 0x40 });
  });

  it('discards an ATOMIC_AGGREGATE with a value: 3/5 attribute discard (RFC 7606 §7.6)', () => {
    const e = fault(() => decode('40 06 01 00'));
    expect([e.subcode, e.action, toHex(e.data)]).toEqual([5, 'attributeDiscard', '40060100']);
  });

  it('AGGREGATOR has a 2-octet ASN on 2-octet sessions and 4 on 4-octet ones (RFC 6793 §3)', () => {
    both(
      'c0 07 06 fd e8 0a fa 00 01',
      { kind: 'aggregator', flags: 0xc0, asn: 65000, address: '10.250.0.1' },
      two,
    );
    both(
      'c0 07 08 fa 56 ea 00 0a fa 00 01',
      { kind: 'aggregator', flags: 0xc0, asn: 4200000000, address: '10.250.0.1' },
      four,
    );
    expect(encode({ kind: 'aggregator', asn: 4200000000, address: '10.250.0.1' }, two)).toBe(
      'c007065ba00afa0001',
    );
  });

  it('discards an AGGREGATOR of the wrong width: 3/5 attribute discard (RFC 7606 §7.7)', () => {
    const e = fault(() => decode('c0 07 08 00 00 fd e8 0a fa 00 01', two));
    expect([e.subcode, e.action]).toEqual([5, 'attributeDiscard']);
    expect(fault(() => decode('c0 07 06 fd e8 0a fa 00 01', four)).action).toBe('attributeDiscard');
  });

  it('AS4_AGGREGATOR is always 8 octets; another length is attribute discard (RFC 6793 §6)', () => {
    both(
      'c0 12 08 fa 56 ea 00 0a fa 00 01',
      { kind: 'as4Aggregator', flags: 0xc0, asn: 4200000000, address: '10.250.0.1' },
      two,
    );
    expect(fault(() => decode('c0 12 06 fd e8 0a fa 00 01', two)).action).toBe('attributeDiscard');
  });

  it('uses AS4_AGGREGATOR when AGGREGATOR holds AS_TRANS on a 2-octet session (RFC 6793 §4.2.3)', () => {
    const attrs: PathAttribute[] = [
      { kind: 'aggregator', asn: 23456, address: '10.250.0.1' },
      { kind: 'as4Aggregator', asn: 4200000000, address: '10.250.0.2' },
    ];
    expect(effectiveAggregator(attrs, two)).toEqual({ asn: 4200000000, address: '10.250.0.2' });
    expect(effectiveAggregator(attrs, four)).toEqual({ asn: 23456, address: '10.250.0.1' });
    expect(effectiveAggregator([], four)).toBeUndefined();
  });
});

describe('COMMUNITIES (RFC 1997)', () => {
  it('decodes a list of 32-bit values, flags 0xc0', () => {
    both('c0 08 08 fd e8 00 64 ff ff ff 01', {
      kind: 'communities',
      flags: 0xc0,
      values: [0xfde80064, 0xffffff01],
    });
  });

  it('formats every value as high:low, the form the CLI and routers print; names come from communityName', () => {
    const values = [0xfde80064, 0xffffff01, 0xffffff02, 0xffffff03, 0xffff029a, 0xffff0000, 0];
    expect(values.map(formatCommunity)).toEqual([
      '65000:100',
      '65535:65281',
      '65535:65282',
      '65535:65283',
      '65535:666',
      '65535:0',
      '0:0',
    ]);
    expect(values.map(communityName)).toEqual([
      undefined,
      'NO_EXPORT',
      'NO_ADVERTISE',
      'NO_EXPORT_SUBCONFED',
      'BLACKHOLE',
      'GRACEFUL_SHUTDOWN',
      undefined,
    ]);
  });

  it('parses high:low, names and plain numbers, and refuses the rest', () => {
    expect(['65000:100', 'NO_EXPORT', 'no-advertise', '4294967041'].map(parseCommunity)).toEqual([
      0xfde80064, 0xffffff01, 0xffffff02, 0xffffff01,
    ]);
    for (const bad of ['65536:1', '1:2:3', 'NOPE', '', '-1']) {
      expect(() => parseCommunity(bad)).toThrow(LocalProtocolError);
    }
  });

  for (const text of ['c0 08 00', 'c0 08 03 00 00 01', 'c0 08 06 00 00 00 01 00 02']) {
    it(`gives 3/5 treat-as-withdraw when the length is not a non-zero multiple of 4: ${text} (RFC 7606 §7.8)`, () => {
      const e = fault(() => decode(text));
      expect([e.subcode, e.action, toHex(e.data)]).toEqual([5, 'treatAsWithdraw', text.replace(/\s/g, '')]);
    });
  }
});

describe('CLUSTER_LIST (RFC 4456 §8)', () => {
  it('decodes a list of 4-octet cluster ids, flags 0x80', () => {
    both('80 0a 08 0a fa 00 01 0a fa 00 02', {
      kind: 'clusterList',
      flags: 0x80,
      ids: ['10.250.0.1', '10.250.0.2'],
    });
  });

  it('gives 3/5 treat-as-withdraw for a length that is not a non-zero multiple of 4 (RFC 7606 §7.10)', () => {
    expect(fault(() => decode('80 0a 00')).action).toBe('treatAsWithdraw');
    expect(fault(() => decode('80 0a 05 0a fa 00 01 00')).subcode).toBe(5);
  });
});

describe('EXTENDED_COMMUNITIES (RFC 4360)', () => {
  it('keeps each 8-octet value as received, flags 0xc0', () => {
    both('c0 10 10 0002fde800000064 01020afa00010064', {
      kind: 'extendedCommunities',
      flags: 0xc0,
      values: [hex('0002fde800000064'), hex('01020afa00010064')],
    });
  });

  it('gives 3/5 treat-as-withdraw when the length is not a non-zero multiple of 8 (RFC 7606 §7.14)', () => {
    expect(fault(() => decode('c0 10 04 00 02 fd e8')).action).toBe('treatAsWithdraw');
    expect(fault(() => decode('c0 10 00')).action).toBe('treatAsWithdraw');
  });

  it('formats route targets and origins of each administrator type (RFC 4360 §4, RFC 5668 §2)', () => {
    expect(
      [
        '0002fde800000064',
        '00030048000186a0',
        '01020afa00010064',
        '0103c0a85e0c0005',
        '0202fa56ea000064',
        '02020000fde80001',
      ].map((h) => formatExtendedCommunity(hex(h))),
    ).toEqual([
      'target:65000:100',
      'origin:72:100000',
      'target:10.250.0.1:100',
      'origin:192.168.94.12:5',
      'target:4200000000L:100',
      'target:65000L:1',
    ]);
  });

  it('formats color, encapsulation, link bandwidth and flow-spec actions, and hex for the rest', () => {
    expect(
      [
        '030b000000000064',
        '030c000000000008',
        '4004fde849989680',
        '8006000000000000',
        '80080048000000cc',
        '0605000000000001',
      ].map((h) => formatExtendedCommunity(hex(h))),
    ).toEqual([
      'color:100',
      'encap:8',
      'link-bandwidth:65000:1250000',
      'rate-limit:0',
      'redirect:72:204',
      '0x0605000000000001',
    ]);
  });

  it('parses every form it formats back to the same octets', () => {
    for (const h of [
      '0002fde800000064',
      '00030048000186a0',
      '01020afa00010064',
      '0202fa56ea000064',
      '02020000fde80001',
      '030b000000000064',
      '030c000000000008',
      '4004fde849989680',
      '8006000000000000',
      '80080048000000cc',
      '0605000000000001',
    ]) {
      expect(toHex(parseExtendedCommunity(formatExtendedCommunity(hex(h))))).toBe(h);
    }
    expect(toHex(parseExtendedCommunity('target:70000:1'))).toBe('0202000111700001');
    for (const bad of ['target:1', 'target:65536L:70000', 'nope:1:2', '0x00']) {
      expect(() => parseExtendedCommunity(bad)).toThrow(LocalProtocolError);
    }
  });
});

describe('LARGE_COMMUNITY (RFC 8092)', () => {
  it('decodes 12-octet triples, flags 0xc0', () => {
    both('c0 20 18 0000fde8 00000001 00000002 fa56ea00 ffffffff 00000000', {
      kind: 'largeCommunities',
      flags: 0xc0,
      values: [
        [65000, 1, 2],
        [4200000000, 0xffffffff, 0],
      ],
    });
  });

  it('formats and parses a:b:c (RFC 8092 §4)', () => {
    expect(formatLargeCommunity([65000, 1, 2])).toBe('65000:1:2');
    expect(parseLargeCommunity('4200000000:4294967295:0')).toEqual([4200000000, 0xffffffff, 0]);
    for (const bad of ['1:2', '1:2:4294967296', 'a:b:c']) {
      expect(() => parseLargeCommunity(bad)).toThrow(LocalProtocolError);
    }
  });

  it('gives 3/5 treat-as-withdraw when the length is not a non-zero multiple of 12 (RFC 8092 §5)', () => {
    expect(fault(() => decode('c0 20 08 0000fde8 00000001')).action).toBe('treatAsWithdraw');
    expect(fault(() => decode('c0 20 00')).action).toBe('treatAsWithdraw');
  });
});

describe('MP_REACH_NLRI (RFC 4760 §3)', () => {
  it('decodes IPv6 unicast with a global and a link-local next hop (RFC 2545 §3)', () => {
    both(
      '80 0e 2e | 0002 01 | 20 20010db8000000000000000000000001 fe800000000000000000000000000001 | 00 | 40 20010db800000001',
      {
        kind: 'mpReach',
        flags: 0x80,
        afi: 2,
        safi: 1,
        nextHops: ['2001:db8::1', 'fe80::1'],
        nlri: [parsePrefix('2001:db8:0:1::/64')],
      },
    );
  });

  it('decodes IPv4 NLRI with an IPv4 next hop, and with an IPv6 one (RFC 8950 §3)', () => {
    both('80 0e 0d | 0001 01 | 04 0afa0001 | 00 | 18 0afa01', {
      kind: 'mpReach',
      flags: 0x80,
      afi: 1,
      safi: 1,
      nextHops: ['10.250.0.1'],
      nlri: [parsePrefix('10.250.1.0/24')],
    });
    both('80 0e 19 | 0001 01 | 10 fd000250000000000000000000000001 | 00 | 18 0afa01', {
      kind: 'mpReach',
      flags: 0x80,
      afi: 1,
      safi: 1,
      nextHops: ['fd00:250::1'],
      nlri: [parsePrefix('10.250.1.0/24')],
    });
  });

  it('reads path ids before each prefix when the family has ADD-PATH (RFC 7911 §3)', () => {
    const ctx = makeContext({ addPath: [[2, 1]] });
    const a = decode(
      '80 0e 22 | 0002 01 | 10 20010db8000000000000000000000001 | 00 | 00000007 40 20010db800000001',
      ctx,
    );
    expect(a.kind === 'mpReach' && a.nlri?.map((p) => [formatPrefix(p), p.pathId])).toEqual([
      ['2001:db8:0:1::/64', 7],
    ]);
  });

  it('keeps any other family byte-exact in raw, never faulting (VPNv4 1/128)', () => {
    const text = '80 0e 20 | 0001 80 | 0c 0000000000000000 0afa0001 | 00 | 70 000641 0000fde800000064 0afa01';
    const a = decode(text);
    expect(a).toEqual({
      kind: 'mpReach',
      flags: 0x80,
      afi: 1,
      safi: 128,
      nextHops: ['10.250.0.1'],
      nlri: undefined,
      raw: hex('0c 0000000000000000 0afa0001 00 70 000641 0000fde800000064 0afa01'),
    });
    expect(encode(a)).toBe(text.replace(/[\s|]/g, ''));
    // Even a body that makes no sense for the family.
    expect(decode('80 0e 04 0019 41 ff')).toMatchObject({
      afi: 25,
      safi: 65,
      nlri: undefined,
      raw: hex('ff'),
    });
  });

  for (const [what, text] of [
    ['a next hop of length 0 (RFC 7606 §7.11)', '80 0e 05 0002 01 00 00'],
    [
      'a 12-octet next hop in IPv6 unicast (RFC 7606 §7.11)',
      '80 0e 11 0002 01 0c 0000000000000000 0afa0001 00',
    ],
    ['a next hop that overruns the attribute', '80 0e 06 0002 01 10 0000'],
    ['no room for AFI/SAFI', '80 0e 02 0002'],
    [
      'a prefix longer than 128 (RFC 7606 §5.3)',
      '80 0e 16 0002 01 10 20010db8000000000000000000000001 00 81',
    ],
    [
      'a truncated prefix (RFC 7606 §5.3)',
      '80 0e 19 0002 01 10 20010db8000000000000000000000001 00 40 2001 0d',
    ],
  ] as const) {
    it(`resets the session with 3/9 and the attribute as data for ${what}`, () => {
      const e = fault(() => decode(text));
      expect([e.code, e.subcode, e.action, toHex(e.data)]).toEqual([
        3,
        9,
        'sessionReset',
        text.replace(/\s/g, ''),
      ]);
    });
  }

  it('refuses to encode an MP_REACH_NLRI with neither nlri nor raw, or a prefix of another family', () => {
    expect(() => encode({ kind: 'mpReach', afi: 1, safi: 128, nextHops: [], nlri: undefined })).toThrow(
      LocalProtocolError,
    );
    expect(() =>
      encode({
        kind: 'mpReach',
        afi: 2,
        safi: 1,
        nextHops: ['2001:db8::1'],
        nlri: [parsePrefix('10.0.0.0/8')],
      }),
    ).toThrow(LocalProtocolError);
  });
});

describe('MP_UNREACH_NLRI (RFC 4760 §4)', () => {
  it('decodes IPv6 withdrawals', () => {
    both('80 0f 0c | 0002 01 | 40 20010db800000001', {
      kind: 'mpUnreach',
      flags: 0x80,
      afi: 2,
      safi: 1,
      withdrawn: [parsePrefix('2001:db8:0:1::/64')],
    });
  });

  it('keeps other families raw (VPLS 25/65)', () => {
    both('80 0f 05 | 0019 41 | abcd', {
      kind: 'mpUnreach',
      flags: 0x80,
      afi: 25,
      safi: 65,
      withdrawn: undefined,
      raw: hex('abcd'),
    });
  });

  it('resets the session with 3/9 for a syntax error in the withdrawn routes (RFC 7606 §7.12)', () => {
    const e = fault(() => decode('80 0f 05 0002 01 40 20'));
    expect([e.subcode, e.action, toHex(e.data)]).toEqual([9, 'sessionReset', '800f0500020140' + '20']);
    expect(fault(() => decode('80 0f 02 0002')).action).toBe('sessionReset');
  });
});

describe('unknown attributes and flags (RFC 4271 §4.3, §5)', () => {
  it('re-encodes an unknown attribute with its flags and value byte-exact', () => {
    const a: PathAttribute = { kind: 'unknown', code: 99, flags: 0xc0, value: hex('abcd') };
    expect(encode(a)).toBe('c06302abcd');
    expect(attributeName(99)).toBe('ATTR_99');
    expect(attributeName(14)).toBe('MP_REACH_NLRI');
  });

  it('markPartial sets Partial on unknown optional transitive attributes only (RFC 4271 §5)', () => {
    const transitive: PathAttribute = { kind: 'unknown', code: 99, flags: 0xc0, value: hex('00') };
    expect(markPartial(transitive)).toEqual({ ...transitive, flags: 0xe0 });
    const nonTransitive: PathAttribute = { kind: 'unknown', code: 99, flags: 0x80, value: hex('00') };
    expect(markPartial(nonTransitive)).toBe(nonTransitive);
    const known: PathAttribute = { kind: 'med', value: 1 };
    expect(markPartial(known)).toBe(known);
  });

  it('uses the canonical flags when an attribute has none', () => {
    expect(
      (
        [
          { kind: 'origin', value: 0 },
          { kind: 'med', value: 0 },
          { kind: 'communities', values: [] },
          { kind: 'mpReach', afi: 2, safi: 1, nextHops: [], nlri: [] },
          { kind: 'unknown', code: 99, flags: 0xe0, value: new Uint8Array(0) },
        ] as PathAttribute[]
      ).map(canonicalFlags),
    ).toEqual([0x40, 0x80, 0xc0, 0x80, 0xe0]);
  });

  it('keeps Extended Length set on a short value, so such attributes re-encode byte-exact', () => {
    both('50 01 0001 00', { kind: 'origin', flags: 0x50, value: 0 });
    both('d0 08 0004 fde80064', { kind: 'communities', flags: 0xd0, values: [0xfde80064] });
  });

  it('sets Extended Length when a value exceeds 255 octets, even if the flags given lack it', () => {
    const values = Array.from({ length: 64 }, (_, i) => i);
    const bytes = encode({ kind: 'communities', flags: 0xc0, values });
    expect(bytes.slice(0, 8)).toBe('d0080100');
    expect(bytes.length / 2).toBe(4 + 256);
  });
});
