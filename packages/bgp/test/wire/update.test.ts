import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/wire/address.js';
import { formatAsPath } from '../../src/wire/attributes/as-path.js';
import { formatOrigin } from '../../src/wire/attributes/origin.js';
import type { PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import { type CodecContext, defaultContext, makeContext, modernContext } from '../../src/wire/context.js';
import { LocalProtocolError, WireError } from '../../src/wire/errors.js';
import { formatPrefix, parsePrefix } from '../../src/wire/prefix.js';
import {
  decodeUpdate,
  encodeRawUpdate,
  encodeUpdate,
  type ParsedUpdate,
  parseUpdate,
} from '../../src/wire/update.js';
import { hex, message, toHex } from '../support/bytes.js';
import { CORPUS_DIR } from '../support/corpus.js';

const four = modernContext;

function parse(msg: Uint8Array, ctx: CodecContext = four): ParsedUpdate {
  return parseUpdate(decodeUpdate(msg), ctx);
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

/**
 * A hand-checked UPDATE (RFC 4271 §4.3) on a 4-octet session: withdraws 10.250.9.0/24,
 * announces 10.250.1.0/24 and 10.250.2.128/25 with ORIGIN IGP, AS_PATH 65001 65002,
 * NEXT_HOP 10.250.0.1, MED 100, COMMUNITIES 65001:1.
 */
const CANONICAL = message(
  2,
  `0004 18 0afa09
   0026
   40 01 01 00
   40 02 0a 02 02 0000fde9 0000fdea
   40 03 04 0afa0001
   80 04 04 00000064
   c0 08 04 fde90001
   18 0afa01  19 0afa0280`,
);

const CANONICAL_CONTENT = {
  withdrawn: [parsePrefix('10.250.9.0/24')],
  attributes: [
    { kind: 'origin', value: 0 },
    { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001, 65002] }] },
    { kind: 'nextHop', address: '10.250.0.1' },
    { kind: 'med', value: 100 },
    { kind: 'communities', values: [0xfde90001] },
  ] as PathAttribute[],
  nlri: [parsePrefix('10.250.1.0/24'), parsePrefix('10.250.2.128/25')],
};

describe('decodeUpdate: the raw first stage (RFC 4271 §4.3)', () => {
  it('splits an UPDATE into withdrawn routes, path attributes and NLRI views', () => {
    const m = decodeUpdate(CANONICAL);
    expect(m.kind).toBe('update');
    expect(toHex(m.withdrawnRoutes)).toBe('180afa09');
    expect(m.pathAttributes.length).toBe(0x26);
    expect(toHex(m.nlri)).toBe('180afa01190afa0280');
    expect(m.nlri.buffer).toBe(CANONICAL.buffer);
  });

  it('rejects a Withdrawn Routes Length past the message with 3/1, session reset (RFC 4271 §6.3)', () => {
    const e = fault(() => decodeUpdate(message(2, '0005 18 0afa09 0000')));
    expect([e.code, e.subcode, e.action, e.errorCode]).toEqual([
      3,
      1,
      'sessionReset',
      'BGP_UPDATE_MALFORMED_ATTRIBUTE_LIST',
    ]);
  });

  it('rejects a Total Path Attribute Length past the message with 3/1, session reset (RFC 7606 §3 b)', () => {
    const e = fault(() => decodeUpdate(message(2, '0000 0005 40 01 01 00')));
    expect([e.code, e.subcode, e.action]).toEqual([3, 1, 'sessionReset']);
  });

  it('rejects a message shorter than 23 octets or whose header length disagrees, with 1/2', () => {
    expect(fault(() => decodeUpdate(message(2, '0000'))).subcode).toBe(2);
    const bad = message(2, '0000 0000');
    bad[17] = 24;
    expect([fault(() => decodeUpdate(bad)).code, fault(() => decodeUpdate(bad)).subcode]).toEqual([1, 2]);
  });

  it('encodeRawUpdate re-assembles the sections byte-exact', () => {
    expect(toHex(encodeRawUpdate(decodeUpdate(CANONICAL), four))).toBe(toHex(CANONICAL));
  });
});

