import type { NodeLeasesRead } from '../../src/cli/cluster-status.js';
/**
 * Two AnyvipNodeStatus objects as two nodes' anyvip would write them (rack A's node-a1 fresh,
 * rack B's node-b1 with one session down), for `anyvip status --cluster` tests. `updatedAt`
 * of node-a1 is `readAtMs` minus 10 s; node-b1's is `b1AgeMs` old.
 */
export const readAtMs = Date.UTC(2026, 11, 4, 22, 0, 0);

/** One VIP row of a node status (no attributes but the communities given). */
export function vipRow(
  address: string,
  service: string,
  announced: boolean,
  reason: string,
  peers: readonly string[] = [],
  communities: readonly string[] = [],
): Record<string, unknown> {
  return {
    address,
    prefix: `${address}/32`,
    service,
    announced,
    reason,
    peers,
    communities,
    largeCommunities: [],
    asPathPrepend: 0,
  };
}

const noNode =
  'no node is eligible (externalTrafficPolicy Local without ready endpoints, or no live node to place it on)';

export function sampleNodeStatuses(b1AgeMs = 20_000): Record<string, unknown>[] {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return [
    {
      apiVersion: 'anyvip.io/v1alpha1',
      kind: 'AnyvipNodeStatus',
      metadata: { name: 'node-b1' },
      spec: { nodeName: 'node-b1' },
      status: {
        nodeName: 'node-b1',
        asn: 65021,
        routerID: '10.250.2.11',
        updatedAt: iso(readAtMs - b1AgeMs),
        sessions: [
          {
            peer: 'tor-b',
            peerAddress: '10.250.2.1',
            peerASN: 65020,
            state: 'active',
            since: iso(readAtMs - 95_000),
            lastError: 'received HOLD_TIMER_EXPIRED',
            prefixesSent: 0,
            prefixesReceived: 0,
            bfd: 'down',
          },
        ],
        vips: [
          vipRow('10.250.255.1', 'prod/web', false, 'announced by node-a1, not this node'),
          vipRow('10.250.255.2', 'prod/db', false, noNode),
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'SessionsNotEstablished',
            message: '1 of 1 sessions not Established: 10.250.2.1 (active)',
            lastTransitionTime: iso(readAtMs - 95_000),
          },
        ],
      },
    },
    {
      apiVersion: 'anyvip.io/v1alpha1',
      kind: 'AnyvipNodeStatus',
      metadata: { name: 'node-a1' },
      spec: { nodeName: 'node-a1' },
      status: {
        nodeName: 'node-a1',
        asn: 65011,
        routerID: '10.250.1.11',
        updatedAt: iso(readAtMs - 10_000),
        sessions: [
          {
            peer: 'tor-a',
            peerAddress: '10.250.1.1',
            peerASN: 65010,
            localAddress: '10.250.1.11',
            state: 'established',
            since: iso(readAtMs - 3 * 3600_000 - 12 * 60_000),
            prefixesSent: 1,
            prefixesReceived: 3,
            holdTimeSeconds: 90,
            bfd: 'up',
          },
        ],
        vips: [
          vipRow('10.250.255.1', 'prod/web', true, 'healthy', ['10.250.1.1'], ['65000:100']),
          vipRow('10.250.255.2', 'prod/db', false, noNode),
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Established',
            message: '1 sessions Established',
            lastTransitionTime: iso(readAtMs - 3600_000),
          },
        ],
      },
    },
  ];
}

/**
 * The node Leases (coordination.k8s.io/v1, in kube-system, label `anyvip.io/node-lease`) of
 * the two sample nodes as their anyvip renews them (every 2 s, duration 6 s): node-a1's renewed
 * 1 s before `readAtMs`; node-b1's renewed `b1RenewedAgoMs` before it, or none when `deleted`
 * (a stopped anyvip deletes its lease).
 */
export function sampleNodeLeases(b1RenewedAgoMs: number | 'deleted' = 1000): Record<string, unknown>[] {
  const lease = (node: string, agoMs: number): Record<string, unknown> => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: `anyvip-node-${node}`,
      namespace: 'kube-system',
      labels: { 'anyvip.io/node-lease': 'anyvip' },
    },
    spec: {
      holderIdentity: node,
      leaseDurationSeconds: 6,
      renewTime: new Date(readAtMs - agoMs).toISOString(),
    },
  });
  return [
    lease('node-a1', 1000),
    ...(b1RenewedAgoMs === 'deleted' ? [] : [lease('node-b1', b1RenewedAgoMs)]),
  ];
}

/** The leases of {@link sampleNodeLeases} as `anyvip status --cluster` reads them. */
export function readLeases(leases: readonly Record<string, unknown>[]): NodeLeasesRead {
  return {
    kind: 'read',
    namespace: 'kube-system',
    leases: leases.map((l) => {
      const spec = l.spec as { holderIdentity: string; renewTime: string; leaseDurationSeconds: number };
      return {
        holder: spec.holderIdentity,
        renewTime: spec.renewTime,
        leaseDurationSeconds: spec.leaseDurationSeconds,
      };
    }),
  };
}

/** Leases that could not be read (liveness falls back to the statuses' age). */
export const leasesUnreadable: NodeLeasesRead = {
  kind: 'unavailable',
  namespace: 'kube-system',
  reason: 'HTTP 403 Forbidden',
};
