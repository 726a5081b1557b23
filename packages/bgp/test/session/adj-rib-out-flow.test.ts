import { describe, expect, it } from 'vitest';
import type { PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import { formatPrefix, ipv4Prefix } from '../../src/wire/prefix.js';
import { type ParsedUpdate, parseUpdate } from '../../src/wire/update.js';
import { Harness, settle, until } from './harness.js';
import type { RouterEnd } from './memory-transport.js';
import {
  CAP_ENHANCED_ROUTE_REFRESH,
  CAP_IPV4_UNICAST,
  CAP_ROUTE_REFRESH,
  capFourOctetAs,
  KEEPALIVE,
  openMessage,
  routeRefreshMessage,
} from './peer-messages.js';

function updates(router: RouterEnd): ParsedUpdate[] {
  return router.ofKind('update').map((u) => parseUpdate(u, router.ctx));
}

function announced(router: RouterEnd): string[] {
  return updates(router).flatMap((u) => u.nlri.map(formatPrefix));
}

function withdrawn(router: RouterEnd): string[] {
  return updates(router).flatMap((u) => u.withdrawn.map(formatPrefix));
}

function eors(router: RouterEnd): number {
  return updates(router).filter((u) => u.endOfRib !== undefined).length;
}

function attributesOf(router: RouterEnd, prefix: string): PathAttribute[] {
  const u = updates(router).find((x) => x.nlri.some((p) => formatPrefix(p) === prefix));
  if (u === undefined) throw new Error(`${prefix} was not announced`);
  return [...u.attributes];
}

function attribute<K extends PathAttribute['kind']>(
  attrs: PathAttribute[],
  kind: K,
): Extract<PathAttribute, { kind: K }> | undefined {
  return attrs.find((a): a is Extract<PathAttribute, { kind: K }> => a.kind === kind);
}

describe('sending routes: initial table and End-of-RIB (RFC 4724 §2)', () => {
  it('sends the table announced before the session came up, then End-of-RIB, and reports eorSent', async () => {
    const h = new Harness();
    h.speaker.announce({ prefix: '198.51.100.0/24' });
    h.speaker.announce({ prefix: '203.0.113.0/24', med: 10 });
    h.speaker.announce({ prefix: '203.0.113.128/25', med: 10 });
    const { router } = await h.establish();
    await until(() => h.of('eorSent').length === 1, 'eorSent');
    expect(announced(router).sort()).toEqual(['198.51.100.0/24', '203.0.113.0/24', '203.0.113.128/25']);
    // Two attribute sets: two UPDATEs, then the End-of-RIB.
    expect(updates(router)).toHaveLength(3);
    expect(updates(router).at(-1)?.endOfRib).toEqual({ afi: 1, safi: 1 });
    expect(h.of('eorSent')).toMatchObject([{ peer: '192.0.2.2', afi: 1, safi: 1, count: 3 }]);
    expect(h.speaker.peers()[0]).toMatchObject({ prefixesSent: 3, updatesSent: 3 });
  });

  it('sends End-of-RIB alone for an empty table', async () => {
    const h = new Harness();
    const { router } = await h.establish();
    await until(() => eors(router) === 1);
    expect(updates(router)).toHaveLength(1);
    expect(h.of('eorSent')[0]?.count).toBe(0);
  });

  it('packs 10,000 routes with one attribute set into full UPDATEs', async () => {
    const h = new Harness();
    h.speaker.announceMany(
      Array.from({ length: 10_000 }, (_, i) => ipv4Prefix(0x0a000000 + i, 32)),
      { communities: ['65001:1'] },
    );
    const { router } = await h.establish();
    await until(() => eors(router) === 1);
    const u = router.ofKind('update');
    expect(announced(router)).toHaveLength(10_000);
    // 4096 octets hold at most ~800 /32s next to these attributes: 13 UPDATEs and the EoR.
    expect(u.length).toBeLessThanOrEqual(14);
  });

  it('sends the first UPDATE of a large table as full as the others', async () => {
    const h = new Harness();
    h.speaker.announceMany(
      Array.from({ length: 20_000 }, (_, i) => ipv4Prefix(0x64400000 + i, 32)),
      { communities: ['65001:1'] },
    );
    const { router } = await h.establish();
    await until(() => eors(router) === 1);
    const sizes = updates(router).map((u) => u.nlri.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20_000);
    // Every UPDATE but the last two (the table's remainder and the End-of-RIB) holds the most that fits.
    const full = Math.max(...sizes);
    expect(sizes.slice(0, -2).every((n) => n === full)).toBe(true);
  });
});

describe('sending routes: changes while Established', () => {
  it('turns a burst of announcements into few UPDATEs in one flush, and withdrawals likewise', async () => {
    const h = new Harness();
    const { router } = await h.establish();
    await until(() => eors(router) === 1);
    const before = router.ofKind('update').length;
    for (let i = 0; i < 1000; i++) h.speaker.announce({ prefix: ipv4Prefix(0xc6336400 + i * 4, 30) });
    await until(() => announced(router).length === 1000, 'announcements');
    expect(router.ofKind('update').length - before).toBeLessThanOrEqual(2);
    for (let i = 0; i < 1000; i++) h.speaker.withdraw(ipv4Prefix(0xc6336400 + i * 4, 30));
    await until(() => withdrawn(router).length === 1000, 'withdrawals');
    expect(h.speaker.peers()[0]?.prefixesSent).toBe(0);
  });

  it('sends nothing when a route is announced again unchanged, and a replacement when it changes', async () => {
    const h = new Harness();
    h.speaker.announce({ prefix: '198.51.100.0/24', med: 5 });
    const { router } = await h.establish();
    await until(() => eors(router) === 1);
    const n = router.ofKind('update').length;
    h.speaker.announce({ prefix: '198.51.100.0/24', med: 5 });
    await settle();
    expect(router.ofKind('update').length).toBe(n);
    h.speaker.announce({ prefix: '198.51.100.0/24', med: 6 });
    await until(() => router.ofKind('update').length === n + 1);
    expect(updates(router).at(-1)?.attributes).toContainEqual(
      expect.objectContaining({ kind: 'med', value: 6 }),
    );
  });
});

describe('sending routes: eBGP and iBGP attributes (RFC 4271 §5.1)', () => {
  it('eBGP: prepends the local AS, next hop self, no LOCAL_PREF, MED and communities as given', async () => {
    const h = new Harness();
    h.speaker.announce({
      prefix: '198.51.100.0/24',
      med: 20,
      communities: ['65001:100', 'NO_EXPORT'],
      largeCommunities: ['65001:1:2'],
      extendedCommunities: ['target:65001:7'],
      asPathPrepend: 2,
    });
    const { router } = await h.establish();
    await until(() => eors(router) === 1);
    const attrs = attributesOf(router, '198.51.100.0/24');
    expect(attribute(attrs, 'origin')?.value).toBe(0);
    expect(attribute(attrs, 'asPath')?.segments).toEqual([{ type: 'sequence', asns: [65001, 65001, 65001] }]);
    expect(attribute(attrs, 'nextHop')?.address).toBe('192.0.2.1');
    expect(attribute(attrs, 'localPref')).toBeUndefined();
    expect(attribute(attrs, 'med')?.value).toBe(20);
    expect(attribute(attrs, 'communities')?.values).toEqual([0xfde90064, 0xffffff01]);
    expect(attribute(attrs, 'largeCommunities')?.values).toEqual([[65001, 1, 2]]);
    expect(attribute(attrs, 'extendedCommunities')?.values).toHaveLength(1);
  });

  it('iBGP: empty AS_PATH, LOCAL_PREF 100 by default or as given, next hop as given', async () => {
    const h = new Harness();
    h.speaker.announce({ prefix: '198.51.100.0/24', asPathPrepend: 3 });
    h.speaker.announce({
      prefix: '203.0.113.0/24',
      localPref: 200,
      nextHop: '192.0.2.99',
      origin: 'incomplete',
    });
    const { router } = await h.establish(
      { remoteAsn: 65001 },
      openMessage({ asn: 65001, capabilities: [CAP_IPV4_UNICAST, capFourOctetAs(65001)] }),
    );
    await until(() => eors(router) === 1);
    const a = attributesOf(router, '198.51.100.0/24');
    expect(attribute(a, 'asPath')?.segments).toEqual([]);
    expect(attribute(a, 'localPref')?.value).toBe(100);
    expect(attribute(a, 'nextHop')?.address).toBe('192.0.2.1');
    const b = attributesOf(router, '203.0.113.0/24');
    expect(attribute(b, 'localPref')?.value).toBe(200);
    expect(attribute(b, 'nextHop')?.address).toBe('192.0.2.99');
    expect(attribute(b, 'origin')?.value).toBe(2);
  });

  it('sends AS_TRANS with AS4_PATH to a peer without 4-octet AS support (RFC 6793 §4.2.2)', async () => {
    const h = new Harness({ localAsn: 4_200_000_001 });
    h.speaker.announce({ prefix: '198.51.100.0/24' });
    const { router } = await h.establish({}, openMessage({ capabilities: [CAP_IPV4_UNICAST] }));
    router.ctx = { ...router.ctx, fourOctetAs: false };
    await until(() => eors(router) === 1);
    const attrs = attributesOf(router, '198.51.100.0/24');
    expect(attribute(attrs, 'asPath')?.segments).toEqual([{ type: 'sequence', asns: [23456] }]);
    expect(attribute(attrs, 'as4Path')?.segments).toEqual([{ type: 'sequence', asns: [4_200_000_001] }]);
  });

  it('does not send IPv4 routes without an IPv4 next hop on an IPv6 session, and says why', async () => {
    const h = new Harness();
    h.transport.localAddress = '2001:db8::1';
    h.speaker.announce({ prefix: '198.51.100.0/24' });
    h.speaker.announce({ prefix: '203.0.113.0/24', nextHop: '192.0.2.1' });
    const { router } = await h.establish({ address: '2001:db8::2', families: ['ipv4'] });
    await until(() => eors(router) === 1);
    expect(announced(router)).toEqual(['203.0.113.0/24']);
  });
});

describe('sending routes: backpressure', () => {
  it('stops flushing while the socket is full, keeps reading, and finishes once the peer reads again', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    await until(() => eors(router) === 1);
    router.pause();
    h.speaker.announceMany(Array.from({ length: 200_000 }, (_, i) => ipv4Prefix(0x0a000000 + i, 32)));
    await settle(200);
    const stalled = h.speaker.peers()[0]!;
    // Bounded: beyond what the peer's buffer took, the socket holds at most its
    // high-water mark plus one flush (64 UPDATEs of at most 4096 octets).
    expect(stalled.outputQueueOctets).toBeGreaterThan(0);
    expect(stalled.outputQueueOctets).toBeLessThanOrEqual(65_536 + 64 * 4096);
    expect(stalled.pendingRoutes).toBeGreaterThan(100_000);
    await settle(200);
    expect(h.speaker.peers()[0]!.outputQueueOctets).toBe(stalled.outputQueueOctets);
    // Reading goes on: a KEEPALIVE from the peer restarts the hold timer while we cannot send.
    h.clock.advanceSync(80_000);
    router.stream.write(KEEPALIVE);
    await settle(20);
    h.clock.advanceSync(80_000);
    await settle(20);
    expect(peer.state).toBe('established');
    router.resume();
    await until(() => {
      const p = h.speaker.peers()[0]!;
      return p.pendingRoutes === 0 && p.outputQueueOctets === 0;
    }, 'all routes after resume');
    await settle();
    expect(announced(router)).toHaveLength(200_000);
    expect(h.speaker.peers()[0]?.prefixesSent).toBe(200_000);
  });
});

