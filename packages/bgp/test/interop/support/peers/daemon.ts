/**
 * The shape every interop peer (BIRD, FRR, GoBGP, ExaBGP) shares, and the normalized
 * route and session views tests compare. Daemon-specific quirks stay in each peer's file.
 */
import { addressBytes, formatAddress } from '../../../../src/wire/address.js';
import { formatPrefix, parsePrefix } from '../../../../src/wire/prefix.js';
import { type KernelRoute, kernelRoutes } from '../netns.js';
import type { ManagedProcess } from '../process.js';
import { waitUntil } from '../wait.js';

/** Address families the harness configures (unicast only). */
export type Family = 'ipv4' | 'ipv6';

/** RFC 4271 §8.2.2 session states, lower-camel as in our FSM. */
export type SessionState = 'idle' | 'connect' | 'active' | 'openSent' | 'openConfirm' | 'established';

/** One BGP neighbor of a daemon. */
export interface NeighborConfig {
  /** The neighbor's address; its family is the session's transport. */
  address: string;
  asn: number;
  /** This daemon's own address for the session (required: every daemon binds to it). */
  localAddress: string;
  /** Families to negotiate; default the transport's family only. */
  families?: Family[];
  /** Only accept the connection, never dial (RFC 4271 §8.1.1 PassiveTcpEstablishment). */
  passive?: boolean;
  /** Proposed hold time; default 9 s. Keepalive is a third of it (at least 1 s). */
  holdTimeSec?: number;
  /** eBGP multihop TTL; omitted means directly connected. */
  multihop?: number;
  /** TCP-MD5 key (RFC 2385): BIRD `password`, FRR `neighbor … password`. BIRD and FRR only. */
  password?: string;
  /**
   * GTSM (RFC 5082): BIRD `ttl security on` (with `multihop` n, TTL ≥ 256 − n is
   * expected), FRR `neighbor … ttl-security hops 1`. BIRD and FRR only.
   */
  ttlSecurity?: boolean;
  /**
   * BFD for the session (BIRD `bfd on` with a `protocol bfd`; FRR `neighbor … bfd profile`
   * with bfdd): both intervals in ms and the detect multiplier. BIRD and FRR only.
   * `checkControlPlaneFailure` adds FRR's `neighbor … bfd check-control-plane-failure`
   * (FRR only): FRR then sets the C bit in its own packets and ignores a BFD Down from a
   * graceful-restart neighbor whose C bit is clear.
   */
  bfd?: { intervalMs: number; multiplier: number; checkControlPlaneFailure?: boolean };
}

/** A route a daemon originates, with the path attributes it should carry. */
export interface Announcement {
  prefix: string;
  /** Default: the daemon's own session address ("next-hop self"). */
  nextHop?: string;
  /** Standard communities, `asn:value` (RFC 1997). */
  communities?: string[];
  /** Large communities, `global:local1:local2` (RFC 8092). */
  largeCommunities?: string[];
  /** MULTI_EXIT_DISC (RFC 4271 §5.1.4). */
  med?: number;
  /** LOCAL_PREF (only sent to iBGP peers, RFC 4271 §5.1.5). */
  localPref?: number;
}

/** What a test asks a daemon to run. */
export interface DaemonConfig {
  /** Namespace (use `lab.nsOf(node)`). */
  ns: string;
  /** Scratch directory for config, sockets and pid files (a fresh subdirectory is made in it). */
  dir: string;
  routerId: string;
  asn: number;
  neighbors: NeighborConfig[];
  /** Originated at start. */
  announce?: Announcement[];
  /**
   * Multipath: BIRD `merge paths on` in the kernel protocol, FRR `maximum-paths` with
   * `bgp bestpath as-path multipath-relax`, GoBGP `use-multiple-paths`. No effect on ExaBGP.
   */
  ecmp?: boolean;
  /**
   * BIRD and FRR (bgpd) only: run this configuration text instead of a generated one,
   * e.g. an example from examples/routers/. `neighbors` must still list the sessions (for
   * lookups by address) and `asn` must match the text. BIRD cannot announce() with it.
   */
  rawConfig?: string;
}

/** ORIGIN values (RFC 4271 §4.3). */
export type Origin = 'igp' | 'egp' | 'incomplete';

