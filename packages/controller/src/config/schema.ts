import type { FamilyName } from '@anyvip/bgp';
import {
  formatPrefix,
  type Prefix,
  parseCommunity,
  parseIpv4,
  parseLargeCommunity,
  parsePrefix,
} from '@anyvip/bgp/wire';
import type { CheckOptions } from '@anyvip/healthcheck';
import { checkVipInPools } from '../address/allowed-ranges.js';
import { AnyvipError, invalidConfig } from '../errors.js';
import { type AdminConfig, defaultAdmin, parseAdmin } from './admin.js';
import {
  absent,
  boolean,
  describe,
  durationMs,
  integer,
  join,
  known,
  list,
  object,
  oneOf,
  seconds,
  string,
  stringList,
} from './field.js';
import { parseHealthcheck } from './healthchecks.js';
import { type LinkBandwidthConfig, parseLinkBandwidth } from './link-bandwidth.js';
import type { PeerPassword } from './peer-password.js';

/**
 * The controller's one configuration schema, for every mode: a standalone YAML file, the
 * control-plane flags (which build the same structure) and, later, Kubernetes. Everything is
 * checked on load: an error names the key path (`vips[1].healthcheck`) and says what is
 * wrong, and nothing unknown is ignored. Defaults are filled in here, so the rest of the
 * controller never sees an optional setting.
 */

/** How VIPs leave the node: announced over BGP by our own speaker, or written to a kernel table. */
export type Mode = 'bgp' | 'table';
export const modes: readonly Mode[] = ['bgp', 'table'];

/** An address family by name (RFC 4760 AFI 1 / 2, unicast): the speaker's own vocabulary. */
export type { FamilyName } from '@anyvip/bgp';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const logLevels: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** One BGP neighbor. */
export interface PeerConfig {
  /** Canonical IPv4 or IPv6 address (RFC 5952 text for IPv6). */
  readonly address: string;
  /** The neighbor's AS. */
  readonly asn: number;
  /** TCP port we connect to. Default 179. */
  readonly port: number;
  /** Hold Time we offer, seconds (RFC 4271 §4.2: 0 or 3-65535). Default 90. */
  readonly holdTimeSec: number;
  /** Source address for the session; default: the kernel's choice. */
  readonly localAddress: string | undefined;
  /** Wait for the neighbor to connect (needs `bgp.listen`). Default false. */
  readonly passive: boolean;
  /** eBGP multihop TTL; undefined: directly connected. */
  readonly multihop: number | undefined;
  /** Families to negotiate; default the family of `address`. */
  readonly families: readonly FamilyName[] | undefined;
  /** Next hop to send for routes of the family the session is not of (an IPv6 VIP over IPv4). */
  readonly nextHopSelf: { readonly ipv4?: string; readonly ipv6?: string } | undefined;
  /** ConnectRetry seconds (RFC 4271 §10); default the speaker's (5). */
  readonly connectRetrySec: number | undefined;
  /**
   * File holding the TCP-MD5 key (RFC 2385), read when the peer is added; the key
   * itself never enters the configuration, logs or status. Needs @anyvip/tcp-auth.
   */
  readonly passwordFile: string | undefined;
  /**
   * HMAC-SHA-256 of the key under a random per-process key: equal while the file's
   * content is, different once it changes, so a SIGHUP after a key rotation re-adds
   * the peer (a new session with the new key) while an unchanged file touches
   * nothing. It reveals nothing about the key outside this process.
   */
  readonly passwordFingerprint: string | undefined;
  /** GTSM (RFC 5082): `true` for a directly connected router, `{ hops }` further away. Needs @anyvip/tcp-auth. */
  readonly ttlSecurity: true | { readonly hops: number } | undefined;
  /** BFD to the neighbor (RFC 5880); absent: off. */
  readonly bfd?: PeerBfdConfig;
  /** Graceful Restart as the restarting speaker (RFC 4724); absent: off. */
  readonly gracefulRestart?: PeerGracefulRestartConfig;
  /**
   * Where the peer came from, for status: `AnyvipPeer/<name>`, `node-annotation`, or undefined
   * (flags, a configuration file).
   */
  readonly source?: string;
  /** Kubernetes mode: the TCP-MD5 key from a Secret (`passwordSecretRef`); JSON shows only its fingerprint. */
  readonly password?: PeerPassword;
}

