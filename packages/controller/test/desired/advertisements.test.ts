import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.js';
import { computeExport, type ExportInput } from '../../src/desired/advertisements.js';
import type { AdvertisementSpec, FabricObject } from '../../src/desired/fabric.js';
import type { BgpRoute } from '../../src/desired/types.js';

const peers = new Map(
  (
    parseConfig({
      bgp: {
        asn: 65001,
        routerId: '10.250.0.11',
        peers: [
          { address: '10.250.1.1', asn: 65010 },
          { address: '10.250.2.1', asn: 65020 },
        ],
      },
    }).bgp?.peers ?? []
  ).map((p) => [p.address, p]),
);

function route(prefix: string): BgpRoute {
  return {
    prefix,
    attributes: {
      communities: [],
      largeCommunities: [],
      med: undefined,
      localPref: undefined,
      asPathPrepend: 0,
      extendedCommunities: [],
    },
  };
}

function adv(name: string, spec: AdvertisementSpec): FabricObject<AdvertisementSpec> {
  return { name, uid: `u-${name}`, generation: 1, labels: {}, spec };
}

const routes = new Map([route('10.250.255.1/32'), route('10.250.255.2/32')].map((r) => [r.prefix, r]));

function input(advertisements: ExportInput['advertisements']): ExportInput {
  return {
    routes,
    owners: () =>
      new Map([
        ['10.250.255.1/32', [{ namespace: 'prod', labels: { app: 'web' }, pools: ['blue'] }]],
        ['10.250.255.2/32', [{ namespace: 'dev', labels: { app: 'api' }, pools: ['green'] }]],
      ]),
    peers,
    peerLabels: new Map([
      ['10.250.1.1', { rack: 'a' }],
      ['10.250.2.1', { rack: 'b' }],
    ]),
    advertisements,
    nodeLabels: { rack: 'a' },
    lastGood: new Map(),
  };
}

describe('computeExport: per-peer export from AnyvipAdvertisements', () => {
  it('with no advertisement every peer gets every route (flags alone keep working)', () => {
    for (const advertisements of [undefined, []]) {
      const plan = computeExport(input(advertisements));
      expect(plan.routesByPeer.get('10.250.1.1')).toBe(routes);
      expect(plan.routesByPeer.get('10.250.2.1')).toBe(routes);
    }
  });

  it('once one exists, a VIP goes to a peer only when some advertisement selects both', () => {
    const plan = computeExport(
      input([adv('prod-to-a', { namespaces: ['prod'], peerSelector: { matchLabels: { rack: 'a' } } })]),
    );
    expect([...(plan.routesByPeer.get('10.250.1.1')?.keys() ?? [])]).toEqual(['10.250.255.1/32']);
    expect([...(plan.routesByPeer.get('10.250.2.1')?.keys() ?? [])]).toEqual([]);
  });

  it('combines: communities union sorted, noExport adds NO_EXPORT, highest LOCAL_PREF, lowest MED, largest prepend', () => {
    const plan = computeExport(
      input([
        adv('one', { communities: ['65000:100'], localPref: 100, med: 50, asPathPrepend: 1 }),
        adv('two', {
          communities: ['65000:9', '65000:100'],
          largeCommunities: ['65000:1:2'],
          localPref: 200,
          med: 10,
          noExport: true,
        }),
        adv('three', { serviceSelector: { matchLabels: { app: 'api' } }, asPathPrepend: 3 }),
      ]),
    );
    const web = plan.routesByPeer.get('10.250.1.1')?.get('10.250.255.1/32')?.attributes;
    expect(web).toMatchObject({
      communities: ['65000:9', '65000:100', '65535:65281'],
      largeCommunities: ['65000:1:2'],
      localPref: 200,
      med: 10,
      asPathPrepend: 1,
    });
    expect(plan.routesByPeer.get('10.250.1.1')?.get('10.250.255.2/32')?.attributes.asPathPrepend).toBe(3);
  });

  it('selects by pool and by node: an advertisement for other nodes sends nothing from here', () => {
    const byPool = computeExport(input([adv('blue', { pools: ['blue'] })]));
    expect([...(byPool.routesByPeer.get('10.250.2.1')?.keys() ?? [])]).toEqual(['10.250.255.1/32']);
    const elsewhere = computeExport(input([adv('b-only', { nodeSelector: { matchLabels: { rack: 'b' } } })]));
    expect(elsewhere.routesByPeer.get('10.250.1.1')?.size).toBe(0);
  });

  it('refuses a bad community or graceful-shutdown, and a refused-from-birth advertisement is not in force', () => {
    const plan = computeExport(
      input([
        adv('bad', { communities: ['65000:999999'] }),
        adv('gshut', { communities: ['graceful-shutdown'] }),
      ]),
    );
    expect(plan.conditions.map((c) => `${c.name} ${c.accepted} ${c.reason}`)).toEqual([
      'bad false InvalidCommunity',
      'gshut false InvalidCommunity',
    ]);
    // Nothing accepted is in force: today's behaviour (every route to every peer).
    expect(plan.routesByPeer.get('10.250.2.1')).toBe(routes);
  });

  it('never adds a route the world does not already announce', () => {
    const plan = computeExport(input([adv('all', {})]));
    for (const r of plan.routesByPeer.values()) for (const p of r.keys()) expect(routes.has(p)).toBe(true);
  });
});
