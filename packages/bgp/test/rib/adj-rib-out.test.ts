import { describe, expect, it } from 'vitest';
import { AdjRibIn } from '../../src/rib/adj-rib-in.js';
import { AdjRibOut, type AdjRibOutOptions } from '../../src/rib/adj-rib-out.js';
import { type AttributeSet, AttributeSetTable } from '../../src/rib/attribute-set.js';
import type { PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import { makeContext, modernContext } from '../../src/wire/context.js';
import { decodeMessage } from '../../src/wire/message.js';
import { ipv4Prefix, ipv6Prefix, type Prefix, parsePrefix } from '../../src/wire/prefix.js';
import { parseUpdate } from '../../src/wire/update.js';
import { message, toHex } from '../support/bytes.js';
import { codeOf } from '../support/error-code.js';
import { receive, routeName } from '../support/received-updates.js';

const ctx = modernContext;
const IPV4 = { afi: 1, safi: 1 };
const IPV6 = { afi: 2, safi: 1 };

const ORIGIN_IGP: PathAttribute = { kind: 'origin', value: 0 };
const AS_PATH: PathAttribute = { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001] }] };

function setup(opts: Partial<AdjRibOutOptions> = {}): {
  rib: AdjRibOut;
  table: AttributeSetTable;
  a: AttributeSet;
  b: AttributeSet;
} {
  const table = new AttributeSetTable();
  const a = table.intern([ORIGIN_IGP, AS_PATH]);
  const b = table.intern([ORIGIN_IGP, AS_PATH, { kind: 'med', value: 100 }]);
  const rib = new AdjRibOut({ ctx, families: [IPV4, IPV6], ...opts });
  return { rib, table, a, b };
}

/** `n` consecutive /32s from 10.250.0.0. */
function hosts(n: number, from = 0): Prefix[] {
  return Array.from({ length: n }, (_, i) => ipv4Prefix(0x0afa0000 + from + i, 32));
}

/** `n` /128s under fd00:250::/64. */
function hosts6(n: number): Prefix[] {
  return Array.from({ length: n }, (_, i) => {
    const b = new Uint8Array(16);
    b.set([0xfd, 0x00, 0x02, 0x50]);
    b[14] = i >> 8;
    b[15] = i & 0xff;
    return ipv6Prefix(b, 128);
  });
}

function names(ps: readonly Prefix[]): string[] {
  return ps.map(routeName).sort();
}

function sorted(s: Iterable<string>): string[] {
  return [...s].sort();
}

/** Flushes until nothing is pending, in calls of `budget` messages. */
function drain(rib: AdjRibOut, budget = Number.POSITIVE_INFINITY): Uint8Array[][] {
  const calls: Uint8Array[][] = [];
  while (rib.hasPending) calls.push(rib.flush(budget));
  return calls;
}