/** `peers[].bfd`: `true` for the defaults, or the intervals. */
export interface PeerBfdConfig {
  /** Desired min TX interval while Up, ms. Default 300. */
  readonly minTxMs: number;
  /** Required min RX interval, ms. Default 300. */
  readonly minRxMs: number;
  /** Detect multiplier. Default 3. */
  readonly multiplier: number;
  /** RFC 5883 multihop; default: true for eBGP multihop peers. */
  readonly multihop: boolean | undefined;
}

/** `peers[].gracefulRestart`: `true` for the defaults. */
export interface PeerGracefulRestartConfig {
  /** Restart Time advertised, seconds (0-4095). Default 120. */
  readonly restartTimeSec: number;
  /** Advertise the RFC 8538 N bit. Default false (see the README). */
  readonly notification: boolean;
}

/** Accepting sessions (needed for passive peers). */
export interface ListenConfig {
  /** Default: every address. */
  readonly address: string | undefined;
  /** Default 179. */
  readonly port: number;
}

/** `bgp:`: our speaker and its neighbors. */
export interface BgpConfig {
  readonly asn: number;
  /**
   * BGP Identifier, a non-zero dotted quad (RFC 6286). Undefined only in Kubernetes mode without
   * `--router-id`: each node's comes from its Node (desired/peers.ts).
   */
  readonly routerId: string | undefined;
  readonly listen: ListenConfig | undefined;
  /** May be empty only in Kubernetes mode (peers from AnyvipPeer objects or node annotations). */
  readonly peers: readonly PeerConfig[];
  /**
   * Where a planned restart (SIGUSR2) leaves its mark, so that the next start sets the
   * Graceful Restart R bit (RFC 4724 §3). Default /run/anyvip/graceful-restart.
   */
  readonly restartStateFile?: string;
  /**
   * `linkBandwidth: { unit, transitive }`: how VIP weights become the link-bandwidth extended
   * community (desired/link-bandwidth.ts). Default 1 Gbit/s per unit, non-transitive.
   */
  readonly linkBandwidth?: LinkBandwidthConfig;
}

/** `table:`: where routing-table mode writes routes (for a BIRD or FRR on the node). */
export interface TableConfig {
  /** Kernel routing table id. Default 198. Not 0, 253, 254 or 255 (unspec, default, main, local). */
  readonly id: number;
  /** Route protocol number marking our routes (`proto N`); default 248. At least 5 (0-4 are the kernel's). */
  readonly protocol: number;
}

/** `loopback:`: binding VIPs to a local interface so that the node accepts their traffic. */
export interface LoopbackConfig {
  /** Default true. */
  readonly enabled: boolean;
  /** Default `lo`. */
  readonly device: string;
  /**
   * The address metric (IFA_RT_PRIORITY) that marks an address as ours: only addresses with it
   * are ever removed. Default {@link defaultLoopbackMetric}.
   */
  readonly metric: number;
  /**
   * Keep the address bound while the VIP's check is down (the route is withdrawn, so routers
   * stop sending new traffic, while in-flight packets still land). Default true, as ExaBGP's
   * healthcheck does.
   */
  readonly keepWhenDown: boolean;
}

