import { describe, expect, it } from 'vitest';
import type { OpenMessage } from '../../src/wire/open.js';
import { formatPrefix } from '../../src/wire/prefix.js';
import { concat, message } from '../support/bytes.js';
import { Harness, settle, until } from './harness.js';
import type { RouterEnd } from './memory-transport.js';
import {
  announcement,
  asPath,
  EOR_IPV4,
  KEEPALIVE,
  nextHop,
  nlri,
  notificationMessage,
  openMessage,
  origin,
  shutdownData,
  updateMessage,
} from './peer-messages.js';

function notifications(router: RouterEnd): string[] {
  return router.ofKind('notification').map((n) => `${n.code}/${n.subcode}`);
}

describe('peer session: OPEN exchange (RFC 4271 §8.2.2)', () => {
  it('connects, sends its OPEN, and reaches Established on OPEN + KEEPALIVE', async () => {
    const h = new Harness();
    const peer = h.addPeer({ holdTimeSec: 90 });
    expect(peer.state).toBe('connect');
    expect(h.transport.requests[0]).toMatchObject({ host: '192.0.2.2', port: 179 });
    const router = h.transport.answer();
    await settle();
    const [open] = router.ofKind('open') as OpenMessage[];
    expect(open).toMatchObject({ version: 4, myAsn: 65001, holdTimeSec: 90, bgpIdentifier: '192.0.2.1' });
    expect(open!.capabilities).toContainEqual({ kind: 'multiprotocol', afi: 1, safi: 1 });
    expect(open!.capabilities).toContainEqual({ kind: 'fourOctetAs', asn: 65001 });
    router.send(openMessage({}));
    await settle();
    expect(peer.state).toBe('openConfirm');
    expect(router.ofKind('keepalive')).toHaveLength(1);
    router.send(KEEPALIVE);
    await until(() => peer.state === 'established');
    expect(h.transitions()).toEqual([
      'idle>connect',
      'connect>openSent',
      'openSent>openConfirm',
      'openConfirm>established',
    ]);
    const [up] = h.of('peerUp');
    expect(up).toMatchObject({ peer: '192.0.2.2', localAddress: '192.0.2.1' });
    expect(up!.negotiated).toMatchObject({
      peerAsn: 65002,
      holdTimeSec: 90,
      keepaliveTimeSec: 30,
      ibgp: false,
    });
  });

  it('refuses an OPEN from the wrong AS with 2/2 Bad Peer AS and reports it as an event', async () => {
    const h = new Harness();
    const peer = h.addPeer();
    const router = h.transport.answer();
    await settle();
    router.send(openMessage({ asn: 65099 }));
    await settle();
    expect(notifications(router)).toEqual(['2/2']);
    expect(h.of('notificationSent')).toMatchObject([
      { code: 2, subcode: 2, name: 'OPEN_MESSAGE_ERROR/BAD_PEER_AS' },
    ]);
    expect(peer.state).toBe('idle');
    expect(router.ended).toBe(true);
  });

  it('answers a bad marker with 1/1 Connection Not Synchronized, never with a caller exception', async () => {
    const h = new Harness();
    const peer = h.addPeer();
    const router = h.transport.answer();
    await settle();
    const garbage = new Uint8Array(19).fill(0xee);
    router.send(garbage);
    await settle();
    expect(notifications(router)).toEqual(['1/1']);
    expect(peer.state).toBe('idle');
  });

  it('waits in Active after a refused connect and retries when ConnectRetry fires (RFC 4271 §8.2.2)', async () => {
    const h = new Harness();
    const peer = h.addPeer({ connectRetryTimeSec: 5 });
    h.transport.refuse();
    await settle();
    expect(peer.state).toBe('active');
    expect(h.transport.pendingConnects).toBe(0);
    h.clock.advanceSync(5000);
    expect(peer.state).toBe('connect');
    expect(h.transport.pendingConnects).toBe(1);
  });
});

describe('peer session: stream framing', () => {
  const stream = concat(
    openMessage({}),
    KEEPALIVE,
    announcement([
      ['198.51.100.0', 24],
      ['203.0.113.0', 25],
    ]),
    EOR_IPV4,
  );

  it('reaches the same Adj-RIB-In whatever offset the peer’s bytes are split at (RFC 4271 §4.1)', async () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const h = new Harness();
      h.addPeer();
      const router = h.transport.answer();
      await settle(2);
      router.send(stream.subarray(0, cut));
      await settle(2);
      router.send(stream.subarray(cut));
      await until(() => h.of('eorReceived').length === 1, `EoR at cut ${cut}`);
      const routes = h.speaker
        .receivedRoutes('192.0.2.2')
        .map((r) => `${formatPrefix(r.prefix)} via ${r.nextHop}`);
      expect(routes.sort(), `cut ${cut}`).toEqual([
        '198.51.100.0/24 via 192.0.2.2',
        '203.0.113.0/25 via 192.0.2.2',
      ]);
      expect(notifications(router), `cut ${cut}`).toEqual([]);
      await h.speaker.close();
    }
  });

  it('reaches the same state when the bytes arrive one octet at a time', async () => {
    const h = new Harness();
    const peer = h.addPeer();
    const r = h.transport.answer();
    await settle(2);
    for (const b of stream) r.send(Uint8Array.of(b));
    await until(() => h.of('eorReceived').length === 1);
    expect(peer.state).toBe('established');
    expect(h.speaker.receivedRoutes('192.0.2.2')).toHaveLength(2);
  });
});

