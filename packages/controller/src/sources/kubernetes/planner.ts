import { parsePrefix } from '@anyvip/bgp/wire';
import type { KubernetesSettings } from '../../config/kubernetes-flags.js';
import { checkVipInPools } from '../../desired/pools.js';
import type { ClusterObservation, NodePlan, Planner, ServicePlan } from './kubernetes-source.js';

/**
 * The planner Kubernetes mode runs: the adapter between the observed cluster and the pure
 * decisions in desired/ (K8S-B: which Services, which addresses, placement, IPAM, refusals).
 *
 * STAND-IN until desired/services.ts lands: Services of our class with addresses in
 * `status.loadBalancer.ingress`, announced from every ready node (externalTrafficPolicy
 * Cluster), refused outside `--allowed-range`; no IPAM.
 */
export function createPlanner(
  settings: KubernetesSettings,
  _facts: { readonly apiServerAddresses: readonly string[] },
): Planner {
  const ranges = settings.allowedRanges.map((r) => parsePrefix(r));
  return (o: ClusterObservation): NodePlan => {
    const node = o.nodes.find((n) => n.metadata?.name === settings.nodeName);
    const ready = node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const announce = new Set<string>();
    const services: ServicePlan[] = [];
    for (const s of o.services) {
      if (s.spec?.type !== 'LoadBalancer') continue;
      if ((s.spec.loadBalancerClass ?? undefined) !== settings.loadBalancerClass) continue;
      const here: string[] = [];
      const refused: { address: string; reason: string }[] = [];
      for (const i of s.status?.loadBalancer?.ingress ?? []) {
        if (i.ip === undefined) continue;
        const verdict = checkVipInPools(parsePrefix(i.ip), ranges);
        if (verdict.kind === 'refused') refused.push({ address: i.ip, reason: verdict.reason });
        else if (ready) here.push(i.ip);
      }
      for (const a of here) announce.add(a);
      services.push({
        namespace: s.metadata?.namespace ?? '',
        name: s.metadata?.name ?? '',
        uid: s.metadata?.uid,
        ingress: undefined,
        announcedHere: here,
        refused,
      });
    }
    return { announce: [...announce], services, nextWakeMs: undefined };
  };
}