/** One virtual IP. */
export interface VipConfig {
  /** The address, canonical (`10.250.255.1`, `fd00:250::1`). */
  readonly address: string;
  /** Its host prefix, canonical (`10.250.255.1/32`, `fd00:250::1/128`): the VIP's key everywhere. */
  readonly prefix: string;
  readonly family: FamilyName;
  /** Name of an entry of `healthchecks`; none: always up. */
  readonly healthcheck: string | undefined;
  /** RFC 1997 communities (`65000:100`, `NO_EXPORT`), canonical text. */
  readonly communities: readonly string[];
  /** RFC 8092 large communities (`65000:1:2`). */
  readonly largeCommunities: readonly string[];
  /** MULTI_EXIT_DISC (RFC 4271 §5.1.4). */
  readonly med: number | undefined;
  /** LOCAL_PREF for iBGP peers (RFC 4271 §5.1.5). */
  readonly localPref: number | undefined;
  /** Extra copies of our AS on eBGP (to make this node a backup). Default 0. */
  readonly asPathPrepend: number;
  /**
   * Weighted ECMP: announce with the link-bandwidth extended community, weight × `bgp.linkBandwidth.unit`
   * bytes per second, so a router doing UCMP (FRR `bgp bestpath bandwidth`) sends this node a share of
   * new flows in proportion. Undefined: no community (plain ECMP). 0 keeps the route with no share.
   */
  readonly weight?: number;
}

/** `gracefulShutdown:` (RFC 8326). */
export interface GracefulShutdownConfig {
  /** On SIGTERM, first re-announce every VIP with GRACEFUL_SHUTDOWN (65535:0). Default false. */
  readonly enabled: boolean;
  /** Then wait this long before withdrawing. Default 5 s. */
  readonly waitMs: number;
}

/** `reconcile:`. */
export interface ReconcileConfig {
  /** A full pass this often even without events, to restore what someone removed. Default 10 s. */
  readonly intervalMs: number;
  /** First retry after a failed pass. Default 200 ms; doubles per failure. */
  readonly retryMinMs: number;
  /** Longest retry delay. Default 30 s. */
  readonly retryMaxMs: number;
}

/** The whole, validated configuration, defaults filled in. */
export interface ControllerConfig {
  readonly mode: Mode;
  /** Set in `bgp` mode (required there). */
  readonly bgp: BgpConfig | undefined;
  readonly table: TableConfig;
  readonly loopback: LoopbackConfig;
  /** By name, as `@anyvip/healthcheck` options (named after their key). */
  readonly healthchecks: ReadonlyMap<string, CheckOptions>;
  readonly vips: readonly VipConfig[];
  /** Canonical prefixes; empty: no restriction. */
  readonly allowedRanges: readonly string[];
  readonly gracefulShutdown: GracefulShutdownConfig;
  readonly reconcile: ReconcileConfig;
  readonly log: { readonly level: LogLevel };
  /** The admin HTTP listener (metrics, health, status); the command line may override it. */
  readonly admin: AdminConfig;
}

/** The marker metric for our loopback addresses ("anyvip" has no number; this one is rare). */
export const defaultLoopbackMetric = 7717;
export const defaultTable: TableConfig = { id: 198, protocol: 248 };

const topKeys = [
  'mode',
  'bgp',
  'table',
  'loopback',
  'healthchecks',
  'vips',
  'allowedRanges',
  'gracefulShutdown',
  'reconcile',
  'log',
  'admin',
];

/** How {@link parseConfig} reads a document. */
export interface ParseOptions {
  /**
   * Kubernetes mode: `bgp.peers` may be empty and `bgp.routerId` absent, since AnyvipPeer
   * objects, node annotations and the Node itself supply them per node.
   */
  readonly peersFromCluster?: boolean;
}

/**
 * Validates a parsed YAML/JSON document and fills in defaults.
 *
 * @throws AnyvipError `ANYVIP_CONFIG_INVALID` (with `path`), or `ANYVIP_VIP_OUTSIDE_POOL`
 */