describe('AdjRibOut diff semantics (RFC 4271 §3.2, §9.2)', () => {
  it('sends nothing when a route is announced again with the same attributes', () => {
    const { rib, a } = setup();
    const p = parsePrefix('10.250.0.1/32');
    rib.set(p, a, '10.250.0.254');
    expect(rib.flush()).toHaveLength(1);
    rib.set(p, a, '10.250.0.254');
    // An equal set from another table is the same attributes too.
    rib.set(p, new AttributeSetTable().intern([AS_PATH, ORIGIN_IGP]), '10.250.0.254');
    expect(rib.hasPending).toBe(false);
    expect(rib.flush()).toEqual([]);
  });

  it('re-announces a route whose attributes change, with no withdrawal (implicit withdraw, RFC 4271 §3.1)', () => {
    const { rib, a, b } = setup();
    const p = parsePrefix('10.250.0.1/32');
    rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.set(p, b, '10.250.0.254');
    const got = receive(rib.flush(), ctx);
    expect(sorted(got.withdrawn)).toEqual([]);
    expect(got.announced.get('10.250.0.1/32')).toEqual({ nextHop: '10.250.0.254', attributesKey: b.key });
  });

  it('re-announces a route whose next hop changes (RFC 4271 §5.1.3)', () => {
    const { rib, a } = setup();
    const p = parsePrefix('10.250.0.1/32');
    rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.set(p, a, '10.250.0.253');
    expect(receive(rib.flush(), ctx).announced.get('10.250.0.1/32')?.nextHop).toBe('10.250.0.253');
  });

  it('cancels an announcement withdrawn before it was sent, sending nothing', () => {
    const { rib, a } = setup();
    const p = parsePrefix('10.250.0.1/32');
    rib.set(p, a, '10.250.0.254');
    rib.withdraw(p);
    expect(rib.hasPending).toBe(false);
    expect(rib.flush()).toEqual([]);
    expect(rib.advertisedCount).toBe(0);
  });

  it('sends only the announcements still pending when some are withdrawn or moved before a flush', () => {
    const { rib, a, b } = setup();
    const ps = hosts(4);
    for (const p of ps) rib.set(p, a, '10.250.0.254');
    rib.withdraw(ps[0]!);
    rib.set(ps[1]!, b, '10.250.0.254');
    rib.set(ps[2]!, b, '10.250.0.254');
    rib.set(ps[2]!, a, '10.250.0.254');
    const got = receive(rib.flush(), ctx);
    expect(Math.max(...got.appearances.values())).toBe(1);
    expect(got.announced).toEqual(
      new Map([
        ['10.250.0.1/32', { nextHop: '10.250.0.254', attributesKey: b.key }],
        ['10.250.0.2/32', { nextHop: '10.250.0.254', attributesKey: a.key }],
        ['10.250.0.3/32', { nextHop: '10.250.0.254', attributesKey: a.key }],
      ]),
    );
  });

  it('sends nothing when an advertised route is withdrawn and re-announced identically before a flush', () => {
    const { rib, a } = setup();
    const p = parsePrefix('10.250.0.1/32');
    rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.withdraw(p);
    rib.set(p, a, '10.250.0.254');
    expect(rib.hasPending).toBe(false);
    expect(rib.flush()).toEqual([]);
  });

  it('sends nothing when attributes change and change back before a flush', () => {
    const { rib, a, b } = setup();
    const p = parsePrefix('10.250.0.1/32');
    rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.set(p, b, '10.250.0.254');
    rib.set(p, a, '10.250.0.254');
    expect(rib.flush()).toEqual([]);
  });

  it('sends the last attributes when a pending announcement changes before a flush', () => {
    const { rib, a, b } = setup();
    const p = parsePrefix('10.250.0.1/32');
    rib.set(p, a, '10.250.0.254');
    rib.set(p, b, '10.250.0.254');
    const got = receive(rib.flush(), ctx);
    expect(got.updates).toHaveLength(1);
    expect(got.announced.get('10.250.0.1/32')?.attributesKey).toBe(b.key);
  });

  it('withdraws an advertised route in the Withdrawn Routes field (RFC 4271 §4.3)', () => {
    const { rib, a } = setup();
    const p = parsePrefix('10.250.0.1/32');
    rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.withdraw(p);
    const msgs = rib.flush();
    // Withdrawn Routes Length 5, one /32, no attributes, no NLRI.
    expect(msgs.map(toHex)).toEqual([toHex(message(2, '0005 20 0afa0001 0000'))]);
    expect(rib.advertisedCount).toBe(0);
  });

  it('ignores the withdrawal of a prefix it never announced', () => {
    const { rib } = setup();
    rib.withdraw(parsePrefix('10.250.0.1/32'));
    expect(rib.hasPending).toBe(false);
    expect(rib.flush()).toEqual([]);
  });

  it('counts advertised, pending and desired routes as changes come and go', () => {
    const { rib, a, b } = setup();
    const ps = hosts(3);
    for (const p of ps) rib.set(p, a, '10.250.0.254');
    expect([rib.advertisedCount, rib.pendingCount, rib.size]).toEqual([0, 3, 3]);
    rib.flush();
    expect([rib.advertisedCount, rib.pendingCount, rib.size]).toEqual([3, 0, 3]);
    rib.withdraw(ps[0]!);
    rib.set(ps[1]!, b, '10.250.0.254');
    rib.set(parsePrefix('10.250.1.0/24'), a, '10.250.0.254');
    expect([rib.advertisedCount, rib.pendingCount, rib.size]).toEqual([3, 3, 3]);
    rib.flush();
    expect([rib.advertisedCount, rib.pendingCount, rib.size]).toEqual([3, 0, 3]);
  });

  it('gives the desired route per prefix, pending changes included', () => {
    const { rib, a, b } = setup();
    const [p, q] = hosts(2) as [Prefix, Prefix];
    rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.set(p, b, '10.250.0.254');
    rib.set(q, a, '10.250.0.254');
    expect(rib.get(p)?.attributes.key).toBe(b.key);
    expect(rib.get(q)?.nextHop).toBe('10.250.0.254');
    rib.withdraw(p);
    expect(rib.get(p)).toBeUndefined();
    expect(names([...rib.routes()].map((r) => r.prefix))).toEqual(['10.250.0.1/32']);
  });

  it('refuses a family that was not negotiated, and a next hop of the wrong family', () => {
    const table = new AttributeSetTable();
    const a = table.intern([ORIGIN_IGP, AS_PATH]);
    const rib = new AdjRibOut({ ctx, families: [IPV4] });
    expect(codeOf(() => rib.set(parsePrefix('fd00:250::/64'), a, 'fd00:250::1'))).toBe(
      'ANYVIP_FAMILY_NOT_NEGOTIATED',
    );
    expect(codeOf(() => rib.set(parsePrefix('10.250.0.0/24'), a, 'fd00:250::1'))).toBe('ANYVIP_BAD_NEXT_HOP');
    expect(codeOf(() => rib.set(parsePrefix('10.250.0.0/24'), a, 'not-an-address'))).toBe(
      'ANYVIP_BAD_NEXT_HOP',
    );
    expect(codeOf(() => new AdjRibOut({ ctx, families: [{ afi: 1, safi: 128 }] }))).toBe(
      'ANYVIP_UNSUPPORTED_FAMILY',
    );
    expect(rib.hasPending).toBe(false);
  });
});

