import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../src/address/ip-range.js';
import type { ClusterEndpointSlice, ClusterNode, ClusterService } from '../../src/desired/cluster.js';
import { parsePools } from '../../src/desired/ipam.js';
import {
  initialServicesState,
  planServices,
  type ServicesInput,
  type ServicesState,
} from '../../src/desired/services.js';

const node = (
  name: string,
  opts: { ready?: boolean; ip?: string; labels?: Record<string, string> } = {},
): ClusterNode => ({
  metadata: { name, labels: opts.labels ?? {} },
  status: {
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    addresses: [{ type: 'InternalIP', address: opts.ip ?? `10.9.0.${name.replace(/\D/g, '') || '1'}` }],
  },
});

interface SvcOpts {
  ns?: string;
  annotations?: Record<string, string>;
  cls?: string;
  ingress?: string[];
  policy?: 'Cluster' | 'Local';
  loadBalancerIP?: string;
  type?: string;
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: { port: number; protocol?: string }[];
  created?: string;
}
const svc = (name: string, o: SvcOpts = {}): ClusterService => ({
  metadata: {
    name,
    namespace: o.ns ?? 'default',
    uid: `uid-${name}`,
    annotations: o.annotations ?? {},
    creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
  },
  spec: {
    type: o.type ?? 'LoadBalancer',
    ...(o.cls === undefined ? {} : { loadBalancerClass: o.cls }),
    ...(o.loadBalancerIP === undefined ? {} : { loadBalancerIP: o.loadBalancerIP }),
    externalTrafficPolicy: o.policy ?? 'Cluster',
    ...(o.ipFamilies === undefined ? {} : { ipFamilies: o.ipFamilies }),
    ...(o.ipFamilyPolicy === undefined ? {} : { ipFamilyPolicy: o.ipFamilyPolicy }),
    ports: o.ports ?? [{ port: 80, protocol: 'TCP' }],
  },
  status: { loadBalancer: { ingress: (o.ingress ?? []).map((ip) => ({ ip })) } },
});
const slice = (
  service: string,
  endpoints: { node: string; ready?: boolean; serving?: boolean }[],
  ns = 'default',
): ClusterEndpointSlice => ({
  metadata: { name: `${service}-x`, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
  endpoints: endpoints.map((e) => ({
    nodeName: e.node,
    conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true },
  })),
});

const allow = (t: string) => {
  const r = parseRange(t);
  if ('error' in r) throw new Error(r.error);
  return r;
};
const nodes3 = [node('node1'), node('node2'), node('node3')];
const base: ServicesInput = {
  services: [],
  endpointSlices: [],
  nodes: nodes3,
  pools: [],
  allowList: [allow('10.250.0.0/16'), allow('fd00:250::/64')],
  apiServerAddresses: ['10.250.0.1'],
  loadBalancerClass: undefined,
  nodeName: 'node1',
  singleAnnouncer: false,
  localGraceMs: 5000,
  nowMs: 1000,
};
const plan = (over: Partial<ServicesInput>, state: ServicesState = initialServicesState) =>
  planServices(state, { ...base, ...over });
const one = (over: Partial<ServicesInput>, state?: ServicesState) => {
  const p = plan(over, state);
  const s = p.services[0];
  if (s === undefined) throw new Error('no Service planned');
  return s;
};

describe('which Services this instance handles', () => {
  it('without --load-balancer-class: only type LoadBalancer Services with no class', () => {
    const p = plan({
      services: [
        svc('plain', { ingress: ['10.250.1.1'] }),
        svc('classy', { cls: 'blue', ingress: ['10.250.1.2'] }),
        svc('cip', { type: 'ClusterIP', ingress: ['10.250.1.3'] }),
      ],
    });
    expect(p.services.map((s) => s.name)).toEqual(['plain']);
    expect(p.announce).toEqual(['10.250.1.1']);
  });

  it('with --load-balancer-class blue: only Services of class blue', () => {
    const p = plan({
      loadBalancerClass: 'blue',
      services: [
        svc('plain', { ingress: ['10.250.1.1'] }),
        svc('classy', { cls: 'blue', ingress: ['10.250.1.2'] }),
      ],
    });
    expect(p.services.map((s) => s.name)).toEqual(['classy']);
  });
});