describe('peer session: timers (RFC 4271 §4.4, §6.5)', () => {
  /** The next KEEPALIVE comes no sooner than 75 % of `intervalMs` and by 100 % (RFC 4271 §10 jitter). */
  async function expectNextKeepaliveWithin(h: Harness, router: RouterEnd, intervalMs: number): Promise<void> {
    const before = router.ofKind('keepalive').length;
    h.clock.advanceSync(intervalMs * 0.75 - 1);
    await settle();
    expect(router.ofKind('keepalive').length).toBe(before);
    h.clock.advanceSync(intervalMs * 0.25 + 1);
    await settle();
    expect(router.ofKind('keepalive').length).toBe(before + 1);
  }

  it('sends KEEPALIVE within a third of the hold time, jittered to 75–100 % (RFC 4271 §10)', async () => {
    const h = new Harness();
    const { router } = await h.establish();
    await expectNextKeepaliveWithin(h, router, 30_000);
  });

  it('sends KEEPALIVE every configured keepaliveTimeSec, jittered to 75–100 %', async () => {
    const h = new Harness();
    const { router } = await h.establish({ keepaliveTimeSec: 10 });
    expect(h.of('peerUp')[0]?.negotiated.keepaliveTimeSec).toBe(10);
    await expectNextKeepaliveWithin(h, router, 10_000);
  });

  it('lowers a configured keepalive to a third of a smaller hold time the peer offers (as FRR and BIRD)', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish({ keepaliveTimeSec: 20 }, openMessage({ holdTimeSec: 9 }));
    expect(h.of('peerUp')[0]?.negotiated).toMatchObject({ holdTimeSec: 9, keepaliveTimeSec: 3 });
    const before = router.ofKind('keepalive').length;
    h.clock.advanceSync(3_000);
    await settle();
    expect(router.ofKind('keepalive').length).toBe(before + 1);
    router.send(KEEPALIVE);
    await settle();
    expect(peer.state).toBe('established');
  });

  it('sends no KEEPALIVE at a negotiated hold time of 0, whatever keepalive is configured (RFC 4271 §4.4)', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish({ keepaliveTimeSec: 5 }, openMessage({ holdTimeSec: 0 }));
    const before = router.ofKind('keepalive').length;
    h.clock.advanceSync(600_000);
    await settle();
    expect(router.ofKind('keepalive').length).toBe(before);
    expect(peer.state).toBe('established');
  });

  it('refuses a keepalive at or above the hold time with ANYVIP_INVALID_PEER_CONFIG', () => {
    const h = new Harness();
    expect(() => h.addPeer({ holdTimeSec: 9, keepaliveTimeSec: 9 })).toThrow(
      expect.objectContaining({ code: 'ANYVIP_INVALID_PEER_CONFIG' }),
    );
    expect(() => h.addPeer({ holdTimeSec: 0, keepaliveTimeSec: 3 })).toThrow(
      expect.objectContaining({ code: 'ANYVIP_INVALID_PEER_CONFIG' }),
    );
    expect(h.speaker.peers()).toHaveLength(0);
  });

  it('sends 4/0 Hold Timer Expired when the peer is silent for the hold time, then restarts after IdleHold', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish({ idleHoldTimeSec: 5 });
    h.clock.advanceSync(89_999);
    await settle();
    expect(peer.state).toBe('established');
    h.clock.advanceSync(1);
    await settle();
    expect(notifications(router)).toEqual(['4/0']);
    expect(peer.state).toBe('idle');
    expect(h.of('peerDown')).toMatchObject([{ reason: { kind: 'notificationSent' } }]);
    expect(h.transport.pendingConnects).toBe(0);
    h.clock.advanceSync(5000);
    expect(peer.state).toBe('connect');
    expect(h.transport.pendingConnects).toBe(1);
  });

  it('keeps the session while the peer sends KEEPALIVEs', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    for (let i = 0; i < 10; i++) {
      h.clock.advanceSync(60_000);
      router.send(KEEPALIVE);
      await settle();
    }
    expect(peer.state).toBe('established');
  });
});

describe('peer session: NOTIFICATION (RFC 4271 §6.4, RFC 9003)', () => {
  it('reports a received Cease with its shutdown communication and goes down', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    router.send(notificationMessage(6, 2, shutdownData('maintenance, back in 10 min')));
    await settle();
    expect(h.of('notificationReceived')).toMatchObject([
      {
        code: 6,
        subcode: 2,
        name: 'CEASE/ADMINISTRATIVE_SHUTDOWN',
        shutdownMessage: 'maintenance, back in 10 min',
      },
    ]);
    expect(h.of('peerDown')[0]?.reason.kind).toBe('notificationReceived');
    expect(peer.state).toBe('idle');
  });
});

