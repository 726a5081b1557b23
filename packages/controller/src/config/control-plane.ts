import { AnyvipError } from '../errors.js';
import { preflight } from './preflight.js';
import { type ControllerConfig, type Mode, type ParseOptions, parseConfig } from './schema.js';

/** `anyvip run --control-plane` flags. */
export interface ControlPlaneFlags {
  /** `--vip`, one or more addresses. */
  readonly vips: readonly string[];
  /** `--peer`, one or more neighbor addresses. */
  readonly peers: readonly string[];
  /** `--peer-asn`: one for all peers, or one per `--peer` in order. */
  readonly peerAsns: readonly number[];
  /** `--asn`. */
  readonly asn: number | undefined;
  /** `--router-id`. */
  readonly routerId: string | undefined;
  /** `--health`: `apiserver`, `apiserver:readyz`, `http(s)://…`, `tcp://host:port`, `exec:…`. */
  readonly health: string | undefined;
  /**
   * `--health-client-cert`, `--health-client-key`, `--health-token-file`: credentials for the
   * `apiserver` probe, for clusters that answer anonymous requests with 401
   * (`--anonymous-auth=false`, CIS 1.2.1). Files are re-read when they rotate.
   */
  readonly healthClientCert?: string | undefined;
  readonly healthClientKey?: string | undefined;
  readonly healthTokenFile?: string | undefined;
  /** `--mode`, default bgp. */
  readonly mode: Mode;
  /** `--hold-time` seconds. */
  readonly holdTimeSec: number | undefined;
  /** `--table`, `--table-protocol` for mode table. */
  readonly table: number | undefined;
  readonly tableProtocol: number | undefined;
  /** `--log-level`. */
  readonly logLevel: string | undefined;
  /** `--password-file`: the TCP-MD5 key (RFC 2385) for every peer; there is no password flag (`ps` shows flags). */
  readonly passwordFile?: string | undefined;
  /** `--ttl-security`: GTSM (RFC 5082) with every peer, directly connected. */
  readonly ttlSecurity?: boolean | undefined;
  /** `--bfd-interval` ms (both directions) and `--bfd-multiplier`: BFD on every peer when the interval is given. */
  readonly bfdIntervalMs?: number | undefined;
  readonly bfdMultiplier?: number | undefined;
  /** `--graceful-restart-time` seconds: Graceful Restart on every peer when given (SIGUSR2 restarts). */
  readonly gracefulRestartTimeSec?: number | undefined;
  /**
   * `--listen-port`: accept BGP sessions on this port (`bgp.listen`), so a router may open the
   * session as well as anyvip; without it anyvip only connects out. `--listen-address` narrows
   * the socket to one local address (default: every address, as BIRD and FRR listen).
   */
  readonly listenPort?: number | undefined;
  readonly listenAddress?: string | undefined;
  /**
   * `--graceful-shutdown-wait`: on SIGTERM re-announce every VIP with GRACEFUL_SHUTDOWN
   * (RFC 8326, 65535:0) and wait this long before withdrawing (hitless rollouts).
   */
  readonly gracefulShutdownWait?: string | undefined;
}

/** The check name the control-plane VIP uses. */
export const controlPlaneCheck = 'control-plane';

/** The flags every `anyvip run` mode shares: mode, speaker and peers, table, log level. */
export type NodeFlags = Pick<
  ControlPlaneFlags,
  | 'peers'
  | 'peerAsns'
  | 'asn'
  | 'routerId'
  | 'mode'
  | 'holdTimeSec'
  | 'table'
  | 'tableProtocol'
  | 'logLevel'
  | 'passwordFile'
  | 'ttlSecurity'
  | 'bfdIntervalMs'
  | 'bfdMultiplier'
  | 'gracefulRestartTimeSec'
  | 'listenPort'
  | 'listenAddress'
  | 'gracefulShutdownWait'
>;

/**
 * The raw configuration (before {@link parseFlagConfig}) for the node's speaker or table,
 * as a standalone file would hold it.
 *
 * @throws AnyvipError `ANYVIP_USAGE` naming the flag at fault
 */
