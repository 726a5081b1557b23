import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubernetesSettings } from '../../../src/config/kubernetes-flags.js';
import type { PoolError } from '../../../src/desired/ipam.js';
import type { ClusterObservation } from '../../../src/sources/kubernetes/kubernetes-source.js';
import { createPlanner } from '../../../src/sources/kubernetes/planner.js';

const settings: KubernetesSettings = {
  kubeconfig: undefined,
  nodeName: 'node1',
  loadBalancerClass: undefined,
  leaseName: 'anyvip',
  leaseNamespace: 'kube-system',
  poolsConfigMap: undefined,
  allowedRanges: ['10.250.1.0-10.250.1.9'],
  singleAnnouncer: false,
  localGraceMs: 1000,
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
const observe = (o: Partial<ClusterObservation>): ClusterObservation => ({
  services: [],
  endpointSlices: [],
  nodes,
  poolsData: undefined,
  isLeader: true,
  nowMs: 0,
  ...o,
});

describe('createPlanner (the adapter Kubernetes mode runs)', () => {
  it('refuses every default/kubernetes endpoint address and the ClusterIP on every node alike, leader or not', () => {
    const apiSlice: V1EndpointSlice = {
      addressType: 'IPv4',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'kubernetes' },
      },
      endpoints: [{ addresses: ['10.250.1.3'] }, { addresses: ['10.250.1.4'] }],
    };
    const api: V1Service = {
      metadata: { name: 'kubernetes', namespace: 'default' },
      spec: { type: 'ClusterIP', clusterIP: '10.250.1.5' },
    };
    const o = observe({
      services: [api, service('grab', {}, ['10.250.1.3', '10.250.1.4', '10.250.1.5', '10.250.1.6'])],
      endpointSlices: [apiSlice],
      nodes: ['node1', 'node2'].map((name) => ({
        metadata: { name },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      })),
    });
    const plans = ['node1', 'node2'].map((nodeName, i) =>
      createPlanner({ ...settings, nodeName }, {})({ ...o, isLeader: i === 0 }),
    );
    for (const plan of plans) {
      expect(plan.announce).toEqual(['10.250.1.6']);
      expect(
        plan.services.find((s) => s.name === 'grab')?.refused.map((r) => r.reason.split(':')[0]),
      ).toEqual(['ANYVIP_VIP_API_SERVER', 'ANYVIP_VIP_API_SERVER', 'ANYVIP_VIP_API_SERVER']);
    }
  });

  it('--allowed-range as an A-B range admits inside and refuses outside, with the code in the reason', () => {
    const plan = createPlanner(
      settings,
      {},
    )(observe({ services: [service('web', {}, ['10.250.1.5', '10.250.1.10'])] }));
    expect(plan.announce).toEqual(['10.250.1.5']);
    expect(plan.services[0]?.refused).toEqual([
      {
        address: '10.250.1.10',
        reason: 'ANYVIP_VIP_OUTSIDE_POOL: 10.250.1.10 is outside the allowed ranges (10.250.1.0-10.250.1.9)',
      },
    ]);
  });

  it('carries the Local grace between passes and asks to be woken when it ends', () => {
    const planner = createPlanner(settings, {});
    const local = service('local', { externalTrafficPolicy: 'Local' }, ['10.250.1.1']);
    expect(
      planner(observe({ services: [local], endpointSlices: slices('node1'), nowMs: 0 })).announce,
    ).toEqual(['10.250.1.1']);
    const moved = planner(observe({ services: [local], endpointSlices: slices('node2'), nowMs: 500 }));
    expect([moved.announce, moved.nextWakeMs]).toEqual([['10.250.1.1'], 1000]);
    expect(
      planner(observe({ services: [local], endpointSlices: slices('node2'), nowMs: 1000 })).announce,
    ).toEqual([]);
  });

  it('only the leader is asked to write status; pools errors are reported once per change of the ConfigMap', () => {
    const errors: (readonly PoolError[])[] = [];
    const planner = createPlanner(settings, { onPoolErrors: (e) => errors.push(e) });
    const poolsData = { good: '10.250.2.0/30', bad: 'nonsense' };
    const leader = planner(observe({ services: [service('auto')], poolsData }));
    expect(leader.services[0]?.ingress).toEqual(['10.250.2.0']);
    const follower = planner(
      observe({ services: [service('auto')], poolsData: { ...poolsData }, isLeader: false }),
    );
    expect(follower.services[0]?.ingress).toBeUndefined();
    expect(errors).toEqual([
      [{ code: 'ANYVIP_POOL_INVALID', key: 'bad', reason: expect.stringContaining('"nonsense"') }],
    ]);
  });
});
