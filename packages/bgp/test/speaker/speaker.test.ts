import { describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/speaker.js';
import { ipv4Prefix } from '../../src/wire/prefix.js';
import { Harness, settle, until } from '../session/harness.js';
import type { RouterEnd } from '../session/memory-transport.js';
import { announcement, openMessage } from '../session/peer-messages.js';
import { codeOf } from '../support/error-code.js';

function notifications(router: RouterEnd): { code: number; subcode: number; data: string }[] {
  return router.ofKind('notification').map((n) => ({
    code: n.code,
    subcode: n.subcode,
    data: Buffer.from(n.data).toString('hex'),
  }));
}

describe('BgpSpeaker: API misuse throws LocalProtocolError at once', () => {
  const h = new Harness();

  it('refuses a bad prefix, host bits, and path identifiers', () => {
    expect(codeOf(() => h.speaker.announce({ prefix: '10.0.0.0/33' }))).toBe('ANYVIP_BAD_PREFIX');
    expect(codeOf(() => h.speaker.announce({ prefix: '10.0.0.1/24' }))).toBe('ANYVIP_BAD_PREFIX');
    expect(codeOf(() => h.speaker.announce({ prefix: 'not-a-prefix' }))).toBe('ANYVIP_BAD_PREFIX');
    expect(codeOf(() => h.speaker.announce({ prefix: ipv4Prefix(0x0a000000, 8, 7) }))).toBe(
      'ANYVIP_BAD_PREFIX',
    );
    expect(codeOf(() => h.speaker.withdraw('10.0.0.0/99'))).toBe('ANYVIP_BAD_PREFIX');
  });

  it('refuses a next hop of the other family, and malformed attributes', () => {
    expect(codeOf(() => h.speaker.announce({ prefix: '10.0.0.0/8', nextHop: '2001:db8::1' }))).toBe(
      'ANYVIP_BAD_NEXT_HOP',
    );
    expect(codeOf(() => h.speaker.announce({ prefix: '2001:db8::/32', nextHop: '192.0.2.1' }))).toBe(
      'ANYVIP_BAD_NEXT_HOP',
    );
    expect(codeOf(() => h.speaker.announce({ prefix: '10.0.0.0/8', nextHop: 'router' }))).toBe(
      'ANYVIP_BAD_NEXT_HOP',
    );
    expect(codeOf(() => h.speaker.announce({ prefix: '10.0.0.0/8', communities: ['65536:1'] }))).toBe(
      'ANYVIP_BAD_COMMUNITY',
    );
    expect(codeOf(() => h.speaker.announce({ prefix: '10.0.0.0/8', med: -1 }))).toBe('ANYVIP_BAD_ATTRIBUTE');
    expect(codeOf(() => h.speaker.announce({ prefix: '10.0.0.0/8', asPathPrepend: 100 }))).toBe(
      'ANYVIP_BAD_ATTRIBUTE',
    );
    expect(h.speaker.routes()).toEqual([]);
  });

  it('refuses bad peer settings, duplicates, and unknown peers', () => {
    expect(codeOf(() => h.speaker.addPeer({ address: 'router1', remoteAsn: 65002 }))).toBe(
      'ANYVIP_INVALID_PEER_CONFIG',
    );
    expect(codeOf(() => h.speaker.addPeer({ address: '192.0.2.9', remoteAsn: 0 }))).toBe(
      'ANYVIP_INVALID_PEER_CONFIG',
    );
    expect(codeOf(() => h.speaker.addPeer({ address: '192.0.2.9', remoteAsn: 65002, holdTimeSec: 2 }))).toBe(
      'ANYVIP_INVALID_PEER_CONFIG',
    );
    h.speaker.addPeer({ address: '192.0.2.9', remoteAsn: 65002, passive: true });
    expect(codeOf(() => h.speaker.addPeer({ address: '192.0.2.9', remoteAsn: 65002 }))).toBe(
      'ANYVIP_DUPLICATE_PEER',
    );
    expect(codeOf(() => h.speaker.removePeer('192.0.2.77'))).toBe('ANYVIP_UNKNOWN_PEER');
    expect(codeOf(() => new BgpSpeaker({ localAsn: 65001, routerId: '0.0.0.0' }))).toBe(
      'ANYVIP_INVALID_SPEAKER_CONFIG',
    );
  });
});

describe('BgpSpeaker: originated routes', () => {
  it('lists announced routes with their attributes, and forgets withdrawn ones', () => {
    const h = new Harness();
    h.speaker.announce({ prefix: '198.51.100.0/24', communities: ['65001:7'], med: 3, origin: 'egp' });
    h.speaker.announce({
      prefix: '2001:db8::/48',
      nextHop: '2001:db8::1',
      largeCommunities: [[65001, 1, 1]],
    });
    expect(h.speaker.routes()).toEqual([
      {
        prefix: '198.51.100.0/24',
        nextHop: undefined,
        origin: 'egp',
        med: 3,
        localPref: undefined,
        communities: ['65001:7'],
        largeCommunities: [],
        extendedCommunities: [],
        asPathPrepend: 0,
      },
      {
        prefix: '2001:db8::/48',
        nextHop: '2001:db8::1',
        origin: 'igp',
        med: undefined,
        localPref: undefined,
        communities: [],
        largeCommunities: ['65001:1:1'],
        extendedCommunities: [],
        asPathPrepend: 0,
      },
    ]);
    expect(h.speaker.withdraw('198.51.100.0/24')).toBe(true);
    expect(h.speaker.withdraw('198.51.100.0/24')).toBe(false);
    expect(h.speaker.routeCount).toBe(1);
  });
});

describe('BgpSpeaker: stopping sessions (RFC 4486, RFC 9003)', () => {
  it('removePeer sends Cease 6/3 Peer De-configured and forgets the peer', async () => {
    const h = new Harness();
    const { router } = await h.establish();
    await h.speaker.removePeer('192.0.2.2');
    expect(notifications(router)).toEqual([{ code: 6, subcode: 3, data: '' }]);
    expect(h.speaker.peers()).toEqual([]);
    expect(h.of('peerDown')).toHaveLength(1);
  });

  it('close(reason) sends Cease 6/2 with the reason as shutdown communication and resolves when closed', async () => {
    const h = new Harness();
    const { router } = await h.establish();
    await h.speaker.close('bye');
    expect(notifications(router)).toEqual([{ code: 6, subcode: 2, data: '03627965' }]);
    expect(h.of('notificationSent')).toMatchObject([
      { name: 'CEASE/ADMINISTRATIVE_SHUTDOWN', shutdownMessage: 'bye' },
    ]);
    expect(router.ended).toBe(true);
    expect(codeOf(() => h.speaker.announce({ prefix: '10.0.0.0/8' }))).toBe('ANYVIP_SPEAKER_CLOSED');
  });

  it('close() resolves after the linger time when the peer never reads its NOTIFICATION', async () => {
    const h = new Harness({ lingerMs: 2000 });
    const { router } = await h.establish();
    router.pause();
    router.stream.removeAllListeners('end');
    let closed = false;
    const done = h.speaker.close('bye').then(() => {
      closed = true;
    });
    await settle();
    expect(closed).toBe(false);
    h.clock.advanceSync(2000);
    await done;
    expect(closed).toBe(true);
  });
});

describe('BgpSpeaker: maximum prefixes (RFC 4486 §4)', () => {
  it('stop: sends Cease 6/1 with AFI, SAFI and the limit, and reports maxPrefix', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish({ maxPrefixes: { limit: 2, action: 'stop' } });
    router.send(
      announcement([
        ['198.51.100.0', 24],
        ['198.51.101.0', 24],
      ]),
    );
    await settle();
    expect(peer.state).toBe('established');
    router.send(announcement([['198.51.102.0', 24]]));
    await settle();
    expect(h.of('maxPrefix')).toMatchObject([{ action: 'stop', limit: 2, count: 3, afi: 1, safi: 1 }]);
    expect(notifications(router)).toEqual([{ code: 6, subcode: 1, data: '00010100000002' }]);
    expect(peer.state).toBe('idle');
  });

  it('warn: reports maxPrefix and keeps the session', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish({ maxPrefixes: { limit: 1, action: 'warn' } });
    router.send(
      announcement([
        ['198.51.100.0', 24],
        ['198.51.101.0', 24],
      ]),
    );
    await settle();
    expect(h.of('maxPrefix')).toMatchObject([{ action: 'warn', limit: 1, count: 2 }]);
    expect(peer.state).toBe('established');
  });
});

