import { isIP } from 'node:net';
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
    planner:
      deps.planner ??
      createPlanner(settings, {
        apiServerAddresses: apiServerAddressesOf(clients),
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

/**
 * The API server's own addresses as this node reaches it (the kubeconfig's server, and the
 * in-cluster service address): a Service asking for one of them must never get it.
 */
function apiServerAddressesOf(clients: KubeClients): string[] {
  const out = new Set<string>();
  const server = clients.config.getCurrentCluster()?.server;
  if (server !== undefined) {
    const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) out.add(host);
  }
  const inCluster = process.env.KUBERNETES_SERVICE_HOST;
  if (inCluster !== undefined && isIP(inCluster) !== 0) out.add(inCluster);
  return [...out];
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