describe('AdjRibOut packing', () => {
  it('encodes one route as the exact UPDATE, attributes in type-code order (RFC 4271 §4.3, §5)', () => {
    const { rib, a } = setup();
    rib.set(parsePrefix('10.250.0.1/32'), a, '10.250.0.254');
    const body =
      '0000 0014' + // no withdrawn routes; 20 octets of attributes
      '40 01 01 00' + // ORIGIN IGP
      '40 02 06 02 01 0000fde9' + // AS_PATH: AS_SEQUENCE of 1, AS 65001 (4 octets)
      '40 03 04 0afa00fe' + // NEXT_HOP 10.250.0.254
      '20 0afa0001'; // NLRI 10.250.0.1/32
    expect(rib.flush().map(toHex)).toEqual([toHex(message(2, body))]);
  });

  it('packs 2,000 /32s sharing one attribute set into ceil(2000 / 810) = 3 UPDATEs (RFC 4271 §4.3)', () => {
    const { rib, a } = setup();
    const ps = hosts(2000);
    for (const p of ps) rib.set(p, a, '10.250.0.254');
    const msgs = rib.flush();
    // 19 header + 4 length fields + 20 attributes = 43; (4096 - 43) / 5 = 810 /32s per UPDATE.
    expect(msgs.map((m) => m.length)).toEqual([43 + 810 * 5, 43 + 810 * 5, 43 + 380 * 5]);
    const got = receive(msgs, ctx);
    expect(sorted(got.announced.keys())).toEqual(names(ps));
    expect(Math.max(...got.appearances.values())).toBe(1);
    for (const r of got.announced.values())
      expect(r).toEqual({ nextHop: '10.250.0.254', attributesKey: a.key });
  });

  it('fills RFC 8654 extended messages: 2,000 /32s in one UPDATE of 10,043 octets', () => {
    const { rib, a } = setup({ ctx: makeContext({ extendedMessage: true }) });
    for (const p of hosts(2000)) rib.set(p, a, '10.250.0.254');
    expect(rib.flush().map((m) => m.length)).toEqual([43 + 2000 * 5]);
  });

  it('groups announcements by attribute set and next hop: each UPDATE carries one path', () => {
    const { rib, a, b } = setup();
    const ps = hosts(400);
    // Interleaved, so grouping is the RIB's doing, not the caller's order.
    ps.forEach((p, i) => {
      if (i % 4 === 0) rib.set(p, a, '10.250.0.254');
      else if (i % 4 === 1) rib.set(p, a, '10.250.0.253');
      else rib.set(p, b, '10.250.0.254');
    });
    const msgs = rib.flush();
    expect(msgs).toHaveLength(3);
    const got = receive(msgs, ctx);
    expect(got.announced.size).toBe(400);
    ps.forEach((p, i) => {
      expect(got.announced.get(routeName(p))).toEqual({
        nextHop: i % 4 === 1 ? '10.250.0.253' : '10.250.0.254',
        attributesKey: i % 4 < 2 ? a.key : b.key,
      });
    });
  });

  it('sends withdrawals before announcements', () => {
    const { rib, a } = setup();
    const [p, q] = hosts(2) as [Prefix, Prefix];
    rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.set(q, a, '10.250.0.254');
    rib.withdraw(p);
    const got = receive(rib.flush(), ctx);
    expect(got.updates.map((u) => [names(u.withdrawn), names(u.nlri)])).toEqual([
      [['10.250.0.0/32'], []],
      [[], ['10.250.0.1/32']],
    ]);
  });

  it('announces IPv6 in MP_REACH_NLRI and withdraws it in MP_UNREACH_NLRI (RFC 4760 §3, §4)', () => {
    const { rib, a } = setup();
    const p = parsePrefix('fd00:250::/64');
    rib.set(p, a, 'fd00:250::1');
    const mpReach =
      '80 0e 1e' + // optional, MP_REACH_NLRI, 30 octets
      '0002 01 10 fd000250000000000000000000000001 00' + // AFI 2, SAFI 1, next hop (16), reserved
      '40 fd00025000000000'; // fd00:250::/64
    expect(rib.flush().map(toHex)).toEqual([
      toHex(message(2, `0000 002e ${mpReach} 40010100 40020602010000fde9`)),
    ]);
    rib.withdraw(p);
    expect(rib.flush().map(toHex)).toEqual([
      // MP_UNREACH_NLRI, 12 octets: AFI 2, SAFI 1, fd00:250::/64.
      toHex(message(2, '0000 000f 80 0f 0c 0002 01 40 fd00025000000000')),
    ]);
  });

  it('packs 1,000 IPv6 /128s into ceil(1000 / 237) = 5 UPDATEs', () => {
    const { rib, a } = setup();
    const ps = hosts6(1000);
    for (const p of ps) rib.set(p, a, 'fd00:250::1');
    const msgs = rib.flush();
    // 19 + 4 + MP_REACH header 4 + AFI/SAFI/length 4 + next hop 16 + reserved 1 + 13 attributes = 61;
    // (4096 - 61) / 17 = 237 /128s per UPDATE.
    expect(msgs).toHaveLength(5);
    const got = receive(msgs, ctx);
    expect(sorted(got.announced.keys())).toEqual(names(ps));
    for (const r of got.announced.values()) expect(r.nextHop).toBe('fd00:250::1');
    for (const p of ps) rib.withdraw(p);
    const gone = receive(rib.flush(), ctx);
    expect(sorted(gone.withdrawn)).toEqual(names(ps));
  });

  it('sends IPv4 in MP_REACH_NLRI when asked (RFC 4760 §5), and for an IPv6 next hop (RFC 8950 §4)', () => {
    const { rib, a } = setup({ useMpForIpv4: true });
    rib.set(parsePrefix('10.250.0.0/24'), a, '10.250.0.254');
    const [u] = receive(rib.flush(), ctx).updates;
    expect(u?.nlri).toEqual([]);
    expect(u?.attributes.find((x) => x.kind === 'mpReach')).toMatchObject({
      afi: 1,
      safi: 1,
      nextHops: ['10.250.0.254'],
    });
    rib.withdraw(parsePrefix('10.250.0.0/24'));
    expect(receive(rib.flush(), ctx).updates[0]?.attributes).toMatchObject([{ kind: 'mpUnreach', afi: 1 }]);

    const enhCtx = makeContext({ extendedNextHop: [[1, 1]] });
    const { rib: rib2, a: a2 } = setup({ ctx: enhCtx });
    rib2.set(parsePrefix('10.250.0.0/24'), a2, 'fd00:250::1');
    const got = receive(rib2.flush(), enhCtx);
    expect(got.announced.get('10.250.0.0/24')?.nextHop).toBe('fd00:250::1');
    expect(got.updates[0]?.nlri).toEqual([]);
  });

  it('leaves a route pending when its attributes leave no room for a prefix, and can still withdraw it', () => {
    const table = new AttributeSetTable();
    const huge = table.intern([
      ORIGIN_IGP,
      AS_PATH,
      { kind: 'unknown', code: 99, flags: 0xd0, value: new Uint8Array(4096 - 23 - 13 - 7 - 4) },
    ]);
    const rib = new AdjRibOut({ ctx, families: [IPV4] });
    const p = parsePrefix('10.250.0.0/24');
    rib.set(p, huge, '10.250.0.254');
    expect(codeOf(() => rib.flush())).toBe('ANYVIP_UPDATE_TOO_LARGE');
    expect(codeOf(() => rib.flush(1))).toBe('ANYVIP_UPDATE_TOO_LARGE');
    expect([rib.pendingCount, rib.advertisedCount]).toEqual([1, 0]);
    rib.withdraw(p);
    expect(rib.flush()).toEqual([]);
  });
});

