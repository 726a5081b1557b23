import { describe, expect, it } from 'vitest';
import { AdjRibIn, type AdjRibInResult, maxPrefixNotification } from '../../src/rib/adj-rib-in.js';
import { AttributeSetTable } from '../../src/rib/attribute-set.js';
import type { RouteChange } from '../../src/rib/route.js';
import type { PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import { makeContext } from '../../src/wire/context.js';
import type { ErrorAction } from '../../src/wire/errors.js';
import { decodeMessage } from '../../src/wire/message.js';
import { type Prefix, parsePrefix } from '../../src/wire/prefix.js';
import { type ParsedUpdate, parseUpdate } from '../../src/wire/update.js';
import { message, toHex } from '../support/bytes.js';
import { routeName } from '../support/received-updates.js';

const ORIGIN_IGP: PathAttribute = { kind: 'origin', value: 0 };
const AS_PATH: PathAttribute = { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001] }] };
const MED: PathAttribute = { kind: 'med', value: 100 };
const IPV4 = { afi: 1, safi: 1 };
const IPV6 = { afi: 2, safi: 1 };

function ps(...texts: string[]): Prefix[] {
  return texts.map((t) => parsePrefix(t));
}

/** A parsed UPDATE as `parseUpdate` would give it. */
function update(u: {
  withdrawn?: Prefix[];
  attributes?: PathAttribute[];
  nlri?: Prefix[];
  action?: ErrorAction;
}): ParsedUpdate {
  return {
    withdrawn: u.withdrawn ?? [],
    attributes: u.attributes ?? [],
    nlri: u.nlri ?? [],
    issues: [],
    action: u.action,
  };
}

/** IPv4 announcement with NEXT_HOP `nextHop`. */
function announce4(nlri: Prefix[], nextHop = '10.250.0.254', extra: PathAttribute[] = []): ParsedUpdate {
  return update({ attributes: [ORIGIN_IGP, AS_PATH, { kind: 'nextHop', address: nextHop }, ...extra], nlri });
}

/** IPv6 announcement in MP_REACH_NLRI. */
function announce6(nlri: Prefix[], nextHop = 'fd00:250::1'): ParsedUpdate {
  return update({
    attributes: [{ kind: 'mpReach', afi: 2, safi: 1, nextHops: [nextHop], nlri }, ORIGIN_IGP, AS_PATH],
  });
}

function summary(changes: readonly RouteChange[]): string[] {
  return changes.map((c) => `${c.kind} ${routeName(c.route.prefix)}`);
}