/** Maps a daemon's ORIGIN spelling (`IGP`, `i`, `0`, `Incomplete`, `?`) to {@link Origin}. */
export function parseOrigin(text: string | number | undefined): Origin | undefined {
  switch (String(text).toLowerCase()) {
    case 'igp':
    case 'i':
    case '0':
      return 'igp';
    case 'egp':
    case 'e':
    case '1':
      return 'egp';
    case 'incomplete':
    case '?':
    case '2':
      return 'incomplete';
    default:
      return undefined;
  }
}

/** A route learned from a BGP neighbor, normalized across daemons. One entry per path. */
export interface DaemonRoute {
  prefix: string;
  /** BGP NEXT_HOP / MP_REACH next hops, link-local IPv6 next hops left out. */
  nextHops: string[];
  /** ORIGIN (RFC 4271 §5.1.1). Every peer here originates with `igp`. */
  origin: Origin | undefined;
  /** AS_PATH as a flat list (AS_SET members included in order). */
  asPath: number[];
  communities: string[];
  largeCommunities: string[];
  med: number | undefined;
  localPref: number | undefined;
  /** Selected as best by the daemon (true for every path of a daemon without selection). */
  best: boolean;
  /** Address of the neighbor it came from, when the daemon says. */
  peer: string | undefined;
}

/** Which daemon a peer object drives. */
export type DaemonKind = 'bird' | 'frr' | 'gobgp' | 'exabgp';

/** The common interface of the four peer classes. */
export interface BgpDaemon {
  readonly kind: DaemonKind;
  readonly config: DaemonConfig;
  /** Writes the configuration and starts the daemon; resolves once it accepts commands. */
  start(): Promise<void>;
  /** Stops the daemon (SIGTERM, then SIGKILL) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  /** stop() then start() with the same configuration and the current announcements. */
  restart(): Promise<void>;
  /** SIGSTOP the daemon (its peers' hold timers run out). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** The FSM state of the session to `neighbor` (an address from the config). */
  sessionState(neighbor: string): Promise<SessionState>;
  /**
   * Why the session to `neighbor` last went down, in the daemon's words (e.g. "Hold timer
   * expired"), or undefined if it has not. Match it with a case-insensitive regex.
   */
  lastError(neighbor: string): Promise<string | undefined>;
  /** Resolves when the session to `neighbor` is established. */
  waitEstablished(neighbor: string, timeoutMs?: number): Promise<void>;
  /** Routes learned from neighbors, every path (see {@link DaemonRoute}). */
  routes(family: Family): Promise<DaemonRoute[]>;
  /** Prefixes accepted from `neighbor`, from a counter where the daemon has one. */
  routeCount(neighbor: string): Promise<number>;
  /** Originates (or re-originates with new attributes) a route. */
  announce(route: Announcement): Promise<void>;
  /** Stops originating `prefix`. */
  withdraw(prefix: string): Promise<void>;
  /** Asks `neighbor` to re-send its routes (ROUTE-REFRESH, RFC 2918). */
  routeRefresh(neighbor: string): Promise<void>;
  /** Kernel routes in the daemon's namespace (meaningful for BIRD and FRR, which install them). */
  kernelRoutes(prefix?: string): Promise<KernelRoute[]>;
  /** Recent daemon output, for failure messages. */
  logTail(lines?: number): string;
}

/** Canonical CIDR text (RFC 5952 for IPv6); throws on a malformed prefix or host bits set. */
export function canonicalPrefix(text: string): string {
  return formatPrefix(parsePrefix(text));
}

/** Canonical address text (RFC 5952 for IPv6). */
export function canonicalAddress(text: string): string {
  return formatAddress(addressBytes(text));
}

/** The family of a prefix or address in text. */
export function familyOf(text: string): Family {
  return text.includes(':') ? 'ipv6' : 'ipv4';
}

/** Families negotiated with a neighbor: as configured, else its transport's family. */
export function neighborFamilies(n: NeighborConfig): Family[] {
  return n.families ?? [familyOf(n.address)];
}

/** Hold and keepalive seconds for a neighbor (keepalive = hold / 3, RFC 4271 §10). */
export function neighborTimers(n: NeighborConfig): { holdSec: number; keepaliveSec: number } {
  const holdSec = n.holdTimeSec ?? 9;
  return { holdSec, keepaliveSec: Math.max(1, Math.floor(holdSec / 3)) };
}