export function parseConfig(input: unknown, options: ParseOptions = {}): ControllerConfig {
  const o = object(input ?? {}, '');
  known(o, '', topKeys);
  const mode = absent(o.mode) ? 'bgp' : oneOf(o.mode, 'mode', modes);
  let bgp: BgpConfig | undefined;
  if (!absent(o.bgp)) bgp = parseBgp(o.bgp, 'bgp', options.peersFromCluster === true);
  if (mode === 'bgp' && bgp === undefined) throw invalidConfig('is required when mode is bgp', 'bgp');
  if (mode === 'table' && bgp !== undefined) {
    throw invalidConfig('is not used in mode table (BIRD or FRR on the node announces); remove it', 'bgp');
  }
  const table = absent(o.table) ? defaultTable : parseTable(o.table, 'table');
  const loopback = parseLoopback(o.loopback ?? {}, 'loopback');

  const healthchecks = new Map<string, CheckOptions>();
  if (!absent(o.healthchecks)) {
    const hc = object(o.healthchecks, 'healthchecks');
    for (const [name, value] of Object.entries(hc)) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
        throw invalidConfig('a check name is letters, digits, ".", "_" and "-"', `healthchecks.${name}`);
      }
      healthchecks.set(name, parseHealthcheck(name, value, `healthchecks.${name}`));
    }
  }

  const allowedRanges: Prefix[] = absent(o.allowedRanges)
    ? []
    : list(o.allowedRanges, 'allowedRanges').map((v, i) => parseRange(v, `allowedRanges[${i}]`));

  if (bgp !== undefined) checkPeerFamilies(bgp);
  const vips: VipConfig[] = [];
  const seen = new Map<string, number>();
  const vipList = absent(o.vips) ? [] : list(o.vips, 'vips');
  vipList.forEach((v, i) => {
    const path = `vips[${i}]`;
    const vip = parseVip(v, path, healthchecks);
    const earlier = seen.get(vip.prefix);
    if (earlier !== undefined)
      throw invalidConfig(`${vip.prefix} is already vips[${earlier}]`, `${path}.address`);
    seen.set(vip.prefix, i);
    const verdict = checkVipInPools(parsePrefix(vip.prefix), allowedRanges);
    if (verdict.kind === 'refused')
      throw new AnyvipError('ANYVIP_VIP_OUTSIDE_POOL', verdict.reason, `${path}.address`);
    if (mode === 'bgp' && bgp !== undefined && !bgp.peers.some((p) => peerFamilies(p).includes(vip.family))) {
      throw invalidConfig(
        `no BGP peer carries ${vip.family} routes: add an ${vip.family} peer, or give a peer families: [ipv4, ipv6] and nextHopSelf.${vip.family}`,
        `${path}.address`,
      );
    }
    vips.push(vip);
  });

  return {
    mode,
    bgp,
    table,
    loopback,
    healthchecks,
    vips,
    allowedRanges: allowedRanges.map(formatPrefix),
    gracefulShutdown: parseGracefulShutdown(o.gracefulShutdown ?? {}, 'gracefulShutdown'),
    reconcile: parseReconcile(o.reconcile ?? {}, 'reconcile'),
    log: parseLog(o.log ?? {}, 'log'),
    admin: absent(o.admin) ? defaultAdmin : parseAdmin(o.admin, 'admin'),
  };
}

function parseBgp(input: unknown, path: string, fromCluster: boolean): BgpConfig {
  const o = object(input, path);
  known(o, path, ['asn', 'routerId', 'listen', 'peers', 'restartStateFile', 'linkBandwidth']);
  const asn = asNumber(o.asn, join(path, 'asn'));
  const routerId =
    fromCluster && absent(o.routerId) ? undefined : dottedQuad(o.routerId, join(path, 'routerId'));
  const listen = absent(o.listen) ? undefined : parseListen(o.listen, join(path, 'listen'));
  const peersPath = join(path, 'peers');
  if (absent(o.peers) && !fromCluster) throw invalidConfig('must list at least one peer', peersPath);
  const peers = absent(o.peers)
    ? []
    : list(o.peers, peersPath).map((p, i) => parsePeer(p, `${peersPath}[${i}]`));
  if (peers.length === 0 && !fromCluster) throw invalidConfig('must list at least one peer', peersPath);
  const seen = new Map<string, number>();
  peers.forEach((p, i) => {
    const earlier = seen.get(p.address);
    if (earlier !== undefined) {
      throw invalidConfig(`${p.address} is already ${peersPath}[${earlier}]`, `${peersPath}[${i}].address`);
    }
    seen.set(p.address, i);
    if (p.passive && listen === undefined) {
      throw invalidConfig(
        'a passive peer needs bgp.listen to accept its connection',
        `${peersPath}[${i}].passive`,
      );
    }
  });
  return {
    asn,
    routerId,
    listen,
    peers,
    ...(absent(o.restartStateFile)
      ? {}
      : { restartStateFile: string(o.restartStateFile, join(path, 'restartStateFile')) }),
    ...(absent(o.linkBandwidth)
      ? {}
      : { linkBandwidth: parseLinkBandwidth(o.linkBandwidth, join(path, 'linkBandwidth')) }),
  };
}