describe('parseUpdate: the second stage', () => {
  it('decodes withdrawn routes, attributes in received order and NLRI', () => {
    const u = parse(CANONICAL);
    expect(u.withdrawn.map(formatPrefix)).toEqual(['10.250.9.0/24']);
    expect(u.nlri.map(formatPrefix)).toEqual(['10.250.1.0/24', '10.250.2.128/25']);
    expect(u.attributes.map((a) => a.kind)).toEqual(['origin', 'asPath', 'nextHop', 'med', 'communities']);
    expect(u.attributes[1]).toEqual({
      kind: 'asPath',
      flags: 0x40,
      segments: [{ type: 'sequence', asns: [65001, 65002] }],
    });
    expect([u.issues, u.action, u.endOfRib]).toEqual([[], undefined, undefined]);
  });

  it('reads AS_PATH with 2-octet ASNs when the context says so (RFC 6793 §4)', () => {
    const msg = message(2, '0000 0012 40 01 01 00 40 02 04 02 01 fde9 40 03 04 0afa0001 18 0afa01');
    expect(parse(msg, defaultContext).attributes[1]).toMatchObject({
      segments: [{ type: 'sequence', asns: [65001] }],
    });
  });

  it('reads path ids in the classic fields when IPv4 unicast has ADD-PATH (RFC 7911 §3)', () => {
    const ctx = makeContext({ addPath: [[1, 1]] });
    const msg = message(
      2,
      '0008 00000001 18 0afa09 000e 40 01 01 00 40 02 00 40 03 04 0afa0001 00000002 18 0afa01',
    );
    const u = parse(msg, ctx);
    expect(u.withdrawn.map((p) => [formatPrefix(p), p.pathId])).toEqual([['10.250.9.0/24', 1]]);
    expect(u.nlri.map((p) => [formatPrefix(p), p.pathId])).toEqual([['10.250.1.0/24', 2]]);
  });

  it('resets the session with 3/10 for a syntax error in the NLRI or withdrawn routes (RFC 7606 §5.3)', () => {
    const badNlri = message(2, '0000 000e 40 01 01 00 40 02 00 40 03 04 0afa0001 21 0afa0101 00');
    const badWithdrawn = message(2, '0002 18 0a 0000');
    for (const msg of [badNlri, badWithdrawn]) {
      const e = fault(() => parse(msg));
      expect([e.code, e.subcode, e.action]).toEqual([3, 10, 'sessionReset']);
    }
  });
});

describe('End-of-RIB (RFC 4724 §2)', () => {
  it('recognises IPv4 unicast End-of-RIB: no withdrawn routes, attributes or NLRI', () => {
    const u = parse(message(2, '0000 0000'));
    expect(u.endOfRib).toEqual({ afi: 1, safi: 1 });
    expect(u.issues).toEqual([]);
  });

  it('recognises another family by a lone empty MP_UNREACH_NLRI (ExaBGP vector, extended length)', () => {
    const msg = hex('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 001E 02 00000007900F0003000201');
    const u = parse(msg);
    expect(u.endOfRib).toEqual({ afi: 2, safi: 1 });
    expect(u.attributes).toEqual([{ kind: 'mpUnreach', flags: 0x90, afi: 2, safi: 1, withdrawn: [] }]);
  });

  it('recognises it for a family kept raw (L2VPN VPLS 25/65), before any missing-attribute check', () => {
    expect(parse(message(2, '0000 0006 80 0f 03 0019 41')).endOfRib).toEqual({ afi: 25, safi: 65 });
  });

  it('does not take an MP_UNREACH_NLRI with withdrawals, or with other attributes, for End-of-RIB', () => {
    expect(parse(message(2, '0000 000f 80 0f 0c 0002 01 40 20010db800000001')).endOfRib).toBeUndefined();
    expect(parse(message(2, '0000 000a 80 0f 03 0002 01 40 01 01 00')).endOfRib).toBeUndefined();
  });
});