describe('AdjRibOut with ADD-PATH (RFC 7911)', () => {
  const apCtx = makeContext({ addPath: [[1, 1]] });

  it('announces and withdraws paths of one prefix told apart by path identifier (RFC 7911 §3)', () => {
    const { rib, a, b } = setup({ ctx: apCtx });
    rib.set(parsePrefix('10.250.0.0/24', 1), a, '10.250.0.254');
    rib.set(parsePrefix('10.250.0.0/24', 2), b, '10.250.0.253');
    const got = receive(rib.flush(), apCtx);
    expect(got.announced).toEqual(
      new Map([
        ['10.250.0.0/24#1', { nextHop: '10.250.0.254', attributesKey: a.key }],
        ['10.250.0.0/24#2', { nextHop: '10.250.0.253', attributesKey: b.key }],
      ]),
    );
    rib.withdraw(parsePrefix('10.250.0.0/24', 1));
    const msgs = rib.flush();
    // Withdrawn Routes Length 8: path id 1, then 10.250.0.0/24.
    expect(msgs.map(toHex)).toEqual([toHex(message(2, '0008 00000001 18 0afa00 0000'))]);
    expect(rib.advertisedCount).toBe(1);
  });

  it('sends a prefix without path identifier as path 0', () => {
    const { rib, a } = setup({ ctx: apCtx });
    rib.set(parsePrefix('10.250.0.0/24'), a, '10.250.0.254');
    expect(sorted(receive(rib.flush(), apCtx).announced.keys())).toEqual(['10.250.0.0/24#0']);
    rib.set(parsePrefix('10.250.0.0/24', 0), a, '10.250.0.254');
    expect(rib.hasPending).toBe(false);
  });

  it('refuses a path identifier when ADD-PATH send was not negotiated (RFC 7911 §4)', () => {
    const { rib, a } = setup();
    expect(codeOf(() => rib.set(parsePrefix('10.250.0.0/24', 1), a, '10.250.0.254'))).toBe(
      'ANYVIP_ADD_PATH_NOT_NEGOTIATED',
    );
  });
});

