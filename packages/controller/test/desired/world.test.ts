import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../src/address/ip-range.js';
import { parseConfig } from '../../src/config/schema.js';
import { computeDesiredWorld } from '../../src/desired/compute.js';
import { GRACEFUL_SHUTDOWN, type Lifecycle, running } from '../../src/desired/lifecycle.js';
import {
  type ClusterMemory,
  type ClusterSettings,
  type ClusterSnapshot,
  initialClusterMemory,
  type Observation,
} from '../../src/desired/observation.js';
import type { DesiredState } from '../../src/desired/types.js';

const range = parseRange('10.250.1.0-10.250.1.9');
if ('error' in range) throw new Error(range.error);
const settings: ClusterSettings = {
  nodeName: 'node1',
  loadBalancerClass: undefined,
  singleAnnouncer: false,
  localGraceMs: 1000,
  weightedEcmp: false,
  weightedEcmpIntervalMs: 5000,
  allowList: [range],
  poolsConfigMap: 'kube-system/anyvip-pools',
};
const nodes: V1Node[] = [
  { metadata: { name: 'node1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
];
const service = (
  name: string,
  extra: Partial<V1Service['spec']> = {},
  ingress: string[] = [],
): V1Service => ({
  metadata: { name, namespace: 'default', uid: `u-${name}` },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ...extra },
  status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } },
});
const slices = (n: string): V1EndpointSlice[] => [
  {
    addressType: 'IPv4',
    metadata: { name: 'x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'local' } },
    endpoints: [{ addresses: ['10.244.0.1'], nodeName: n, conditions: { ready: true } }],
  },
];
const config = parseConfig({
  bgp: { asn: 65001, routerId: '10.250.1.2', peers: [{ address: '10.250.1.1', asn: 65000 }] },
});

function world(
  o: Partial<ClusterSnapshot> & {
    nowMs?: number;
    memory?: ClusterMemory | undefined;
    lifecycle?: Lifecycle;
    settings?: ClusterSettings;
  } = {},
): DesiredState {
  const {
    nowMs = 0,
    memory = initialClusterMemory,
    lifecycle = running,
    settings: clusterSettings = settings,
    ...snapshot
  } = o;
  const observation: Observation = {
    config,
    health: () => undefined,
    cluster: {
      snapshot: {
        services: [],
        endpointSlices: [],
        nodes,
        poolsData: undefined,
        leader: true,
        ...snapshot,
      },
      settings: clusterSettings,
      memory,
    },
    lifecycle,
    restarting: false,
    nowMs,
  };
  return computeDesiredWorld(observation);
}

describe('computeDesiredWorld: Kubernetes mode is one more input to the one function', () => {
  it('--allowed-range as an A-B range admits inside and refuses outside, with the code in the reason', () => {
    const d = world({ services: [service('web', {}, ['10.250.1.5', '10.250.1.10'])] });
    expect([...(d.bgp?.routes.keys() ?? [])]).toEqual(['10.250.1.5/32']);
    expect([...d.loopback.addresses.keys()]).toEqual(['10.250.1.5/32']);
    expect(d.kubernetes?.services.get('default/web')?.refused).toEqual([
      {
        address: '10.250.1.10',
        code: 'ANYVIP_VIP_OUTSIDE_POOL',
        reason: 'ANYVIP_VIP_OUTSIDE_POOL: 10.250.1.10 is outside the allowed ranges (10.250.1.0-10.250.1.9)',
      },
    ]);
  });

  it('a Service address is a host-prefix VIP without check or attributes, never a configuration row', () => {
    const d = world({ services: [service('web', {}, ['10.250.1.5'])] });
    expect(config.vips).toEqual([]);
    expect(d.vips.get('10.250.1.5/32')).toEqual({
      prefix: '10.250.1.5/32',
      address: '10.250.1.5',
      family: 'ipv4',
      healthcheck: undefined,
      health: 'none',
      announce: true,
      bind: true,
      refused: undefined,
      // Which Service it belongs to (node status, metric labels).
      services: ['default/web'],
    });
    expect(d.bgp?.routes.get('10.250.1.5/32')?.attributes).toEqual({
      communities: [],
      largeCommunities: [],
      med: undefined,
      localPref: undefined,
      asPathPrepend: 0,
      extendedCommunities: [],
    });
  });

  it('carries the Local grace between computations and says when to wake', () => {
    const local = service('local', { externalTrafficPolicy: 'Local' }, ['10.250.1.1']);
    const first = world({ services: [local], endpointSlices: slices('node1'), nowMs: 0 });
    expect([...(first.bgp?.routes.keys() ?? [])]).toEqual(['10.250.1.1/32']);
    const moved = world({
      services: [local],
      endpointSlices: slices('node2'),
      nowMs: 500,
      memory: first.carry,
    });
    expect([[...(moved.bgp?.routes.keys() ?? [])], moved.nextWakeMs]).toEqual([['10.250.1.1/32'], 1000]);
    const after = world({
      services: [local],
      endpointSlices: slices('node2'),
      nowMs: 1000,
      memory: moved.carry,
    });
    expect([...(after.bgp?.routes.keys() ?? [])]).toEqual([]);
  });

  it('only the leader has status to write; pool errors are part of the world', () => {
    const poolsData = { good: '10.250.2.0/30', bad: 'nonsense' };
    const leader = world({ services: [service('auto')], poolsData });
    expect(leader.kubernetes?.services.get('default/auto')?.ingress).toEqual(['10.250.2.0']);
    const follower = world({ services: [service('auto')], poolsData: { ...poolsData }, leader: false });
    expect(follower.kubernetes?.services.get('default/auto')?.ingress).toBeUndefined();
    expect(follower.kubernetes?.poolErrors).toEqual([
      { code: 'ANYVIP_POOL_INVALID', key: 'bad', reason: expect.stringContaining('"nonsense"') },
    ]);
  });
});

describe('computeDesiredWorld: weighted ECMP (issue 18) is part of the world, damped by what it carries', () => {
  const weighted: ClusterSettings = { ...settings, weightedEcmp: true, weightedEcmpIntervalMs: 2000 };
  const local = service('local', { externalTrafficPolicy: 'Local' }, ['10.250.1.1']);
  const endpoints = (n: number): V1EndpointSlice[] => [
    {
      addressType: 'IPv4',
      metadata: { name: 'x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'local' } },
      endpoints: Array.from({ length: n }, (_, i) => ({
        addresses: [`10.244.0.${i + 1}`],
        nodeName: 'node1',
        targetRef: { kind: 'Pod', name: `p${i}`, namespace: 'default' },
        conditions: { ready: true },
      })),
    },
  ];
  const extended = (d: DesiredState) => d.bgp?.routes.get('10.250.1.1/32')?.attributes.extendedCommunities;

  it('announces the ready endpoint count as link bandwidth, damped to one change per interval, with a wake', () => {
    const first = world({ services: [local], endpointSlices: endpoints(2), nowMs: 0, settings: weighted });
    expect(extended(first)).toEqual(['link-bandwidth:65001:250000000']);
    const held = world({
      services: [local],
      endpointSlices: endpoints(3),
      nowMs: 500,
      memory: first.carry,
      settings: weighted,
    });
    expect([extended(held), held.nextWakeMs]).toEqual([['link-bandwidth:65001:250000000'], 2000]);
    const due = world({
      services: [local],
      endpointSlices: endpoints(3),
      nowMs: 2000,
      memory: held.carry,
      settings: weighted,
    });
    expect([extended(due), due.nextWakeMs]).toEqual([['link-bandwidth:65001:375000000'], undefined]);
  });

  it('without the flag or the annotation, no weight: plain ECMP', () => {
    expect(extended(world({ services: [local], endpointSlices: endpoints(2) }))).toEqual([]);
  });

  it('the same observation and memory give the same world (damping is carried, not a timer)', () => {
    const first = world({ services: [local], endpointSlices: endpoints(2), nowMs: 0, settings: weighted });
    const again = (): DesiredState =>
      world({
        services: [local],
        endpointSlices: endpoints(5),
        nowMs: 100,
        memory: first.carry,
        settings: weighted,
      });
    expect(extended(again())).toEqual(extended(again()));
    expect(again().nextWakeMs).toBe(2000);
  });
});

describe('computeDesiredWorld: Kubernetes mode before the cluster is listed', () => {
  it('marks the BGP table incomplete (End-of-RIB waits, RFC 4724 §4.2) until the cluster is observed', () => {
    const pending = computeDesiredWorld({
      config,
      health: () => undefined,
      cluster: undefined,
      clusterPending: true,
      lifecycle: running,
      restarting: true,
      nowMs: 0,
    });
    expect(pending.bgp?.incomplete).toBe(true);
    expect(pending.bgp?.routes.size).toBe(0);
    expect(world({ services: [service('web', {}, ['10.250.1.5'])] }).bgp?.incomplete).toBeUndefined();
  });
});

describe('computeDesiredWorld: shutdown and restart are states of the world', () => {
  const svc = [service('web', {}, ['10.250.1.5'])];

  it('gracefulShutdown (RFC 8326): the same routes with GRACEFUL_SHUTDOWN added; the cluster is not told', () => {
    const d = world({ services: svc, lifecycle: { kind: 'gracefulShutdown' } });
    expect(d.bgp?.routes.get('10.250.1.5/32')?.attributes.communities).toEqual([GRACEFUL_SHUTDOWN]);
    expect(d.loopback.addresses.size).toBe(1);
    expect(d.kubernetes).toBeUndefined();
    expect(d.bgp?.end).toBeUndefined();
  });

  it('gracefulShutdown holds until its wait ends (--graceful-shutdown-wait): the world wakes the runtime then', () => {
    const d = world({ services: svc, nowMs: 1000, lifecycle: { kind: 'gracefulShutdown', untilMs: 11_000 } });
    expect(d.nextWakeMs).toBe(11_000);
    expect(d.bgp?.routes.size).toBe(1);
  });

  it('withdrawn: no routes, the addresses stay on lo (withdraw before unbind), speaker and peers stay', () => {
    const d = world({ services: svc, lifecycle: { kind: 'withdrawn' } });
    expect([d.bgp?.routes.size, d.loopback.addresses.size, d.table.routes.size]).toEqual([0, 1, 0]);
    expect(d.bgp?.peers.size).toBe(1);
    expect(d.bgp?.end).toBeUndefined();
    expect(d.nextWakeMs).toBeUndefined();
  });

  it('withdrawn holds the addresses until its unbind delay ends: the world wakes the runtime then', () => {
    const d = world({ services: svc, nowMs: 1000, lifecycle: { kind: 'withdrawn', untilMs: 2000 } });
    expect(d.nextWakeMs).toBe(2000);
    expect([d.bgp?.routes.size, d.loopback.addresses.size]).toEqual([0, 1]);
  });

  it('closed: no routes, no addresses, and the speaker ends with the reason (RFC 9003)', () => {
    const d = world({ services: svc, lifecycle: { kind: 'closed', reason: 'bye' } });
    expect([d.bgp?.routes.size, d.loopback.addresses.size]).toEqual([0, 0]);
    expect(d.bgp?.end).toEqual({ reason: 'bye', restart: false });
  });

  it('restart (RFC 4724): routes and addresses stay, the speaker closes for a planned restart', () => {
    const d = world({ services: svc, lifecycle: { kind: 'restart', reason: 'SIGUSR2' } });
    expect([d.bgp?.routes.size, d.loopback.addresses.size]).toEqual([1, 1]);
    expect(d.bgp?.end).toEqual({ reason: 'SIGUSR2', restart: true });
  });
});

describe('computeDesiredWorld: the API server refusal set and node liveness come from the observed cluster', () => {
  const apiSlice: V1EndpointSlice = {
    addressType: 'IPv4',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
    },
    endpoints: [{ addresses: ['10.250.1.3'] }, { addresses: ['10.250.1.4'], conditions: { ready: false } }],
  };
  const api: V1Service = {
    metadata: { name: 'kubernetes', namespace: 'default' },
    spec: { type: 'ClusterIP', clusterIP: '10.250.1.5' },
  };

  it('refuses every default/kubernetes endpoint address and the ClusterIP on every node alike, leader or not', () => {
    const two = [
      ...nodes,
      { metadata: { name: 'node2' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    ];
    for (const leader of [true, false]) {
      const d = world({
        services: [api, service('grab', {}, ['10.250.1.3', '10.250.1.4', '10.250.1.5', '10.250.1.6'])],
        endpointSlices: [apiSlice],
        nodes: two,
        leader,
      });
      expect([...(d.bgp?.routes.keys() ?? [])]).toEqual(['10.250.1.6/32']);
      expect(d.kubernetes?.services.get('default/grab')?.refused.map((r) => r.code)).toEqual([
        'ANYVIP_VIP_API_SERVER',
        'ANYVIP_VIP_API_SERVER',
        'ANYVIP_VIP_API_SERVER',
      ]);
    }
  });

  it('single-announcer VIPs go only to nodes whose node lease is live (this node always is)', () => {
    const two = [
      ...nodes,
      { metadata: { name: 'node2' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    ];
    const vips = ['10.250.1.1', '10.250.1.2', '10.250.1.3', '10.250.1.4', '10.250.1.5', '10.250.1.6'];
    const services = vips.map((ip, i) => service(`s${i}`, {}, [ip]));
    const leased = (nodeLeases: ReadonlyMap<string, number>): number => {
      const observation: Observation = {
        config,
        health: () => undefined,
        cluster: {
          snapshot: {
            services,
            endpointSlices: [],
            nodes: two,
            poolsData: undefined,
            leader: true,
            nodeLeases,
          },
          settings: { ...settings, singleAnnouncer: true, nodeLeaseIntervalMs: 1000 },
          memory: initialClusterMemory,
        },
        lifecycle: running,
        restarting: false,
        nowMs: 50_000,
      };
      return computeDesiredWorld(observation).bgp?.routes.size ?? 0;
    };
    // Both renew: the VIPs are shared out.
    const shared = leased(
      new Map([
        ['node1', 40_000],
        ['node2', 40_000],
      ]),
    );
    expect(shared).toBeGreaterThan(0);
    expect(shared).toBeLessThan(vips.length);
    // node2's lease stopped changing more than 3 intervals before the newest: node1 takes all.
    expect(
      leased(
        new Map([
          ['node1', 40_000],
          ['node2', 36_000],
        ]),
      ),
    ).toBe(vips.length);
  });
});
