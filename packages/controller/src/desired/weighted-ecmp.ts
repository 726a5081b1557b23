import { type ClusterEndpointSlice, type ClusterService, serviceKey, serviceNameLabel } from './cluster.js';

/**
 * Weighted ECMP for `externalTrafficPolicy: Local` Services, pure. With Local, each node that
 * announces a VIP gets an equal share of its new connections from the router, whatever its
 * number of endpoints. A weighted Service's VIP is announced instead with weight = the number of
 * ready endpoints of the Service on this node, which desired/link-bandwidth.ts turns into the
 * link-bandwidth extended community, so a router doing UCMP splits in proportion to endpoints.
 *
 * Opt-in: the annotation `anyvip.io/weighted-ecmp: "true"` on the Service, or the flag
 * `--weighted-ecmp` for every Local Service (`"false"` on a Service opts it out). Cluster
 * Services are never weighted: every node forwards to every endpoint, so equal shares are right.
 */

/** The Service annotation: `"true"` or `"false"`; anything else reads as unset (the flag decides). */
export const weightedEcmpAnnotation = 'anyvip.io/weighted-ecmp';

/** Whether `s` is weighted, given the global flag. */
export function isWeightedService(s: ClusterService, globalDefault: boolean): boolean {
  if (s.spec?.externalTrafficPolicy !== 'Local') return false;
  const v = s.metadata?.annotations?.[weightedEcmpAnnotation];
  if (v === 'true') return true;
  if (v === 'false') return false;
  return globalDefault;
}

/**
 * Service key → the weight of `nodeName` for it: its ready endpoints over all the Service's
 * slices, a Pod counted once (dual-stack Services list it in one slice per family). When none
 * is ready, its serving (terminating) endpoints count instead: kube-proxy sends a Local
 * Service's traffic to those when no ready one is left (KEP-1669), and FRR leaves a next hop
 * with bandwidth 0 out of the route altogether, which would break their open connections.
 */
export function countReadyEndpoints(
  slices: readonly ClusterEndpointSlice[],
  nodeName: string,
): Map<string, number> {
  const ready = new Map<string, Set<string>>();
  const serving = new Map<string, Set<string>>();
  for (const sl of slices) {
    const svc = sl.metadata?.labels?.[serviceNameLabel];
    if (svc === undefined) continue;
    const key = `${sl.metadata?.namespace ?? ''}/${svc}`;
    for (const [i, e] of (sl.endpoints ?? []).entries()) {
      if (e.nodeName !== nodeName) continue;
      // discovery/v1: an unset `ready` means ready; `serving` defaults to `ready`.
      const c = e.conditions;
      const isReady = c?.ready !== false;
      if (!isReady && c?.serving !== true) continue;
      const into = isReady ? ready : serving;
      let set = into.get(key);
      if (set === undefined) {
        set = new Set();
        into.set(key, set);
      }
      set.add(e.targetRef?.uid ?? e.targetRef?.name ?? `${sl.metadata?.name ?? ''}#${i}`);
    }
  }
  const out = new Map<string, number>();
  for (const [key, set] of serving) out.set(key, set.size);
  for (const [key, set] of ready) out.set(key, set.size);
  return out;
}

export interface LocalWeightsInput {
  readonly services: readonly ClusterService[];
  readonly endpointSlices: readonly ClusterEndpointSlice[];
  readonly nodeName: string;
  /** `--weighted-ecmp`. */
  readonly globalDefault: boolean;
  /** Per Service key, the addresses this node announces for it (the plan's `announcedHere`). */
  readonly announcedHere: ReadonlyMap<string, readonly string[]>;
}

/**
 * Address → weight for the VIPs this node announces of weighted Services. An address shared by
 * several Services (allow-shared-ip) sums their endpoints here; if any of them is not weighted,
 * the address gets no weight (plain ECMP), since one route cannot carry two policies.
 */
export function computeLocalWeights(input: LocalWeightsInput): Map<string, number> {
  const counts = countReadyEndpoints(input.endpointSlices, input.nodeName);
  const sums = new Map<string, number>();
  const unweighted = new Set<string>();
  for (const s of input.services) {
    const key = serviceKey(s);
    const addresses = input.announcedHere.get(key);
    if (addresses === undefined || addresses.length === 0) continue;
    const weighted = isWeightedService(s, input.globalDefault);
    for (const a of addresses) {
      if (!weighted) unweighted.add(a);
      else sums.set(a, (sums.get(a) ?? 0) + (counts.get(key) ?? 0));
    }
  }
  for (const a of unweighted) sums.delete(a);
  return sums;
}