describe('AdjRibOut.resendAll (ROUTE-REFRESH, RFC 2918 §4, RFC 7313 §4)', () => {
  it('sends every advertised route again', () => {
    const { rib, a } = setup();
    const ps = [...hosts(1000), ...hosts6(10)];
    for (const p of ps) rib.set(p, a, p.afi === 1 ? '10.250.0.254' : 'fd00:250::1');
    const first = rib.flush();
    rib.resendAll();
    expect(rib.pendingCount).toBe(1010);
    const again = rib.flush();
    expect(again.length).toBe(first.length);
    expect(sorted(receive(again, ctx).announced.keys())).toEqual(names(ps));
    expect([rib.advertisedCount, rib.pendingCount]).toEqual([1010, 0]);
  });

  it('still re-sends a route set back to what the peer has during the refresh', () => {
    const { rib, a, b } = setup();
    const p = parsePrefix('10.250.0.1/32');
    rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.resendAll();
    rib.set(p, b, '10.250.0.254');
    rib.set(p, a, '10.250.0.254');
    rib.withdraw(p);
    rib.set(p, a, '10.250.0.254');
    expect(receive(rib.flush(), ctx).announced.get('10.250.0.1/32')?.attributesKey).toBe(a.key);
  });

  it('still re-sends a route whose pending change is undone after the refresh', () => {
    const { rib, a, b } = setup();
    const p = parsePrefix('10.250.0.1/32');
    rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.set(p, b, '10.250.0.254');
    rib.resendAll();
    rib.set(p, a, '10.250.0.254');
    expect(receive(rib.flush(), ctx).announced.get('10.250.0.1/32')?.attributesKey).toBe(a.key);
  });

  it('sends a route changed or withdrawn during a refresh once, as it now is', () => {
    const { rib, a, b } = setup();
    const ps = hosts(4);
    for (const p of ps) rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.resendAll();
    rib.resendAll();
    rib.set(ps[0]!, b, '10.250.0.254');
    rib.withdraw(ps[1]!);
    rib.set(ps[2]!, a, '10.250.0.254');
    expect(rib.pendingCount).toBe(4);
    const calls = drain(rib, 1);
    const got = receive(calls.flat(), ctx);
    expect(Math.max(...got.appearances.values())).toBe(1);
    expect(sorted(got.withdrawn)).toEqual(['10.250.0.1/32']);
    expect(got.announced).toEqual(
      new Map([
        ['10.250.0.0/32', { nextHop: '10.250.0.254', attributesKey: b.key }],
        ['10.250.0.2/32', { nextHop: '10.250.0.254', attributesKey: a.key }],
        ['10.250.0.3/32', { nextHop: '10.250.0.254', attributesKey: a.key }],
      ]),
    );
    expect([rib.advertisedCount, rib.pendingCount, rib.size]).toEqual([3, 0, 3]);
  });

  it('keeps pending changes as they are', () => {
    const { rib, a } = setup();
    const [p, q, r] = hosts(3) as [Prefix, Prefix, Prefix];
    rib.set(p, a, '10.250.0.254');
    rib.set(q, a, '10.250.0.254');
    rib.flush();
    rib.withdraw(p);
    rib.set(r, a, '10.250.0.254');
    rib.resendAll();
    const got = receive(rib.flush(), ctx);
    expect(sorted(got.withdrawn)).toEqual(['10.250.0.0/32']);
    expect(sorted(got.announced.keys())).toEqual(['10.250.0.1/32', '10.250.0.2/32']);
  });
});

