/**
 * Two BgpSpeakers peering over real loopback sockets (127.0.0.1 and ::1, port 0),
 * with the system clock. Waits are bounded by event counts, not by elapsed time.
 */
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { SpeakerEvent, SpeakerEventKind, SpeakerEventOf } from '../../src/events.js';
import { BgpSpeaker } from '../../src/speaker.js';
import { formatCommunity } from '../../src/wire/attributes/communities.js';
import { formatPrefix, ipv4Prefix } from '../../src/wire/prefix.js';

const hasIpv6Loopback = Object.values(networkInterfaces())
  .flat()
  .some((i) => i?.address === '::1');

const open: BgpSpeaker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close('test over')));
});

function speaker(localAsn: number, routerId: string): { s: BgpSpeaker; events: SpeakerEvent[] } {
  const s = new BgpSpeaker({ localAsn, routerId, lingerMs: 500 });
  const events: SpeakerEvent[] = [];
  s.on('*', (e) => events.push(e));
  open.push(s);
  return { s, events };
}

function waitFor<K extends SpeakerEventKind>(
  s: BgpSpeaker,
  kind: K,
  predicate: (e: SpeakerEventOf<K>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<SpeakerEventOf<K>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(kind, listener);
      reject(new Error(`no ${kind} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (e: SpeakerEventOf<K>): void => {
      if (!predicate(e)) return;
      clearTimeout(timer);
      s.off(kind, listener);
      resolve(e);
    };
    s.on(kind, listener);
  });
}

describe.each([
  { family: 'IPv4', host: '127.0.0.1', skip: false },
  { family: 'IPv6', host: '::1', skip: !hasIpv6Loopback },
])('two speakers over $family loopback', ({ host, skip }) => {
  it.skipIf(skip)(
    'peer (one passive, one active), exchange routes with communities, withdraw, and shut down with a message',
    async () => {
      const a = speaker(65001, '10.255.0.1');
      const b = speaker(65002, '10.255.0.2');
      const { port } = await a.s.listen({ port: 0, host });
      const family = host.includes(':') ? 'ipv6' : 'ipv4';
      a.s.addPeer({ address: host, remoteAsn: 65002, passive: true, families: ['ipv4', 'ipv6'] });
      const nextHop = family === 'ipv6' ? { ipv4: '192.0.2.1' } : { ipv6: '2001:db8::1' };
      const upA = waitFor(a.s, 'peerUp');
      const eorB4 = waitFor(b.s, 'eorReceived', (e) => e.afi === 1);
      const eorB6 = waitFor(b.s, 'eorReceived', (e) => e.afi === 2);
      a.s.announce({ prefix: '198.51.100.0/24', nextHop: '192.0.2.1', communities: ['65001:100'], med: 7 });
      a.s.announce({ prefix: '2001:db8:100::/48', nextHop: '2001:db8::1', largeCommunities: ['65001:1:2'] });
      b.s.addPeer({
        address: host,
        port,
        remoteAsn: 65001,
        families: ['ipv4', 'ipv6'],
        nextHopSelf: nextHop,
      });
      const up = await upA;
      expect(up.negotiated.families).toHaveLength(2);
      await Promise.all([eorB4, eorB6]);
      const got = b.s.receivedRoutes(host).map((r) => ({
        prefix: formatPrefix(r.prefix),
        nextHop: r.nextHop,
        attrs: r.attributes.attributes.map((x) => x.kind),
      }));
      expect(got.map((r) => r.prefix).sort()).toEqual(['198.51.100.0/24', '2001:db8:100::/48']);
      const v4 = b.s.receivedRoutes(host, 'ipv4')[0]!;
      const communities = v4.attributes.attributes.find((x) => x.kind === 'communities');
      expect(communities?.kind === 'communities' && communities.values.map(formatCommunity)).toEqual([
        '65001:100',
      ]);
      expect(v4.nextHop).toBe('192.0.2.1');

      const withdrawn = waitFor(b.s, 'routesReceived', (e) => e.withdrawn.length === 1);
      a.s.withdraw('198.51.100.0/24');
      const w = await withdrawn;
      expect(formatPrefix(w.withdrawn[0]!.prefix)).toBe('198.51.100.0/24');

      const notified = waitFor(b.s, 'notificationReceived');
      await a.s.close('maintenance window');
      const n = await notified;
      expect(n).toMatchObject({ code: 6, subcode: 2, shutdownMessage: 'maintenance window' });
    },
  );
});

describe('two active speakers that also listen (RFC 4271 §6.8 collision over real sockets)', () => {
  it('end with one Established session on each side', async () => {
    const a = speaker(65001, '10.255.0.1');
    const b = speaker(65002, '10.255.0.2');
    const la = await a.s.listen({ port: 0, host: '127.0.0.1' });
    const lb = await b.s.listen({ port: 0, host: '127.0.0.1' });
    const upA = waitFor(a.s, 'peerUp');
    const upB = waitFor(b.s, 'peerUp');
    a.s.addPeer({ address: '127.0.0.1', port: lb.port, remoteAsn: 65002, connectRetryTimeSec: 1 });
    b.s.addPeer({ address: '127.0.0.1', port: la.port, remoteAsn: 65001, connectRetryTimeSec: 1 });
    const [pa, pb] = await Promise.all([upA, upB]);
    // The same TCP connection, seen from both ends.
    expect(pa.localPort).toBe(pb.remotePort);
    expect(pa.remotePort).toBe(pb.localPort);
    expect(a.s.peers()[0]?.state).toBe('established');
    expect(b.s.peers()[0]?.state).toBe('established');
  });
});

describe('bulk over loopback', () => {
  it('delivers 100,000 /32s with one attribute set, then End-of-RIB', async () => {
    const a = speaker(65001, '10.255.0.1');
    const b = speaker(65002, '10.255.0.2');
    const { port } = await a.s.listen({ port: 0, host: '127.0.0.1' });
    a.s.addPeer({ address: '127.0.0.1', remoteAsn: 65002, passive: true });
    a.s.announceMany(
      Array.from({ length: 100_000 }, (_, i) => ipv4Prefix(0x0a000000 + i, 32)),
      { nextHop: '192.0.2.1' },
    );
    const sent = waitFor(a.s, 'eorSent');
    const received = waitFor(b.s, 'eorReceived', () => true, 30_000);
    b.s.addPeer({ address: '127.0.0.1', port, remoteAsn: 65001 });
    const [s, r] = await Promise.all([sent, received]);
    expect(s.count).toBe(100_000);
    expect(r.count).toBe(100_000);
    expect(b.s.peers()[0]?.updatesReceived).toBeLessThan(140);
  });
});