describe('encodeUpdate', () => {
  it('writes the canonical bytes of a hand-checked UPDATE (RFC 4271 §4.3)', () => {
    expect(toHex(encodeUpdate(CANONICAL_CONTENT, four))).toBe(toHex(CANONICAL));
  });

  it('re-encodes a decoded canonical UPDATE byte-exact', () => {
    const u = parse(CANONICAL);
    expect(toHex(encodeUpdate(u, four))).toBe(toHex(CANONICAL));
  });

  it('keeps the flags received, so an Extended Length bit on a short value survives a round trip', () => {
    const msg = message(2, '0000 0011 50 01 0001 00 50 02 0000 50 03 0004 0afa0001 18 0afa01');
    const u = parse(msg);
    expect(u.issues).toEqual([]);
    expect(toHex(encodeUpdate(u, four))).toBe(toHex(msg));
  });

  it('on a 2-octet context writes AS_TRANS in AS_PATH and the real path in AS4_PATH for AS 4200000000 (RFC 6793 §4.2.2)', () => {
    const bytes = encodeUpdate(
      {
        attributes: [
          { kind: 'origin', value: 0 },
          { kind: 'asPath', segments: [{ type: 'sequence', asns: [4_200_000_000, 65001] }] },
          { kind: 'nextHop', address: '10.250.0.1' },
          { kind: 'largeCommunities', values: [[4_200_000_000, 1, 2]] },
        ],
        nlri: [parsePrefix('10.250.1.0/24')],
      },
      defaultContext,
    );
    // 4200000000 = 0xfa56ea00; AS_TRANS = 23456 = 0x5ba0.
    expect(toHex(bytes)).toBe(
      toHex(
        message(
          2,
          `0000 0030
           40 01 01 00
           40 02 06 02 02 5ba0 fde9
           40 03 04 0afa0001
           c0 11 0a 02 02 fa56ea00 0000fde9
           c0 20 0c fa56ea00 00000001 00000002
           18 0afa01`,
        ),
      ),
    );
    const back = parse(bytes, defaultContext);
    expect(back.attributes.find((a) => a.kind === 'as4Path')).toMatchObject({
      segments: [{ type: 'sequence', asns: [4_200_000_000, 65001] }],
    });
  });

  it('adds no AS4_PATH when every ASN fits 2 octets, or on a 4-octet context', () => {
    const content = {
      attributes: [{ kind: 'asPath', segments: [{ type: 'sequence', asns: [65001] }] }] as PathAttribute[],
    };
    expect(toHex(encodeUpdate(content, defaultContext))).not.toContain('c011');
    const big = {
      attributes: [
        { kind: 'asPath', segments: [{ type: 'sequence', asns: [4_200_000_000] }] },
      ] as PathAttribute[],
    };
    expect(toHex(encodeUpdate(big, four))).not.toContain('c011');
  });

  it('writes an empty UPDATE (IPv4 End-of-RIB) for empty content', () => {
    expect(toHex(encodeUpdate({}, four))).toBe(toHex(message(2, '0000 0000')));
  });

  it('writes path ids with ADD-PATH, 0 when a prefix has none (RFC 7911 §3)', () => {
    const ctx = makeContext({ addPath: [[1, 1]] });
    const bytes = encodeUpdate(
      { withdrawn: [parsePrefix('10.250.9.0/24', 5), parsePrefix('10.250.8.0/24')] },
      ctx,
    );
    expect(toHex(bytes)).toBe(toHex(message(2, '0010 00000005 18 0afa09 00000000 18 0afa08 0000')));
  });

  it('refuses an IPv6 prefix in the classic fields and a message over 4096 octets (local errors)', () => {
    expect(() => encodeUpdate({ nlri: [parsePrefix('2001:db8::/32')] }, four)).toThrow(LocalProtocolError);
    const many = Array.from({ length: 1000 }, (_, i) => parsePrefix(`${formatIpv4(0x0afa0000 + i)}/32`));
    expect(() => encodeUpdate({ withdrawn: many }, four)).toThrow(LocalProtocolError);
    expect(encodeUpdate({ withdrawn: many }, makeContext({ extendedMessage: true })).length).toBe(5023);
  });
});

// ---------------------------------------------------------------------------------------------
// Real UPDATEs written by ExaBGP, with ExaBGP's own JSON decoding (corpus README §8).

/** ExaBGP's vectors in the in-repo corpus (test/corpus/exabgp). */
const EXABGP = join(CORPUS_DIR, 'exabgp');

interface ExaVector {
  readonly file: string;
  readonly ctx: CodecContext;
  readonly raw: Uint8Array;
  readonly json: ExaUpdate | undefined;
}

interface ExaUpdate {
  readonly attribute?: Record<string, unknown>;
  readonly announce?: Record<string, Record<string, { nlri: string; 'path-information'?: string }[]>>;
  readonly withdraw?: Record<string, { nlri: string; 'path-information'?: string }[]>;
}

const familyByName: Record<string, readonly [number, number]> = {
  'ipv4 unicast': [1, 1],
  'ipv6 unicast': [2, 1],
  'ipv4 multicast': [1, 2],
  'ipv6 multicast': [2, 2],
  'ipv4 nlri-mpls': [1, 4],
  'ipv4 mpls-vpn': [1, 128],
  'ipv6 mpls-vpn': [2, 128],
};

