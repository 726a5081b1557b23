import { describe, expect, it } from 'vitest';
import type { Peer } from '../../src/speaker.js';
import { formatPrefix } from '../../src/wire/prefix.js';
import { parseUpdate } from '../../src/wire/update.js';
import { Harness, settle, until } from '../session/harness.js';
import type { RouterEnd } from '../session/memory-transport.js';
import { CAP_IPV4_UNICAST, CAP_IPV6_UNICAST, capFourOctetAs, openMessage } from '../session/peer-messages.js';
import { medOf, routerRib } from '../session/router-rib.js';
import { codeOf } from '../support/error-code.js';

/** What a router holds: prefix → "med=… c=…" text. */
function ribOf(router: RouterEnd): Map<string, string> {
  return routerRib(router, (attributes) => {
    const med = medOf(attributes);
    const communities = attributes.find((a) => a.kind === 'communities');
    return [
      med < 0 ? 'med=-' : `med=${med}`,
      ...(communities?.kind === 'communities'
        ? communities.values.map((v) => `c=${v >>> 16}:${v & 0xffff}`)
        : []),
    ].join(' ');
  });
}

/** How many times a router was sent a withdrawal of `prefix`. */
function withdrawalsOf(router: RouterEnd, prefix: string): number {
  let n = 0;
  for (const m of router.ofKind('update')) {
    for (const p of parseUpdate(m, router.ctx).withdrawn) if (formatPrefix(p) === prefix) n++;
  }
  return n;
}

function sorted(rib: Map<string, string>): [string, string][] {
  return [...rib].sort(([a], [b]) => a.localeCompare(b));
}

/** A harness with two Established peers: A (192.0.2.2, AS 65002) and B (192.0.2.3, AS 65003). */
async function twoPeers(
  b: { exportSpeakerRoutes?: boolean } = {},
): Promise<{ h: Harness; a: Peer; ra: RouterEnd; b: Peer; rb: RouterEnd }> {
  const h = new Harness();
  const { peer: a, router: ra } = await h.establish();
  const { peer: pb, router: rb } = await h.establish(
    { address: '192.0.2.3', remoteAsn: 65003, ...b },
    openMessage({ asn: 65003, id: '192.0.2.3' }),
  );
  return { h, a, ra, b: pb, rb };
}