/** Whether an IPv6 address is link-local (fe80::/10); such next hops are left out of routes. */
export function isLinkLocal(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

/** Finds the configured neighbor, or throws naming the daemon. */
export function findNeighbor(config: DaemonConfig, address: string, who: string): NeighborConfig {
  const want = canonicalAddress(address);
  const n = config.neighbors.find((x) => canonicalAddress(x.address) === want);
  if (n === undefined) throw new Error(`${who}: no neighbor ${address} configured`);
  return n;
}

/** Sorts routes by prefix then peer, so tests compare stable lists. */
export function sortRoutes(routes: DaemonRoute[]): DaemonRoute[] {
  return routes.sort((a, b) =>
    a.prefix === b.prefix ? (a.peer ?? '').localeCompare(b.peer ?? '') : a.prefix.localeCompare(b.prefix),
  );
}

let instanceCounter = 0;

/**
 * What the four peers share: the configuration, the routes they originate, the
 * processes they run (signalled by PID), waits and kernel lookups.
 */
export abstract class DaemonBase implements BgpDaemon {
  abstract readonly kind: DaemonKind;
  /** Originated routes by canonical prefix, replayed on restart. */
  protected readonly announced = new Map<string, Announcement>();
  /** Processes of the running instance, main daemon last. */
  protected processes: ManagedProcess[] = [];
  /** A number unique in this test process, for file and object names. */
  protected readonly instance: number;

  readonly config: DaemonConfig;

  constructor(config: DaemonConfig) {
    this.config = config;
    instanceCounter += 1;
    this.instance = instanceCounter;
    for (const a of config.announce ?? []) this.announced.set(canonicalPrefix(a.prefix), a);
  }

  abstract start(): Promise<void>;
  abstract sessionState(neighbor: string): Promise<SessionState>;
  abstract lastError(neighbor: string): Promise<string | undefined>;
  abstract routes(family: Family): Promise<DaemonRoute[]>;
  abstract routeCount(neighbor: string): Promise<number>;
  abstract routeRefresh(neighbor: string): Promise<void>;
  /** Makes the running daemon originate exactly {@link announced}. */
  protected abstract applyAnnouncements(changed: string): Promise<void>;

  /** Main process PID (undefined when stopped). */
  get pid(): number | undefined {
    return this.processes.at(-1)?.pid;
  }

  protected get label(): string {
    return `${this.kind}@${this.config.ns}`;
  }

  async stop(): Promise<void> {
    const procs = this.processes;
    this.processes = [];
    // Dependents (FRR bgpd) before what they depend on (zebra).
    for (const p of [...procs].reverse()) await p.stop(3000);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  freeze(): void {
    for (const p of this.processes) p.freeze();
  }

  thaw(): void {
    for (const p of this.processes) p.thaw();
  }

  async waitEstablished(neighbor: string, timeoutMs = 20_000): Promise<void> {
    await waitUntil(
      () => this.sessionState(neighbor),
      (s) => s === 'established',
      {
        timeoutMs,
        intervalMs: 200,
        what: `${this.label} session to ${neighbor} established`,
        abort: () => this.exitedError(),
      },
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${this.logTail()}`);
    });
  }

  async announce(route: Announcement): Promise<void> {
    const key = canonicalPrefix(route.prefix);
    this.announced.set(key, { ...route, prefix: key });
    await this.applyAnnouncements(key);
  }

  async withdraw(prefix: string): Promise<void> {
    const key = canonicalPrefix(prefix);
    if (!this.announced.delete(key)) throw new Error(`${this.label}: ${prefix} is not announced`);
    await this.applyAnnouncements(key);
  }

  kernelRoutes(prefix?: string): Promise<KernelRoute[]> {
    return kernelRoutes(this.config.ns, prefix === undefined ? undefined : canonicalPrefix(prefix));
  }

  logTail(lines = 40): string {
    return this.processes.map((p) => p.tail(lines)).join('\n');
  }

  protected requireRunning(): void {
    const err = this.exitedError();
    if (err !== undefined) throw err;
  }

  /** An error describing why the daemon is not running, or undefined if it is. */
  protected exitedError(): Error | undefined {
    if (this.processes.length === 0) return new Error(`${this.label} is not running`);
    for (const p of this.processes) {
      if (!p.running)
        return new Error(`${this.label}: ${p.label} exited (${JSON.stringify(p.exit)})\n${p.tail()}`);
    }
    return undefined;
  }
}
