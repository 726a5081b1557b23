import { describe, expect, it } from 'vitest';
import type { PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import { type CodecContext, makeContext, modernContext } from '../../src/wire/context.js';
import { LocalProtocolError } from '../../src/wire/errors.js';
import { ipv4Prefix, ipv6Prefix, type Prefix, parsePrefix, prefixKey } from '../../src/wire/prefix.js';
import { decodeUpdate, encodeUpdate, type ParsedUpdate, parseUpdate } from '../../src/wire/update.js';
import {
  endOfRib,
  packUpdates,
  packUpdatesUpTo,
  packWithdrawals,
  packWithdrawalsUpTo,
  updateNlriCapacity,
  withdrawalNlriCapacity,
} from '../../src/wire/update-packer.js';
import { hex, message, toHex } from '../support/bytes.js';

const ctx = modernContext;

const ATTRIBUTES: PathAttribute[] = [
  { kind: 'origin', value: 0 },
  { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001] }] },
];

/** `n` consecutive /32s from 10.250.0.0, with path ids 1.. when asked. */
function hosts(n: number, withPathIds = false): Prefix[] {
  return Array.from({ length: n }, (_, i) => ipv4Prefix(0x0afa0000 + i, 32, withPathIds ? i + 1 : undefined));
}

/** `n` /64s under fd00:250::/32. */
function ipv6Nets(n: number): Prefix[] {
  return Array.from({ length: n }, (_, i) => {
    const b = new Uint8Array(16);
    b.set([0xfd, 0x00, 0x02, 0x50, 0, 0, i >> 8, i & 0xff]);
    return ipv6Prefix(b, 64);
  });
}

function parseAll(msgs: Uint8Array[], c: CodecContext = ctx): ParsedUpdate[] {
  return msgs.map((m) => parseUpdate(decodeUpdate(m), c));
}

function mpNlri(u: ParsedUpdate): readonly Prefix[] {
  const a = u.attributes.find((x) => x.kind === 'mpReach');
  return a?.kind === 'mpReach' ? (a.nlri ?? []) : [];
}