/** The families a peer negotiates: as configured, else its session's (RFC 4760). */
export function peerFamilies(p: PeerConfig): readonly FamilyName[] {
  return p.families ?? [p.address.includes(':') ? 'ipv6' : 'ipv4'];
}

/**
 * A family carried over a session of the other family needs a next hop of its own (the
 * session's address cannot be one): `nextHopSelf.<family>`. Without it the speaker would
 * refuse every route of that family for the peer, silently from the operator's view.
 */
function checkPeerFamilies(bgp: BgpConfig): void {
  bgp.peers.forEach((p, i) => {
    const session: FamilyName = p.address.includes(':') ? 'ipv6' : 'ipv4';
    for (const f of peerFamilies(p)) {
      if (f !== session && p.nextHopSelf?.[f] === undefined) {
        throw invalidConfig(
          `${f} routes over an ${session} session need a next hop: set nextHopSelf.${f} to this node's ${f} address`,
          `bgp.peers[${i}].families`,
        );
      }
    }
  });
}

function parseListen(input: unknown, path: string): ListenConfig {
  const o = object(input, path);
  known(o, path, ['address', 'port']);
  return {
    address: absent(o.address) ? undefined : ipAddress(o.address, join(path, 'address')),
    port: absent(o.port) ? 179 : integer(o.port, join(path, 'port'), 0, 65535),
  };
}

const peerKeys = [
  'address',
  'asn',
  'port',
  'holdTime',
  'localAddress',
  'passive',
  'multihop',
  'families',
  'nextHopSelf',
  'connectRetry',
  'passwordFile',
  'ttlSecurity',
  'bfd',
  'gracefulRestart',
];

/**
 * `passwordFile` and `ttlSecurity`: the shape only (GTSM excludes multihop). What they need
 * from the host (the addon, a readable key file) is the start-up preflight's job
 * (config/preflight.ts), which also keys `passwordFingerprint`; parsing stays pure.
 */
function parseTcpSecurity(
  o: Readonly<Record<string, unknown>>,
  path: string,
  multihop: number | undefined,
): Pick<PeerConfig, 'passwordFile' | 'passwordFingerprint' | 'ttlSecurity'> {
  const passwordFile = absent(o.passwordFile)
    ? undefined
    : string(o.passwordFile, join(path, 'passwordFile'));
  let ttlSecurity: PeerConfig['ttlSecurity'];
  if (!absent(o.ttlSecurity) && o.ttlSecurity !== false) {
    const gPath = join(path, 'ttlSecurity');
    if (o.ttlSecurity === true) ttlSecurity = true;
    else {
      const g = object(o.ttlSecurity, gPath);
      known(g, gPath, ['hops']);
      ttlSecurity = { hops: integer(g.hops, join(gPath, 'hops'), 1, 254) };
    }
    if (multihop !== undefined) throw invalidConfig('GTSM sends TTL 255: drop multihop', gPath);
  }
  return { passwordFile, passwordFingerprint: undefined, ttlSecurity };
}

