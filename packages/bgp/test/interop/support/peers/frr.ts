/**
 * FRR 8 (zebra + bgpd) as an interop peer. FRR daemons refuse to run as root, so they
 * start as root and drop to `frr` (-u/-g), with a private vty socket directory, zebra
 * socket and pid files owned by frr, and no TCP vty (-P 0). zebra installs bgpd's best
 * paths (ECMP with `maximum-paths`) in the namespace's kernel FIB.
 *
 * eBGP sessions need `no bgp ebgp-requires-policy` (RFC 8212 default is deny-all).
 * Originated routes are `network` statements with a per-prefix route-map carrying the
 * attributes; a change installs a new route-map under a new name, because FRR applies
 * edits to a route-map in use only after its route-map delay timer.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
  neighborFamilies,
  neighborTimers,
  parseOrigin,
  type SessionState,
  sortRoutes,
} from './daemon.js';

const FRR_BIN = '/usr/lib/frr';

interface FrrPathJson {
  aspath?: { segments?: { type: string; list: number[] }[] };
  origin?: string;
  metric?: number;
  locPrf?: number;
  localpref?: number;
  community?: { list?: string[] };
  largeCommunity?: { list?: string[] };
  nexthops?: { ip?: string; scope?: string; afi?: string }[];
  bestpath?: { overall?: boolean };
  multipath?: boolean;
  sourced?: boolean;
  local?: boolean;
  peer?: { peerId?: string };
}

interface FrrNeighborJson {
  bgpState?: string;
  lastNotificationReason?: string;
  lastResetDueTo?: string;
  addressFamilyInfo?: Record<string, { acceptedPrefixCounter?: number }>;
}

let frrIds: { uid: number; gid: number } | undefined;
function frrUser(): { uid: number; gid: number } {
  frrIds ??= {
    uid: Number(execFileSync('id', ['-u', 'frr'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'frr'], { encoding: 'utf8' }).trim()),
  };
  return frrIds;
}

/** zebra + bgpd in a namespace. */
export class FrrDaemon extends DaemonBase {
  readonly kind = 'frr';
  private dir = '';
  /** Current route-map name per originated prefix. */
  private readonly routeMaps = new Map<string, string>();
  private routeMapSerial = 0;

  /** The vty socket directory (for `vtysh --vty_socket`). */
  get vtyDir(): string {
    return this.dir;
  }

  async start(): Promise<void> {
    if (this.processes.length > 0) throw new Error(`${this.label} already running`);
    const { uid, gid } = frrUser();
    this.dir = join(this.config.dir, `frr-${this.instance}`);
    mkdirSync(this.dir, { recursive: true });
    chownSync(this.dir, uid, gid);
    this.routeMaps.clear();
    const write = (name: string, text: string): string => {
      const path = join(this.dir, name);
      writeFileSync(path, text);
      chownSync(path, uid, gid);
      return path;
    };
    const zebraConf = write('zebra.conf', `hostname ${this.config.ns}\nlog stdout informational\n`);
    const bgpdConf = write('bgpd.conf', this.config.rawConfig ?? this.renderConfig());
    const zsock = join(this.dir, 'zserv.api');
    const common = (daemon: string, conf: string): string[] => [
      '-f',
      conf,
      '-i',
      join(this.dir, `${daemon}.pid`),
      '-z',
      zsock,
      '--vty_socket',
      this.dir,
      '-u',
      'frr',
      '-g',
      'frr',
      '-P',
      '0',
      '--log',
      'stdout',
    ];
    const zebra = await spawnInNs(this.config.ns, `${FRR_BIN}/zebra`, common('zebra', zebraConf), {
      label: `zebra@${this.config.ns}`,
    });
    this.processes = [zebra];
    await waitFor(() => existsSync(zsock), {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: `${this.label} zebra socket`,
      abort: () => this.exitedError(),
    });
    const bfd = this.config.neighbors.find((n) => n.bfd !== undefined)?.bfd;
    if (bfd !== undefined) {
      // bfdd serves bgpd's `neighbor … bfd` through zebra; its profile carries the intervals.
      const bfddConf = write(
        'bfdd.conf',
        [
          `hostname ${this.config.ns}`,
          'log stdout informational',
          'bfd',
          ' profile av',
          `  receive-interval ${bfd.intervalMs}`,
          `  transmit-interval ${bfd.intervalMs}`,
          `  detect-multiplier ${bfd.multiplier}`,
          ' !',
          '!',
          '',
        ].join('\n'),
      );
      const bfdd = await spawnInNs(
        this.config.ns,
        `${FRR_BIN}/bfdd`,
        [...common('bfdd', bfddConf), '--bfdctl', join(this.dir, 'bfdd.sock')],
        { label: `bfdd@${this.config.ns}` },
      );
      this.processes = [zebra, bfdd];
    }
    const bgpd = await spawnInNs(this.config.ns, `${FRR_BIN}/bgpd`, common('bgpd', bgpdConf), {
      label: `bgpd@${this.config.ns}`,
    });
    // bgpd stays last: `pid` and the readiness check below are about it.
    this.processes = [...this.processes, bgpd];
    await waitFor(
      async () => {
        if (!existsSync(join(this.dir, 'bgpd.vty'))) return false;
        const r = await this.vtysh(['show bgp summary json'], true);
        return r.code === 0;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: `${this.label} bgpd vty`, abort: () => this.exitedError() },
    );
  }