describe('which addresses', () => {
  it('anyvip.io/addresses wins over kube-vip, which wins over spec.loadBalancerIP; dual-stack and canonical', () => {
    const s = one({
      services: [
        svc('web', {
          annotations: {
            'anyvip.io/addresses': '10.250.1.1, FD00:250::0001',
            'kube-vip.io/loadbalancerIPs': '10.250.1.2',
          },
          loadBalancerIP: '10.250.1.3',
        }),
      ],
    });
    expect(s.addresses).toEqual(['10.250.1.1', 'fd00:250::1']);
    expect(s.ingress).toEqual(['10.250.1.1', 'fd00:250::1']);
    expect(
      one({
        services: [
          svc('w', {
            annotations: { 'kube-vip.io/loadbalancerIPs': '10.250.1.2' },
            loadBalancerIP: '10.250.1.3',
          }),
        ],
      }).addresses,
    ).toEqual(['10.250.1.2']);
    expect(one({ services: [svc('w', { loadBalancerIP: '10.250.1.3' })] }).addresses).toEqual(['10.250.1.3']);
  });

  it('a bad annotation token is a precise ANYVIP_BAD_ANNOTATION refusal; the good ones still work', () => {
    const s = one({
      services: [svc('web', { annotations: { 'anyvip.io/addresses': '10.250.1.1,10.250.1.300' } })],
    });
    expect(s.addresses).toEqual(['10.250.1.1']);
    expect(s.refused).toEqual([
      {
        address: '10.250.1.300',
        code: 'ANYVIP_BAD_ANNOTATION',
        reason: 'ANYVIP_BAD_ANNOTATION: anyvip.io/addresses holds "10.250.1.300", which is not an IP address',
      },
    ]);
  });

  it('status addresses without pools: announced, status left alone', () => {
    const s = one({ services: [svc('web', { ingress: ['10.250.1.1'] })] });
    expect(s.addresses).toEqual(['10.250.1.1']);
    expect(s.ingress).toBeUndefined();
  });
});

describe('security: only addresses inside the allowed ranges', () => {
  it("another network's address, a node's address and the API server's are refused with stable codes, never announced", () => {
    const s = one({
      services: [svc('evil', { annotations: { 'anyvip.io/addresses': '10.251.0.1,10.9.0.2,10.250.0.1' } })],
      nodes: [...nodes3, node('node9', { ip: '10.250.9.9' })],
    });
    expect(s.refused.map((r) => [r.address, r.code])).toEqual([
      ['10.251.0.1', 'ANYVIP_VIP_OUTSIDE_POOL'],
      ['10.9.0.2', 'ANYVIP_VIP_NODE_ADDRESS'],
      ['10.250.0.1', 'ANYVIP_VIP_API_SERVER'],
    ]);
    expect(s.announcedHere).toEqual([]);
    const n = one({
      services: [svc('evil', { ingress: ['10.250.9.9'] })],
      nodes: [...nodes3, node('node9', { ip: '10.250.9.9' })],
    });
    expect(n.refused).toMatchObject([
      { code: 'ANYVIP_VIP_NODE_ADDRESS', reason: expect.stringContaining('node9') },
    ]);
  });

  it('a requested address another Service holds is ANYVIP_VIP_IN_USE for the younger Service', () => {
    const p = plan({
      services: [
        svc('young', {
          annotations: { 'anyvip.io/addresses': '10.250.1.1' },
          created: '2026-02-01T00:00:00Z',
        }),
        svc('old', { ingress: ['10.250.1.1'], created: '2026-01-01T00:00:00Z' }),
      ],
    });
    const young = p.services.find((s) => s.name === 'young');
    expect(young?.refused).toMatchObject([
      { code: 'ANYVIP_VIP_IN_USE', reason: expect.stringContaining('default/old') },
    ]);
    expect(p.announce).toEqual(['10.250.1.1']);
  });

  it('an address a Service holds in status is not taken by an older Service that starts asking for it', () => {
    const p = plan({
      services: [
        svc('older', {
          annotations: { 'anyvip.io/addresses': '10.250.1.1' },
          created: '2025-01-01T00:00:00Z',
        }),
        svc('holder', { ingress: ['10.250.1.1'], created: '2026-01-01T00:00:00Z' }),
      ],
    });
    expect(p.services.map((s) => [s.name, s.addresses, s.refused.map((r) => r.code)])).toEqual([
      ['older', [], ['ANYVIP_VIP_IN_USE']],
      ['holder', ['10.250.1.1'], []],
    ]);
  });

  it('the same sharing key and disjoint ports share an address (MetalLB semantics)', () => {
    const shared = { 'anyvip.io/addresses': '10.250.1.1', 'anyvip.io/allow-shared-ip': 'k' };
    const p = plan({
      services: [
        svc('web', { annotations: shared, ports: [{ port: 80 }] }),
        svc('dns', { annotations: shared, ports: [{ port: 53, protocol: 'UDP' }] }),
        svc('web2', { annotations: shared, ports: [{ port: 80 }], created: '2026-03-01T00:00:00Z' }),
      ],
    });
    expect(p.services.map((s) => [s.name, s.addresses, s.refused.map((r) => r.code)])).toEqual([
      ['dns', ['10.250.1.1'], []],
      ['web', ['10.250.1.1'], []],
      ['web2', [], ['ANYVIP_VIP_IN_USE']],
    ]);
  });
});