function parsePeerBfd(input: unknown, path: string): PeerBfdConfig | undefined {
  if (input === false) return undefined;
  const o = input === true ? {} : object(input, path);
  known(o, path, ['minTx', 'minRx', 'multiplier', 'multihop']);
  const ms = (v: unknown, key: string): number => {
    if (absent(v)) return 300;
    const n = durationMs(v, join(path, key));
    if (!Number.isInteger(n) || n < 10 || n > 60_000)
      throw invalidConfig(`must be a whole number of ms in [10ms, 60s], got ${n}ms`, join(path, key));
    return n;
  };
  return {
    minTxMs: ms(o.minTx, 'minTx'),
    minRxMs: ms(o.minRx, 'minRx'),
    multiplier: absent(o.multiplier) ? 3 : integer(o.multiplier, join(path, 'multiplier'), 1, 255),
    multihop: absent(o.multihop) ? undefined : boolean(o.multihop, join(path, 'multihop')),
  };
}

function parsePeerGracefulRestart(input: unknown, path: string): PeerGracefulRestartConfig | undefined {
  if (input === false) return undefined;
  const o = input === true ? {} : object(input, path);
  known(o, path, ['restartTime', 'notification']);
  return {
    restartTimeSec: absent(o.restartTime) ? 120 : seconds(o.restartTime, join(path, 'restartTime'), 0, 4095),
    notification: absent(o.notification) ? false : boolean(o.notification, join(path, 'notification')),
  };
}

function parsePeer(input: unknown, path: string): PeerConfig {
  const o = object(input, path);
  known(o, path, peerKeys);
  const holdTimeSec = absent(o.holdTime) ? 90 : seconds(o.holdTime, join(path, 'holdTime'), 0, 65535);
  if (holdTimeSec > 0 && holdTimeSec < 3) {
    throw invalidConfig(
      `must be 0 or at least 3 seconds (RFC 4271 §4.2), got ${holdTimeSec}`,
      join(path, 'holdTime'),
    );
  }
  let families: FamilyName[] | undefined;
  if (!absent(o.families)) {
    families = list(o.families, join(path, 'families')).map((f, i) =>
      oneOf(f, `${join(path, 'families')}[${i}]`, ['ipv4', 'ipv6'] as const),
    );
    if (families.length === 0) throw invalidConfig('must not be empty', join(path, 'families'));
  }
  let nextHopSelf: { ipv4?: string; ipv6?: string } | undefined;
  if (!absent(o.nextHopSelf)) {
    const nhPath = join(path, 'nextHopSelf');
    const nh = object(o.nextHopSelf, nhPath);
    known(nh, nhPath, ['ipv4', 'ipv6']);
    nextHopSelf = {};
    if (!absent(nh.ipv4)) nextHopSelf.ipv4 = familyAddress(nh.ipv4, join(nhPath, 'ipv4'), 'ipv4');
    if (!absent(nh.ipv6)) nextHopSelf.ipv6 = familyAddress(nh.ipv6, join(nhPath, 'ipv6'), 'ipv6');
  }
  const multihop = absent(o.multihop)
    ? undefined
    : o.multihop === true
      ? 255
      : integer(o.multihop, join(path, 'multihop'), 1, 255);
  return {
    address: ipAddress(o.address, join(path, 'address')),
    asn: asNumber(o.asn, join(path, 'asn')),
    port: absent(o.port) ? 179 : integer(o.port, join(path, 'port'), 1, 65535),
    holdTimeSec,
    localAddress: absent(o.localAddress) ? undefined : ipAddress(o.localAddress, join(path, 'localAddress')),
    passive: absent(o.passive) ? false : boolean(o.passive, join(path, 'passive')),
    multihop,
    families,
    nextHopSelf,
    connectRetrySec: absent(o.connectRetry)
      ? undefined
      : seconds(o.connectRetry, join(path, 'connectRetry'), 1, 65535),
    ...parseTcpSecurity(o, path, multihop),
    ...optional('bfd', absent(o.bfd) ? undefined : parsePeerBfd(o.bfd, join(path, 'bfd'))),
    ...optional(
      'gracefulRestart',
      absent(o.gracefulRestart)
        ? undefined
        : parsePeerGracefulRestart(o.gracefulRestart, join(path, 'gracefulRestart')),
    ),
  };
}