describe('peer session: received UPDATEs', () => {
  it('stores routes and reports them in one routesReceived event per UPDATE', async () => {
    const h = new Harness();
    const { router } = await h.establish();
    router.send(announcement([['198.51.100.0', 24]]));
    router.send(updateMessage(nlri('198.51.100.0', 24), '', ''));
    await settle();
    const got = h.of('routesReceived').map((e) => ({
      announced: e.announced.map((r) => formatPrefix(r.prefix)),
      withdrawn: e.withdrawn.map((r) => formatPrefix(r.prefix)),
    }));
    expect(got).toEqual([
      { announced: ['198.51.100.0/24'], withdrawn: [] },
      { announced: [], withdrawn: ['198.51.100.0/24'] },
    ]);
    expect(h.speaker.peers()[0]).toMatchObject({ updatesReceived: 2, prefixesReceived: 0 });
  });

  it('refuses an eBGP route whose AS_PATH holds our AS and reports routesRejected (RFC 4271 §9.1.2)', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    router.send(announcement([['198.51.100.0', 24]]));
    router.send(announcement([['198.51.100.0', 24]], '192.0.2.2', [65002, 65001, 65003]));
    await settle();
    expect(h.of('routesRejected')).toEqual([
      {
        kind: 'routesRejected',
        peer: '192.0.2.2',
        reason: 'asPathLoop',
        localAsn: 65001,
        occurrences: 1,
        count: 1,
      },
    ]);
    expect(h.of('routesReceived').map((e) => e.withdrawn.length)).toEqual([0, 1]);
    expect(h.speaker.receivedRoutes('192.0.2.2')).toEqual([]);
    expect(peer.state).toBe('established');
  });

  it('accepts our AS in the path up to allowAsIn times (FRR allowas-in)', async () => {
    const h = new Harness();
    const { router } = await h.establish({ allowAsIn: 1 });
    router.send(announcement([['198.51.100.0', 24]], '192.0.2.2', [65002, 65001]));
    await settle();
    expect(h.speaker.receivedRoutes('192.0.2.2').map((r) => formatPrefix(r.prefix))).toEqual([
      '198.51.100.0/24',
    ]);
    router.send(announcement([['198.51.100.0', 24]], '192.0.2.2', [65002, 65001, 65001]));
    await settle();
    expect(h.of('routesRejected')).toMatchObject([{ occurrences: 2, count: 1 }]);
    expect(h.speaker.receivedRoutes('192.0.2.2')).toEqual([]);
  });

  it('refuses an allowAsIn outside 0..10', () => {
    const h = new Harness();
    expect(() => h.addPeer({ allowAsIn: 11 })).toThrow(/allowAsIn/);
    expect(() => h.addPeer({ allowAsIn: -1 })).toThrow(/allowAsIn/);
  });

  it('treats an invalid ORIGIN as withdraw and keeps the session (RFC 7606 §7.1)', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    router.send(announcement([['198.51.100.0', 24]]));
    router.send(
      updateMessage('', origin(7) + asPath(65002) + nextHop('192.0.2.2'), nlri('198.51.100.0', 24)),
    );
    await settle();
    expect(h.of('malformed')).toMatchObject([{ action: 'treatAsWithdraw', error: { code: 3, subcode: 6 } }]);
    expect(peer.state).toBe('established');
    expect(notifications(router)).toEqual([]);
    expect(h.speaker.receivedRoutes('192.0.2.2')).toEqual([]);
  });

  it('treats an eBGP route whose leftmost AS is not the peer’s as withdraw (RFC 4271 §6.3, RFC 7606 §7.2)', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    router.send(announcement([['198.51.100.0', 24]], '192.0.2.2', [65003, 65002]));
    await settle();
    expect(h.of('malformed')).toMatchObject([{ action: 'treatAsWithdraw', error: { code: 3, subcode: 11 } }]);
    expect(peer.state).toBe('established');
    expect(h.speaker.receivedRoutes('192.0.2.2')).toEqual([]);
  });

  it('treats a route whose NEXT_HOP is the receiving speaker’s own address as withdraw (RFC 4271 §6.3)', async () => {
    const h = new Harness();
    const { router } = await h.establish();
    router.send(announcement([['198.51.100.0', 24]], '192.0.2.1'));
    await settle();
    expect(h.of('malformed')).toMatchObject([{ action: 'treatAsWithdraw', error: { code: 3, subcode: 8 } }]);
    expect(h.speaker.receivedRoutes('192.0.2.2')).toEqual([]);
  });

  it('resets the session with 3/1 when Total Path Attribute Length overruns the UPDATE (RFC 4271 §6.3)', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    router.send(message(2, '0000 0040 40010100'));
    await settle();
    expect(notifications(router)).toEqual(['3/1']);
    expect(peer.state).toBe('idle');
    expect(h.of('peerDown')).toHaveLength(1);
  });
});
