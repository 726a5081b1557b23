import { durationMs } from '../config/field.js';
import { defaultGracefulShutdown } from '../config/schema.js';
/** What `anyvip manifest` builds manifests from (flags). */
export interface ManifestOptions {
  /** Name of every object (DaemonSet, Pod, ServiceAccount, roles). Default `anyvip`. */
  readonly name: string;
  /** Default `kube-system`. */
  readonly namespace: string;
  readonly image: string;
  /** BGP neighbors (every node peers with them). */
  readonly peers: readonly string[];
  /** One for all peers, or one per peer. */
  readonly peerAsns: readonly number[];
  readonly asn: number | undefined;
  /** Service VIPs: handle only Services of this `spec.loadBalancerClass`. */
  readonly loadBalancerClass: string | undefined;
  readonly leaseName: string | undefined;
  /** `NAME` (in `namespace`) or `NAMESPACE/NAME`. */
  readonly poolsConfigMap: string | undefined;
  readonly allowedRanges: readonly string[];
  readonly singleAnnouncer: boolean;
  /** Control-plane VIP (static Pod). */
  readonly vips: readonly string[];
  /** Static Pod: this node's BGP identifier (a static Pod is written per node). */
  readonly routerId: string | undefined;
  /**
   * `anyvip run --listen-port`: also accept BGP sessions on this port (every address of the
   * node; the pod is on the host network). Below 1024 it needs NET_BIND_SERVICE (security.ts).
   */
  readonly listenPort: number | undefined;
  /** Admin listener port (metrics, health, status). */
  readonly adminPort: number;
  readonly logLevel: string | undefined;
  /**
   * DaemonSet: `NAME` or `NAME/KEY` (key default `password`) of a Secret holding the TCP-MD5
   * key (RFC 2385). Mounted as a file and passed as `--password-file`: the key never appears
   * in the manifest, in flags (`ps`) or in logs, and the Secret needs no RBAC (the kubelet
   * mounts it).
   */
  readonly passwordSecret: string | undefined;
  /**
   * Static Pod: a host file holding the TCP-MD5 key (a static Pod cannot reference Secrets);
   * mounted read-only; the container runs as UID 0 without CAP_DAC_OVERRIDE, so root must own it
   * (mode 0400 or 0600).
   */
  readonly passwordFile: string | undefined;
  /**
   * Static Pod: host files with credentials for the `--health apiserver` probe (client
   * certificate and key, or a bearer token), for clusters that refuse anonymous requests
   * (`--anonymous-auth=false`). Each is mounted read-only under {@link healthMountPath} and must
   * be owned by root (the container is UID 0 without CAP_DAC_OVERRIDE).
   */
  readonly healthClientCert?: string | undefined;
  readonly healthClientKey?: string | undefined;
  readonly healthTokenFile?: string | undefined;
  /** GTSM (RFC 5082) with every peer. */
  readonly ttlSecurity: boolean;
  /** BFD (RFC 5880) to every peer at this interval, ms; undefined: off. */
  readonly bfdIntervalMs: number | undefined;
  /** `--graceful-shutdown-wait` for `anyvip run` (RFC 8326 rollouts); the pod's grace period covers it. */
  readonly gracefulShutdownWait?: string | undefined;
  readonly bfdMultiplier: number | undefined;
}

/** Where the static Pod mounts the health probe's credential files (client.crt, client.key, token). */
export const healthMountPath = '/etc/anyvip/health';

/** Where the TCP-MD5 key file is mounted in the container. */
export const passwordMountPath = '/etc/anyvip/bgp-password';

/** The default image reference: the package version, so a release names its own image. */
export const defaultImage = 'ghcr.io/anyvip/anyvip:0.1.0';
export const defaultAdminPort = 9716;

export const defaultManifestOptions: ManifestOptions = {
  name: 'anyvip',
  namespace: 'kube-system',
  image: defaultImage,
  peers: [],
  peerAsns: [],
  asn: undefined,
  loadBalancerClass: undefined,
  leaseName: undefined,
  poolsConfigMap: undefined,
  allowedRanges: [],
  singleAnnouncer: false,
  vips: [],
  routerId: undefined,
  listenPort: undefined,
  adminPort: defaultAdminPort,
  logLevel: undefined,
  passwordSecret: undefined,
  passwordFile: undefined,
  ttlSecurity: false,
  bfdIntervalMs: undefined,
  bfdMultiplier: undefined,
};

/** A Kubernetes object as the generator returns it. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** `app.kubernetes.io/*` labels shared by every object. */
export function labels(o: ManifestOptions, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'anyvip',
    'app.kubernetes.io/instance': o.name,
    'app.kubernetes.io/component': component,
  };
}

/** The `anyvip run` BGP flags shared by both modes. */
export function bgpArgs(o: ManifestOptions): string[] {
  const args: string[] = [];
  if (o.asn !== undefined) args.push(`--asn=${o.asn}`);
  for (const p of o.peers) args.push(`--peer=${p}`);
  for (const a of o.peerAsns) args.push(`--peer-asn=${a}`);
  if (o.listenPort !== undefined) args.push(`--listen-port=${o.listenPort}`);
  if (o.ttlSecurity) args.push('--ttl-security');
  if (o.bfdIntervalMs !== undefined) args.push(`--bfd-interval=${o.bfdIntervalMs}`);
  if (o.bfdMultiplier !== undefined) args.push(`--bfd-multiplier=${o.bfdMultiplier}`);
  if (o.gracefulShutdownWait !== undefined) args.push(`--graceful-shutdown-wait=${o.gracefulShutdownWait}`);
  if (o.logLevel !== undefined) args.push(`--log-level=${o.logLevel}`);
  return args;
}

/** The kubelet's default grace period, enough for a shutdown without RFC 8326's waits. */
const defaultGraceSeconds = 30;
/** Margin over the waits for the passes around them and the Cease: a SIGKILL must not cut them short. */
const graceMarginSeconds = 10;

/**
 * The pod's `terminationGracePeriodSeconds`: the kubelet's 30 s, or longer when
 * `--graceful-shutdown-wait` and the 1 s unbind delay after the withdrawal would not fit in it
 * with a margin. A SIGKILL during the wait leaves the routes to the router's hold timer.
 */
export function terminationGraceSeconds(o: ManifestOptions): number {
  if (o.gracefulShutdownWait === undefined) return defaultGraceSeconds;
  const waitMs = durationMs(o.gracefulShutdownWait, '--graceful-shutdown-wait');
  const needed = Math.ceil((waitMs + defaultGracefulShutdown.unbindDelayMs) / 1000) + graceMarginSeconds;
  return Math.max(defaultGraceSeconds, needed);
}
