import type { KubernetesSettings } from '../../config/kubernetes-flags.js';
import { type IpRange, parseRange } from '../../desired/ip-range.js';
import { type Pool, type PoolError, parsePools } from '../../desired/ipam.js';
import { initialServicesState, planServices, type ServicesState } from '../../desired/services.js';
import { type DampingState, dampWeights, initialDampingState } from '../../desired/weight-damping.js';
import { computeLocalWeights } from '../../desired/weighted-ecmp.js';
import type { ClusterObservation, NodePlan, Planner } from './kubernetes-source.js';

/** What the planner knows besides the flags. */
export interface PlannerFacts {
  /** The API server's addresses (never announced). */
  readonly apiServerAddresses: readonly string[];
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
  let damping: DampingState = initialDampingState;
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
      apiServerAddresses: facts.apiServerAddresses,
      loadBalancerClass: settings.loadBalancerClass,
      nodeName: settings.nodeName,
      singleAnnouncer: settings.singleAnnouncer,
      localGraceMs: settings.localGraceMs,
      nowMs: o.nowMs,
    });
    state = plan.state;
    const damped = dampWeights(
      damping,
      computeLocalWeights({
        services: o.services,
        endpointSlices: o.endpointSlices,
        nodeName: settings.nodeName,
        globalDefault: settings.weightedEcmp,
        announcedHere: new Map(plan.services.map((s) => [s.key, s.announcedHere])),
      }),
      o.nowMs,
      settings.weightedEcmpIntervalMs,
    );
    damping = damped.state;
    const wakes = [plan.nextWakeMs, damped.nextWakeMs].filter((t): t is number => t !== undefined);
    return {
      announce: plan.announce,
      weights: damped.weights,
      services: plan.services.map((s) => ({
        namespace: s.namespace,
        name: s.name,
        uid: s.uid,
        ingress: o.isLeader ? s.ingress : undefined,
        announcedHere: s.announcedHere,
        refused: s.refused.map((r) => ({ address: r.address, reason: r.reason })),
      })),
      nextWakeMs: wakes.length === 0 ? undefined : Math.min(...wakes),
    };
  };
}
