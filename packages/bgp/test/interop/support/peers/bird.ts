/**
 * BIRD 2 as an interop peer. One `protocol bgp` per neighbor, named from its address
 * (`n_10_250_1_2`, `n_fd00_250__1_2`); originated routes are static blackhole routes
 * whose attributes are set in the BGP export filter, because BIRD sends MED to an eBGP
 * peer only when the export filter set it. Learned routes go to the kernel
 * (`merge paths on` when ecmp is set), so FIB checks work.
 *
 * Runtime changes rewrite the config and run `birdc configure`; BIRD re-exports only
 * what changed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, spawnInNs } from '../process.js';
import { sleep, waitFor } from '../wait.js';
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
  type NeighborConfig,
  neighborFamilies,
  neighborTimers,
  parseOrigin,
  type SessionState,
  sortRoutes,
} from './daemon.js';

/** BIRD's name for the protocol of the session to `address`. */
export function birdProtocolName(address: string): string {
  return `n_${canonicalAddress(address).replace(/[.:]/g, '_')}`;
}

function communityTerm(c: string, large: boolean): string {
  const parts = c.split(':');
  if (parts.length !== (large ? 3 : 2) || !parts.every((p) => /^\d+$/.test(p))) {
    throw new Error(`bad ${large ? 'large ' : ''}community ${JSON.stringify(c)}`);
  }
  return `(${parts.join(',')})`;
}

function exportFilter(name: string, routes: Announcement[]): string {
  const lines = [`filter ${name} {`, '  if source != RTS_STATIC then reject;'];
  for (const r of routes) {
    const sets: string[] = [];
    if (r.med !== undefined) sets.push(`bgp_med = ${r.med};`);
    if (r.localPref !== undefined) sets.push(`bgp_local_pref = ${r.localPref};`);
    if (r.nextHop !== undefined) sets.push(`bgp_next_hop = ${canonicalAddress(r.nextHop)};`);
    for (const c of r.communities ?? []) sets.push(`bgp_community.add(${communityTerm(c, false)});`);
    for (const c of r.largeCommunities ?? [])
      sets.push(`bgp_large_community.add(${communityTerm(c, true)});`);
    if (sets.length > 0) lines.push(`  if net = ${r.prefix} then { ${sets.join(' ')} }`);
  }
  lines.push('  accept;', '}');
  return lines.join('\n');
}

function protocolBlock(n: NeighborConfig, localAsn: number): string {
  const { holdSec, keepaliveSec } = neighborTimers(n);
  const lines = [
    `protocol bgp ${birdProtocolName(n.address)} {`,
    `  local ${canonicalAddress(n.localAddress)} as ${localAsn};`,
    `  neighbor ${canonicalAddress(n.address)} as ${n.asn};`,
    `  hold time ${holdSec};`,
    `  keepalive time ${keepaliveSec};`,
    // Defaults (5 s delay, 120 s retry, 60-300 s error wait) would make every
    // reconnect in a test take minutes.
    '  connect delay time 1;',
    '  connect retry time 2;',
    '  error wait time 1, 4;',
  ];
  if (n.passive === true) lines.push('  passive on;');
  if (n.multihop !== undefined) lines.push(`  multihop ${n.multihop};`);
  if (n.password !== undefined) lines.push(`  password ${JSON.stringify(n.password)};`);
  if (n.ttlSecurity === true) lines.push('  ttl security on;');
  for (const f of neighborFamilies(n)) {
    lines.push(`  ${f} { import all; export filter av_export_${f}; };`);
  }
  lines.push('}');
  return lines.join('\n');
}

interface BirdPath {
  prefix: string;
  protocol: string;
  best: boolean;
  attrs: Map<string, string>;
}

/** Parses `birdc show route all` output (small tables only). */
export function parseBirdRoutes(text: string): BirdPath[] {
  const out: BirdPath[] = [];
  let prefix = '';
  let current: BirdPath | undefined;
  for (const line of text.split('\n')) {
    const head = /^(\S+)?\s+(?:unicast|unreachable|blackhole|prohibited)\s+\[(\S+)[^\]]*\]\s*(\*)?/.exec(
      line,
    );
    if (head !== null && !line.startsWith('\t')) {
      if (head[1] !== undefined) prefix = head[1];
      current = { prefix, protocol: head[2] ?? '', best: head[3] === '*', attrs: new Map() };
      out.push(current);
      continue;
    }
    const attr = /^\s+(BGP\.\w+):\s*(.*)$/.exec(line);
    if (attr !== null && current !== undefined) current.attrs.set(attr[1] ?? '', attr[2] ?? '');
  }
  return out;
}