describe('AdjRibIn.apply (RFC 4271 §3.2, §9)', () => {
  it('adds announced routes, with the next hop and the other attributes as one shared set', () => {
    const rib = new AdjRibIn();
    const r = rib.apply(announce4(ps('10.250.0.0/24', '10.250.1.0/24')));
    expect(summary(r.changes)).toEqual(['added 10.250.0.0/24', 'added 10.250.1.0/24']);
    const a = rib.get(parsePrefix('10.250.0.0/24'));
    const b = rib.get(parsePrefix('10.250.1.0/24'));
    expect(a?.nextHop).toBe('10.250.0.254');
    expect(a?.attributes.attributes).toEqual([ORIGIN_IGP, AS_PATH]);
    expect(b?.attributes).toBe(a?.attributes);
    expect(r.maxPrefix).toBeUndefined();
  });

  it('replaces a route announced again with other attributes (implicit withdraw, RFC 4271 §3.1)', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4(ps('10.250.0.0/24')));
    const before = rib.get(parsePrefix('10.250.0.0/24'));
    const r = rib.apply(announce4(ps('10.250.0.0/24'), '10.250.0.254', [MED]));
    expect(summary(r.changes)).toEqual(['replaced 10.250.0.0/24']);
    const c = r.changes[0];
    expect(c?.kind === 'replaced' && c.previous).toEqual(before);
    expect(rib.count()).toBe(1);
  });

  it('reports no change when the same route is announced again', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4(ps('10.250.0.0/24')));
    expect(rib.apply(announce4(ps('10.250.0.0/24'))).changes).toEqual([]);
    expect(summary(rib.apply(announce4(ps('10.250.0.0/24'), '10.250.0.253')).changes)).toEqual([
      'replaced 10.250.0.0/24',
    ]);
  });

  it('removes withdrawn routes and ignores withdrawals of routes it does not hold', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4(ps('10.250.0.0/24', '10.250.1.0/24')));
    const r = rib.apply(update({ withdrawn: ps('10.250.0.0/24', '10.250.9.0/24') }));
    expect(summary(r.changes)).toEqual(['removed 10.250.0.0/24']);
    expect(rib.count(1)).toBe(1);
  });

  it('keeps a prefix both withdrawn and announced in one UPDATE announced (RFC 4271 §4.3)', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4(ps('10.250.0.0/24')));
    const r = rib.apply({
      ...announce4(ps('10.250.0.0/24'), '10.250.0.253'),
      withdrawn: ps('10.250.0.0/24'),
    });
    expect(summary(r.changes)).toEqual(['removed 10.250.0.0/24', 'added 10.250.0.0/24']);
    expect(rib.get(parsePrefix('10.250.0.0/24'))?.nextHop).toBe('10.250.0.253');
  });

  it('adds IPv6 routes from MP_REACH_NLRI and removes them on MP_UNREACH_NLRI (RFC 4760 §3, §4)', () => {
    const rib = new AdjRibIn();
    rib.apply(announce6(ps('fd00:250::/64', 'fd00:250:0:1::/64')));
    expect([rib.count(1), rib.count(2), rib.count()]).toEqual([0, 2, 2]);
    expect(rib.get(parsePrefix('fd00:250::/64'))?.nextHop).toBe('fd00:250::1');
    const r = rib.apply(
      update({ attributes: [{ kind: 'mpUnreach', afi: 2, safi: 1, withdrawn: ps('fd00:250::/64') }] }),
    );
    expect(summary(r.changes)).toEqual(['removed fd00:250::/64']);
    expect(rib.count(2)).toBe(1);
  });

  it('ignores MP_REACH_NLRI of families other than IPv4 and IPv6 unicast', () => {
    const rib = new AdjRibIn();
    const r = rib.apply(
      update({
        attributes: [
          { kind: 'mpReach', afi: 1, safi: 128, nextHops: [], nlri: undefined, raw: new Uint8Array(0) },
          ORIGIN_IGP,
          AS_PATH,
        ],
      }),
    );
    expect(r.changes).toEqual([]);
    expect(rib.count()).toBe(0);
  });

  it('withdraws every route a treat-as-withdraw UPDATE announces (RFC 7606 §2)', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4(ps('10.250.0.0/24')));
    rib.apply(announce6(ps('fd00:250::/64')));
    const bad4 = { ...announce4(ps('10.250.0.0/24', '10.250.1.0/24')), action: 'treatAsWithdraw' as const };
    expect(summary(rib.apply(bad4).changes)).toEqual(['removed 10.250.0.0/24']);
    const bad6 = { ...announce6(ps('fd00:250::/64')), action: 'treatAsWithdraw' as const };
    expect(summary(rib.apply(bad6).changes)).toEqual(['removed fd00:250::/64']);
    expect(rib.count()).toBe(0);
  });

  it('applies an UPDATE whose faulty attribute was discarded as usual (RFC 7606 §2 attribute discard)', () => {
    const rib = new AdjRibIn();
    const r = rib.apply({ ...announce4(ps('10.250.0.0/24')), action: 'attributeDiscard' });
    expect(summary(r.changes)).toEqual(['added 10.250.0.0/24']);
  });

  it('treats classic NLRI without NEXT_HOP as withdrawn (RFC 7606 §3 d)', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4(ps('10.250.0.0/24')));
    const r = rib.apply(update({ attributes: [ORIGIN_IGP, AS_PATH], nlri: ps('10.250.0.0/24') }));
    expect(summary(r.changes)).toEqual(['removed 10.250.0.0/24']);
  });

  it('keeps routes of one prefix with different ADD-PATH path identifiers apart (RFC 7911 §3)', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4([parsePrefix('10.250.0.0/24', 1), parsePrefix('10.250.0.0/24', 2)]));
    expect(rib.count(1)).toBe(2);
    const r = rib.apply(update({ withdrawn: [parsePrefix('10.250.0.0/24', 1)] }));
    expect(summary(r.changes)).toEqual(['removed 10.250.0.0/24#1']);
    expect(rib.get(parsePrefix('10.250.0.0/24', 2))).toBeDefined();
    expect(rib.get(parsePrefix('10.250.0.0/24'))).toBeUndefined();
  });

  it('reports End-of-RIB markers and changes nothing (RFC 4724 §2)', () => {
    const rib = new AdjRibIn();
    const r = rib.apply({ ...update({}), endOfRib: { afi: 2, safi: 1 } });
    expect(r).toEqual({ changes: [], endOfRib: { afi: 2, safi: 1 } });
  });

  it('applies UPDATEs decoded from the wire, ADD-PATH included', () => {
    const ctx = makeContext({ addPath: [[1, 1]] });
    const rib = new AdjRibIn();
    // ORIGIN IGP, AS_PATH [65001], NEXT_HOP 10.250.0.254; NLRI path 7 10.250.0.0/24.
    const bytes = message(2, '0000 0014 40010100 40020602010000fde9 400304 0afa00fe | 00000007 18 0afa00');
    const msg = decodeMessage(bytes, ctx);
    if (msg.kind !== 'update') throw new Error('not an UPDATE');
    const r = rib.apply(parseUpdate(msg, ctx));
    expect(summary(r.changes)).toEqual(['added 10.250.0.0/24#7']);
  });
});

