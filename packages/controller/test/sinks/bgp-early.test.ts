import { describe, expect, it } from 'vitest';
import { type ControllerConfig, parseConfig } from '../../src/config/schema.js';
import { gateOnBinding } from '../../src/desired/bind-gate.js';
import { computeDesiredState } from '../../src/desired/compute.js';
import type { SpeakerSpec } from '../../src/desired/types.js';
import { BgpSink } from '../../src/sinks/bgp.js';
import { FakeRouter } from '../support/fake-router.js';

/** A fake speaker that also records End-of-RIB being held and released. */
class HoldingRouter extends FakeRouter {
  holdEndOfRib(): void {
    this.calls.push('holdEndOfRib');
  }
  releaseEndOfRib(): void {
    this.calls.push('releaseEndOfRib');
  }
}

function config(): ControllerConfig {
  return parseConfig({
    bgp: { asn: 65001, routerId: '10.250.0.11', peers: [{ address: '10.250.0.1', asn: 65000 }] },
    vips: ['10.250.255.1', '10.250.255.2', '10.250.255.3'],
  });
}

const allUp = () => ({ state: 'up' as const, everUp: true });

function setup() {
  const routers: HoldingRouter[] = [];
  const sink = new BgpSink({
    createRouter: (spec: SpeakerSpec) => {
      const r = new HoldingRouter(spec);
      routers.push(r);
      return r;
    },
  });
  const world = computeDesiredState(config(), allUp);
  /** The world the BGP sink may apply while lo holds `bound` (the bind gate). */
  const boundOnly = (...bound: string[]) => gateOnBinding(world, new Set(bound.map((a) => `${a}/32`)));
  return { sink, routers, world, boundOnly };
}

describe('BgpSink early applies while lo is still being bound (Sink.progress)', () => {
  it('opens the session before any address is bound, announcing nothing and holding End-of-RIB', async () => {
    const t = setup();
    const changes = await t.sink.progress(t.boundOnly());
    expect(t.routers[0]?.calls).toEqual(['holdEndOfRib', 'addPeer 10.250.0.1']);
    expect(changes.map((c) => c.what)).toEqual([
      'speaker started (AS 65001, router id 10.250.0.11)',
      'peer added',
    ]);
  });

  it('announces each route once its address is bound, never one that is not (the bind gate)', async () => {
    const t = setup();
    await t.sink.progress(t.boundOnly());
    const first = await t.sink.progress(t.boundOnly('10.250.255.2'));
    expect(first.map((c) => `${c.what} ${c.key}`)).toEqual(['announced 10.250.255.2/32']);
    const second = await t.sink.progress(t.boundOnly('10.250.255.2', '10.250.255.3'));
    expect(second.map((c) => `${c.what} ${c.key}`)).toEqual(['announced 10.250.255.3/32']);
    expect([...(t.routers[0]?.routes.keys() ?? [])]).toEqual(['10.250.255.2/32', '10.250.255.3/32']);
  });

  it('withdraws nothing early: a smaller bound set leaves what was announced to the pass', async () => {
    const t = setup();
    await t.sink.progress(t.boundOnly('10.250.255.1', '10.250.255.2'));
    const changes = await t.sink.progress(t.boundOnly('10.250.255.1'));
    expect(changes).toEqual([]);
    expect(t.routers[0]?.calls.filter((c) => c.startsWith('withdraw'))).toEqual([]);
  });

  it("the pass's own add phase announces the rest and then releases End-of-RIB", async () => {
    const t = setup();
    await t.sink.progress(t.boundOnly('10.250.255.1'));
    const r = await t.sink.apply(t.boundOnly('10.250.255.1', '10.250.255.2', '10.250.255.3'), 'add');
    expect(r.changes.map((c) => `${c.what} ${c.key}`)).toEqual([
      'announced 10.250.255.2/32',
      'announced 10.250.255.3/32',
    ]);
    expect(t.routers[0]?.calls).toEqual([
      'holdEndOfRib',
      'addPeer 10.250.0.1',
      'announce 10.250.255.1/32 []',
      'announce 10.250.255.2/32 []',
      'announce 10.250.255.3/32 []',
      'releaseEndOfRib',
    ]);
  });

  it('without early applies, a pass holds and releases End-of-RIB around the whole table', async () => {
    const t = setup();
    await t.sink.apply(t.world, 'remove');
    await t.sink.apply(t.world, 'add');
    const calls = t.routers[0]?.calls ?? [];
    expect(calls[0]).toBe('holdEndOfRib');
    expect(calls.at(-1)).toBe('releaseEndOfRib');
    expect(calls.filter((c) => c.startsWith('announce'))).toHaveLength(3);
  });
});

describe('BgpSink and a table that is not complete yet (Kubernetes mode before its first listing)', () => {
  it('holds End-of-RIB while the world is incomplete and releases it with the first complete table', async () => {
    const t = setup();
    const bgp = t.world.bgp;
    if (bgp === undefined) throw new Error('no bgp in the world');
    const pending = {
      ...t.world,
      bgp: { ...bgp, routes: new Map(), routesByPeer: new Map(), incomplete: true as const },
    };
    await t.sink.apply(pending, 'remove');
    await t.sink.apply(pending, 'add');
    expect(t.routers[0]?.calls).toEqual(['holdEndOfRib', 'addPeer 10.250.0.1']);
    await t.sink.apply(t.world, 'remove');
    await t.sink.apply(t.world, 'add');
    const calls = t.routers[0]?.calls ?? [];
    expect(calls.filter((c) => c.startsWith('announce'))).toHaveLength(3);
    expect(calls.at(-1)).toBe('releaseEndOfRib');
  });
});
