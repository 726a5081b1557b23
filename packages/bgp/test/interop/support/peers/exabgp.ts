/**
 * ExaBGP 4 as an interop peer. ExaBGP has no RIB to query and no kernel FIB: a small
 * API process (configs/exabgp-api.py) appends every JSON message ExaBGP emits (state
 * changes, parsed UPDATEs, ROUTE-REFRESH) to a JSON Lines file, which this class
 * replays into per-neighbor Adj-RIBs-In; commands (`announce route …`) go to the
 * process through a FIFO.
 *
 * It advertises no route-refresh capability: ExaBGP 4.2.21 resets the session when a
 * peer sends ROUTE-REFRESH (Exa-Networks/exabgp#1237).
 *
 * Runs with the Debian python3 (`/usr/sbin/exabgp`); a python3 earlier on PATH may lack
 * the module. The env turns off privilege dropping, the CLI pipes and command acks, and
 * binds the listener to the neighbors' local addresses.
 */
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  neighborFamilies,
  neighborTimers,
  parseOrigin,
  type SessionState,
  sortRoutes,
} from './daemon.js';

const API_SCRIPT = fileURLToPath(new URL('../../configs/exabgp-api.py', import.meta.url));
const PYTHON = '/usr/bin/python3';
const EXABGP = '/usr/sbin/exabgp';

interface ExaNlri {
  nlri?: string;
}

interface ExaAttributes {
  origin?: string;
  'as-path'?: (number | number[])[];
  med?: number;
  'local-preference'?: number;
  community?: [number, number][];
  'large-community'?: [number, number, number][];
}

interface ExaMessage {
  type?: string;
  neighbor?: {
    address?: { peer?: string };
    state?: string;
    reason?: string;
    direction?: string;
    message?: {
      update?: {
        attribute?: ExaAttributes;
        announce?: Record<string, Record<string, (ExaNlri | string)[]>>;
        withdraw?: Record<string, (ExaNlri | string)[]>;
      };
    };
  };
}

interface NeighborView {
  state: SessionState;
  lastError: string | undefined;
  routes: Map<string, DaemonRoute>;
  refreshesReceived: number;
}

/**
 * Parses one line of ExaBGP JSON. ExaBGP 4.2 writes ROUTE-REFRESH messages with doubled
 * quotes (`"afi": ""ipv4""`), which is repaired; other unparsable lines are skipped.
 */
