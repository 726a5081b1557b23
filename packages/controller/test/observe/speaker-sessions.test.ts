import type { PeerInfo } from '@anyvip/bgp';
import { describe, expect, it } from 'vitest';
import { SessionObserver } from '../../src/observe/speaker-sessions.js';

const info = (address: string, over: Partial<PeerInfo> = {}): PeerInfo => ({
  address,
  port: 179,
  remoteAsn: 65000,
  state: 'established',
  localAddress: '10.250.0.11',
  uptimeMs: 1000,
  negotiated: undefined,
  updatesSent: 1,
  updatesReceived: 1,
  messagesSent: 3,
  messagesReceived: 3,
  notificationsSent: 0,
  notificationsReceived: 0,
  prefixesSent: 2,
  prefixesReceived: 5,
  pendingRoutes: 0,
  outputQueueOctets: 0,
  establishedTransitions: 1,
  lastDownReason: undefined,
  ...over,
});

describe('SessionObserver: the speaker as an observer of sessions', () => {
  it('last error: the last NOTIFICATION (a session refused before Established) or session loss, newest wins', () => {
    const peers: PeerInfo[] = [info('10.250.0.1', { state: 'active', localAddress: undefined })];
    const o = new SessionObserver({ peers: () => peers });
    expect(o.snapshot()[0]?.lastError).toBeUndefined();
    o.noteNotification('10.250.0.1', 'received', 'OPEN_MESSAGE_ERROR/BAD_PEER_AS');
    expect(o.snapshot()[0]?.lastError).toBe('received OPEN_MESSAGE_ERROR/BAD_PEER_AS');
    o.observe({ kind: 'peerDown', peer: '10.250.0.1', reason: 'connection lost' });
    expect(o.snapshot()[0]?.lastError).toBe('connection lost');
    o.noteNotification('10.250.0.1', 'received', 'CEASE/ADMINISTRATIVE_SHUTDOWN', 'maintenance');
    expect(o.snapshot()[0]?.lastError).toBe('received CEASE/ADMINISTRATIVE_SHUTDOWN: maintenance');
  });

  it('joins the speaker facts with the times and BFD states its events told, and says which events matter', () => {
    let now = Date.UTC(2026, 11, 4, 21, 0, 0);
    let peers: PeerInfo[] = [
      info('10.250.0.1'),
      info('10.250.0.2', { state: 'active', localAddress: undefined }),
    ];
    const o = new SessionObserver({ peers: () => peers, now: () => now });
    expect(
      o.observe({ kind: 'peerStateChanged', peer: '10.250.0.1', from: 'openConfirm', to: 'established' }),
    ).toBe(true);
    now += 5000;
    expect(
      o.observe({
        kind: 'bfdStateChanged',
        peer: '10.250.0.1',
        from: 'init',
        to: 'up',
        diagnostic: 'NO_DIAGNOSTIC',
        bgpStopped: false,
      }),
    ).toBe(true);
    expect(o.observe({ kind: 'reconciled', trigger: 'x', durationMs: 1, changes: 0, errors: 0 })).toBe(false);
    const [a, b] = o.snapshot();
    expect(a).toEqual({
      peerAddress: '10.250.0.1',
      state: 'established',
      sinceMs: Date.UTC(2026, 11, 4, 21, 0, 0),
      localAddress: '10.250.0.11',
      lastError: undefined,
      prefixesSent: 2,
      prefixesReceived: 5,
      holdTimeSec: undefined,
      bfd: 'up',
    });
    expect(b).toMatchObject({
      peerAddress: '10.250.0.2',
      state: 'active',
      sinceMs: undefined,
      bfd: undefined,
    });
    // A de-configured peer forgets its times; the speaker no longer lists it either.
    o.observe({
      kind: 'applied',
      sink: 'bgp',
      action: 'remove',
      key: '10.250.0.1',
      what: 'peer removed',
      peer: '10.250.0.1',
    });
    peers = [info('10.250.0.1', { state: 'idle' })];
    expect(o.snapshot()[0]).toMatchObject({ state: 'idle', sinceMs: undefined, bfd: undefined });
  });
});