describe('AdjRibOut.flush budget', () => {
  it('returns at most the budget per call, and in all the same UPDATE count and routes as one call', () => {
    const build = (): AdjRibOut => {
      const { rib, a, b } = setup();
      const ps = hosts(5000);
      ps.forEach((p, i) => {
        rib.set(p, i % 3 === 0 ? b : a, '10.250.0.254');
      });
      for (const p of hosts6(300)) rib.set(p, a, 'fd00:250::1');
      rib.flush();
      for (const p of ps.slice(0, 2000)) rib.withdraw(p);
      for (const p of hosts(3000, 10_000)) rib.set(p, b, '10.250.0.253');
      return rib;
    };
    const whole = build().flush();
    for (const budget of [1, 2, 3, 7]) {
      const rib = build();
      const calls = drain(rib, budget);
      for (const c of calls) expect(c.length).toBeLessThanOrEqual(budget);
      const msgs = calls.flat();
      expect(msgs.length).toBe(whole.length);
      const got = receive(msgs, ctx);
      const want = receive(whole, ctx);
      expect(sorted(got.withdrawn)).toEqual(sorted(want.withdrawn));
      expect(got.announced).toEqual(want.announced);
      expect(Math.max(...got.appearances.values())).toBe(1);
    }
  });

  it('keeps the budget with prefixes of mixed lengths, where a message cannot fill up, sending each once', () => {
    // /32s (5 octets) and /23s (4 octets) interleaved: how many fit in a message depends on
    // the order, and only the packer knows; AdjRibOut offers enough and keeps what is left out.
    const build = (): AdjRibOut => {
      const { rib, a } = setup();
      for (let i = 0; i < 4000; i++) {
        rib.set(
          i % 3 === 0 ? ipv4Prefix((0x0b000000 + i * 512) >>> 0, 23) : ipv4Prefix(0x0afa0000 + i, 32),
          a,
          '10.250.0.254',
        );
      }
      return rib;
    };
    const whole = build().flush();
    for (const budget of [1, 2, 5]) {
      const rib = build();
      const calls = drain(rib, budget);
      for (const c of calls.slice(0, -1)) expect(c.length).toBe(budget);
      const msgs = calls.flat();
      expect(msgs.length).toBe(whole.length);
      const got = receive(msgs, ctx);
      expect(got.announced).toEqual(receive(whole, ctx).announced);
      expect(got.announced.size).toBe(4000);
      expect(Math.max(...got.appearances.values())).toBe(1);
      expect([rib.pendingCount, rib.advertisedCount]).toEqual([0, 4000]);
    }
  });

  it('sends changes made between budgeted flushes, ending in the desired state at the receiver', () => {
    const { rib, a, b } = setup();
    const peer = new AdjRibIn();
    const apply = (msgs: Uint8Array[]): void => {
      for (const m of msgs) {
        const msg = decodeMessage(m, ctx);
        if (msg.kind === 'update') peer.apply(parseUpdate(msg, ctx));
      }
    };
    const ps = hosts(3000);
    for (const p of ps) rib.set(p, a, '10.250.0.254');
    apply(rib.flush(1));
    for (const p of ps.slice(0, 1500)) rib.set(p, b, '10.250.0.254');
    for (const p of ps.slice(2500)) rib.withdraw(p);
    apply(rib.flush(2));
    for (const p of ps.slice(0, 100)) rib.withdraw(p);
    for (const p of ps.slice(2900)) rib.set(p, a, '10.250.0.254');
    for (const c of drain(rib, 1)) apply(c);
    const want = new Map([...rib.routes()].map((r) => [routeName(r.prefix), r.attributes.key]));
    const have = new Map([...peer.routes()].map((r) => [routeName(r.prefix), r.attributes.key]));
    expect(have.size).toBe(2500);
    expect(have).toEqual(want);
  });
});

