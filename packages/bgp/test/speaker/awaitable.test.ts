import { on, once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { PeerUpEvent, RoutesReceivedEvent } from '../../src/events.js';
import { LocalProtocolError } from '../../src/wire/errors.js';
import { Harness, settle } from '../session/harness.js';
import {
  announcement,
  asPath,
  attr,
  nextHop,
  nlri,
  origin,
  updateMessage,
} from '../session/peer-messages.js';

/** The awaitable API: Node's events.once/on, waitFor with AbortSignal, peer.established(), routesSent(). */
describe('awaitables', () => {
  it("node:events once(speaker, 'peerUp') resolves with the event (EventEmitter-compatible on/once/removeListener)", async () => {
    const h = new Harness();
    const up = once(h.speaker as never, 'peerUp') as Promise<[PeerUpEvent]>;
    await h.establish();
    const [event] = await up;
    expect(event.peer).toBe('192.0.2.2');
    await h.speaker.close();
  });

  it("node:events on(speaker, 'routesReceived', { signal }) iterates events until aborted", async () => {
    const h = new Harness();
    const { router } = await h.establish();
    const ac = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      try {
        for await (const [e] of on(h.speaker as never, 'routesReceived', { signal: ac.signal })) {
          seen.push(...(e as RoutesReceivedEvent).announced.map((r) => r.prefix.length.toString()));
          if (seen.length === 2) ac.abort();
        }
      } catch (err) {
        expect((err as Error).name).toBe('AbortError');
      }
    })();
    router.send(announcement([['198.51.100.0', 24]]));
    await settle();
    router.send(announcement([['198.51.100.128', 25]]));
    await loop;
    expect(seen).toEqual(['24', '25']);
    await h.speaker.close();
  });

  it('waitFor(kind, predicate) resolves on the first matching event; an aborted signal rejects with its reason and leaves no listener', async () => {
    const h = new Harness();
    const change = h.speaker.waitFor('stateChange', (e) => e.to === 'openSent');
    await h.establish();
    expect((await change).to).toBe('openSent');
    const ac = new AbortController();
    const never = h.speaker.waitFor('peerDown', undefined, { signal: ac.signal });
    ac.abort(new Error('gave up'));
    await expect(never).rejects.toThrow('gave up');
    await expect(
      h.speaker.waitFor('peerDown', undefined, { signal: AbortSignal.abort(new Error('already')) }),
    ).rejects.toThrow('already');
    await h.speaker.close();
  });

  it('peer.established() resolves once Established, at once afterwards; an aborted signal rejects', async () => {
    const h = new Harness();
    const { peer } = await h.establish();
    await expect(peer.established()).resolves.toBeUndefined();
    const other = h.speaker.addPeer({ address: '192.0.2.3', remoteAsn: 65003 });
    const ac = new AbortController();
    const waiting = other.established({ signal: ac.signal });
    ac.abort(new Error('timeout'));
    await expect(waiting).rejects.toThrow('timeout');
    const removed = other.established();
    await h.speaker.removePeer('192.0.2.3');
    h.clock.advance(10);
    await expect(removed).rejects.toMatchObject({ code: 'ANYVIP_UNKNOWN_PEER' });
    await h.speaker.close();
  });

  it('peer.routesSent() resolves when nothing is pending for the peer and its output queue is empty', async () => {
    const h = new Harness();
    const { peer } = await h.establish();
    h.speaker.announceMany(['10.250.1.0/24', '10.250.2.0/24']);
    const sent = peer.routesSent();
    let done = false;
    void sent.then(() => {
      done = true;
    });
    for (let i = 0; i < 50 && !done; i++) {
      h.clock.advance(5);
      await settle();
    }
    expect(done).toBe(true);
    const info = peer.info();
    expect([info.pendingRoutes, info.outputQueueOctets, info.prefixesSent]).toEqual([0, 0, 2]);
    await h.speaker.close();
  });
});

describe('received routes: a decoded, frozen view (peer.received)', () => {
  it('gives prefix text, family, origin, AS path, next hop, MED, communities and large communities', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    const med = attr(0x80, 4, '00000014');
    const communities = attr(0xc0, 8, 'fdea0001ffffff01');
    const large = attr(0xc0, 32, '0000fdea0000000100000002');
    router.send(
      updateMessage(
        '',
        origin(0) + asPath(65002, 4_200_000_000) + nextHop('192.0.2.2') + med + communities + large,
        nlri('198.51.100.0', 24),
      ),
    );
    await settle();
    const [r] = peer.received('ipv4');
    expect(r).toEqual({
      prefix: '198.51.100.0/24',
      family: 'ipv4',
      pathId: undefined,
      nextHop: '192.0.2.2',
      origin: 'igp',
      asPath: [65002, 4_200_000_000],
      asPathSegments: [{ type: 'sequence', asns: [65002, 4_200_000_000] }],
      med: 20,
      localPref: undefined,
      communities: ['65002:1', '65535:65281'],
      largeCommunities: ['65002:1:2'],
      extendedCommunities: [],
    });
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r?.asPath)).toBe(true);
    expect(peer.received('ipv6')).toEqual([]);
    // Nothing a user does to the view reaches the RIB: close() still succeeds.
    await h.speaker.close();
  });
});

describe('bulk calls', () => {
  it("announceMany checks every prefix first: ['10.250.1.0/24', 'banana'] throws and announces nothing", () => {
    const h = new Harness();
    expect(() => h.speaker.announceMany(['10.250.1.0/24', 'banana'])).toThrow(LocalProtocolError);
    expect(h.speaker.routes()).toEqual([]);
    expect(() =>
      h.speaker.announceMany(['10.250.1.0/24', 'fd00:250::/64'], { nextHop: '192.0.2.9' }),
    ).toThrow(LocalProtocolError);
    expect(h.speaker.routes()).toEqual([]);
  });

  it('withdrawMany checks every prefix first, then withdraws and counts what was announced', () => {
    const h = new Harness();
    h.speaker.announceMany(['10.250.1.0/24', '10.250.2.0/24', '10.250.3.0/24']);
    expect(() => h.speaker.withdrawMany(['10.250.1.0/24', 'banana'])).toThrow(LocalProtocolError);
    expect(h.speaker.routeCount).toBe(3);
    expect(h.speaker.withdrawMany(['10.250.1.0/24', '10.250.2.0/24', '10.250.9.0/24'])).toBe(2);
    expect(h.speaker.routes().map((r) => r.prefix)).toEqual(['10.250.3.0/24']);
  });
});