describe('AdjRibIn attribute-set references', () => {
  it('shares sets across UPDATEs and peers, and drops them when no route uses them', () => {
    const table = new AttributeSetTable();
    const one = new AdjRibIn({ table });
    const two = new AdjRibIn({ table });
    one.apply(announce4(ps('10.250.0.0/24')));
    two.apply(announce4(ps('10.250.1.0/24'), '10.250.0.253'));
    expect(table.size).toBe(1);
    expect(one.get(parsePrefix('10.250.0.0/24'))?.attributes).toBe(
      two.get(parsePrefix('10.250.1.0/24'))?.attributes,
    );
    one.apply(announce4(ps('10.250.0.0/24'), '10.250.0.254', [MED]));
    expect(table.size).toBe(2);
    one.clear();
    expect(table.size).toBe(1);
    two.apply(update({ withdrawn: ps('10.250.1.0/24') }));
    expect(table.size).toBe(0);
  });

  it('interns nothing for an UPDATE that only withdraws or is treated as withdraw', () => {
    const table = new AttributeSetTable();
    const rib = new AdjRibIn({ table });
    rib.apply({ ...announce4(ps('10.250.0.0/24')), action: 'treatAsWithdraw' });
    expect(table.size).toBe(0);
  });
});

describe('AdjRibIn maximum prefixes (RFC 4486 §4)', () => {
  it('reports a per-family limit crossed with stop, and the Cease NOTIFICATION data AFI, SAFI, limit', () => {
    const rib = new AdjRibIn({ maxPrefixes: [{ afi: 1, limit: 2, action: 'stop' }] });
    expect(rib.apply(announce4(ps('10.250.0.0/24', '10.250.1.0/24'))).maxPrefix).toBeUndefined();
    const r: AdjRibInResult = rib.apply(announce4(ps('10.250.2.0/24')));
    expect(r.maxPrefix).toMatchObject({
      kind: 'maxPrefixExceeded',
      action: 'stop',
      limit: 2,
      count: 3,
      afi: 1,
      safi: 1,
    });
    const n = r.maxPrefix?.notification;
    expect([n?.code, n?.subcode, n && toHex(n.data)]).toEqual([6, 1, '00010100000002']);
    // The routes were stored all the same; the session layer closes.
    expect(rib.count(1)).toBe(3);
  });

  it('counts each family against its own limit', () => {
    const rib = new AdjRibIn({ maxPrefixes: [{ afi: 2, limit: 1, action: 'stop' }] });
    expect(rib.apply(announce4(ps('10.250.0.0/24', '10.250.1.0/24'))).maxPrefix).toBeUndefined();
    expect(rib.apply(announce6(ps('fd00:250::/64', 'fd00:250:0:1::/64'))).maxPrefix).toMatchObject({
      afi: 2,
      count: 2,
    });
  });

  it('warns once per crossing, with no NOTIFICATION, and again after falling back under the limit', () => {
    const rib = new AdjRibIn({ maxPrefixes: [{ limit: 2, action: 'warn' }] });
    rib.apply(announce4(ps('10.250.0.0/24')));
    const r = rib.apply(announce6(ps('fd00:250::/64', 'fd00:250:0:1::/64')));
    expect(r.maxPrefix).toMatchObject({ action: 'warn', limit: 2, count: 3, afi: 2 });
    expect(r.maxPrefix?.notification).toBeUndefined();
    expect(rib.apply(announce4(ps('10.250.1.0/24'))).maxPrefix).toBeUndefined();
    rib.apply(update({ withdrawn: ps('10.250.0.0/24', '10.250.1.0/24') }));
    expect(rib.apply(announce4(ps('10.250.0.0/24'))).maxPrefix).toMatchObject({ count: 3, afi: 1 });
  });

  it('prefers stop over warn when two limits are crossed at once', () => {
    const rib = new AdjRibIn({
      maxPrefixes: [
        { limit: 1, action: 'warn' },
        { afi: 1, limit: 1, action: 'stop' },
      ],
    });
    expect(rib.apply(announce4(ps('10.250.0.0/24', '10.250.1.0/24'))).maxPrefix?.action).toBe('stop');
  });

  it('encodes the upper bound as 4 octets', () => {
    expect(toHex(maxPrefixNotification(2, 1, 0x01020304).data)).toBe('00020101020304');
  });
});

