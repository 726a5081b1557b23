import { parseDuration } from '@anyvip/healthcheck';
import { type IpRange, parseRange } from '../address/ip-range.js';
import { type NodeFlags, parseFlagConfig, speakerFromFlags, usage } from './control-plane.js';
import { leaseNameFor } from './lease-name.js';
import type { ControllerConfig } from './schema.js';

/** `anyvip run` (Kubernetes Services mode) flags. */
export interface KubernetesFlags extends NodeFlags {
  readonly kubeconfig: string | undefined;
  /** `--node-name`, default `$NODE_NAME` (the downward API). */
  readonly nodeName: string | undefined;
  readonly loadBalancerClass: string | undefined;
  readonly leaseName: string | undefined;
  /** Default `$POD_NAMESPACE`, else `kube-system`. */
  readonly leaseNamespace: string | undefined;
  /** `--pools-configmap [NAMESPACE/]NAME`; the namespace defaults to the lease namespace. */
  readonly poolsConfigMap: string | undefined;
  /** `--allowed-range`, CIDRs or `A-B` ranges allowed besides the pools. */
  readonly allowedRanges: readonly string[];
  /** `--single-announcer`: one node per VIP for every Service (routers without ECMP). */
  readonly singleAnnouncer: boolean;
  /** `--local-grace`: how long a Local Service stays announced after its last endpoint left. */
  readonly localGrace: string | undefined;
  /** `--weighted-ecmp`: weight every Local Service by its endpoints (link bandwidth). */
  readonly weightedEcmp?: boolean;
  /** `--weighted-ecmp-interval`: at most one weight change per VIP per interval. */
  readonly weightedEcmpInterval?: string | undefined;
  /** `--link-bandwidth-unit`: bytes per second per ready endpoint. */
  readonly linkBandwidthUnit?: number | undefined;
  /** `--link-bandwidth-transitive`: send the transitive (0x00) form. */
  readonly linkBandwidthTransitive?: boolean;
  /** `--node-lease-interval`: how often this node renews its liveness lease (default 2s). */
  readonly nodeLeaseInterval?: string | undefined;
  /** `--kube-vip-annotation-prefix`: kube-vip's node annotations (default `kube-vip.io`). */
  readonly kubeVipAnnotationPrefix?: string | undefined;
}

/** Everything Kubernetes mode needs besides the runtime's configuration. */
export interface KubernetesSettings {
  readonly kubeconfig: string | undefined;
  readonly nodeName: string;
  readonly loadBalancerClass: string | undefined;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  readonly poolsConfigMap: { readonly namespace: string; readonly name: string } | undefined;
  /** As given (CIDRs or ranges), for messages and manifests. */
  readonly allowedRanges: readonly string[];
  /** The same, parsed once here: the one allowed-range model desired/ enforces with the pools. */
  readonly allowList: readonly IpRange[];
  readonly singleAnnouncer: boolean;
  readonly localGraceMs: number;
  /** Weight every Local Service unless its annotation says `"false"` (desired/weighted-ecmp.ts). */
  readonly weightedEcmp: boolean;
  /** Damping of weight changes (desired/weight-damping.ts). */
  readonly weightedEcmpIntervalMs: number;
  /**
   * Per-node liveness lease renewal interval (single-announcer failover within 3 intervals);
   * undefined: node leases off (tests that build settings by hand).
   */
  readonly nodeLeaseIntervalMs?: number;
  /** kube-vip's node annotation prefix (`<prefix>/peer-ip`, …); default `kube-vip.io`. */
  readonly kubeVipAnnotationPrefix?: string;
}

/** Default damping of weight changes: one UPDATE per VIP per 5 s at most during a rolling update. */
export const defaultWeightedEcmpIntervalMs = 5000;

/** Default node lease renewal interval: a SIGKILLed anyvip's VIPs move within about 3 × this. */
export const defaultNodeLeaseIntervalMs = 2000;

/** Default grace before a Local Service's VIP is withdrawn from a node that lost its endpoints. */
export const defaultLocalGraceMs = 5000;

/**
 * Builds the runtime configuration (speaker and peers as `--control-plane` does, no VIPs: the
 * cluster supplies them) and the Kubernetes settings from the flags.
 *
 * @throws AnyvipError `ANYVIP_USAGE` naming the flag at fault
 */