describe('IPAM from the pools', () => {
  const { pools } = parsePools({
    v4: '10.250.255.0/30',
    v6: 'fd00:250::ff00/126',
    team: 'namespaces: team\n10.250.254.0/30',
  });

  it('a Service without an address gets the lowest free one in status (leader), announced once status holds it', () => {
    const s = one({ pools, services: [svc('web')] });
    expect(s.ingress).toEqual(['10.250.255.0']);
    expect(s.announcedHere).toEqual([]);
    const later = one({ pools, services: [svc('web', { ingress: ['10.250.255.0'] })] });
    expect(later.ingress).toEqual(['10.250.255.0']);
    expect(later.announcedHere).toEqual(['10.250.255.0']);
  });

  it('existing allocations stay; new Services take the next free; a deleted Service releases its address', () => {
    const held = [svc('a', { ingress: ['10.250.255.2'] }), svc('b', { ingress: ['10.250.255.0'] })];
    const p = plan({ pools, services: [...held, svc('c'), svc('d')] });
    expect(p.services.map((s) => [s.name, s.ingress])).toEqual([
      ['a', ['10.250.255.2']],
      ['b', ['10.250.255.0']],
      ['c', ['10.250.255.1']],
      ['d', ['10.250.255.3']],
    ]);
    const after = plan({ pools, services: [svc('a', { ingress: ['10.250.255.2'] }), svc('e')] });
    expect(after.services.find((s) => s.name === 'e')?.ingress).toEqual(['10.250.255.0']);
  });

  it('an allocation whose status write is in flight keeps its address when a Service that sorts first appears', () => {
    const first = plan({ pools, services: [svc('b')] });
    expect(first.services[0]?.ingress).toEqual(['10.250.255.0']);
    const next = plan({ pools, services: [svc('a'), svc('b')] }, first.state);
    expect(next.services.map((s) => [s.name, s.ingress])).toEqual([
      ['a', ['10.250.255.1']],
      ['b', ['10.250.255.0']],
    ]);
  });

  it('namespaced pools serve their namespaces first; a full pool is ANYVIP_POOL_EXHAUSTED', () => {
    expect(one({ pools, services: [svc('t', { ns: 'team' })] }).ingress).toEqual(['10.250.254.0']);
    const many = plan({
      pools: parsePools({ tiny: '10.250.255.0/31' }).pools,
      services: [svc('a'), svc('b'), svc('c')],
    });
    expect(many.services.map((s) => s.ingress)).toEqual([['10.250.255.0'], ['10.250.255.1'], []]);
    expect(many.services[2]?.refused).toMatchObject([{ address: 'IPv4', code: 'ANYVIP_POOL_EXHAUSTED' }]);
  });

  it('per ipFamilies / ipFamilyPolicy: SingleStack IPv6 gets one IPv6; RequireDualStack gets one of each', () => {
    expect(one({ pools, services: [svc('a', { ipFamilies: ['IPv6'] })] }).ingress).toEqual([
      'fd00:250::ff00',
    ]);
    expect(
      one({
        pools,
        services: [svc('a', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' })],
      }).ingress,
    ).toEqual(['10.250.255.0', 'fd00:250::ff00']);
    const v4only = parsePools({ v4: '10.250.255.0/30' }).pools;
    const prefer = one({
      pools: v4only,
      services: [svc('a', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' })],
    });
    expect([prefer.ingress, prefer.refused]).toEqual([['10.250.255.0'], []]);
    const require = one({
      pools: v4only,
      services: [svc('a', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' })],
    });
    expect(require.refused).toMatchObject([{ address: 'IPv6', code: 'ANYVIP_POOL_EXHAUSTED' }]);
  });

  it('anyvip.io/pool picks the pool; an unknown one is ANYVIP_POOL_UNKNOWN', () => {
    const p = parsePools({ a: '10.250.1.0/30', b: '10.250.2.0/30' }).pools;
    expect(
      one({ pools: p, services: [svc('x', { annotations: { 'anyvip.io/pool': 'b' } })] }).ingress,
    ).toEqual(['10.250.2.0']);
    expect(
      one({ pools: p, services: [svc('x', { annotations: { 'anyvip.io/pool': 'nope' } })] }).refused,
    ).toMatchObject([{ code: 'ANYVIP_POOL_UNKNOWN' }]);
  });

  it('with pools, a held address outside every range is replaced by an allocation (the leader rewrites status)', () => {
    const s = one({ pools, allowList: [], services: [svc('web', { ingress: ['10.251.0.1'] })] });
    expect(s.refused).toMatchObject([{ code: 'ANYVIP_VIP_OUTSIDE_POOL' }]);
    expect(s.ingress).toEqual(['10.250.255.0']);
  });
});

describe('where: externalTrafficPolicy', () => {
  const web = (policy: 'Cluster' | 'Local') => svc('web', { ingress: ['10.250.1.1'], policy });

  it('Cluster: every ready node announces, NotReady and excluded-label nodes do not', () => {
    const nodes = [
      node('node1'),
      node('node2', { ready: false }),
      node('node3', { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }),
    ];
    for (const [n, expected] of [
      ['node1', ['10.250.1.1']],
      ['node2', []],
      ['node3', []],
    ] as const)
      expect(one({ nodes, nodeName: n, services: [web('Cluster')] }).announcedHere).toEqual(expected);
  });

  it('Local: only nodes with a ready or serving endpoint in any of the Service slices', () => {
    const slices = [
      slice('web', [{ node: 'node2' }]),
      slice('web', [
        { node: 'node3', ready: false, serving: true },
        { node: 'node1', ready: false, serving: false },
      ]),
    ];
    const s = one({ services: [web('Local')], endpointSlices: slices });
    expect(s.announcers).toEqual(['node2', 'node3']);
    expect(s.announcedHere).toEqual([]);
    expect(
      one({ services: [web('Local')], endpointSlices: slices, nodeName: 'node2' }).announcedHere,
    ).toEqual(['10.250.1.1']);
  });

  it('Local: a node keeps announcing for the grace period after its last endpoint left, then withdraws', () => {
    const on = plan({
      nodeName: 'node2',
      services: [web('Local')],
      endpointSlices: [slice('web', [{ node: 'node2' }])],
      nowMs: 1000,
    });
    const during = plan(
      { nodeName: 'node2', services: [web('Local')], endpointSlices: [], nowMs: 3000 },
      on.state,
    );
    expect(during.announce).toEqual(['10.250.1.1']);
    expect(during.nextWakeMs).toBe(6000);
    const after = plan(
      { nodeName: 'node2', services: [web('Local')], endpointSlices: [], nowMs: 6000 },
      during.state,
    );
    expect(after.announce).toEqual([]);
    expect(after.nextWakeMs).toBeUndefined();
  });

  it('Local: an endpoint back within the grace period keeps the VIP without a gap', () => {
    const s1 = plan({
      nodeName: 'node2',
      services: [web('Local')],
      endpointSlices: [slice('web', [{ node: 'node2' }])],
      nowMs: 0,
    });
    const s2 = plan(
      { nodeName: 'node2', services: [web('Local')], endpointSlices: [], nowMs: 4000 },
      s1.state,
    );
    const s3 = plan(
      {
        nodeName: 'node2',
        services: [web('Local')],
        endpointSlices: [slice('web', [{ node: 'node2' }])],
        nowMs: 4500,
      },
      s2.state,
    );
    const s4 = plan(
      {
        nodeName: 'node2',
        services: [web('Local')],
        endpointSlices: [slice('web', [{ node: 'node2' }])],
        nowMs: 20000,
      },
      s3.state,
    );
    expect([s2.announce, s3.announce, s4.announce]).toEqual([['10.250.1.1'], ['10.250.1.1'], ['10.250.1.1']]);
  });
});

describe('where: single announcer', () => {
  const many = (n: number, annotations: Record<string, string> = {}) =>
    Array.from({ length: n }, (_, i) => svc(`s${i}`, { ingress: [`10.250.1.${i}`], annotations }));

  it('globally: each VIP is announced by exactly one ready node, the nodes agree, and the load is balanced', () => {
    const services = many(200);
    const per = ['node1', 'node2', 'node3'].map(
      (n) => plan({ singleAnnouncer: true, nodeName: n, services }).announce,
    );
    expect(per.flat().sort()).toEqual(services.map((s) => s.status?.loadBalancer?.ingress?.[0]?.ip).sort());
    for (const a of per) expect(a.length).toBeLessThanOrEqual(80);
  });

  it('per Service annotation, and the preferred node takes it while ready (fail-back when it returns)', () => {
    const s = svc('web', {
      ingress: ['10.250.1.1'],
      annotations: { 'anyvip.io/single-announcer': 'true', 'anyvip.io/preferred-node': 'node3' },
    });
    expect(one({ services: [s] }).announcers).toEqual(['node3']);
    const down = one({
      services: [s],
      nodes: [node('node1'), node('node2'), node('node3', { ready: false })],
    });
    expect(down.announcers).toHaveLength(1);
    expect(down.announcers).not.toEqual(['node3']);
    expect(one({ services: [s] }).announcers).toEqual(['node3']);
  });

  it('a bad single-announcer annotation is refused by name and the global setting applies', () => {
    const s = one({
      services: [
        svc('web', { ingress: ['10.250.1.1'], annotations: { 'anyvip.io/single-announcer': 'yes' } }),
      ],
    });
    expect(s.announcers).toBe('all');
    expect(s.refused).toMatchObject([{ code: 'ANYVIP_BAD_ANNOTATION', address: 'yes' }]);
  });

  it('single announcer with Local: chosen among the nodes with endpoints', () => {
    const s = one({
      singleAnnouncer: true,
      services: [svc('web', { ingress: ['10.250.1.1'], policy: 'Local' })],
      endpointSlices: [slice('web', [{ node: 'node2' }, { node: 'node3' }])],
    });
    expect(s.announcers).toHaveLength(1);
    expect(['node2', 'node3']).toContain((s.announcers as string[])[0]);
  });
});

describe('invariants over random clusters (fast-check)', () => {
  const universe = [
    '10.250.255.0',
    '10.250.255.1',
    '10.250.255.2',
    '10.250.1.1',
    '10.251.0.1',
    '10.9.0.2',
    '10.250.0.1',
    'fd00:250::1',
    'bogus',
  ];
  const arbService = fc.record({
    ask: fc.option(fc.subarray(universe, { maxLength: 3 }), { nil: undefined }),
    held: fc.subarray(universe, { maxLength: 2 }),
    sharing: fc.option(fc.constantFrom('k', 'j'), { nil: undefined }),
    port: fc.constantFrom(80, 443, 53),
    policy: fc.constantFrom<'Cluster' | 'Local'>('Cluster', 'Local'),
  });
  const build = (
    xs: { ask?: string[]; held: string[]; sharing?: string; port: number; policy: 'Cluster' | 'Local' }[],
  ) =>
    xs.map((x, i) =>
      svc(`s${i}`, {
        ingress: x.held,
        policy: x.policy,
        ports: [{ port: x.port }],
        created: `2026-01-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`,
        annotations: {
          ...(x.ask === undefined ? {} : { 'anyvip.io/addresses': x.ask.join(',') }),
          ...(x.sharing === undefined ? {} : { 'anyvip.io/allow-shared-ip': x.sharing }),
        },
      }),
    );
  const { pools } = parsePools({ p: '10.250.255.0/30' });
  const inRanges = (a: string) => a.startsWith('10.250.') || a.startsWith('fd00:250:');

  it('nothing outside the allowed ranges, no node address and no API server address is ever announced or written', () => {
    fc.assert(
      fc.property(fc.array(arbService, { maxLength: 8 }), fc.boolean(), (xs, withPools) => {
        const p = plan({
          services: build(xs),
          pools: withPools ? pools : [],
          allowList: [allow('10.250.1.0/24'), allow('fd00:250::/64')],
        });
        for (const a of p.announce) {
          expect(inRanges(a)).toBe(true);
          expect(['10.9.0.1', '10.9.0.2', '10.9.0.3', '10.250.0.1']).not.toContain(a);
        }
        for (const s of p.services)
          for (const a of s.ingress ?? [])
            expect(['10.251.0.1', '10.9.0.2', '10.250.0.1', 'bogus']).not.toContain(a);
      }),
    );
  });

  it('no address is held by two Services unless both carry the same sharing key and no common port', () => {
    fc.assert(
      fc.property(fc.array(arbService, { maxLength: 8 }), (xs) => {
        const services = build(xs);
        const p = plan({ services, pools, allowList: [allow('10.250.1.0/24')] });
        const holders = new Map<string, number[]>();
        p.services.forEach((s, i) => {
          for (const a of new Set([...s.addresses, ...(s.ingress ?? [])]))
            holders.set(a, [...(holders.get(a) ?? []), i]);
        });
        for (const list of holders.values())
          for (const i of list)
            for (const j of list) {
              if (i === j) continue;
              const a = services.find((s) => s.metadata?.name === p.services[i]?.name);
              const b = services.find((s) => s.metadata?.name === p.services[j]?.name);
              const ka = a?.metadata?.annotations?.['anyvip.io/allow-shared-ip'];
              expect(ka).toBeDefined();
              expect(ka).toBe(b?.metadata?.annotations?.['anyvip.io/allow-shared-ip']);
              expect(a?.spec?.ports?.[0]?.port).not.toBe(b?.spec?.ports?.[0]?.port);
            }
      }),
    );
  });
});

describe('bad input never throws (fast-check)', () => {
  it('arbitrary text in annotations, loadBalancerIP, status, families, policies and pools gives refusals, never an exception', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.ipV4(),
      fc.ipV6(),
      fc.constant('10.250.1.1,fd00:250::2'),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            annotations: fc.dictionary(
              fc.constantFrom(
                'anyvip.io/addresses',
                'kube-vip.io/loadbalancerIPs',
                'anyvip.io/allow-shared-ip',
                'anyvip.io/single-announcer',
                'anyvip.io/preferred-node',
                'anyvip.io/pool',
              ),
              text,
            ),
            lbip: fc.option(text, { nil: undefined }),
            ingress: fc.array(text, { maxLength: 2 }),
            families: fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 }),
            policy: fc.string({ maxLength: 16 }),
          }),
          { maxLength: 6 },
        ),
        fc.dictionary(fc.string({ maxLength: 6 }), text, { maxKeys: 3 }),
        (xs, poolsData) => {
          const services = xs.map((x, i) =>
            svc(`s${i}`, {
              annotations: x.annotations,
              ingress: x.ingress,
              ipFamilies: x.families,
              ipFamilyPolicy: x.policy,
              ...(x.lbip === undefined ? {} : { loadBalancerIP: x.lbip }),
            }),
          );
          const p = plan({ services, pools: parsePools(poolsData).pools });
          expect(p.services).toHaveLength(services.length);
        },
      ),
    );
  });
});
