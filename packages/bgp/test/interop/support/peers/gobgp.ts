/**
 * GoBGP (gobgpd 3.x) as an interop peer, driven through its gRPC API on a private unix
 * socket with the `gobgp` CLI. GoBGP keeps routes in its own RIB only: it never
 * programs the kernel (and cannot talk to FRR's zebra), so kernelRoutes() shows none of
 * its routes. `gobgp neighbor` walks the whole Adj-RIB, so calls are kept few.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, spawnInNs } from '../process.js';
import { waitFor } from '../wait.js';
import {
  type Announcement,
  canonicalAddress,
  canonicalPrefix,
  DaemonBase,
  type DaemonRoute,
  type Family,
  familyOf,
  findNeighbor,
  isLinkLocal,
  neighborFamilies,
  neighborTimers,
  parseOrigin,
  type SessionState,
  sortRoutes,
} from './daemon.js';

interface GobgpAttr {
  type: number;
  value?: number;
  as_paths?: { segment_type: number; asns: number[] }[];
  nexthop?: string;
  metric?: number;
  communities?: number[];
  value_list?: unknown;
}

interface GobgpPath {
  best?: boolean;
  attrs: (GobgpAttr & { value?: unknown })[];
  'neighbor-ip'?: string;
}

interface GobgpNeighbor {
  state?: {
    session_state?: number | string;
    messages?: { received?: Record<string, number>; sent?: Record<string, number> };
  };
  afi_safis?: { state?: { accepted?: number; received?: number } }[];
}

/** Path attribute type codes GoBGP's JSON uses (IANA BGP Path Attributes). */
const ATTR = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  COMMUNITIES: 8,
  MP_REACH_NLRI: 14,
  LARGE_COMMUNITY: 32,
} as const;

/** gobgpd in a namespace. */
export class GobgpDaemon extends DaemonBase {
  readonly kind = 'gobgp';
  private dir = '';
  private target = '';

  /** `--target` value for the `gobgp` CLI. */
  get apiTarget(): string {
    return this.target;
  }

  async start(): Promise<void> {
    if (this.processes.length > 0) throw new Error(`${this.label} already running`);
    this.dir = join(this.config.dir, `gobgp-${this.instance}`);
    mkdirSync(this.dir, { recursive: true });
    const sock = join(this.dir, 'gobgp.sock');
    this.target = `unix://${sock}`;
    const conf = join(this.dir, 'gobgpd.toml');
    writeFileSync(conf, this.renderConfig());
    const p = await spawnInNs(
      this.config.ns,
      'gobgpd',
      ['-f', conf, '-p', '--api-hosts', this.target, '--pprof-disable'],
      { label: `gobgpd@${this.config.ns}` },
    );
    this.processes = [p];
    await waitFor(async () => (await this.gobgp(['global'], true)).code === 0, {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: `${this.label} API`,
      abort: () => this.exitedError(),
    });
    for (const a of this.announced.values()) await this.ribAdd(a);
  }

  /** The TOML configuration. */
  renderConfig(): string {
    const c = this.config;
    const out = ['[global.config]', `  as = ${c.asn}`, `  router-id = "${c.routerId}"`, ''];
    if (c.ecmp === true) out.push('[global.use-multiple-paths.config]', '  enabled = true', '');
    for (const n of c.neighbors) {
      const { holdSec, keepaliveSec } = neighborTimers(n);
      out.push(
        '[[neighbors]]',
        '  [neighbors.config]',
        `    neighbor-address = "${canonicalAddress(n.address)}"`,
        `    peer-as = ${n.asn}`,
        '  [neighbors.transport.config]',
        `    local-address = "${canonicalAddress(n.localAddress)}"`,
        ...(n.passive === true ? ['    passive-mode = true'] : []),
        '  [neighbors.timers.config]',
        `    hold-time = ${holdSec}`,
        `    keepalive-interval = ${keepaliveSec}`,
        // Defaults (120 s retry, 30 s idle hold after a reset) are too slow for tests.
        '    connect-retry = 1',
        '    idle-hold-time-after-reset = 1',
      );
      if (n.multihop !== undefined) {
        out.push(
          '  [neighbors.ebgp-multihop.config]',
          '    enabled = true',
          `    multihop-ttl = ${n.multihop}`,
        );
      }
      for (const f of neighborFamilies(n)) {
        out.push(
          '  [[neighbors.afi-safis]]',
          '    [neighbors.afi-safis.config]',
          `      afi-safi-name = "${f}-unicast"`,
        );
      }
      out.push('');
    }
    return out.join('\n');
  }

  /** Runs the gobgp CLI against this instance. */
  async gobgp(
    args: readonly string[],
    allowFailure = false,
  ): Promise<{ code: number | null; stdout: string }> {
    const r = await runCommand('gobgp', ['--target', this.target, ...args], {
      timeoutMs: 15_000,
      allowFailure: true,
    });
    if (!allowFailure && r.code !== 0) {
      throw new Error(
        `${this.label}: gobgp ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`,
      );
    }
    return { code: r.code, stdout: r.stdout };
  }

  private async neighborJson(neighbor: string): Promise<GobgpNeighbor> {
    const n = findNeighbor(this.config, neighbor, this.label);
    const r = await this.gobgp(['neighbor', canonicalAddress(n.address), '-j']);
    return JSON.parse(r.stdout) as GobgpNeighbor;
  }