  private routeMapFor(prefix: string): string {
    this.routeMapSerial += 1;
    const name = `AV-${this.routeMapSerial}`;
    this.routeMaps.set(prefix, name);
    return name;
  }

  private routeMapLines(name: string, a: Announcement): string[] {
    const lines = [`route-map ${name} permit 10`];
    if (a.communities !== undefined && a.communities.length > 0)
      lines.push(` set community ${a.communities.join(' ')}`);
    if (a.largeCommunities !== undefined && a.largeCommunities.length > 0) {
      lines.push(` set large-community ${a.largeCommunities.join(' ')}`);
    }
    if (a.med !== undefined) lines.push(` set metric ${a.med}`);
    if (a.localPref !== undefined) lines.push(` set local-preference ${a.localPref}`);
    if (a.nextHop !== undefined) {
      lines.push(
        familyOf(a.prefix) === 'ipv4'
          ? ` set ip next-hop ${canonicalAddress(a.nextHop)}`
          : ` set ipv6 next-hop global ${canonicalAddress(a.nextHop)}`,
      );
    }
    return lines;
  }

  /** The bgpd configuration for a fresh start (route-map names are reassigned). */
  renderConfig(): string {
    const c = this.config;
    const out = [`hostname ${c.ns}`, 'log stdout informational', '!'];
    for (const a of this.announced.values()) {
      out.push(...this.routeMapLines(this.routeMapFor(a.prefix), a), '!');
    }
    out.push(
      `router bgp ${c.asn}`,
      ` bgp router-id ${c.routerId}`,
      // RFC 8212: without this, eBGP sessions exchange nothing unless policies are set.
      ' no bgp ebgp-requires-policy',
      ' no bgp default ipv4-unicast',
      // Originate `network` prefixes even without a matching route in the RIB.
      ' no bgp network import-check',
    );
    if (c.ecmp === true) out.push(' bgp bestpath as-path multipath-relax');
    for (const n of c.neighbors) {
      const addr = canonicalAddress(n.address);
      const { holdSec, keepaliveSec } = neighborTimers(n);
      out.push(
        ` neighbor ${addr} remote-as ${n.asn}`,
        ` neighbor ${addr} update-source ${canonicalAddress(n.localAddress)}`,
        ` neighbor ${addr} timers ${keepaliveSec} ${holdSec}`,
        ` neighbor ${addr} timers connect 1`,
      );
      if (n.passive === true) out.push(` neighbor ${addr} passive`);
      if (n.multihop !== undefined) out.push(` neighbor ${addr} ebgp-multihop ${n.multihop}`);
      if (n.password !== undefined) out.push(` neighbor ${addr} password ${n.password}`);
      if (n.ttlSecurity === true) out.push(` neighbor ${addr} ttl-security hops 1`);
      if (n.bfd !== undefined) out.push(` neighbor ${addr} bfd`, ` neighbor ${addr} bfd profile av`);
      if (n.bfd?.checkControlPlaneFailure === true)
        out.push(` neighbor ${addr} bfd check-control-plane-failure`);
    }
    for (const f of ['ipv4', 'ipv6'] as const) {
      out.push(` address-family ${f} unicast`);
      for (const n of c.neighbors) {
        if (neighborFamilies(n).includes(f)) out.push(`  neighbor ${canonicalAddress(n.address)} activate`);
      }
      if (c.ecmp === true) out.push('  maximum-paths 8');
      for (const a of this.announced.values()) {
        if (familyOf(a.prefix) === f)
          out.push(`  network ${a.prefix} route-map ${this.routeMaps.get(a.prefix)}`);
      }
      out.push(' exit-address-family');
    }
    out.push('!', '');
    return out.join('\n');
  }