describe('sending routes: ROUTE-REFRESH (RFC 2918, RFC 7313)', () => {
  it('re-sends the whole table on ROUTE-REFRESH', async () => {
    const h = new Harness();
    h.speaker.announce({ prefix: '198.51.100.0/24' });
    const { router } = await h.establish();
    await until(() => eors(router) === 1);
    router.send(routeRefreshMessage(1, 1));
    await until(() => announced(router).length === 2, 're-sent route');
    expect(h.of('routeRefresh')).toMatchObject([
      { direction: 'received', afi: 1, safi: 1, subtype: 'request' },
    ]);
  });

  it('frames the re-sent table with BoRR and EoRR when Enhanced Route Refresh was negotiated (RFC 7313 §4)', async () => {
    const h = new Harness();
    h.speaker.announce({ prefix: '198.51.100.0/24' });
    const { router } = await h.establish(
      {},
      openMessage({
        capabilities: [
          CAP_IPV4_UNICAST,
          CAP_ROUTE_REFRESH,
          CAP_ENHANCED_ROUTE_REFRESH,
          capFourOctetAs(65002),
        ],
      }),
    );
    await until(() => eors(router) === 1);
    const mark = router.raw.length;
    router.send(routeRefreshMessage(1, 1));
    await until(() => router.ofKind('routeRefresh').length === 2, 'BoRR and EoRR');
    const after = router
      .messages()
      .slice(mark)
      .map((m) => (m.kind === 'routeRefresh' ? `rr${m.subtype}` : m.kind));
    expect(after).toEqual(['rr1', 'update', 'rr2']);
  });

  it('removes the routes the peer did not re-send between its BoRR and EoRR (RFC 7313 §4.2)', async () => {
    const h = new Harness();
    const { router } = await h.establish(
      {},
      openMessage({
        capabilities: [
          CAP_IPV4_UNICAST,
          CAP_ROUTE_REFRESH,
          CAP_ENHANCED_ROUTE_REFRESH,
          capFourOctetAs(65002),
        ],
      }),
    );
    const { announcement } = await import('./peer-messages.js');
    router.send(
      announcement([
        ['198.51.100.0', 24],
        ['203.0.113.0', 24],
      ]),
    );
    router.send(routeRefreshMessage(1, 1, 1));
    router.send(announcement([['198.51.100.0', 24]]));
    router.send(routeRefreshMessage(1, 1, 2));
    await settle();
    expect(h.speaker.receivedRoutes('192.0.2.2').map((r) => formatPrefix(r.prefix))).toEqual([
      '198.51.100.0/24',
    ]);
  });

  it('sends ROUTE-REFRESH when asked, if the peer advertised it', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    peer.requestRefresh('ipv4');
    await settle();
    expect(router.ofKind('routeRefresh')).toEqual([{ kind: 'routeRefresh', afi: 1, safi: 1, subtype: 0 }]);
    const h2 = new Harness();
    const other = await h2.establish(
      {},
      openMessage({ capabilities: [CAP_IPV4_UNICAST, capFourOctetAs(65002)] }),
    );
    expect(() => other.peer.requestRefresh()).toThrow(/Route Refresh/);
  });
});
