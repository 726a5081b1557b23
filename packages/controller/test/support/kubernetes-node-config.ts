import { type KubernetesFlags, kubernetesConfig } from '../../src/config/kubernetes-flags.js';

/**
 * Kubernetes mode's configuration for a node from flags as a test gives them: BGP to
 * 10.250.0.1 (AS 65000) as AS 65001, router id 10.250.0.11, allowed 10.250.255.0/24, node1,
 * every other flag at its default; `flags` overrides any of them.
 */
export function kubernetesNodeConfig(
  flags: Partial<KubernetesFlags> = {},
): ReturnType<typeof kubernetesConfig> {
  return kubernetesConfig(
    {
      peers: ['10.250.0.1'],
      peerAsns: [65000],
      asn: 65001,
      routerId: '10.250.0.11',
      mode: 'bgp',
      holdTimeSec: undefined,
      passwordFile: undefined,
      ttlSecurity: false,
      bfdIntervalMs: undefined,
      bfdMultiplier: undefined,
      gracefulRestartTimeSec: undefined,
      table: undefined,
      tableProtocol: undefined,
      logLevel: undefined,
      kubeconfig: undefined,
      nodeName: 'node1',
      loadBalancerClass: undefined,
      leaseName: undefined,
      leaseNamespace: 'kube-system',
      poolsConfigMap: undefined,
      allowedRanges: ['10.250.255.0/24'],
      singleAnnouncer: false,
      localGrace: undefined,
      ...flags,
    },
    {},
  );
}