  /** Runs vtysh commands (each one a `-c`) against this instance's bgpd. */
  async vtysh(
    commands: readonly string[],
    allowFailure = false,
  ): Promise<{ code: number | null; stdout: string }> {
    const args = ['--vty_socket', this.dir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])];
    const r = await runCommand('vtysh', args, { timeoutMs: 15_000, allowFailure: true });
    const failed = r.code !== 0 || /% (?:Unknown|Invalid|Ambiguous|Command incomplete)/.test(r.stdout);
    if (failed && !allowFailure) {
      throw new Error(
        `${this.label}: vtysh ${commands.join(' | ')}: exit ${r.code}: ${r.stdout.trim()} ${r.stderr.trim()}`,
      );
    }
    return { code: failed ? (r.code ?? 1) || 1 : 0, stdout: r.stdout };
  }

  private async neighborJson(neighbor: string): Promise<FrrNeighborJson> {
    const n = findNeighbor(this.config, neighbor, this.label);
    const addr = canonicalAddress(n.address);
    const r = await this.vtysh([`show bgp neighbors ${addr} json`]);
    const j = JSON.parse(r.stdout) as Record<string, FrrNeighborJson>;
    const entry = j[addr];
    if (entry === undefined)
      throw new Error(`${this.label}: no neighbor ${addr} in ${r.stdout.slice(0, 200)}`);
    return entry;
  }

  async sessionState(neighbor: string): Promise<SessionState> {
    return frrState((await this.neighborJson(neighbor)).bgpState);
  }

  async lastError(neighbor: string): Promise<string | undefined> {
    const j = await this.neighborJson(neighbor);
    return j.lastNotificationReason ?? j.lastResetDueTo;
  }

  /** `acceptedPrefixCounter` summed over the neighbor's families. */
  async routeCount(neighbor: string): Promise<number> {
    const j = await this.neighborJson(neighbor);
    return Object.values(j.addressFamilyInfo ?? {}).reduce((s, af) => s + (af.acceptedPrefixCounter ?? 0), 0);
  }

  async routes(family: Family): Promise<DaemonRoute[]> {
    // `json detail` gives every path with its attributes in one call. In FRR 8.4 each
    // prefix maps to an array whose first element describes the prefix and the rest
    // are paths.
    const r = await this.vtysh([`show bgp ${family} unicast json detail`]);
    const j = JSON.parse(r.stdout) as { routes?: Record<string, FrrPathJson[] | { paths?: FrrPathJson[] }> };
    const out: DaemonRoute[] = [];
    for (const [prefix, entry] of Object.entries(j.routes ?? {})) {
      const paths = Array.isArray(entry) ? entry.filter((p) => p.aspath !== undefined) : (entry.paths ?? []);
      for (const p of paths) {
        const peerId = p.peer?.peerId;
        if (p.sourced === true || p.local === true || peerId === undefined || peerId === '0.0.0.0') continue;
        out.push({
          prefix: canonicalPrefix(prefix),
          nextHops: (p.nexthops ?? [])
            .filter((h) => h.ip !== undefined && h.scope !== 'link-local' && !h.ip.startsWith('fe80'))
            .map((h) => canonicalAddress(h.ip ?? '')),
          origin: parseOrigin(p.origin),
          asPath: (p.aspath?.segments ?? []).flatMap((s) => s.list),
          communities: p.community?.list ?? [],
          largeCommunities: p.largeCommunity?.list ?? [],
          med: p.metric,
          localPref: p.locPrf ?? p.localpref,
          best: p.bestpath?.overall === true,
          peer: canonicalAddress(peerId),
        });
      }
    }
    return sortRoutes(out);
  }

  async routeRefresh(neighbor: string): Promise<void> {
    const n = findNeighbor(this.config, neighbor, this.label);
    await this.vtysh([`clear bgp ${canonicalAddress(n.address)} soft in`]);
  }

  protected async applyAnnouncements(changed: string): Promise<void> {
    this.requireRunning();
    const f = familyOf(changed);
    const a = this.announced.get(changed);
    const old = this.routeMaps.get(changed);
    const cmds = ['configure terminal'];
    if (a !== undefined) {
      const name = this.routeMapFor(changed);
      cmds.push(...this.routeMapLines(name, a).map((l) => l.trim()), 'exit');
      cmds.push(
        `router bgp ${this.config.asn}`,
        `address-family ${f} unicast`,
        `network ${changed} route-map ${name}`,
      );
      cmds.push('exit-address-family', 'exit');
    } else {
      this.routeMaps.delete(changed);
      cmds.push(`router bgp ${this.config.asn}`, `address-family ${f} unicast`, `no network ${changed}`);
      cmds.push('exit-address-family', 'exit');
    }
    if (old !== undefined) cmds.push(`no route-map ${old}`);
    await this.vtysh(cmds);
  }
}

function frrState(s: string | undefined): SessionState {
  switch (s) {
    case 'Established':
      return 'established';
    case 'OpenConfirm':
      return 'openConfirm';
    case 'OpenSent':
      return 'openSent';
    case 'Active':
      return 'active';
    case 'Connect':
      return 'connect';
    default:
      return 'idle';
  }
}