export function speakerFromFlags(
  flags: NodeFlags,
  options: { readonly kubernetes?: boolean } = {},
): Record<string, unknown> {
  const raw: Record<string, unknown> = { mode: flags.mode };
  const k8s = options.kubernetes === true;
  if (flags.mode === 'bgp') {
    // Kubernetes mode: peers may come from AnyvipPeer objects or node annotations, and the
    // router id from the Node (desired/peers.ts).
    if (flags.peers.length === 0 && !k8s) throw usage('--peer is required in mode bgp');
    if (
      flags.peers.length > 0 &&
      flags.peerAsns.length !== 1 &&
      flags.peerAsns.length !== flags.peers.length
    ) {
      throw usage(`give one --peer-asn for all peers or one per --peer (${flags.peers.length})`);
    }
    if (flags.asn === undefined) throw usage('--asn is required in mode bgp');
    if (flags.routerId === undefined && !k8s) throw usage('--router-id is required in mode bgp');
    if (flags.listenAddress !== undefined && flags.listenPort === undefined)
      throw usage('--listen-address needs --listen-port');
    raw.bgp = {
      asn: flags.asn,
      ...(flags.routerId !== undefined ? { routerId: flags.routerId } : {}),
      ...(flags.listenPort !== undefined
        ? {
            listen: {
              port: flags.listenPort,
              ...(flags.listenAddress !== undefined ? { address: flags.listenAddress } : {}),
            },
          }
        : {}),
      peers: flags.peers.map((address, i) => ({
        address,
        asn: flags.peerAsns[i] ?? flags.peerAsns[0],
        ...(flags.holdTimeSec !== undefined ? { holdTime: flags.holdTimeSec } : {}),
        ...(flags.passwordFile !== undefined ? { passwordFile: flags.passwordFile } : {}),
        ...(flags.ttlSecurity === true ? { ttlSecurity: true } : {}),
        ...(flags.bfdIntervalMs !== undefined
          ? {
              bfd: {
                minTx: flags.bfdIntervalMs,
                minRx: flags.bfdIntervalMs,
                ...(flags.bfdMultiplier !== undefined ? { multiplier: flags.bfdMultiplier } : {}),
              },
            }
          : {}),
        ...(flags.gracefulRestartTimeSec !== undefined
          ? { gracefulRestart: { restartTime: flags.gracefulRestartTimeSec } }
          : {}),
      })),
    };
  } else if (flags.peers.length > 0 || flags.asn !== undefined || flags.listenPort !== undefined) {
    throw usage(
      '--peer, --peer-asn, --asn and --listen-port are for mode bgp; in mode table the node’s BIRD or FRR announces',
    );
  }
  if (flags.table !== undefined || flags.tableProtocol !== undefined) {
    raw.table = {
      ...(flags.table !== undefined ? { id: flags.table } : {}),
      ...(flags.tableProtocol !== undefined ? { protocol: flags.tableProtocol } : {}),
    };
  }
  if (flags.logLevel !== undefined) raw.log = { level: flags.logLevel };
  if (flags.gracefulShutdownWait !== undefined)
    raw.gracefulShutdown = { enabled: true, wait: flags.gracefulShutdownWait };
  return raw;
}

/**
 * Builds the same configuration a standalone file would hold from the control-plane flags,
 * and validates it with the same schema, so both modes behave alike. The health preset
 * (`--health apiserver`: `@anyvip/healthcheck`'s kube-apiserver probe, `/livez` on
 * 127.0.0.1:6443) runs every 2 s, every 500 ms while a change is under way, with a 400 ms
 * timeout, rise 2 and fall 3: a dead apiserver is withdrawn within about 3.5 s.
 *
 * @throws AnyvipError `ANYVIP_USAGE` naming the flag at fault
 */