describe('BgpSpeaker: events', () => {
  it('on(kind) gets only that kind, typed; off() removes; a throwing listener does not break the session', async () => {
    const h = new Harness();
    const states: string[] = [];
    const listener = (e: { from: string; to: string }): void => {
      states.push(`${e.from}>${e.to}`);
    };
    h.speaker.on('stateChange', listener);
    const thrown: unknown[] = [];
    const onUncaught = (e: unknown): void => {
      thrown.push(e);
    };
    process.on('uncaughtException', onUncaught);
    h.speaker.on('peerUp', () => {
      throw new Error('listener bug');
    });
    try {
      const { peer } = await h.establish();
      await settle();
      expect(peer.state).toBe('established');
      expect(states).toEqual([
        'idle>connect',
        'connect>openSent',
        'openSent>openConfirm',
        'openConfirm>established',
      ]);
      h.speaker.off('stateChange', listener);
      await h.speaker.close();
      expect(states).toHaveLength(4);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(thrown).toHaveLength(1);
  });

  it('reports stateChange → established before peerUp, so a peerUp listener sees an Established peer', async () => {
    const h = new Harness();
    const order: string[] = [];
    h.speaker.on('stateChange', (e) => order.push(`stateChange ${e.to}`));
    h.speaker.on('peerUp', (e) => order.push(`peerUp ${h.speaker.peer(e.peer)?.state}`));
    await h.establish();
    await settle();
    expect(order.slice(-2)).toEqual(['stateChange established', 'peerUp established']);
    await h.speaker.close();
  });

  it('passes structured log entries to an injected logger', async () => {
    const entries: { level: string; message: string; fields: unknown }[] = [];
    const log =
      (level: string) =>
      (message: string, fields?: unknown): void => {
        entries.push({ level, message, fields });
      };
    const { FakeClock } = await import('@anyvip/clock');
    const { MemoryTransport } = await import('../session/memory-transport.js');
    const transport = new MemoryTransport();
    const speaker = new BgpSpeaker({
      localAsn: 65001,
      routerId: '192.0.2.1',
      clock: new FakeClock(),
      transport,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    });
    const peer = speaker.addPeer({ address: '192.0.2.2', remoteAsn: 65002 });
    const router = transport.answer();
    await settle();
    router.send(openMessage({ asn: 65003 }));
    await until(() => peer.state === 'idle');
    expect(entries).toContainEqual({
      level: 'warn',
      message: 'notification sent',
      fields: { peer: '192.0.2.2', code: 2, subcode: 2, name: 'OPEN_MESSAGE_ERROR/BAD_PEER_AS' },
    });
    expect(entries).toContainEqual({
      level: 'info',
      message: 'state change',
      fields: { peer: '192.0.2.2', from: 'idle', to: 'connect' },
    });
  });
});