describe('packUpdates: IPv4 in the classic NLRI field (RFC 4271 §4.3)', () => {
  it('packs 10,000 /32s into the fewest UPDATEs of at most 4096 octets, each prefix once, in order', () => {
    const nlri = hosts(10_000);
    const msgs = packUpdates({ afi: 1, attributes: ATTRIBUTES, nextHop: '10.250.0.1', nlri, ctx });
    // Attributes: ORIGIN 4 + AS_PATH 9 + NEXT_HOP 7 = 20 octets; 4096 - 23 - 20 = 4053 octets of NLRI,
    // 810 /32s (5 octets each) per message: ceil(10000 / 810) = 13.
    expect(msgs.length).toBe(13);
    for (const m of msgs) expect(m.length).toBeLessThanOrEqual(4096);
    for (const m of msgs.slice(0, -1)) expect(m.length + 5).toBeGreaterThan(4096);
    const parsed = parseAll(msgs);
    expect(parsed.flatMap((u) => u.nlri).map(prefixKey)).toEqual(nlri.map(prefixKey));
    for (const u of parsed) {
      expect(u.issues).toEqual([]);
      expect(u.attributes).toEqual([
        { kind: 'origin', flags: 0x40, value: 0 },
        { kind: 'asPath', flags: 0x40, segments: [{ type: 'sequence', asns: [65001] }] },
        { kind: 'nextHop', flags: 0x40, address: '10.250.0.1' },
      ]);
    }
  });

  it('writes the same bytes encodeUpdate writes for one message', () => {
    const nlri = [parsePrefix('10.250.1.0/24'), parsePrefix('10.250.2.0/23')];
    const [msg] = packUpdates({ afi: 1, attributes: ATTRIBUTES, nextHop: '10.250.0.1', nlri, ctx });
    const expected = message(2, '0000 0014 40010100 4002060201 0000fde9 4003040afa0001 18 0afa01 17 0afa02');
    expect(toHex(msg!)).toBe(toHex(expected));
    expect(
      toHex(
        encodeUpdate({ attributes: [...ATTRIBUTES, { kind: 'nextHop', address: '10.250.0.1' }], nlri }, ctx),
      ),
    ).toBe(toHex(expected));
  });

  it('puts NEXT_HOP in type-code order, or replaces one already given, keeping its flags', () => {
    const med: PathAttribute = { kind: 'med', value: 5 };
    const nlri = hosts(1);
    const inserted = parseAll(
      packUpdates({ afi: 1, attributes: [...ATTRIBUTES, med], nextHop: '10.250.0.1', nlri, ctx }),
    );
    expect(inserted[0]!.attributes.map((a) => a.kind)).toEqual(['origin', 'asPath', 'nextHop', 'med']);
    const given: PathAttribute = { kind: 'nextHop', flags: 0x50, address: '10.250.0.9' };
    const replaced = parseAll(
      packUpdates({ afi: 1, attributes: [given, med], nextHop: '10.250.0.1', nlri, ctx }),
    );
    expect(replaced[0]!.attributes[0]).toEqual({ kind: 'nextHop', flags: 0x50, address: '10.250.0.1' });
  });

  it('writes path ids with ADD-PATH (RFC 7911 §3): 450 /32s of 9 octets per message', () => {
    const addPath = makeContext({ addPath: [[1, 1]] });
    const nlri = hosts(1000, true);
    const msgs = packUpdates({ afi: 1, attributes: ATTRIBUTES, nextHop: '10.250.0.1', nlri, ctx: addPath });
    expect(msgs.length).toBe(3);
    expect(parseAll(msgs, addPath).flatMap((u) => u.nlri.map((p) => p.pathId))).toEqual(
      nlri.map((p) => p.pathId),
    );
  });

  it('uses up to 65535 octets with the extended message capability (RFC 8654)', () => {
    const big = makeContext({ extendedMessage: true });
    const msgs = packUpdates({
      afi: 1,
      attributes: ATTRIBUTES,
      nextHop: '10.250.0.1',
      nlri: hosts(10_000),
      ctx: big,
    });
    expect(msgs.length).toBe(1);
    expect(msgs[0]!.length).toBe(23 + 20 + 50_000);
  });

  it('returns no message for no prefixes', () => {
    expect(packUpdates({ afi: 1, attributes: ATTRIBUTES, nextHop: '10.250.0.1', nlri: [], ctx })).toEqual([]);
  });
});

