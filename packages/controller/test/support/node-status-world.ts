import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { parseRange } from '../../src/address/ip-range.js';
import { parseConfig } from '../../src/config/schema.js';
import { computeDesiredWorld } from '../../src/desired/compute.js';
import { running } from '../../src/desired/lifecycle.js';
import {
  type ClusterSettings,
  type ClusterSnapshot,
  initialClusterMemory,
} from '../../src/desired/observation.js';
import type { SessionObservation } from '../../src/desired/session-observation.js';
import type { DesiredState } from '../../src/desired/types.js';

/**
 * A Kubernetes-mode world for node1 as the node status reads it: two peers (10.250.1.3 with
 * BFD), Services `prod/web` (announced here), `prod/local` (externalTrafficPolicy Local, its
 * endpoint on node2) and `prod/outside` (outside the allowed range), and the sessions given.
 */
const range = parseRange('10.250.1.0/24');
if ('error' in range) throw new Error(range.error);
const settings: ClusterSettings = {
  nodeName: 'node1',
  loadBalancerClass: undefined,
  singleAnnouncer: false,
  localGraceMs: 0,
  weightedEcmp: false,
  weightedEcmpIntervalMs: 5000,
  allowList: [range],
  poolsConfigMap: '',
};
const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
export const nodes: V1Node[] = [
  { metadata: { name: 'node1', uid: 'n1' }, status: ready },
  { metadata: { name: 'node2', uid: 'n2' }, status: ready },
];
const service = (name: string, ip: string, extra: Partial<V1Service['spec']> = {}): V1Service => ({
  metadata: { name, namespace: 'prod', uid: `u-${name}` },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ...extra },
  status: { loadBalancer: { ingress: [{ ip }] } },
});
/** `local` has its one ready endpoint on node2. */
const slices: V1EndpointSlice[] = [
  {
    addressType: 'IPv4',
    metadata: { name: 'local-1', namespace: 'prod', labels: { 'kubernetes.io/service-name': 'local' } },
    endpoints: [{ addresses: ['10.244.1.1'], nodeName: 'node2', conditions: { ready: true } }],
  },
];
export const config = parseConfig({
  bgp: {
    asn: 65001,
    routerId: '10.250.1.2',
    peers: [
      { address: '10.250.1.1', asn: 65000 },
      { address: '10.250.1.3', asn: 65000, bfd: {} },
    ],
  },
});

export const established: SessionObservation = {
  peerAddress: '10.250.1.1',
  state: 'established',
  sinceMs: Date.UTC(2026, 11, 4, 21, 0, 0),
  localAddress: '10.250.1.2',
  lastError: undefined,
  prefixesSent: 2,
  prefixesReceived: 0,
  holdTimeSec: 90,
  bfd: undefined,
};

export function world(
  sessions: readonly SessionObservation[],
  snapshot: Partial<ClusterSnapshot> = {},
): DesiredState {
  return computeDesiredWorld({
    config,
    health: () => undefined,
    cluster: {
      snapshot: {
        services: [
          service('web', '10.250.1.10'),
          service('local', '10.250.1.11', { externalTrafficPolicy: 'Local' }),
          service('outside', '10.250.9.9'),
        ],
        endpointSlices: slices,
        nodes,
        poolsData: undefined,
        leader: false,
        ...snapshot,
      },
      settings,
      memory: initialClusterMemory,
    },
    lifecycle: running,
    restarting: false,
    nowMs: 0,
    sessions,
  });
}
