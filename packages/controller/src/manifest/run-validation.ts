import { resolveAdminListen } from '../cli/admin-options.js';
import { defaultAdmin } from '../config/admin.js';
import { type ControlPlaneFlags, controlPlaneConfig } from '../config/control-plane.js';
import { kubernetesConfig } from '../config/kubernetes-flags.js';
import type { ManifestOptions } from './options.js';

/**
 * The documentation address (RFC 5737) standing in for `$(NODE_IP)`: the kubelet fills in the
 * node's address when the pod starts, so the generator cannot know it, only that it is given.
 */
const nodeIpStandIn = '192.0.2.1';
const nodeNameStandIn = 'node';

/**
 * The flags a manifest hands to `anyvip run`, as `anyvip run` would see them. Both manifests
 * go through the functions `anyvip run` itself calls (`kubernetesConfig`, `controlPlaneConfig`,
 * `resolveAdminListen`), so the generator refuses exactly what the pod would refuse, with the
 * same message, instead of printing a pod that crash-loops.
 *
 * Left to the pod, because only the node knows them: the downward API values (`$(NODE_NAME)`,
 * `$(NODE_IP)`, `$(POD_IP)`), the TCP-MD5 key file's content, whether the `@anyvip/tcp-auth`
 * addon loads (GTSM, TCP-MD5) and the health credentials' files; `anyvip doctor` checks those
 * on the node.
 *
 * @throws AnyvipError `ANYVIP_USAGE` with `anyvip run`'s message
 */
export function checkRunFlags(kind: 'daemonset' | 'pod', o: ManifestOptions): void {
  const node = {
    peers: o.peers,
    peerAsns: o.peerAsns,
    asn: o.asn,
    mode: 'bgp',
    holdTimeSec: undefined,
    table: undefined,
    tableProtocol: undefined,
    logLevel: o.logLevel,
    bfdIntervalMs: o.bfdIntervalMs,
    bfdMultiplier: o.bfdMultiplier,
    listenPort: o.listenPort,
  } as const;
  if (kind === 'daemonset') {
    kubernetesConfig(
      {
        ...node,
        routerId: nodeIpStandIn,
        kubeconfig: undefined,
        nodeName: nodeNameStandIn,
        loadBalancerClass: o.loadBalancerClass,
        leaseName: o.leaseName,
        leaseNamespace: o.namespace,
        poolsConfigMap: o.poolsConfigMap,
        allowedRanges: o.allowedRanges,
        singleAnnouncer: o.singleAnnouncer,
        localGrace: undefined,
      },
      {},
    );
    resolveAdminListen({ adminAddress: `${nodeIpStandIn}:${o.adminPort}` }, defaultAdmin);
  } else {
    const flags: ControlPlaneFlags = {
      ...node,
      vips: o.vips,
      routerId: o.routerId,
      health: 'apiserver',
      healthClientCert: o.healthClientCert,
      healthClientKey: o.healthClientKey,
      healthTokenFile: o.healthTokenFile,
    };
    controlPlaneConfig(flags);
    resolveAdminListen({ adminAddress: `127.0.0.1:${o.adminPort}` }, defaultAdmin);
  }
}