/** BIRD 2 (`bird -f`) in a namespace. */
export class BirdDaemon extends DaemonBase {
  readonly kind = 'bird';
  private dir = '';
  private socket = '';
  /** Protocol name by neighbor address, learned from BIRD when the config is not ours. */
  private readonly protocolNames = new Map<string, string>();

  /** Path of the control socket (for `birdc -s`). */
  get controlSocket(): string {
    return this.socket;
  }

  async start(): Promise<void> {
    if (this.processes.length > 0) throw new Error(`${this.label} already running`);
    this.dir = join(this.config.dir, `bird-${this.instance}`);
    mkdirSync(this.dir, { recursive: true });
    this.socket = join(this.dir, 'bird.ctl');
    const conf = join(this.dir, 'bird.conf');
    writeFileSync(conf, this.config.rawConfig ?? this.renderConfig());
    this.protocolNames.clear();
    const p = await spawnInNs(
      this.config.ns,
      'bird',
      ['-f', '-c', conf, '-s', this.socket, '-P', join(this.dir, 'bird.pid')],
      { label: `bird@${this.config.ns}` },
    );
    this.processes = [p];
    await waitFor(
      async () => (await this.birdc(['show', 'status'], true)).includes('Daemon is up and running'),
      {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: `${this.label} control socket`,
        abort: () => this.exitedError(),
      },
    );
  }

  /** The configuration this instance runs (regenerated on every change). */
  renderConfig(): string {
    const c = this.config;
    const routes = [...this.announced.values()];
    const byFamily = (f: Family): Announcement[] => routes.filter((r) => familyOf(r.prefix) === f);
    const merge = c.ecmp === true ? '  merge paths on;\n' : '';
    const parts = [
      `router id ${c.routerId};`,
      'log stderr all;',
      'protocol device { scan time 10; }',
      ...(['ipv4', 'ipv6'] as const).map(
        (f) =>
          `protocol kernel kernel_${f} {\n  ${f} { import none; export where source = RTS_BGP; };\n${merge}  scan time 10;\n}`,
      ),
      ...(['ipv4', 'ipv6'] as const).map((f) => {
        const rs = byFamily(f).map((r) => `  route ${r.prefix} blackhole;`);
        return `protocol static av_static_${f} {\n  ${f};\n${rs.join('\n')}\n}`;
      }),
      exportFilter('av_export_ipv4', byFamily('ipv4')),
      exportFilter('av_export_ipv6', byFamily('ipv6')),
      ...c.neighbors.map((n) => protocolBlock(n, c.asn)),
    ];
    return `${parts.join('\n\n')}\n`;
  }

  /**
   * Runs a birdc command. BIRD replies with numbered lines; codes 8xxx/9xxx are errors
   * (e.g. "8003 No such protocol").
   */
  async birdc(args: readonly string[], allowError = false): Promise<string> {
    const r = await runCommand('birdc', ['-s', this.socket, ...args], {
      timeoutMs: 10_000,
      allowFailure: true,
    });
    const text = r.stdout;
    if (!allowError && (r.code !== 0 || /^(?:8|9)\d{3}[ -]/m.test(text) || /syntax error/i.test(text))) {
      throw new Error(`${this.label}: birdc ${args.join(' ')} failed: ${text.trim()} ${r.stderr.trim()}`);
    }
    return text;
  }

  /**
   * Wakes BIRD's I/O loop a few times. BIRD 2.0 can hold the last partial batch of
   * UPDATEs (and End-of-RIB) for up to 3 s when it sends many routes; any control-socket
   * command makes it send at once. announce()/withdraw() nudge briefly; after a bulk
   * change or a route refresh toward our speaker, call this while waiting.
   */
  async nudge(times = 5, intervalMs = 100): Promise<void> {
    for (let i = 0; i < times; i++) {
      await sleep(intervalMs);
      await this.birdc(['show', 'status'], true);
    }
  }