/** The session an ExaBGP configuration sets up: `asn4 disable`, and ADD-PATH per `add-path {}` or every family. */
function exaContext(conf: string): CodecContext {
  const block = (name: string): string[] => {
    const m = new RegExp(`\\n\\s*${name}\\s*\\{([^}]*)\\}`).exec(conf);
    return m ? m[1]!.split(';').map((s) => s.trim()) : [];
  };
  const addPath = /add-path\s+(send\/receive|receive|send)/.test(conf)
    ? (block('add-path').length > 0 ? block('add-path') : block('family'))
        .map((f) => familyByName[f])
        .filter((f) => f !== undefined)
    : [];
  return makeContext({ fourOctetAs: !/asn4\s+disable/.test(conf), addPath });
}

function exaVectors(): ExaVector[] {
  const out: ExaVector[] = [];
  const dir = join(EXABGP, 'qa/encoding');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ci'))) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    const confName = /^option:file:(.*)$/m.exec(lines.join('\n'))?.[1];
    const conf = confName ? readFileSync(join(EXABGP, 'etc/exabgp', confName), 'utf8') : '';
    const ctx = exaContext(conf);
    for (let i = 0; i < lines.length; i++) {
      const raw = /^\d+:raw:(.*)$/.exec(lines[i]!.trim());
      if (!raw) continue;
      const bytes = hex(raw[1]!.replace(/:/g, ''));
      if (bytes[18] !== 2) continue;
      const json = /^\d+:json:(.*)$/.exec(lines[i + 1]?.trim() ?? '');
      const update = json ? JSON.parse(json[1]!).neighbor?.message?.update : undefined;
      out.push({ file, ctx, raw: bytes, json: update as ExaUpdate | undefined });
    }
  }
  return out;
}

/**
 * An extended community as ExaBGP's JSON `value`: the 8 octets as one number, rounded to
 * the nearest double as JSON.parse rounds ExaBGP's decimal (ExaBGP's text forms differ from ours).
 */
function extendedCommunityKey(v: Uint8Array): number {
  return Number(BigInt(`0x${toHex(v)}`));
}

/** Our decoding in ExaBGP's JSON shape, for the families and attributes both decode. */
function asExaBgp(u: ParsedUpdate): ExaUpdate {
  const attribute: Record<string, unknown> = {};
  const announce: Record<string, Record<string, { nlri: string; 'path-information'?: string }[]>> = {};
  const withdraw: Record<string, { nlri: string; 'path-information'?: string }[]> = {};
  const entry = (p: (typeof u.nlri)[number]) =>
    p.pathId === undefined
      ? { nlri: formatPrefix(p) }
      : { nlri: formatPrefix(p), 'path-information': formatIpv4(p.pathId) };
  let nextHop = '';
  for (const a of u.attributes) {
    switch (a.kind) {
      case 'origin':
        attribute.origin = formatOrigin(a.value);
        break;
      case 'asPath':
        if (a.segments.length > 0) {
          attribute['as-path'] = Object.fromEntries(
            a.segments.map((s, i) => [String(i), { element: `as-${s.type}`, value: s.asns }]),
          );
        }
        break;
      case 'nextHop':
        nextHop = a.address;
        break;
      case 'med':
        attribute.med = a.value;
        break;
      case 'localPref':
        attribute['local-preference'] = a.value;
        break;
      case 'communities':
        attribute.community = a.values.map((v) => [v >>> 16, v & 0xffff]);
        break;
      case 'largeCommunities':
        attribute['large-community'] = a.values.map((v) => [...v]);
        break;
      case 'originatorId':
        attribute['originator-id'] = a.id;
        break;
      case 'clusterList':
        attribute['cluster-list'] = a.ids;
        break;
      case 'extendedCommunities':
        attribute['extended-community'] = a.values.map((v) => extendedCommunityKey(v));
        break;
      case 'mpReach':
        if (a.nlri !== undefined && a.nlri.length > 0) {
          const fam = `ipv${a.afi === 1 ? 4 : 6} ${a.safi === 1 ? 'unicast' : 'multicast'}`;
          announce[fam] = { [a.nextHops[0]!]: a.nlri.map(entry) };
        }
        break;
      case 'mpUnreach':
        if (a.withdrawn !== undefined && a.withdrawn.length > 0) {
          withdraw[`ipv${a.afi === 1 ? 4 : 6} ${a.safi === 1 ? 'unicast' : 'multicast'}`] =
            a.withdrawn.map(entry);
        }
        break;
      default:
        break;
    }
  }
  if (u.nlri.length > 0) announce['ipv4 unicast'] = { [nextHop]: u.nlri.map(entry) };
  if (u.withdrawn.length > 0) withdraw['ipv4 unicast'] = u.withdrawn.map(entry);
  return { attribute, announce, withdraw };
}