describe('packUpdates: MP_REACH_NLRI (RFC 4760 §3)', () => {
  it('packs IPv6 with a global and a link-local next hop, MP_REACH_NLRI first (RFC 7606 §5.1)', () => {
    const nlri = ipv6Nets(2000);
    const msgs = packUpdates({
      afi: 2,
      attributes: ATTRIBUTES,
      nextHop: 'fd00:250::1',
      linkLocalNextHop: 'fe80::1',
      nlri,
      ctx,
    });
    // Fixed: header 23 + MP header 4 + AFI/SAFI/len/next hops/reserved 37 + ORIGIN/AS_PATH 13 = 77;
    // (4096 - 77) / 9 = 446 /64s per message: ceil(2000 / 446) = 5.
    expect(msgs.length).toBe(5);
    for (const m of msgs) expect(m.length).toBeLessThanOrEqual(4096);
    const parsed = parseAll(msgs);
    expect(parsed.flatMap(mpNlri).map(prefixKey)).toEqual(nlri.map(prefixKey));
    for (const u of parsed) {
      expect(u.issues).toEqual([]);
      expect(u.nlri).toEqual([]);
      expect(u.attributes.map((a) => a.kind)).toEqual(['mpReach', 'origin', 'asPath']);
      expect(u.attributes[0]).toMatchObject({
        flags: 0x90,
        afi: 2,
        safi: 1,
        nextHops: ['fd00:250::1', 'fe80::1'],
      });
    }
  });

  it('writes a 1-octet attribute length when MP_REACH_NLRI fits in 255 octets, as encodeUpdate does', () => {
    const nlri = ipv6Nets(2);
    const [msg] = packUpdates({ afi: 2, attributes: ATTRIBUTES, nextHop: 'fd00:250::1', nlri, ctx });
    const expected = message(
      2,
      `0000 0037
       80 0e 27 0002 01 10 fd000250000000000000000000000001 00 40 fd00025000000000 40 fd00025000000001
       40010100 4002060201 0000fde9`,
    );
    expect(toHex(msg!)).toBe(toHex(expected));
    expect(
      toHex(
        encodeUpdate(
          {
            attributes: [
              { kind: 'mpReach', afi: 2, safi: 1, nextHops: ['fd00:250::1'], nlri },
              ...ATTRIBUTES,
            ],
          },
          ctx,
        ),
      ),
    ).toBe(toHex(expected));
  });

  it('carries IPv4 in MP_REACH_NLRI when asked, with an IPv6 next hop (RFC 8950 §3), dropping NEXT_HOP', () => {
    const nlri = hosts(3);
    const msgs = packUpdates({
      afi: 1,
      attributes: [...ATTRIBUTES, { kind: 'nextHop', address: '10.250.0.1' }],
      nextHop: 'fd00:250::1',
      nlri,
      ctx,
      useMpForIpv4: true,
    });
    const [u] = parseAll(msgs);
    expect(u!.attributes.map((a) => a.kind)).toEqual(['mpReach', 'origin', 'asPath']);
    expect(u!.attributes[0]).toMatchObject({ afi: 1, safi: 1, nextHops: ['fd00:250::1'] });
    expect(mpNlri(u!).map(prefixKey)).toEqual(nlri.map(prefixKey));
  });

  it('writes path ids when IPv6 unicast has ADD-PATH', () => {
    const addPath = makeContext({ addPath: [[2, 1]] });
    const nlri = ipv6Nets(3).map((p) => ({ ...p, pathId: 7 }));
    const [u] = parseAll(
      packUpdates({ afi: 2, attributes: ATTRIBUTES, nextHop: 'fd00:250::1', nlri, ctx: addPath }),
      addPath,
    );
    expect(mpNlri(u!).map((p) => p.pathId)).toEqual([7, 7, 7]);
  });

  it('refuses MP attributes in attributes, a prefix of another family and a next hop of the wrong kind', () => {
    const mp: PathAttribute = { kind: 'mpUnreach', afi: 2, safi: 1, withdrawn: [] };
    expect(() =>
      packUpdates({ afi: 2, attributes: [mp], nextHop: 'fd00:250::1', nlri: ipv6Nets(1), ctx }),
    ).toThrow(LocalProtocolError);
    expect(() =>
      packUpdates({ afi: 2, attributes: [], nextHop: 'fd00:250::1', nlri: hosts(1), ctx }),
    ).toThrow(LocalProtocolError);
    expect(() =>
      packUpdates({ afi: 2, attributes: [], nextHop: '10.250.0.1', nlri: ipv6Nets(1), ctx }),
    ).toThrow(LocalProtocolError);
  });
});

describe('packWithdrawals', () => {
  it('packs 10,000 IPv4 /32s into the classic Withdrawn Routes field: 814 per message, 13 messages', () => {
    const prefixes = hosts(10_000);
    const msgs = packWithdrawals({ afi: 1, prefixes, ctx });
    expect(msgs.length).toBe(13);
    for (const m of msgs) expect(m.length).toBeLessThanOrEqual(4096);
    const parsed = parseAll(msgs);
    expect(parsed.flatMap((u) => u.withdrawn).map(prefixKey)).toEqual(prefixes.map(prefixKey));
    expect(parsed.every((u) => u.attributes.length === 0 && u.endOfRib === undefined)).toBe(true);
  });

  it('withdraws IPv6 in MP_UNREACH_NLRI (RFC 4760 §4)', () => {
    const prefixes = ipv6Nets(1000);
    const msgs = packWithdrawals({ afi: 2, prefixes, ctx });
    const parsed = parseAll(msgs);
    expect(
      parsed
        .flatMap((u) => u.attributes.flatMap((a) => (a.kind === 'mpUnreach' ? (a.withdrawn ?? []) : [])))
        .map(prefixKey),
    ).toEqual(prefixes.map(prefixKey));
    expect(msgs.length).toBe(Math.ceil(1000 / Math.floor((4096 - 23 - 4 - 3) / 9)));
  });

  it('writes the exact bytes of a small IPv6 withdrawal, with a 1-octet attribute length', () => {
    const [msg] = packWithdrawals({ afi: 2, prefixes: [parsePrefix('2001:db8:0:1::/64')], ctx });
    expect(toHex(msg!)).toBe(toHex(message(2, '0000 000f 80 0f 0c 0002 01 40 20010db800000001')));
  });

  it('withdraws IPv4 in MP_UNREACH_NLRI when asked, with path ids under ADD-PATH', () => {
    const addPath = makeContext({ addPath: [[1, 1]] });
    const [u] = parseAll(
      packWithdrawals({ afi: 1, prefixes: hosts(2, true), ctx: addPath, useMpForIpv4: true }),
      addPath,
    );
    expect(u!.attributes[0]).toMatchObject({ kind: 'mpUnreach', afi: 1, safi: 1 });
    const a = u!.attributes[0];
    expect(a?.kind === 'mpUnreach' && a.withdrawn?.map((p) => p.pathId)).toEqual([1, 2]);
  });
});