export function parseExaJson(line: string): ExaMessage | undefined {
  if (line.trim() === '') return undefined;
  for (const text of [line, line.replace(/""([^",{}]*)""/g, '"$1"')]) {
    try {
      return JSON.parse(text) as ExaMessage;
    } catch {
      // Try the repaired form, then give up on this line.
    }
  }
  return undefined;
}

function nlriText(n: ExaNlri | string): string | undefined {
  return typeof n === 'string' ? n : n.nlri;
}

/** ExaBGP in a namespace. */
export class ExabgpDaemon extends DaemonBase {
  readonly kind = 'exabgp';
  private dir = '';
  private fifo = '';
  private eventsFile = '';
  private eventsOffset = 0;
  private partial = '';
  private view = new Map<string, NeighborView>();

  async start(): Promise<void> {
    if (this.processes.length > 0) throw new Error(`${this.label} already running`);
    this.dir = join(this.config.dir, `exabgp-${this.instance}`);
    mkdirSync(this.dir, { recursive: true });
    this.fifo = join(this.dir, 'commands.fifo');
    this.eventsFile = join(this.dir, 'events.jsonl');
    if (!existsSync(this.fifo)) await runCommand('mkfifo', [this.fifo]);
    writeFileSync(this.eventsFile, '');
    this.eventsOffset = 0;
    this.partial = '';
    this.view = new Map();
    const conf = join(this.dir, 'exabgp.conf');
    writeFileSync(conf, this.renderConfig());
    const binds = [...new Set(this.config.neighbors.map((n) => canonicalAddress(n.localAddress)))];
    const p = await spawnInNs(this.config.ns, EXABGP, [conf], {
      label: `exabgp@${this.config.ns}`,
      env: {
        ...process.env,
        'exabgp.daemon.user': 'root',
        'exabgp.daemon.drop': 'false',
        'exabgp.daemon.daemonize': 'false',
        'exabgp.api.cli': 'false',
        'exabgp.api.ack': 'false',
        'exabgp.tcp.bind': binds.join(' '),
        'exabgp.tcp.port': '179',
        'exabgp.log.destination': 'stdout',
        // ANYVIP_INTEROP_EXABGP_DEBUG=1 logs every message ExaBGP sends and receives.
        ...(process.env.ANYVIP_INTEROP_EXABGP_DEBUG === '1'
          ? { 'exabgp.log.level': 'DEBUG', 'exabgp.log.packets': 'true', 'exabgp.log.message': 'true' }
          : { 'exabgp.log.level': 'INFO' }),
      },
    });
    this.processes = [p];
    // The API process holds the FIFO open once it runs; until then a writer gets ENXIO.
    await waitFor(() => this.tryOpenFifo(), {
      timeoutMs: 15_000,
      intervalMs: 50,
      what: `${this.label} API process`,
      abort: () => this.exitedError(),
    }).then((fd) => closeSync(fd));
    for (const a of this.announced.values()) await this.command(this.announceCommand(a));
  }

  private tryOpenFifo(): number | undefined {
    try {
      return openSync(this.fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENXIO') return undefined;
      throw err;
    }
  }

  /** The exabgp.conf. */
  renderConfig(): string {
    const c = this.config;
    const out = [
      'process av-api {',
      `  run ${PYTHON} ${API_SCRIPT} ${this.fifo} ${this.eventsFile};`,
      '  encoder json;',
      '}',
      '',
    ];
    for (const n of c.neighbors) {
      const { holdSec } = neighborTimers(n);
      out.push(
        `neighbor ${canonicalAddress(n.address)} {`,
        `  router-id ${c.routerId};`,
        `  local-address ${canonicalAddress(n.localAddress)};`,
        `  local-as ${c.asn};`,
        `  peer-as ${n.asn};`,
        `  hold-time ${holdSec};`,
        ...(n.passive === true ? ['  passive true;'] : []),
        `  family { ${neighborFamilies(n)
          .map((f) => `${f} unicast;`)
          .join(' ')} }`,
        '  api {',
        '    processes [ av-api ];',
        '    receive { parsed; update; refresh; }',
        '    neighbor-changes;',
        '  }',
        '}',
        '',
      );
    }
    return out.join('\n');
  }

  /** Sends one API command line (e.g. `announce route 10.250.9.0/24 next-hop self`). */
  async command(line: string): Promise<void> {
    this.requireRunning();
    const fd = this.tryOpenFifo();
    if (fd === undefined) throw new Error(`${this.label}: API process is not reading commands`);
    try {
      const buf = Buffer.from(`${line}\n`);
      let written = 0;
      for (let attempt = 0; written < buf.length; attempt++) {
        try {
          written += writeSync(fd, buf, written);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || attempt > 100) throw err;
          await sleep(10);
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  private announceCommand(a: Announcement): string {
    const parts = [
      `announce route ${a.prefix} next-hop ${a.nextHop === undefined ? 'self' : canonicalAddress(a.nextHop)}`,
    ];
    if (a.med !== undefined) parts.push(`med ${a.med}`);
    if (a.localPref !== undefined) parts.push(`local-preference ${a.localPref}`);
    if (a.communities !== undefined && a.communities.length > 0)
      parts.push(`community [ ${a.communities.join(' ')} ]`);
    if (a.largeCommunities !== undefined && a.largeCommunities.length > 0) {
      parts.push(`large-community [ ${a.largeCommunities.join(' ')} ]`);
    }
    return parts.join(' ');
  }

  protected async applyAnnouncements(changed: string): Promise<void> {
    const a = this.announced.get(changed);
    // ExaBGP replaces a route announced again with new attributes.
    await this.command(a !== undefined ? this.announceCommand(a) : `withdraw route ${changed} next-hop self`);
  }

  /** Reads events appended since the last call and applies them to the per-neighbor view. */
  private poll(): void {
    const fd = openSync(this.eventsFile, 'r');
    try {
      const chunk = Buffer.alloc(1 << 20);
      let text = this.partial;
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, this.eventsOffset);
        if (n === 0) break;
        this.eventsOffset += n;
        text += chunk.toString('utf8', 0, n);
      }
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = parseExaJson(line);
        if (m !== undefined) this.apply(m);
      }
    } finally {
      closeSync(fd);
    }
  }

  private neighborView(peer: string): NeighborView {
    let v = this.view.get(peer);
    if (v === undefined) {
      v = { state: 'idle', lastError: undefined, routes: new Map(), refreshesReceived: 0 };
      this.view.set(peer, v);
    }
    return v;
  }

  private apply(m: ExaMessage): void {
    const peerText = m.neighbor?.address?.peer;
    if (peerText === undefined) return;
    const peer = canonicalAddress(peerText);
    const v = this.neighborView(peer);
    if (m.type === 'state') {
      const s = m.neighbor?.state;
      v.state = s === 'up' ? 'established' : s === 'connected' ? 'openSent' : 'idle';
      if (s === 'down') {
        v.routes.clear();
        v.lastError = m.neighbor?.reason ?? 'down';
      }
      return;
    }
    if (m.type === 'refresh') {
      v.refreshesReceived += 1;
      return;
    }
    const update = m.neighbor?.message?.update;
    if (m.type !== 'update' || update === undefined) return;
    for (const list of Object.values(update.withdraw ?? {})) {
      for (const n of list) {
        const t = nlriText(n);
        if (t !== undefined) v.routes.delete(canonicalPrefix(t));
      }
    }
    const attr = update.attribute ?? {};
    const fresh = new Map<string, DaemonRoute>();
    for (const byNextHop of Object.values(update.announce ?? {})) {
      for (const [nextHop, list] of Object.entries(byNextHop)) {
        for (const n of list) {
          const t = nlriText(n);
          if (t === undefined) continue;
          const prefix = canonicalPrefix(t);
          let r = fresh.get(prefix);
          if (r === undefined) {
            r = {
              prefix,
              nextHops: [],
              origin: parseOrigin(attr.origin),
              asPath: (attr['as-path'] ?? []).flat(),
              communities: (attr.community ?? []).map(([a, b]) => `${a}:${b}`),
              largeCommunities: (attr['large-community'] ?? []).map(([a, b, c]) => `${a}:${b}:${c}`),
              med: attr.med,
              localPref: attr['local-preference'],
              best: true,
              peer,
            };
            fresh.set(prefix, r);
          }
          // RFC 2545 §3: an IPv6 next hop may come with a link-local one; keep the global.
          if (!isLinkLocal(nextHop)) r.nextHops.push(canonicalAddress(nextHop));
        }
      }
    }
    for (const [prefix, r] of fresh) v.routes.set(prefix, r);
  }

  async sessionState(neighbor: string): Promise<SessionState> {
    const n = findNeighbor(this.config, neighbor, this.label);
    this.poll();
    return this.view.get(canonicalAddress(n.address))?.state ?? 'idle';
  }

  /** The reason of the last "down" state message (ExaBGP's wording). */
  async lastError(neighbor: string): Promise<string | undefined> {
    const n = findNeighbor(this.config, neighbor, this.label);
    this.poll();
    return this.view.get(canonicalAddress(n.address))?.lastError;
  }

  /** Prefixes currently held from `neighbor` (from the replayed UPDATEs). */
  async routeCount(neighbor: string): Promise<number> {
    const n = findNeighbor(this.config, neighbor, this.label);
    this.poll();
    return this.view.get(canonicalAddress(n.address))?.routes.size ?? 0;
  }

  /** ROUTE-REFRESH messages received from `neighbor` so far. */
  async refreshesReceived(neighbor: string): Promise<number> {
    const n = findNeighbor(this.config, neighbor, this.label);
    this.poll();
    return this.view.get(canonicalAddress(n.address))?.refreshesReceived ?? 0;
  }

  async routes(family: Family): Promise<DaemonRoute[]> {
    this.poll();
    const out: DaemonRoute[] = [];
    for (const v of this.view.values()) {
      for (const r of v.routes.values()) if (familyOf(r.prefix) === family) out.push(r);
    }
    return sortRoutes(out.map((r) => ({ ...r, nextHops: [...r.nextHops] })));
  }

  /**
   * Not supported. ExaBGP 4.2.21 resets the session when it handles a ROUTE-REFRESH
   * (Exa-Networks/exabgp#1237), so this peer does not advertise the RFC 2918 capability,
   * and so must not send one either.
   */
  async routeRefresh(neighbor: string): Promise<void> {
    findNeighbor(this.config, neighbor, this.label);
    throw new Error(`${this.label}: route refresh is not supported (ExaBGP 4.2 resets the session on one)`);
  }
}