export function kubernetesConfig(
  flags: KubernetesFlags,
  env: NodeJS.ProcessEnv,
): { readonly config: ControllerConfig; readonly kubernetes: KubernetesSettings } {
  const nodeName = flags.nodeName ?? env.NODE_NAME;
  if (nodeName === undefined || nodeName === '')
    throw usage('--node-name is required (or NODE_NAME from the downward API: spec.nodeName)');
  const raw = speakerFromFlags(flags, { kubernetes: true });
  raw.vips = [];
  if (
    (flags.linkBandwidthUnit !== undefined || flags.linkBandwidthTransitive === true) &&
    typeof raw.bgp === 'object' &&
    raw.bgp !== null
  )
    (raw.bgp as Record<string, unknown>).linkBandwidth = {
      ...(flags.linkBandwidthUnit !== undefined ? { unit: flags.linkBandwidthUnit } : {}),
      ...(flags.linkBandwidthTransitive === true ? { transitive: true } : {}),
    };
  const config = parseFlagConfig(raw, { peersFromCluster: true });
  const prefix = flags.kubeVipAnnotationPrefix;
  if (prefix !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(prefix))
    throw usage(
      `--kube-vip-annotation-prefix: ${JSON.stringify(prefix)} is not a DNS subdomain such as kube-vip.io`,
    );
  const leaseNamespace = flags.leaseNamespace ?? (env.POD_NAMESPACE || 'kube-system');
  let poolsConfigMap: KubernetesSettings['poolsConfigMap'];
  if (flags.poolsConfigMap !== undefined && flags.poolsConfigMap !== '') {
    const [a, b] = flags.poolsConfigMap.split('/');
    if (
      a === undefined ||
      a === '' ||
      (b !== undefined && b === '') ||
      flags.poolsConfigMap.split('/').length > 2
    )
      throw usage(
        `--pools-configmap: expected NAME or NAMESPACE/NAME, got ${JSON.stringify(flags.poolsConfigMap)}`,
      );
    poolsConfigMap = b === undefined ? { namespace: leaseNamespace, name: a } : { namespace: a, name: b };
  }
  const allowList: IpRange[] = [];
  for (const r of flags.allowedRanges) {
    const range = parseRange(r);
    if ('error' in range)
      throw usage(`--allowed-range: ${JSON.stringify(r)} is not a CIDR or an A-B range (${range.error})`);
    allowList.push(range);
  }
  let localGraceMs = defaultLocalGraceMs;
  if (flags.localGrace !== undefined) {
    try {
      localGraceMs = parseDuration(flags.localGrace);
    } catch (err) {
      throw usage(`--local-grace: ${String(err)}`);
    }
  }
  let weightedEcmpIntervalMs = defaultWeightedEcmpIntervalMs;
  if (flags.weightedEcmpInterval !== undefined) {
    try {
      weightedEcmpIntervalMs = parseDuration(flags.weightedEcmpInterval);
    } catch (err) {
      throw usage(`--weighted-ecmp-interval: ${String(err)}`);
    }
  }
  let nodeLeaseIntervalMs = defaultNodeLeaseIntervalMs;
  if (flags.nodeLeaseInterval !== undefined) {
    try {
      nodeLeaseIntervalMs = parseDuration(flags.nodeLeaseInterval);
    } catch (err) {
      throw usage(`--node-lease-interval: ${String(err)}`);
    }
    if (nodeLeaseIntervalMs < 200) throw usage('--node-lease-interval: at least 200ms');
  }
  return {
    config,
    kubernetes: {
      kubeconfig: flags.kubeconfig,
      nodeName,
      loadBalancerClass: flags.loadBalancerClass === '' ? undefined : flags.loadBalancerClass,
      leaseName: flags.leaseName ?? leaseNameFor(flags.loadBalancerClass),
      leaseNamespace,
      poolsConfigMap,
      allowedRanges: flags.allowedRanges,
      allowList,
      singleAnnouncer: flags.singleAnnouncer,
      localGraceMs,
      weightedEcmp: flags.weightedEcmp ?? false,
      weightedEcmpIntervalMs,
      nodeLeaseIntervalMs,
      ...(prefix !== undefined ? { kubeVipAnnotationPrefix: prefix } : {}),
    },
  };
}