describe('per-peer export: Peer.announce / withdraw / routes', () => {
  it('a route announced to one peer reaches that peer only; speaker-wide routes reach both', async () => {
    const { h, a, ra, rb } = await twoPeers();
    h.speaker.announce({ prefix: '198.51.100.0/24', med: 1 });
    a.announce({ prefix: '203.0.113.1/32', med: 5, communities: ['65001:7'] });
    await settle(20);
    expect(sorted(ribOf(ra))).toEqual([
      ['198.51.100.0/24', 'med=1'],
      ['203.0.113.1/32', 'med=5 c=65001:7'],
    ]);
    expect(sorted(ribOf(rb))).toEqual([['198.51.100.0/24', 'med=1']]);
    expect(a.routes()).toMatchObject([{ prefix: '203.0.113.1/32', med: 5, communities: ['65001:7'] }]);
    expect(h.speaker.routes().map((r) => r.prefix)).toEqual(['198.51.100.0/24']);
    await h.speaker.close();
  });

  it("a peer's own route overrides the speaker-wide one for that peer; speaker-wide changes of that prefix do not reach it", async () => {
    const { h, a, ra, rb } = await twoPeers();
    h.speaker.announce({ prefix: '198.51.100.0/24', med: 1 });
    a.announce({ prefix: '198.51.100.0/24', med: 9 });
    await settle(20);
    expect(ribOf(ra).get('198.51.100.0/24')).toBe('med=9');
    expect(ribOf(rb).get('198.51.100.0/24')).toBe('med=1');
    const updatesToA = ra.ofKind('update').length;
    h.speaker.announce({ prefix: '198.51.100.0/24', med: 2 });
    await settle(20);
    expect(ribOf(rb).get('198.51.100.0/24')).toBe('med=2');
    h.speaker.withdraw('198.51.100.0/24');
    await settle(20);
    expect(ribOf(rb).has('198.51.100.0/24')).toBe(false);
    // A saw none of it.
    expect(ra.ofKind('update').length).toBe(updatesToA);
    expect(ribOf(ra).get('198.51.100.0/24')).toBe('med=9');
    await h.speaker.close();
  });

  it("withdrawing a peer's own route falls back to the speaker-wide route as one replacement, no withdraw in between", async () => {
    const { h, a, ra } = await twoPeers();
    h.speaker.announce({ prefix: '198.51.100.0/24', med: 1 });
    a.announce({ prefix: '198.51.100.0/24', med: 9 });
    await settle(20);
    expect(ribOf(ra).get('198.51.100.0/24')).toBe('med=9');
    expect(a.withdraw('198.51.100.0/24')).toBe(true);
    expect(a.withdraw('198.51.100.0/24')).toBe(false);
    await settle(20);
    expect(ribOf(ra).get('198.51.100.0/24')).toBe('med=1');
    expect(withdrawalsOf(ra, '198.51.100.0/24')).toBe(0);
    // Without a speaker-wide route, the peer's withdrawal is a withdrawal.
    a.announce({ prefix: '203.0.113.0/24' });
    await settle(20);
    expect(a.withdrawMany(['203.0.113.0/24', '203.0.113.9/32'])).toBe(1);
    await settle(20);
    expect(ribOf(ra).has('203.0.113.0/24')).toBe(false);
    expect(withdrawalsOf(ra, '203.0.113.0/24')).toBe(1);
    await h.speaker.close();
  });

  it('exportSpeakerRoutes: false gets only its own routes, and a withdrawn own route is withdrawn even when the speaker has one', async () => {
    const { h, a, ra, b, rb } = await twoPeers({ exportSpeakerRoutes: false });
    h.speaker.announce({ prefix: '198.51.100.0/24', med: 1 });
    b.announce({ prefix: '198.51.100.0/24', med: 3 });
    b.announceMany(['203.0.113.1/32', '203.0.113.2/32'], { med: 4 });
    await settle(20);
    expect(sorted(ribOf(rb))).toEqual([
      ['198.51.100.0/24', 'med=3'],
      ['203.0.113.1/32', 'med=4'],
      ['203.0.113.2/32', 'med=4'],
    ]);
    expect(sorted(ribOf(ra))).toEqual([['198.51.100.0/24', 'med=1']]);
    b.withdraw('198.51.100.0/24');
    h.speaker.announce({ prefix: '198.51.100.128/25' });
    await settle(20);
    expect(sorted(ribOf(rb))).toEqual([
      ['203.0.113.1/32', 'med=4'],
      ['203.0.113.2/32', 'med=4'],
    ]);
    expect(a.routes()).toEqual([]);
    await h.speaker.close();
  });

  it('own routes live across session restarts: a new session gets own routes plus the speaker-wide ones they do not override, then End-of-RIB', async () => {
    const h = new Harness();
    const peer = h.addPeer({ idleHoldTimeSec: 1 });
    h.speaker.announce({ prefix: '198.51.100.0/24', med: 1 });
    h.speaker.announce({ prefix: '198.51.100.128/25', med: 1 });
    peer.announce({ prefix: '198.51.100.0/24', med: 9 });
    peer.announce({ prefix: '203.0.113.1/32', med: 5 });
    const router = h.transport.answer();
    await settle();
    router.send(openMessage({}));
    router.send(new Uint8Array([...new Uint8Array(16).fill(0xff), 0, 19, 4]));
    await until(() => peer.state === 'established', 'Established');
    await until(() => h.of('eorSent').length === 1, 'End-of-RIB');
    expect(sorted(ribOf(router))).toEqual([
      ['198.51.100.0/24', 'med=9'],
      ['198.51.100.128/25', 'med=1'],
      ['203.0.113.1/32', 'med=5'],
    ]);
    expect(h.of('eorSent')[0]?.count).toBe(3);
    await h.speaker.close();
  });

  it('validates like the speaker calls: a bad prefix throws before anything is applied; a removed peer throws ANYVIP_UNKNOWN_PEER', async () => {
    const { h, a, ra } = await twoPeers();
    expect(codeOf(() => a.announce({ prefix: '198.51.100.1/24' }))).toBe('ANYVIP_BAD_PREFIX');
    expect(codeOf(() => a.announce({ prefix: '198.51.100.0/24', med: -1 }))).toBe('ANYVIP_BAD_ATTRIBUTE');
    expect(codeOf(() => a.announceMany(['203.0.113.1/32', 'banana']))).toBe('ANYVIP_BAD_PREFIX');
    expect(codeOf(() => a.announce({ prefix: '2001:db8::/48', nextHop: '192.0.2.9' }))).toBe(
      'ANYVIP_BAD_NEXT_HOP',
    );
    expect(codeOf(() => a.withdrawMany(['203.0.113.1/32', '010.0.0.0/8']))).toBe('ANYVIP_BAD_PREFIX');
    await settle(20);
    expect(a.routes()).toEqual([]);
    expect(ribOf(ra).size).toBe(0);
    await h.speaker.removePeer('192.0.2.2');
    expect(codeOf(() => a.announce({ prefix: '203.0.113.1/32' }))).toBe('ANYVIP_UNKNOWN_PEER');
    expect(codeOf(() => a.withdraw('203.0.113.1/32'))).toBe('ANYVIP_UNKNOWN_PEER');
    await h.speaker.close();
    const b = h.speaker.peer('192.0.2.3');
    expect(codeOf(() => b?.announce({ prefix: '203.0.113.1/32' }))).toBe('ANYVIP_SPEAKER_CLOSED');
  });

  it('a template used only by a removed peer is forgotten; one shared with the speaker stays in use', async () => {
    const { h, a, ra, rb } = await twoPeers();
    a.announce({ prefix: '203.0.113.1/32', med: 5 });
    h.speaker.announce({ prefix: '198.51.100.0/24', med: 5 });
    await settle(20);
    await h.speaker.removePeer('192.0.2.2');
    h.speaker.announce({ prefix: '198.51.100.128/25', med: 5 });
    await settle(20);
    expect(sorted(ribOf(rb))).toEqual([
      ['198.51.100.0/24', 'med=5'],
      ['198.51.100.128/25', 'med=5'],
    ]);
    expect(ra.ended).toBe(true);
    await h.speaker.close();
  });

  it('a route changed to attributes this peer cannot be sent is withdrawn from it, not left with its old attributes', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish(
      { families: ['ipv4', 'ipv6'] },
      openMessage({ capabilities: [CAP_IPV4_UNICAST, CAP_IPV6_UNICAST, capFourOctetAs(65002)] }),
    );
    const mp = (kind: 'mpReach' | 'mpUnreach'): string[] =>
      router
        .ofKind('update')
        .flatMap((m) =>
          parseUpdate(m, router.ctx).attributes.flatMap((a) =>
            a.kind === kind ? ((a.kind === 'mpReach' ? a.nlri : a.withdrawn) ?? []).map(formatPrefix) : [],
          ),
        );
    peer.announce({ prefix: '2001:db8:1::/48', nextHop: '2001:db8::9' });
    await until(() => mp('mpReach').length === 1, 'IPv6 route sent');
    // No next hop: next-hop self has no IPv6 address on an IPv4 session, so the route is refused for this peer.
    peer.announce({ prefix: '2001:db8:1::/48' });
    await until(() => mp('mpUnreach').includes('2001:db8:1::/48'), 'IPv6 route withdrawn');
    await h.speaker.close();
  });
});
