import { describe, expect, it } from 'vitest';
import { type ControllerConfig, parseConfig } from '../../src/config/schema.js';
import { computeDesiredState, computeDesiredWorld } from '../../src/desired/compute.js';
import type { Lifecycle } from '../../src/desired/lifecycle.js';
import type { DesiredState } from '../../src/desired/types.js';
import type { Phase } from '../../src/reconcile/sink.js';
import { BgpSink } from '../../src/sinks/bgp.js';
import { fakeRouterFactory } from '../support/fake-router.js';

function config(over: Record<string, unknown> = {}): ControllerConfig {
  return parseConfig({
    bgp: {
      asn: 65001,
      routerId: '10.250.0.11',
      peers: [
        { address: '10.250.0.1', asn: 65000, holdTime: 9 },
        { address: '10.250.1.1', asn: 65000, holdTime: 9 },
      ],
    },
    vips: [{ address: '10.250.255.1', communities: ['65000:100'] }, { address: '10.250.255.2' }],
    ...over,
  });
}

/** {@link config} with these peers (AS 65001, router id 10.250.0.11). */
function withPeers(peers: Record<string, unknown>[]): ControllerConfig {
  return config({ bgp: { asn: 65001, routerId: '10.250.0.11', peers } });
}

const allUp = () => ({ state: 'up' as const, everUp: true });

/** One VIP behind the check `web`. */
function gatedVip(over: Record<string, unknown> = {}): ControllerConfig {
  return config({
    healthchecks: { web: { tcp: '127.0.0.1:80' } },
    vips: [{ address: '10.250.255.1', healthcheck: 'web' }],
    ...over,
  });
}

function desired(c: ControllerConfig): DesiredState {
  return computeDesiredState(c, allUp);
}

async function pass(sink: BgpSink, d: DesiredState) {
  const out = [];
  for (const phase of ['remove', 'add'] as Phase[]) out.push(await sink.apply(d, phase));
  return { remove: out[0]!, add: out[1]! };
}

/** The same world for a process that restarts one closed for a planned restart (RFC 4724 §4). */
function restarting(d: DesiredState): DesiredState {
  return d.bgp === undefined ? d : { ...d, bgp: { ...d.bgp, restarting: true } };
}