describe('packUpdatesUpTo / packWithdrawalsUpTo: the packer says how many prefixes fit', () => {
  it('stops at the message limit and says how many prefixes, from the first, the messages carry', () => {
    const nlri = hosts(10_000);
    const r = packUpdatesUpTo({ afi: 1, attributes: ATTRIBUTES, nextHop: '10.250.0.1', nlri, ctx }, 3);
    expect([r.messages.length, r.packed]).toEqual([3, 3 * 810]);
    expect(
      parseAll(r.messages)
        .flatMap((u) => u.nlri)
        .map(prefixKey),
    ).toEqual(nlri.slice(0, r.packed).map(prefixKey));
    const w = packWithdrawalsUpTo({ afi: 1, prefixes: nlri, ctx }, 2);
    expect([w.messages.length, w.packed]).toEqual([2, 2 * 814]);
    const six = packUpdatesUpTo(
      { afi: 2, attributes: ATTRIBUTES, nextHop: 'fd00:250::1', nlri: ipv6Nets(1000), ctx },
      1,
    );
    expect(six.messages).toHaveLength(1);
    expect(mpNlri(parseAll(six.messages)[0]!)).toHaveLength(six.packed);
  });

  it('packs everything when the limit allows, as packUpdates does', () => {
    const nlri = hosts(2000);
    const opts = { afi: 1 as const, attributes: ATTRIBUTES, nextHop: '10.250.0.1', nlri, ctx };
    const r = packUpdatesUpTo(opts, 100);
    expect(r.packed).toBe(2000);
    expect(r.messages.map((m) => toHex(m))).toEqual(packUpdates(opts).map((m) => toHex(m)));
  });

  it('gives the NLRI room of one UPDATE (RFC 4271 §4.3): 4096 - 23 - attributes', () => {
    // ORIGIN 4 + AS_PATH 9 + NEXT_HOP 7 = 20 octets of attributes.
    expect(updateNlriCapacity({ afi: 1, attributes: ATTRIBUTES, nextHop: '10.250.0.1', ctx })).toBe(4053);
    expect(withdrawalNlriCapacity({ afi: 1, ctx })).toBe(4096 - 23);
    // MP_UNREACH_NLRI: flags, type, 2-octet length, AFI, SAFI (RFC 4760 §4).
    expect(withdrawalNlriCapacity({ afi: 2, ctx })).toBe(4096 - 23 - 7);
  });
});

describe('endOfRib (RFC 4724 §2)', () => {
  it('is the empty UPDATE for IPv4 unicast', () => {
    expect(toHex(endOfRib(1, 1, ctx))).toBe(toHex(message(2, '0000 0000')));
  });

  it('is a lone empty MP_UNREACH_NLRI for any other family, and parses back as End-of-RIB', () => {
    expect(toHex(endOfRib(2, 1, ctx))).toBe(toHex(message(2, '0000 0006 80 0f 03 0002 01')));
    for (const [afi, safi] of [
      [2, 1],
      [1, 128],
      [25, 70],
    ] as const) {
      expect(parseAll([endOfRib(afi, safi, ctx)])[0]!.endOfRib).toEqual({ afi, safi });
    }
    expect(hex(toHex(endOfRib(1, 1))).length).toBe(23);
  });
});
