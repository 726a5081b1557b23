import type { KubernetesSettings } from '../../config/kubernetes-flags.js';
import { computeApiServerAddresses } from '../../desired/api-server-addresses.js';
import { type IpRange, parseRange } from '../../desired/ip-range.js';
import { type Pool, type PoolError, parsePools } from '../../desired/ipam.js';
import { initialServicesState, planServices, type ServicesState } from '../../desired/services.js';
import type { ClusterObservation, NodePlan, Planner } from './kubernetes-source.js';

/** What the planner knows besides the flags. */
export interface PlannerFacts {
  /** Called when the pools ConfigMap changes and some keys do not parse (those pools are ignored). */
  readonly onPoolErrors?: (errors: readonly PoolError[]) => void;
}

/**
 * The planner Kubernetes mode runs: the adapter between the observed cluster and the pure
 * decisions in desired/services.ts. It carries the Local grace state from pass to pass and
 * parses the pools ConfigMap only when its data object changes.
 */
export function createPlanner(settings: KubernetesSettings, facts: PlannerFacts): Planner {
  const allowList: IpRange[] = [];
  for (const t of settings.allowedRanges) {
    const r = parseRange(t);
    // The flags were validated at start-up; a range that still fails allows nothing.
    if (!('error' in r)) allowList.push(r);
  }
  let state: ServicesState = initialServicesState;
  let poolsData: ClusterObservation['poolsData'];
  let pools: readonly Pool[] = [];
  let poolErrorsText = '';
  return (o: ClusterObservation): NodePlan => {
    if (o.poolsData !== poolsData) {
      poolsData = o.poolsData;
      const parsed = parsePools(poolsData);
      pools = parsed.pools;
      const text = parsed.errors.map((e) => e.reason).join('\n');
      if (text !== poolErrorsText && parsed.errors.length > 0) facts.onPoolErrors?.(parsed.errors);
      poolErrorsText = text;
    }
    const plan = planServices(state, {
      services: o.services,
      endpointSlices: o.endpointSlices,
      nodes: o.nodes,
      pools,
      allowList,
      // From the cluster (default/kubernetes), the same on every node: never announced.
      apiServerAddresses: computeApiServerAddresses(o.services, o.endpointSlices),
      loadBalancerClass: settings.loadBalancerClass,
      nodeName: settings.nodeName,
      singleAnnouncer: settings.singleAnnouncer,
      localGraceMs: settings.localGraceMs,
      nowMs: o.nowMs,
      ...(o.liveNodes !== undefined ? { liveNodes: o.liveNodes } : {}),
      // Make-before-break: a VIP placed elsewhere stays here one lease interval longer.
      handoverMs: settings.nodeLeaseIntervalMs ?? 0,
    });
    state = plan.state;
    return {
      announce: plan.announce,
      services: plan.services.map((s) => ({
        namespace: s.namespace,
        name: s.name,
        uid: s.uid,
        ingress: o.isLeader ? s.ingress : undefined,
        announcedHere: s.announcedHere,
        refused: s.refused.map((r) => ({ address: r.address, reason: r.reason })),
      })),
      nextWakeMs: plan.nextWakeMs,
    };
  };
}