describe('BgpSink', () => {
  it('starts the speaker, adds every peer and announces every VIP', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    const r = await pass(sink, desired(config()));
    expect(f.routers).toHaveLength(1);
    expect(f.routers[0]?.spec).toEqual({ asn: 65001, routerId: '10.250.0.11', listen: undefined });
    expect(f.routers[0]?.calls).toEqual([
      'addPeer 10.250.0.1',
      'addPeer 10.250.1.1',
      'announce 10.250.255.1/32 [65000:100]',
      'announce 10.250.255.2/32 []',
    ]);
    expect(f.routers[0]?.peers.get('10.250.0.1')).toEqual({
      address: '10.250.0.1',
      remoteAsn: 65000,
      port: 179,
      holdTimeSec: 9,
      passive: false,
    });
    expect(r.add.applied).toEqual(['10.250.255.1/32', '10.250.255.2/32']);
    expect(r.add.changes.map((c) => c.what)).toEqual([
      'speaker started (AS 65001, router id 10.250.0.11)',
      'peer added',
      'peer added',
      'announced',
      'announced',
    ]);
  });

  it('reconcile again, nothing changes: no call reaches the speaker', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    await pass(sink, desired(config()));
    const before = f.routers[0]?.calls.length;
    const r = await pass(sink, desired(config()));
    expect(f.routers[0]?.calls.length).toBe(before);
    expect([...r.remove.changes, ...r.add.changes]).toEqual([]);
  });

  it('withdraws a VIP whose check went down at once and announces it again when it is back', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    const gated = config({
      healthchecks: { web: { tcp: '127.0.0.1:80' } },
      vips: [
        { address: '10.250.255.1', healthcheck: 'web', communities: ['65000:100'] },
        { address: '10.250.255.2' },
      ],
    });
    await pass(sink, computeDesiredState(gated, allUp));
    const router = f.routers[0]!;
    router.calls.length = 0;
    await pass(
      sink,
      computeDesiredState(gated, () => ({ state: 'down', everUp: true })),
    );
    expect(router.calls).toEqual(['withdraw 10.250.255.1/32']);
    router.calls.length = 0;
    await pass(sink, computeDesiredState(gated, allUp));
    expect(router.calls).toEqual(['announce 10.250.255.1/32 [65000:100]']);
  });

  it('after a planned restart, adds the first peers only once every check has decided, so End-of-RIB follows the whole table (RFC 4724 §4.2)', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    const gated = config({
      healthchecks: { web: { tcp: '127.0.0.1:80' } },
      vips: [{ address: '10.250.255.1', healthcheck: 'web' }, { address: '10.250.255.2' }],
      bgp: {
        asn: 65001,
        routerId: '10.250.0.11',
        peers: [
          { address: '10.250.0.1', asn: 65000, holdTime: 9, gracefulRestart: true },
          { address: '10.250.1.1', asn: 65000, holdTime: 9, gracefulRestart: true },
        ],
      },
    });
    await pass(sink, restarting(computeDesiredState(gated, () => undefined)));
    const router = f.routers[0]!;
    expect(router.calls).toEqual(['announce 10.250.255.2/32 []']);
    router.calls.length = 0;
    await pass(sink, restarting(computeDesiredState(gated, allUp)));
    expect(router.calls).toEqual(['addPeer 10.250.0.1', 'addPeer 10.250.1.1', 'announce 10.250.255.1/32 []']);
    // Later checks that have not decided (a reload) never hold peers back again.
    router.calls.length = 0;
    const added = config({
      healthchecks: { web: { tcp: '127.0.0.1:80' } },
      vips: [{ address: '10.250.255.1', healthcheck: 'web' }],
      bgp: {
        asn: 65001,
        routerId: '10.250.0.11',
        peers: [
          { address: '10.250.0.1', asn: 65000, holdTime: 9 },
          { address: '10.250.2.1', asn: 65000 },
        ],
      },
    });
    await pass(sink, restarting(computeDesiredState(added, () => undefined)));
    expect(router.calls).toContain('addPeer 10.250.2.1');
  });

  it('holds the first peers after a restart at most the shortest restart time, and only for peers with Graceful Restart', async () => {
    let now = 1_000_000;
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create, now: () => now });
    const gr = gatedVip({
      bgp: {
        asn: 65001,
        routerId: '10.250.0.11',
        peers: [{ address: '10.250.0.1', asn: 65000, gracefulRestart: { restartTime: '30s' } }],
      },
    });
    const undecided = restarting(computeDesiredState(gr, () => undefined));
    await pass(sink, undecided);
    now += 29_000;
    await pass(sink, undecided);
    expect(f.routers[0]?.calls).toEqual([]);
    now += 1_000;
    await pass(sink, undecided);
    expect(f.routers[0]?.calls).toEqual(['addPeer 10.250.0.1']);

    const g = fakeRouterFactory();
    const noGr = new BgpSink({ createRouter: g.create, now: () => now });
    const gated = gatedVip();
    await pass(noGr, restarting(computeDesiredState(gated, () => undefined)));
    expect(g.routers[0]?.calls).toEqual(['addPeer 10.250.0.1', 'addPeer 10.250.1.1']);
  });

  it('without a restart, or with every check decided, adds peers in the first pass', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    const gated = gatedVip();
    await pass(
      sink,
      computeDesiredState(gated, () => undefined),
    );
    expect(f.routers[0]?.calls).toEqual(['addPeer 10.250.0.1', 'addPeer 10.250.1.1']);
    const g = fakeRouterFactory();
    const restarted = new BgpSink({ createRouter: g.create });
    await pass(restarted, restarting(computeDesiredState(gated, () => ({ state: 'down', everUp: false }))));
    expect(g.routers[0]?.calls).toEqual(['addPeer 10.250.0.1', 'addPeer 10.250.1.1']);
  });

  it('re-announces a VIP whose attributes changed, without a withdraw (RFC 4271 §3.1 implicit replace)', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    await pass(sink, desired(config()));
    f.routers[0]!.calls.length = 0;
    const c2 = config({
      vips: [{ address: '10.250.255.1', communities: ['65000:200'] }, { address: '10.250.255.2' }],
    });
    const r = await pass(sink, desired(c2));
    expect(f.routers[0]?.calls).toEqual(['announce 10.250.255.1/32 [65000:200]']);
    expect(r.add.changes.map((c) => `${c.action} ${c.what}`)).toEqual(['change re-announced']);
  });

  it('sends a weighted VIP with its link-bandwidth extended community, and a new weight as an implicit replace (issue 18)', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    await pass(sink, desired(config({ vips: [{ address: '10.250.255.1', weight: 2 }, '10.250.255.2'] })));
    const router = f.routers[0]!;
    expect(router.routes.get('10.250.255.1/32')?.extendedCommunities).toEqual([
      'link-bandwidth:65001:250000000',
    ]);
    expect(router.routes.get('10.250.255.2/32')?.extendedCommunities).toBeUndefined();
    router.calls.length = 0;
    await pass(sink, desired(config({ vips: [{ address: '10.250.255.1', weight: 5 }, '10.250.255.2'] })));
    expect(router.calls).toEqual(['announce 10.250.255.1/32 []']);
    expect(router.routes.get('10.250.255.1/32')?.extendedCommunities).toEqual([
      'link-bandwidth:65001:625000000',
    ]);
  });

  it('adds and removes peers one by one and re-creates a changed peer; the others keep their session', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    await pass(sink, desired(config()));
    const router = f.routers[0]!;
    router.calls.length = 0;
    const c2 = withPeers([
      { address: '10.250.0.1', asn: 65000, holdTime: 9 }, // unchanged
      { address: '10.250.2.1', asn: 65000, holdTime: 9 }, // new
    ]);
    await pass(sink, desired(c2));
    expect(router.calls).toEqual(['removePeer 10.250.1.1', 'addPeer 10.250.2.1']);
    router.calls.length = 0;
    const c3 = withPeers([
      { address: '10.250.0.1', asn: 65000, holdTime: 30 }, // changed
      { address: '10.250.2.1', asn: 65000, holdTime: 9 },
    ]);
    await pass(sink, desired(c3));
    expect(router.calls).toEqual(['removePeer 10.250.0.1', 'addPeer 10.250.0.1']);
    expect(router.peers.get('10.250.0.1')?.holdTimeSec).toBe(30);
    expect(f.routers).toHaveLength(1);
  });

  it('re-creates only the peer whose keepalive changed, and gives the speaker the interval', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    await pass(sink, desired(config()));
    const router = f.routers[0]!;
    expect(router.peers.get('10.250.0.1')).not.toHaveProperty('keepaliveTimeSec');
    router.calls.length = 0;
    const withKeepalive = withPeers([
      { address: '10.250.0.1', asn: 65000, holdTime: 9, keepaliveTime: 1 }, // changed
      { address: '10.250.1.1', asn: 65000, holdTime: 9 },
    ]);
    await pass(sink, desired(withKeepalive));
    expect(router.calls).toEqual(['removePeer 10.250.0.1', 'addPeer 10.250.0.1']);
    expect(router.peers.get('10.250.0.1')?.keepaliveTimeSec).toBe(1);
    router.calls.length = 0;
    await pass(sink, desired(withKeepalive));
    expect(router.calls).toEqual([]);
  });

  it('replaces the speaker when its AS or router id changes, withdrawing first', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    await pass(sink, desired(config()));
    const c2 = config({
      bgp: { asn: 65002, routerId: '10.250.0.11', peers: [{ address: '10.250.0.1', asn: 65000 }] },
    });
    await pass(sink, desired(c2));
    expect(f.routers).toHaveLength(2);
    expect(f.routers[0]?.calls.slice(-3)).toEqual([
      'withdraw 10.250.255.1/32',
      'withdraw 10.250.255.2/32',
      'close speaker AS or router id changed',
    ]);
    expect(f.routers[1]?.spec.asn).toBe(65002);
    expect(f.routers[1]?.calls).toEqual([
      'addPeer 10.250.0.1',
      'announce 10.250.255.1/32 [65000:100]',
      'announce 10.250.255.2/32 []',
    ]);
  });

  it('closes the speaker when the mode becomes table', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    await pass(sink, desired(config()));
    await pass(sink, desired(config({ mode: 'table', bgp: undefined })));
    expect(f.routers[0]?.closed).toBe('BGP is no longer configured');
    expect(sink.router).toBeUndefined();
  });

  it('listens when bgp.listen is set', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    const c = config({
      bgp: {
        asn: 65001,
        routerId: '10.250.0.11',
        listen: { port: 1179 },
        peers: [{ address: '10.250.0.1', asn: 1 }],
      },
    });
    await pass(sink, desired(c));
    expect(f.routers[0]?.calls[0]).toBe('listen 1179');
    await pass(sink, desired(c));
    expect(f.routers[0]?.calls.filter((x) => x.startsWith('listen'))).toHaveLength(1);
  });

  it('reports a peer the speaker refuses as an error and retries it on the next pass', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({
      createRouter: (spec) => {
        const r = f.create(spec);
        r.failAddPeer = 'ANYVIP_INVALID_PEER_CONFIG: nope';
        return r;
      },
    });
    const r1 = await pass(sink, desired(config()));
    expect(r1.add.errors).toEqual([
      { key: '10.250.0.1', peer: '10.250.0.1', reason: 'cannot add peer: ANYVIP_INVALID_PEER_CONFIG: nope' },
    ]);
    await pass(sink, desired(config()));
    expect([...f.routers[0]!.peers.keys()]).toEqual(['10.250.1.1', '10.250.0.1']);
  });

  it('adds GRACEFUL_SHUTDOWN (65535:0, RFC 8326) to every route on graceful shutdown, then withdraws all and closes', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    const d = desired(config());
    await pass(sink, d);
    const router = f.routers[0]!;
    router.calls.length = 0;
    // The lifecycle states of the desired world, as the runtime walks them on stop().
    const at = (lifecycle: Lifecycle): DesiredState =>
      computeDesiredWorld({
        config: config(),
        health: allUp,
        cluster: undefined,
        lifecycle,
        restarting: false,
        nowMs: 0,
      });
    const gs = await pass(sink, at({ kind: 'gracefulShutdown' }));
    expect(gs.add.applied).toHaveLength(2);
    expect(router.calls).toEqual([
      'announce 10.250.255.1/32 [65000:100 65535:0]',
      'announce 10.250.255.2/32 [65535:0]',
    ]);
    router.calls.length = 0;
    await pass(sink, at({ kind: 'withdrawn' }));
    await pass(sink, at({ kind: 'closed', reason: 'anyvip received SIGTERM' }));
    expect(router.calls).toEqual([
      'withdraw 10.250.255.1/32',
      'withdraw 10.250.255.2/32',
      'close anyvip received SIGTERM',
    ]);
    expect(sink.router).toBeUndefined();
  });
});