/** `{ [key]: value }` when defined, else nothing (optional fields stay absent). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function parseTable(input: unknown, path: string): TableConfig {
  const o = object(input, path);
  known(o, path, ['id', 'protocol']);
  const id = absent(o.id) ? defaultTable.id : integer(o.id, join(path, 'id'), 1, 0xffffffff);
  if (id >= 253 && id <= 255) {
    throw invalidConfig(
      `table ${id} is the kernel's ${id === 253 ? 'default' : id === 254 ? 'main' : 'local'} table; use a table of its own`,
      join(path, 'id'),
    );
  }
  const protocol = absent(o.protocol)
    ? defaultTable.protocol
    : integer(o.protocol, join(path, 'protocol'), 5, 255);
  return { id, protocol };
}

function parseLoopback(input: unknown, path: string): LoopbackConfig {
  const o = object(input, path);
  known(o, path, ['enabled', 'device', 'metric', 'keepWhenDown']);
  const device = absent(o.device) ? 'lo' : string(o.device, join(path, 'device'));
  // The IPv4 label is `<device>:anyvip`, and labels are at most 15 characters (IFNAMSIZ - 1).
  if (!/^[A-Za-z0-9_.-]{1,8}$/.test(device)) {
    throw invalidConfig('must be an interface name of at most 8 characters', join(path, 'device'));
  }
  return {
    enabled: absent(o.enabled) ? true : boolean(o.enabled, join(path, 'enabled')),
    device,
    metric: absent(o.metric) ? defaultLoopbackMetric : integer(o.metric, join(path, 'metric'), 1, 0xffffffff),
    keepWhenDown: absent(o.keepWhenDown) ? true : boolean(o.keepWhenDown, join(path, 'keepWhenDown')),
  };
}

const vipKeys = [
  'address',
  'healthcheck',
  'communities',
  'largeCommunities',
  'med',
  'localPref',
  'asPathPrepend',
  'weight',
];

function parseVip(input: unknown, path: string, healthchecks: ReadonlyMap<string, CheckOptions>): VipConfig {
  const o = typeof input === 'string' ? { address: input } : object(input, path);
  known(o, path, vipKeys);
  const addressPath = join(path, 'address');
  const text = string(o.address, addressPath);
  let prefix: Prefix;
  try {
    prefix = parsePrefix(text);
  } catch {
    throw invalidConfig(`must be an IPv4 or IPv6 address, got ${describe(o.address)}`, addressPath);
  }
  const hostLength = prefix.afi === 1 ? 32 : 128;
  if (prefix.length !== hostLength) {
    throw invalidConfig(`a VIP is one address (/${hostLength}), got ${text}`, addressPath);
  }
  const canonical = formatPrefix(prefix);
  let healthcheck: string | undefined;
  if (!absent(o.healthcheck)) {
    healthcheck = string(o.healthcheck, join(path, 'healthcheck'));
    if (!healthchecks.has(healthcheck)) {
      const names = [...healthchecks.keys()];
      throw invalidConfig(
        `no healthcheck named ${JSON.stringify(healthcheck)} (defined: ${names.length === 0 ? 'none' : names.join(', ')})`,
        join(path, 'healthcheck'),
      );
    }
  }
  return {
    address: canonical.slice(0, canonical.indexOf('/')),
    prefix: canonical,
    family: prefix.afi === 1 ? 'ipv4' : 'ipv6',
    healthcheck,
    communities: absent(o.communities)
      ? []
      : stringList(o.communities, join(path, 'communities'), (t) => parseCommunity(t)),
    largeCommunities: absent(o.largeCommunities)
      ? []
      : stringList(o.largeCommunities, join(path, 'largeCommunities'), (t) => parseLargeCommunity(t)),
    med: absent(o.med) ? undefined : integer(o.med, join(path, 'med'), 0, 0xffffffff),
    localPref: absent(o.localPref) ? undefined : integer(o.localPref, join(path, 'localPref'), 0, 0xffffffff),
    asPathPrepend: absent(o.asPathPrepend) ? 0 : integer(o.asPathPrepend, join(path, 'asPathPrepend'), 0, 32),
    ...(absent(o.weight) ? {} : { weight: integer(o.weight, join(path, 'weight'), 0, maxVipWeight) }),
  };
}

/** The largest VIP weight: at the default 1 Gbit/s unit, still far inside binary32's range. */
const maxVipWeight = 1_000_000;