export function controlPlaneConfig(flags: ControlPlaneFlags): ControllerConfig {
  if (flags.vips.length === 0) throw usage('--vip is required');
  const raw = speakerFromFlags(flags);
  if (
    flags.health === undefined &&
    (flags.healthClientCert ?? flags.healthClientKey ?? flags.healthTokenFile) !== undefined
  )
    throw usage(
      '--health-client-cert, --health-client-key and --health-token-file are for --health apiserver',
    );
  if (flags.health !== undefined) {
    raw.healthchecks = {
      [controlPlaneCheck]: {
        probes: [healthProbe(flags)],
        interval: '2s',
        fastInterval: '500ms',
        timeout: '400ms',
        rise: 2,
        fall: 3,
      },
    };
  }
  raw.vips = flags.vips.map((address) => ({
    address,
    ...(flags.health !== undefined ? { healthcheck: controlPlaneCheck } : {}),
  }));
  return parseFlagConfig(raw);
}

/**
 * The `--health` probe: the spec string as given, or, with credential flags, the `apiserver`
 * probe object carrying them.
 *
 * @throws AnyvipError `ANYVIP_USAGE` when credentials are given for another kind of probe
 */
function healthProbe(flags: ControlPlaneFlags): string | Record<string, unknown> {
  const health = flags.health ?? '';
  const credentials = {
    ...(flags.healthClientCert !== undefined ? { clientCertFile: flags.healthClientCert } : {}),
    ...(flags.healthClientKey !== undefined ? { clientKeyFile: flags.healthClientKey } : {}),
    ...(flags.healthTokenFile !== undefined ? { tokenFile: flags.healthTokenFile } : {}),
  };
  if (Object.keys(credentials).length === 0) return health;
  const endpoint = /^apiserver(?::(.*))?$/.exec(health);
  if (endpoint === null)
    throw usage(
      '--health-client-cert, --health-client-key and --health-token-file are for --health apiserver',
    );
  if (flags.healthClientKey !== undefined && flags.healthClientCert === undefined)
    throw usage('--health-client-key needs --health-client-cert');
  return {
    kind: 'apiserver',
    ...(endpoint[1] !== undefined ? { endpoint: endpoint[1] } : {}),
    ...credentials,
  };
}

/**
 * Validates a configuration built from flags and runs the start-up preflight on it; a fault
 * names the flag it came from.
 */
export function parseFlagConfig(raw: Record<string, unknown>, options: ParseOptions = {}): ControllerConfig {
  try {
    return preflight(parseConfig(raw, options));
  } catch (err) {
    if (err instanceof AnyvipError && err.path !== undefined)
      throw usage(`${flagOf(err.path)}: ${err.detail}`);
    throw err;
  }
}

/** The flag a configuration path came from. */
function flagOf(path: string): string {
  const rules: [RegExp, string][] = [
    [/^vips\[\d+\]/, '--vip'],
    [/^bgp\.peers\[\d+\]\.asn/, '--peer-asn'],
    [/^bgp\.peers\[\d+\]\.holdTime/, '--hold-time'],
    [/^bgp\.peers\[\d+\]\.bfd\.multiplier/, '--bfd-multiplier'],
    [/^bgp\.peers\[\d+\]\.bfd/, '--bfd-interval'],
    [/^bgp\.peers\[\d+\]\.gracefulRestart/, '--graceful-restart-time'],
    [/^gracefulShutdown/, '--graceful-shutdown-wait'],
    [/^bgp\.peers/, '--peer'],
    [/^bgp\.listen\.port/, '--listen-port'],
    [/^bgp\.listen\.address/, '--listen-address'],
    [/^bgp\.asn/, '--asn'],
    [/^bgp\.routerId/, '--router-id'],
    [/^healthchecks/, '--health'],
    [/^table\.id/, '--table'],
    [/^table\.protocol/, '--table-protocol'],
    [/^log/, '--log-level'],
    [/^allowedRanges/, '--allowed-range'],
  ];
  return rules.find(([re]) => re.test(path))?.[1] ?? path;
}

export function usage(detail: string): AnyvipError {
  return new AnyvipError('ANYVIP_USAGE', detail);
}