describe('AdjRibIn Graceful Restart stale routes (RFC 4724 §4.2)', () => {
  it('marks a family stale, refreshes routes received again, and sweeps the rest', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4(ps('10.250.0.0/24', '10.250.1.0/24', '10.250.2.0/24')));
    rib.apply(announce6(ps('fd00:250::/64')));
    rib.markStale(IPV4);
    expect(rib.staleCount(IPV4)).toBe(3);
    expect(rib.staleCount(IPV6)).toBe(0);
    expect(rib.isStale(parsePrefix('10.250.0.0/24'))).toBe(true);
    expect(rib.isStale(parsePrefix('fd00:250::/64'))).toBe(false);
    // Same route again: fresh, no change. Other attributes: replaced and fresh. New: added.
    expect(rib.apply(announce4(ps('10.250.0.0/24'))).changes).toEqual([]);
    expect(summary(rib.apply(announce4(ps('10.250.1.0/24'), '10.250.0.253')).changes)).toEqual([
      'replaced 10.250.1.0/24',
    ]);
    rib.apply(announce4(ps('10.250.3.0/24')));
    expect(rib.isStale(parsePrefix('10.250.0.0/24'))).toBe(false);
    expect(rib.isStale(parsePrefix('10.250.3.0/24'))).toBe(false);
    expect(rib.staleCount(IPV4)).toBe(1);
    expect(summary(rib.sweepStale(IPV4))).toEqual(['removed 10.250.2.0/24']);
    expect(rib.staleCount(IPV4)).toBe(0);
    expect(rib.count(1)).toBe(3);
    expect(rib.sweepStale(IPV6)).toEqual([]);
    expect(rib.count(2)).toBe(1);
  });

  it('counts a stale route withdrawn before the sweep out of the stale routes', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4(ps('10.250.0.0/24', '10.250.1.0/24')));
    rib.markStale(IPV4);
    rib.apply(update({ withdrawn: ps('10.250.0.0/24') }));
    expect(rib.staleCount(IPV4)).toBe(1);
    expect(summary(rib.sweepStale(IPV4))).toEqual(['removed 10.250.1.0/24']);
  });

  it('marks stale again after a sweep', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4(ps('10.250.0.0/24')));
    rib.markStale(IPV4);
    rib.apply(announce4(ps('10.250.0.0/24')));
    expect(rib.sweepStale(IPV4)).toEqual([]);
    rib.markStale(IPV4);
    expect(summary(rib.sweepStale(IPV4))).toEqual(['removed 10.250.0.0/24']);
  });
});

describe('AdjRibIn.clear', () => {
  it('removes one family, or everything, and returns the removals', () => {
    const rib = new AdjRibIn();
    rib.apply(announce4(ps('10.250.0.0/24')));
    rib.apply(announce4([parsePrefix('10.250.0.0/24', 3)]));
    rib.apply(announce6(ps('fd00:250::/64')));
    expect(summary(rib.clear(IPV6))).toEqual(['removed fd00:250::/64']);
    expect([rib.count(1), rib.count(2)]).toEqual([2, 0]);
    expect(rib.clear({ afi: 1, safi: 128 })).toEqual([]);
    expect(summary(rib.clear()).sort()).toEqual(['removed 10.250.0.0/24', 'removed 10.250.0.0/24#3']);
    expect(rib.count()).toBe(0);
  });
});