describe('AdjRibOut End-of-RIB and attribute-set references', () => {
  it('builds an End-of-RIB marker per negotiated family (RFC 4724 §2)', () => {
    const { rib } = setup();
    expect(rib.endOfRibFor().map(toHex)).toEqual([
      toHex(message(2, '0000 0000')),
      toHex(message(2, '0000 0006 80 0f 03 0002 01')),
    ]);
    expect(rib.endOfRibFor([IPV6]).map(toHex)).toEqual([toHex(message(2, '0000 0006 80 0f 03 0002 01'))]);
  });

  it('holds its own reference per path, released when the last route using it is gone', () => {
    const { rib, table, a, b } = setup();
    const ps = hosts(10);
    for (const p of ps) rib.set(p, a, '10.250.0.254');
    rib.set(ps[0]!, b, '10.250.0.254');
    a.release();
    b.release();
    expect(table.size).toBe(2);
    rib.flush();
    rib.set(ps[0]!, a, '10.250.0.254');
    rib.flush();
    // Route 0 moved back to `a`: nothing holds `b` any more.
    expect(table.size).toBe(1);
    for (const p of ps) rib.withdraw(p);
    expect(table.size).toBe(1);
    rib.flush();
    expect(table.size).toBe(0);
  });

  it('releases every attribute set on clear', () => {
    const { rib, table, a, b } = setup();
    for (const p of hosts(10)) rib.set(p, a, '10.250.0.254');
    rib.flush();
    rib.set(parsePrefix('10.250.0.1/32'), b, '10.250.0.254');
    a.release();
    b.release();
    rib.clear();
    expect(table.size).toBe(0);
    expect([rib.advertisedCount, rib.pendingCount, rib.size, rib.hasPending]).toEqual([0, 0, 0, false]);
  });
});
