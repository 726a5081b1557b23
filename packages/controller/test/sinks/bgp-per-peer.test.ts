import { describe, expect, it } from 'vitest';
import { PeerPassword } from '../../src/config/peer-password.js';
import { parseConfig } from '../../src/config/schema.js';
import { computeDesiredState } from '../../src/desired/compute.js';
import type { BgpRoute, DesiredState, RouteAttributes } from '../../src/desired/types.js';
import type { Phase } from '../../src/reconcile/sink.js';
import { BgpSink } from '../../src/sinks/bgp.js';
import { type FakeRouter, fakeRouterFactory } from '../support/fake-router.js';

const A = '10.250.0.1';
const B = '10.250.1.1';
const WEB = '10.250.255.1/32';
const API = '10.250.255.2/32';

const base = computeDesiredState(
  parseConfig({
    bgp: {
      asn: 65001,
      routerId: '10.250.0.11',
      peers: [
        { address: A, asn: 65000 },
        { address: B, asn: 65000 },
      ],
    },
    vips: ['10.250.255.1', '10.250.255.2'],
  }),
  () => undefined,
);

function attrs(communities: string[] = []): RouteAttributes {
  return {
    communities,
    largeCommunities: [],
    med: undefined,
    localPref: undefined,
    asPathPrepend: 0,
    extendedCommunities: [],
  };
}

/** The world with an explicit export per peer (prefix → communities). */
function exporting(byPeer: Record<string, Record<string, string[]>>): DesiredState {
  const bgp = base.bgp;
  if (bgp === undefined) throw new Error('no bgp');
  const routesByPeer = new Map(
    Object.entries(byPeer).map(([peer, routes]) => [
      peer,
      new Map<string, BgpRoute>(
        Object.entries(routes).map(([prefix, c]) => [prefix, { prefix, attributes: attrs(c) }]),
      ),
    ]),
  );
  return { ...base, bgp: { ...bgp, routesByPeer } };
}

async function pass(sink: BgpSink, d: DesiredState) {
  const out = [];
  for (const phase of ['remove', 'add'] as Phase[]) out.push(await sink.apply(d, phase));
  return out[1]?.applied;
}

function exports(r: FakeRouter | undefined, peer: string): string[] {
  return [...(r?.exportTo(peer) ?? [])].map(([p, o]) => `${p} [${(o.communities ?? []).join(' ')}]`).sort();
}

describe('BgpSink per-peer export (routesByPeer)', () => {
  it('without advertisements every route is speaker-wide: no per-peer work at all', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    await pass(sink, base);
    expect(f.routers[0]?.calls.filter((c) => c.startsWith('peer '))).toEqual([]);
    expect(exports(f.routers[0], B)).toEqual([`${WEB} []`, `${API} []`]);
  });

  it('a route only one peer gets is that peer’s own; an advertisement change sends only the difference', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    await pass(sink, base);
    const r = f.routers[0];
    r?.calls.splice(0);
    // WEB now to A only, with a community; API stays everywhere.
    const applied = await pass(
      sink,
      exporting({ [A]: { [WEB]: ['65000:100'], [API]: [] }, [B]: { [API]: [] } }),
    );
    // A gets its own route before the speaker-wide one goes: it never sees WEB withdrawn.
    expect(r?.calls).toEqual([`peer ${A} announce ${WEB} [65000:100]`, `withdraw ${WEB}`]);
    expect(exports(r, A)).toEqual([`${WEB} [65000:100]`, `${API} []`]);
    expect(exports(r, B)).toEqual([`${API} []`]);
    expect(applied).toEqual([WEB, API]);
    r?.calls.splice(0);
    // The same world again: nothing.
    await pass(sink, exporting({ [A]: { [WEB]: ['65000:100'], [API]: [] }, [B]: { [API]: [] } }));
    expect(r?.calls).toEqual([]);
    // Back to everyone alike: announced speaker-wide first, then A's own one goes (an implicit replace).
    await pass(sink, base);
    expect(r?.calls).toEqual([`announce ${WEB} []`, `peer ${A} withdraw ${WEB}`]);
    expect(exports(r, A)).toEqual(exports(r, B));
  });

  it('a VIP no longer desired at all is withdrawn in the remove phase, from the speaker and every peer', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    await pass(sink, exporting({ [A]: { [WEB]: ['65000:100'], [API]: [] }, [B]: { [API]: [] } }));
    const r = f.routers[0];
    r?.calls.splice(0);
    const bgp = base.bgp;
    if (bgp === undefined) throw new Error('no bgp');
    const onlyApi = new Map([...bgp.routes].filter(([p]) => p === API));
    await sink.apply(
      {
        ...base,
        bgp: {
          ...bgp,
          routes: onlyApi,
          routesByPeer: new Map([
            [A, onlyApi],
            [B, onlyApi],
          ]),
        },
      },
      'remove',
    );
    expect(r?.calls).toEqual([`peer ${A} withdraw ${WEB}`]);
  });

  it('a rotated TCP-MD5 key re-adds that peer alone; the key reaches addPeer and nothing else', async () => {
    const f = fakeRouterFactory();
    const sink = new BgpSink({ createRouter: f.create });
    const bgp = base.bgp;
    if (bgp === undefined) throw new Error('no bgp');
    const withKey = (key: string, fp: string): DesiredState => {
      const peers = new Map(bgp.peers);
      const a = peers.get(A);
      if (a !== undefined)
        peers.set(A, { ...a, password: new PeerPassword(key, 's/password', fp), passwordFingerprint: fp });
      return { ...base, bgp: { ...bgp, peers } };
    };
    await pass(sink, withKey('one', 'f1'));
    const r = f.routers[0];
    expect(r?.peers.get(A)?.password).toBe('one');
    r?.calls.splice(0);
    await pass(sink, withKey('one', 'f1'));
    expect(r?.calls).toEqual([]);
    await pass(sink, withKey('two', 'f2'));
    expect(r?.calls).toEqual([`removePeer ${A}`, `addPeer ${A}`]);
    expect(r?.peers.get(A)?.password).toBe('two');
  });
});