  /** The BGP protocol BIRD runs for the session to `neighbor`. */
  async protocolName(neighbor: string): Promise<string> {
    const address = canonicalAddress(findNeighbor(this.config, neighbor, this.label).address);
    if (this.config.rawConfig === undefined) return birdProtocolName(address);
    if (!this.protocolNames.has(address)) {
      const text = await this.birdc(['show', 'protocols', 'all']);
      let current: string | undefined;
      for (const line of text.split('\n')) {
        const head = /^(\S+)\s+BGP\s/.exec(line);
        if (head !== null) current = head[1];
        const nb = /^\s+Neighbor address:\s+(\S+)/.exec(line);
        if (nb?.[1] !== undefined && current !== undefined)
          this.protocolNames.set(canonicalAddress(nb[1]), current);
      }
    }
    const name = this.protocolNames.get(address);
    if (name === undefined) throw new Error(`${this.label}: no BGP protocol has neighbor ${address}`);
    return name;
  }

  private async protocolInfo(neighbor: string): Promise<string> {
    return this.birdc(['show', 'protocols', 'all', await this.protocolName(neighbor)]);
  }

  async sessionState(neighbor: string): Promise<SessionState> {
    const text = await this.protocolInfo(neighbor);
    const m = /BGP state:\s+(\w+)/.exec(text);
    // A protocol waiting out "error wait time" shows no BGP state line.
    return birdState(m?.[1] ?? 'Idle');
  }

  async lastError(neighbor: string): Promise<string | undefined> {
    const text = await this.protocolInfo(neighbor);
    return /Last error:\s+(.+)/.exec(text)?.[1]?.trim();
  }

  /** Sum of "imported" over the protocol's channels (`show protocols all`, O(1)). */
  async routeCount(neighbor: string): Promise<number> {
    const text = await this.protocolInfo(neighbor);
    let total = 0;
    for (const m of text.matchAll(/Routes:\s+(\d+) imported/g)) total += Number(m[1]);
    return total;
  }

  async routes(family: Family): Promise<DaemonRoute[]> {
    const table = family === 'ipv4' ? 'master4' : 'master6';
    const text = await this.birdc([
      'show',
      'route',
      'table',
      table,
      'where',
      'source',
      '=',
      'RTS_BGP',
      'all',
    ]);
    const peerOf = new Map<string, string>();
    for (const n of this.config.neighbors)
      peerOf.set(await this.protocolName(n.address), canonicalAddress(n.address));
    return sortRoutes(
      parseBirdRoutes(text).map((p) => {
        const num = (k: string): number | undefined => {
          const v = p.attrs.get(k);
          return v === undefined ? undefined : Number(v);
        };
        return {
          prefix: canonicalPrefix(p.prefix),
          nextHops: (p.attrs.get('BGP.next_hop') ?? '')
            .split(/\s+/)
            .filter((a) => a !== '' && !isLinkLocal(a))
            .map(canonicalAddress),
          origin: parseOrigin(p.attrs.get('BGP.origin')),
          asPath: (p.attrs.get('BGP.as_path') ?? '').match(/\d+/g)?.map(Number) ?? [],
          communities: [...(p.attrs.get('BGP.community') ?? '').matchAll(/\((\d+),\s*(\d+)\)/g)].map(
            (m) => `${m[1]}:${m[2]}`,
          ),
          largeCommunities: [
            ...(p.attrs.get('BGP.large_community') ?? '').matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g),
          ].map((m) => `${m[1]}:${m[2]}:${m[3]}`),
          med: num('BGP.med'),
          localPref: num('BGP.local_pref'),
          best: p.best,
          peer: peerOf.get(p.protocol),
        };
      }),
    );
  }

  async routeRefresh(neighbor: string): Promise<void> {
    await this.birdc(['reload', 'in', await this.protocolName(neighbor)]);
  }

  protected async applyAnnouncements(): Promise<void> {
    this.requireRunning();
    if (this.config.rawConfig !== undefined)
      throw new Error(`${this.label}: cannot announce with a raw config`);
    writeFileSync(join(this.dir, 'bird.conf'), this.renderConfig());
    const text = await this.birdc(['configure']);
    if (!/Reconfigur/.test(text)) throw new Error(`${this.label}: configure: ${text.trim()}`);
    await this.nudge(2, 50);
  }
}

function birdState(s: string): SessionState {
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
