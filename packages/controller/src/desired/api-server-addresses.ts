import { canonicalAddress } from '../address/ip-range.js';
import { type ClusterEndpointSlice, type ClusterService, serviceKey, serviceNameLabel } from './cluster.js';

/** The Service every cluster has in front of its API servers. */
export const apiServerService = { namespace: 'default', name: 'kubernetes' } as const;

/**
 * The API server's addresses, as the cluster itself states them: every address of every
 * endpoint of the `default/kubernetes` EndpointSlices (each API server's advertise address,
 * whether or not a kubeconfig names it) and the `default/kubernetes` Service's ClusterIPs
 * (what in-cluster clients dial). A Service asking for one of them is refused even inside an
 * allowed range or pool, so that no VIP can draw the control plane's traffic away.
 *
 * Computed from watched objects only, never from this process's kubeconfig or environment:
 * every node, and the leader's IPAM and status decisions, refuse exactly the same set. Node
 * addresses are the other half of that set (desired/services.ts reads them from the Nodes).
 * Every endpoint counts, ready or not: an API server that is starting is still one. Pure;
 * canonical text, sorted.
 */
export function computeApiServerAddresses(
  services: readonly ClusterService[],
  endpointSlices: readonly ClusterEndpointSlice[],
): string[] {
  const out = new Set<string>();
  const key = `${apiServerService.namespace}/${apiServerService.name}`;
  for (const s of services) {
    if (serviceKey(s) !== key) continue;
    for (const ip of [s.spec?.clusterIP, ...(s.spec?.clusterIPs ?? [])]) {
      const c = ip === undefined ? undefined : canonicalAddress(ip);
      if (c !== undefined) out.add(c);
    }
  }
  for (const slice of endpointSlices) {
    if (slice.metadata?.namespace !== apiServerService.namespace) continue;
    if (slice.metadata?.labels?.[serviceNameLabel] !== apiServerService.name) continue;
    for (const e of slice.endpoints ?? [])
      for (const a of e.addresses ?? []) {
        const c = canonicalAddress(a);
        if (c !== undefined) out.add(c);
      }
  }
  return [...out].sort();
}