describe('AdjRibIn AS_PATH loop check (RFC 4271 §9.1.2)', () => {
  const LOCAL = 65002;
  const path = (...segments: { type: 'sequence' | 'set'; asns: number[] }[]): PathAttribute => ({
    kind: 'asPath',
    segments,
  });
  const via = (p: PathAttribute, nlri: Prefix[]): ParsedUpdate =>
    update({ attributes: [ORIGIN_IGP, p, { kind: 'nextHop', address: '10.250.0.254' }], nlri });

  it('refuses routes whose AS_PATH holds our AS, withdrawing a route held for the prefix', () => {
    const rib = new AdjRibIn({ asPathLoop: { localAsn: LOCAL, allowAsIn: 0 } });
    rib.apply(via(path({ type: 'sequence', asns: [65001] }), ps('10.250.0.0/24')));
    const r = rib.apply(
      via(path({ type: 'sequence', asns: [65001, LOCAL, 65003] }), ps('10.250.0.0/24', '10.250.1.0/24')),
    );
    expect(r.rejected).toEqual({ kind: 'asPathLoop', localAsn: LOCAL, occurrences: 1, routes: 2 });
    expect(summary(r.changes)).toEqual(['removed 10.250.0.0/24']);
    expect(rib.count()).toBe(0);
  });

  it('counts our AS in an AS_SET too', () => {
    const rib = new AdjRibIn({ asPathLoop: { localAsn: LOCAL, allowAsIn: 0 } });
    const r = rib.apply(
      via(
        path({ type: 'sequence', asns: [65001] }, { type: 'set', asns: [65009, LOCAL] }),
        ps('10.250.0.0/24'),
      ),
    );
    expect(r.rejected?.occurrences).toBe(1);
    expect(rib.count()).toBe(0);
  });

  it('accepts up to allowAsIn occurrences, like FRR allowas-in', () => {
    const rib = new AdjRibIn({ asPathLoop: { localAsn: LOCAL, allowAsIn: 2 } });
    const twice = rib.apply(
      via(path({ type: 'sequence', asns: [65001, LOCAL, LOCAL] }), ps('10.250.0.0/24')),
    );
    expect(twice.rejected).toBeUndefined();
    expect(rib.count()).toBe(1);
    const thrice = rib.apply(
      via(path({ type: 'sequence', asns: [65001, LOCAL, LOCAL, LOCAL] }), ps('10.250.0.0/24')),
    );
    expect(thrice.rejected?.occurrences).toBe(3);
    expect(rib.count()).toBe(0);
  });

  it('finds a 4-octet local AS in AS4_PATH when AS_PATH carries AS_TRANS (RFC 6793 §4.2.3)', () => {
    const local = 4200000002;
    const rib = new AdjRibIn({ asPathLoop: { localAsn: local, allowAsIn: 0 } });
    const r = rib.apply(
      update({
        attributes: [
          ORIGIN_IGP,
          path({ type: 'sequence', asns: [65001, 23456] }),
          { kind: 'nextHop', address: '10.250.0.254' },
          { kind: 'as4Path', segments: [{ type: 'sequence', asns: [65001, local] }] },
        ],
        nlri: ps('10.250.0.0/24'),
      }),
    );
    expect(r.rejected?.occurrences).toBe(1);
  });

  it('checks IPv6 routes in MP_REACH_NLRI the same way', () => {
    const rib = new AdjRibIn({ asPathLoop: { localAsn: 65001, allowAsIn: 0 } });
    const r = rib.apply(announce6(ps('fd00:250::/64')));
    expect(r.rejected).toMatchObject({ routes: 1 });
    expect(rib.count()).toBe(0);
  });

  it('checks nothing without asPathLoop (as on iBGP), nor on withdrawals', () => {
    const rib = new AdjRibIn();
    expect(
      rib.apply(via(path({ type: 'sequence', asns: [LOCAL] }), ps('10.250.0.0/24'))).rejected,
    ).toBeUndefined();
    const checked = new AdjRibIn({ asPathLoop: { localAsn: LOCAL, allowAsIn: 0 } });
    expect(checked.apply(update({ withdrawn: ps('10.250.0.0/24') })).rejected).toBeUndefined();
  });
});

describe('AdjRibIn compact storage', () => {
  it('shares one path among the routes of an UPDATE, and frees it with the last route', () => {
    const table = new AttributeSetTable();
    const rib = new AdjRibIn({ table });
    rib.apply(announce4(ps('10.250.0.0/24', '10.250.1.0/24', '10.250.2.0/24')));
    rib.apply(announce4(ps('10.250.3.0/24'), '10.250.0.253'));
    expect([rib.pathCount, table.size]).toEqual([2, 1]);
    rib.apply(update({ withdrawn: ps('10.250.3.0/24') }));
    expect(rib.pathCount).toBe(1);
    rib.apply(update({ withdrawn: ps('10.250.0.0/24', '10.250.1.0/24', '10.250.2.0/24') }));
    expect([rib.pathCount, table.size]).toEqual([0, 0]);
  });

  it('builds no change records when told nobody listens, and applies the UPDATE all the same', () => {
    const rib = new AdjRibIn();
    const r = rib.apply(announce4(ps('10.250.0.0/24')), false);
    expect(r.changes).toEqual([]);
    expect(rib.get(parsePrefix('10.250.0.0/24'))?.nextHop).toBe('10.250.0.254');
    expect(rib.clear(undefined, false)).toEqual([]);
    expect(rib.count()).toBe(0);
  });
});