function parseGracefulShutdown(input: unknown, path: string): GracefulShutdownConfig {
  const o = object(input, path);
  known(o, path, ['enabled', 'wait']);
  return {
    enabled: absent(o.enabled) ? false : boolean(o.enabled, join(path, 'enabled')),
    waitMs: absent(o.wait) ? 5000 : durationMs(o.wait, join(path, 'wait')),
  };
}

function parseReconcile(input: unknown, path: string): ReconcileConfig {
  const o = object(input, path);
  known(o, path, ['interval', 'retryMin', 'retryMax']);
  const intervalMs = absent(o.interval) ? 10_000 : durationMs(o.interval, join(path, 'interval'));
  const retryMinMs = absent(o.retryMin) ? 200 : durationMs(o.retryMin, join(path, 'retryMin'));
  const retryMaxMs = absent(o.retryMax) ? 30_000 : durationMs(o.retryMax, join(path, 'retryMax'));
  if (intervalMs < 100) throw invalidConfig('must be at least 100ms', join(path, 'interval'));
  if (retryMinMs <= 0) throw invalidConfig('must be more than 0', join(path, 'retryMin'));
  if (retryMaxMs < retryMinMs) throw invalidConfig('must not be less than retryMin', join(path, 'retryMax'));
  return { intervalMs, retryMinMs, retryMaxMs };
}

function parseLog(input: unknown, path: string): { level: LogLevel } {
  const o = object(input, path);
  known(o, path, ['level']);
  return { level: absent(o.level) ? 'info' : oneOf(o.level, join(path, 'level'), logLevels) };
}

function asNumber(input: unknown, path: string): number {
  if (typeof input === 'string' && /^\d+\.\d+$/.test(input)) {
    // asdot (RFC 5396): 1.10 = 65546.
    const [high, low] = input.split('.').map(Number) as [number, number];
    if (high <= 0xffff && low <= 0xffff && high * 65536 + low > 0) return high * 65536 + low;
  }
  return integer(input, path, 1, 0xffffffff);
}

function dottedQuad(input: unknown, path: string): string {
  const text = string(input, path);
  const v4 = parseIpv4(text);
  if (v4 === undefined || v4 === 0)
    throw invalidConfig(`must be a non-zero dotted quad (RFC 6286), got ${describe(input)}`, path);
  return text;
}

/** An IPv4 or IPv6 address, canonical. */
function ipAddress(input: unknown, path: string): string {
  const text = string(input, path);
  if (!text.includes('/')) {
    try {
      const p = parsePrefix(text);
      const f = formatPrefix(p);
      return f.slice(0, f.indexOf('/'));
    } catch {
      // Reported below.
    }
  }
  throw invalidConfig(`must be an IPv4 or IPv6 address, got ${describe(input)}`, path);
}

function familyAddress(input: unknown, path: string, family: FamilyName): string {
  const a = ipAddress(input, path);
  if ((family === 'ipv6') !== a.includes(':'))
    throw invalidConfig(`must be an ${family} address, got ${a}`, path);
  return a;
}

function parseRange(input: unknown, path: string): Prefix {
  const text = string(input, path);
  try {
    return parsePrefix(text);
  } catch (err) {
    throw invalidConfig(
      `must be a prefix such as 10.250.255.0/24 (${err instanceof Error ? err.message : String(err)})`,
      path,
    );
  }
}