/** ExaBGP's JSON reduced to what {@link asExaBgp} covers. */
function comparable(j: ExaUpdate): ExaUpdate {
  const known = new Set([
    'origin',
    'as-path',
    'med',
    'local-preference',
    'community',
    'large-community',
    'originator-id',
    'cluster-list',
    'extended-community',
  ]);
  const attribute = Object.fromEntries(
    Object.entries(j.attribute ?? {})
      .filter(([k]) => known.has(k))
      .map(([k, v]) =>
        k === 'extended-community' ? [k, (v as { value: number }[]).map((x) => x.value)] : [k, v],
      ),
  );
  const pick = <T>(o: Record<string, T> | undefined): Record<string, T> =>
    Object.fromEntries(Object.entries(o ?? {}).filter(([f]) => /^ipv[46] (unicast|multicast)$/.test(f)));
  return { attribute, announce: pick(j.announce), withdraw: pick(j.withdraw) };
}

/** ExaBGP's generic attribute test sends type 0x99 with flags 0x60 / 0x70: not optional, so well-known. */
const WELL_KNOWN_153 = /(6099|7099)/;

describe('ExaBGP encoding vectors (corpus exabgp/qa/encoding, README §8)', () => {
  const vectors = exaVectors();

  it('finds the UPDATE vectors', () => {
    expect(vectors.length).toBeGreaterThan(150);
  });

  it('decodes and parses every UPDATE without a fault, and re-encodes it byte-exact both ways', () => {
    const notCanonical: string[] = [];
    for (const v of vectors) {
      const m = decodeUpdate(v.raw);
      expect(toHex(encodeRawUpdate(m, v.ctx))).toBe(toHex(v.raw));
      if (WELL_KNOWN_153.test(toHex(m.pathAttributes))) continue;
      const u = parseUpdate(m, v.ctx);
      expect(u.issues, `${v.file}: ${toHex(v.raw)}`).toEqual([]);
      if (toHex(encodeUpdate(u, v.ctx)) !== toHex(v.raw)) notCanonical.push(`${v.file}: ${toHex(v.raw)}`);
    }
    expect(notCanonical).toEqual([]);
  });

  it('resets the session with 3/2 on the unrecognized well-known attribute 153 of conf-generic-attribute.ci (RFC 4271 §6.3)', () => {
    const sent = vectors.filter((v) => WELL_KNOWN_153.test(toHex(v.raw)));
    expect(sent.length).toBe(2);
    for (const v of sent) {
      const e = fault(() => parse(v.raw, v.ctx));
      expect([e.code, e.subcode, e.action]).toEqual([3, 2, 'sessionReset']);
      expect(toHex(e.data)).toMatch(/^(609904|70990004)00000064$/);
    }
  });

  it('agrees with ExaBGP on prefixes, next hops, path ids and attribute values', () => {
    let compared = 0;
    for (const v of vectors) {
      if (v.json === undefined || WELL_KNOWN_153.test(toHex(v.raw))) continue;
      const expected = comparable(v.json);
      if (Object.keys(expected.announce ?? {}).length + Object.keys(expected.withdraw ?? {}).length === 0)
        continue;
      const actual = asExaBgp(parse(v.raw, v.ctx));
      expect(actual, `${v.file}: ${toHex(v.raw)}`).toEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('decodes the large-community vector of conf-attributes.ci field by field', () => {
    const raw = hex(
      'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF004C02' +
        '0000003040010100400200400304FFFFFFFF40050400000064C020180000000100000002000000030000000A0000000B0000000C200A000007',
    );
    const u = parse(raw);
    expect(u.nlri.map(formatPrefix)).toEqual(['10.0.0.7/32']);
    expect(u.attributes).toEqual([
      { kind: 'origin', flags: 0x40, value: 0 },
      { kind: 'asPath', flags: 0x40, segments: [] },
      { kind: 'nextHop', flags: 0x40, address: '255.255.255.255' },
      { kind: 'localPref', flags: 0x40, value: 100 },
      {
        kind: 'largeCommunities',
        flags: 0xc0,
        values: [
          [1, 2, 3],
          [10, 11, 12],
        ],
      },
    ]);
    expect(formatAsPath([])).toBe('');
  });
});