  async sessionState(neighbor: string): Promise<SessionState> {
    const j = await this.neighborJson(neighbor);
    return gobgpState(j.state?.session_state);
  }

  /** The Reason of the last "Peer Down" gobgpd logged for `neighbor` (e.g. `hold-timer-expired`). */
  async lastError(neighbor: string): Promise<string | undefined> {
    const n = findNeighbor(this.config, neighbor, this.label);
    const key = canonicalAddress(n.address);
    const lines = this.processes.at(-1)?.lines(0, 'stdout') ?? [];
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i] ?? '';
      if (!line.includes('msg="Peer Down"')) continue;
      const k = /Key="?([^"\s]+)"?/.exec(line)?.[1];
      if (k !== undefined && canonicalAddress(k) === key) return /Reason="?([^"\s]+)/.exec(line)?.[1];
    }
    return undefined;
  }

  /** Accepted prefixes over the neighbor's families (the `accepted` counter). */
  async routeCount(neighbor: string): Promise<number> {
    const j = await this.neighborJson(neighbor);
    return (j.afi_safis ?? []).reduce((sum, a) => sum + (a.state?.accepted ?? 0), 0);
  }

  /** Message counters of a session, e.g. `received.refresh`. */
  async messageCounters(
    neighbor: string,
  ): Promise<{ received: Record<string, number>; sent: Record<string, number> }> {
    const j = await this.neighborJson(neighbor);
    return { received: j.state?.messages?.received ?? {}, sent: j.state?.messages?.sent ?? {} };
  }

  async routes(family: Family): Promise<DaemonRoute[]> {
    const r = await this.gobgp(['global', 'rib', '-a', family, '-j']);
    const text = r.stdout.trim();
    const rib = text === '' || text === 'null' ? {} : (JSON.parse(text) as Record<string, GobgpPath[]>);
    const out: DaemonRoute[] = [];
    for (const [prefix, paths] of Object.entries(rib)) {
      for (const p of paths) {
        const peer = p['neighbor-ip'];
        if (peer === undefined) continue; // Originated here.
        const attr = (t: number): GobgpAttr | undefined => p.attrs.find((a) => a.type === t);
        const nh = attr(ATTR.NEXT_HOP)?.nexthop ?? attr(ATTR.MP_REACH_NLRI)?.nexthop;
        const large = attr(ATTR.LARGE_COMMUNITY)?.value as
          | { ASN: number; LocalData1: number; LocalData2: number }[]
          | undefined;
        out.push({
          prefix: canonicalPrefix(prefix),
          nextHops: nh === undefined || isLinkLocal(nh) ? [] : [canonicalAddress(nh)],
          origin: parseOrigin(attr(ATTR.ORIGIN)?.value as number | undefined),
          asPath: (attr(ATTR.AS_PATH)?.as_paths ?? []).flatMap((s) => s.asns),
          communities: (attr(ATTR.COMMUNITIES)?.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`),
          largeCommunities: (large ?? []).map((l) => `${l.ASN}:${l.LocalData1}:${l.LocalData2}`),
          med: attr(ATTR.MULTI_EXIT_DISC)?.metric,
          localPref: attr(ATTR.LOCAL_PREF)?.value as number | undefined,
          best: p.best === true,
          peer: canonicalAddress(peer),
        });
      }
    }
    return sortRoutes(out);
  }

  async routeRefresh(neighbor: string): Promise<void> {
    const n = findNeighbor(this.config, neighbor, this.label);
    await this.gobgp(['neighbor', canonicalAddress(n.address), 'softresetin']);
  }

  private async ribAdd(a: Announcement): Promise<void> {
    // `gobgp global rib add` defaults to ORIGIN incomplete; the other peers originate
    // IGP, and paths with different ORIGINs are never multipath candidates.
    const args = ['global', 'rib', 'add', a.prefix, 'origin', 'igp'];
    if (a.nextHop !== undefined) args.push('nexthop', canonicalAddress(a.nextHop));
    if (a.communities !== undefined && a.communities.length > 0)
      args.push('community', a.communities.join(','));
    if (a.largeCommunities !== undefined && a.largeCommunities.length > 0) {
      args.push('large-community', a.largeCommunities.join(','));
    }
    if (a.med !== undefined) args.push('med', String(a.med));
    if (a.localPref !== undefined) args.push('local-pref', String(a.localPref));
    await this.gobgp([...args, '-a', familyOf(a.prefix)]);
  }

  protected async applyAnnouncements(changed: string): Promise<void> {
    this.requireRunning();
    const a = this.announced.get(changed);
    if (a !== undefined) {
      // A second add of the same prefix replaces the local path (an implicit withdraw).
      await this.ribAdd(a);
    } else {
      await this.gobgp(['global', 'rib', 'del', changed, '-a', familyOf(changed)]);
    }
  }
}

function gobgpState(s: number | string | undefined): SessionState {
  // apipb.PeerState.SessionState: 1 IDLE … 6 ESTABLISHED (strings in some builds).
  switch (s) {
    case 6:
    case 'ESTABLISHED':
      return 'established';
    case 5:
    case 'OPENCONFIRM':
      return 'openConfirm';
    case 4:
    case 'OPENSENT':
      return 'openSent';
    case 3:
    case 'ACTIVE':
      return 'active';
    case 2:
    case 'CONNECT':
      return 'connect';
    default:
      return 'idle';
  }
}
