import { formatPrefix, parsePrefix } from '@anyvip/bgp/wire';
import { type Clock, systemClock } from '@anyvip/healthcheck';
import type { AnyvipRuntime } from './app.js';
import type { KubernetesSettings } from './config/kubernetes-flags.js';
import type { VipConfig } from './config/schema.js';
import { createKubeClients, type KubeClients, kubeConfigSourceOf } from './sources/kubernetes/client.js';
import { KubernetesSource, type Planner } from './sources/kubernetes/kubernetes-source.js';
import { createPlanner } from './sources/kubernetes/planner.js';

/**
 * Wires Kubernetes Services mode: the cluster source computes this node's VIPs and the
 * runtime (loopback, BGP or table sinks) applies them, exactly as the other modes do.
 */
export function createKubernetesSource(
  runtime: AnyvipRuntime,
  settings: KubernetesSettings,
  deps: { readonly clients?: KubeClients; readonly clock?: Clock; readonly planner?: Planner } = {},
): KubernetesSource {
  const clients = deps.clients ?? createKubeClients(kubeConfigSourceOf(settings.kubeconfig, process.env));
  const source = new KubernetesSource({
    clients,
    nodeName: settings.nodeName,
    leaseName: settings.leaseName,
    leaseNamespace: settings.leaseNamespace,
    poolsConfigMap: settings.poolsConfigMap,
    ...(settings.nodeLeaseIntervalMs !== undefined
      ? { nodeLease: { intervalMs: settings.nodeLeaseIntervalMs } }
      : {}),
    planner:
      deps.planner ??
      createPlanner(settings, {
        onPoolErrors: (errors) => {
          const cm = settings.poolsConfigMap;
          for (const e of errors)
            runtime.report({
              kind: 'poolRejected',
              configMap: cm === undefined ? '' : `${cm.namespace}/${cm.name}`,
              key: e.key,
              code: e.code,
              reason: e.reason,
            });
        },
      }),
    clock: deps.clock ?? systemClock,
    applyVips: async (addresses) => {
      await runtime.setVips(vipsOf(addresses));
      return runtime
        .status()
        .vips.flatMap((v) => (v.withheld === undefined ? [] : [{ address: v.address, reason: v.withheld }]));
    },
    report: (e) => runtime.report(e),
  });
  // A VIP bound (or lost) by a retry in the runtime changes what this node really announces:
  // a new pass records the Announced / NotBound Event for it.
  runtime.on((e) => {
    if (e.kind === 'vipWithheld') source.trigger();
  });
  return source;
}

/** Host-prefix VIPs (no check, no attributes) for the addresses the plan announces. */
export function vipsOf(addresses: readonly string[]): VipConfig[] {
  return addresses.map((text) => {
    const p = parsePrefix(text);
    const prefix = formatPrefix(p);
    return {
      address: prefix.slice(0, prefix.indexOf('/')),
      prefix,
      family: p.afi === 1 ? 'ipv4' : 'ipv6',
      healthcheck: undefined,
      communities: [],
      largeCommunities: [],
      med: undefined,
      localPref: undefined,
      asPathPrepend: 0,
    };
  });
}
