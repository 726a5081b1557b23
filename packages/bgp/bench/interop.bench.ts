/**
 * Interop benchmark: our speaker against BIRD and GoBGP, side by side, in network
 * namespaces from the interop harness. Needs root, bird2 and gobgp; not a test.
 *
 *   pnpm bench:interop [--n 100000,1000000] [--dist] [--only ours,gobgp,bird]
 *                      [--direction announce,receive] [--runs N]
 *
 * With `--runs N` every run prints its own table, then the medians and the median
 * of the ours ÷ BIRD ratios taken within each run (other load shifts between runs).
 * With ANYVIP_BENCH_BASELINE_CLI=/path/to/other/packages/bgp-cli/dist/main.js a fourth
 * subject, `base` (another build of `anyvip-bgp speak`, say main's), runs in the same
 * runs, so two builds compare under the same load.
 *
 * Two nodes on one veth link: `fixed` (10.250.1.1, a BIRD in AS 65001 with no kernel
 * protocol, so figures are BIRD's table, not FIB programming) and `subject`
 * (10.250.1.2, AS 65002: our speaker, gobgpd or a second BIRD). The subject is always
 * passive; the fixed BIRD's session starts `disabled` and is enabled only once the
 * subject holds its routes, so every announcer starts with its table ready.
 *
 * (a) announce: the subject announces N /32s; clock from Established until the fixed
 *     BIRD has imported N (`show protocols all`, O(1), every 10 ms: at 100k BIRD takes
 *     ~60-150 ms, so a coarser poll would swamp the ratio).
 * (b) receive: the fixed BIRD announces N static /32s; clock from Established until the
 *     subject holds N (ours: its `updates-received` lines every 20 ms, both stamps on
 *     its own clock; GoBGP: the `accepted` counter every 250 ms, since its query walks
 *     the Adj-RIB; BIRD: its import counter every 50 ms).
 *
 * Established: ours from its own `state` event; for GoBGP and BIRD, the first 20 ms
 * sample of the fixed BIRD's protocol state. Peak RSS is VmHWM read before stopping.
 * GoBGP gets its routes from an MRT TABLE_DUMP_V2 file (RFC 6396 §4.3) written here and
 * loaded with `gobgp mrt inject global`; BIRD from an included file of static routes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import {
  type BirdDaemon,
  createPair,
  type GobgpDaemon,
  type Lab,
  type ManagedProcess,
  runCommand,
  sleep,
  startDaemon,
} from '../test/interop/support/index.js';

const pkg = resolve(import.meta.dirname, '..');
/** The anyvip-bgp CLI package, whose `speak` the benchmark runs as our side (it imports this package's build). */
const cli = resolve(pkg, '../bgp-cli');
const FIXED = { node: 'fixed', ip: '10.250.1.1', asn: 65001 } as const;
const SUBJECT = { node: 'subject', ip: '10.250.1.2', asn: 65002 } as const;
/** Announced prefixes: /32s counting up from 100.64.0.0 (RFC 6598 space, 4M addresses). */
const BASE = 0x64400000;
const BASE_TEXT = '100.64.0.0';
/** The BGP protocol's name in both BIRD configs. */
const PROTO = 'bench_peer';

type Who = 'ours' | 'base' | 'gobgp' | 'bird';
type Direction = 'announce' | 'receive';

/** One measured run. */
interface Result {
  readonly direction: Direction;
  readonly who: Who;
  readonly n: number;
  /** Established → complete, ms; undefined on timeout. */
  readonly ms: number | undefined;
  /** Peak RSS of the subject process, MB. */
  readonly subjectRssMb: number;
  /** Peak RSS of the fixed BIRD, MB. */
  readonly fixedRssMb: number;
  /** CPU seconds (user + system) of the subject process over its life, read before stopping. */
  readonly subjectCpuS: number;
  readonly note: string;
}

// ---------------------------------------------------------------------------------
// BIRD control socket: one persistent connection, so polling every 20 ms costs no fork.

/** A BIRD control-socket client; a reply ends at a line of four digits and a space. */
class BirdControl {
  private buf = '';
  private waiter: ((text: string) => void) | undefined;
  private readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buf += chunk;
      this.drain();
    });
    socket.on('error', () => {});
  }

  static async open(path: string): Promise<BirdControl> {
    const socket = createConnection(path);
    await new Promise<void>((ok, fail) => {
      socket.once('connect', ok);
      socket.once('error', fail);
    });
    const c = new BirdControl(socket);
    await c.reply(); // "0001 BIRD x ready."
    return c;
  }

  private drain(): void {
    const m = /^\d{4} .*\n/m.exec(this.buf);
    if (m === null || this.waiter === undefined) return;
    const end = m.index + m[0].length;
    const text = this.buf.slice(0, end);
    this.buf = this.buf.slice(end);
    const w = this.waiter;
    this.waiter = undefined;
    w(text);
  }

  private reply(): Promise<string> {
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('BIRD control socket: no reply in 30 s')), 30_000);
      this.waiter = (t) => {
        clearTimeout(timer);
        ok(t);
      };
      this.drain();
    });
  }

  request(cmd: string): Promise<string> {
    const r = this.reply();
    this.socket.write(`${cmd}\n`);
    return r;
  }

  async established(protocol: string): Promise<boolean> {
    return /\bEstablished\b/.test(await this.request(`show protocols ${protocol}`));
  }

  /** "Routes: N imported" of a protocol. */
  async imported(protocol: string): Promise<number> {
    const text = await this.request(`show protocols all ${protocol}`);
    return Number(/Routes:\s+(\d+) imported/.exec(text)?.[1] ?? 0);
  }

  close(): void {
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------------------------
// Route files.

/** Progress on stderr, so stdout keeps only the table. */
function progress(text: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

function dotted(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** BIRD static routes, one `route A/32 blackhole;` per line. */
function writeBirdRoutes(path: string, n: number): void {
  const lines: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) lines[i] = `route ${dotted(BASE + i)}/32 blackhole;`;
  writeFileSync(path, n === 0 ? '' : `${lines.join('\n')}\n`);
}

function ipv4Bytes(text: string): number {
  const p = text.split('.').map(Number);
  return (((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0;
}

/**
 * An MRT TABLE_DUMP_V2 file (RFC 6396 §4.3): a PEER_INDEX_TABLE with one peer, then one
 * RIB_IPV4_UNICAST record per /32 with ORIGIN IGP, an empty AS_PATH (AS_PATH in
 * TABLE_DUMP_V2 is always 4-octet, RFC 6396 §4.3.4; empty needs no segment) and
 * NEXT_HOP `nextHop`.
 */
/** Repeated records at the end of the MRT file; see writeMrt. */
const PAD = 20_000;

function writeMrt(path: string, n: number, nextHop: string): void {
  const ts = Math.floor(Date.now() / 1000);
  // PEER_INDEX_TABLE: collector id, view name length 0, 1 peer (type 0x02 = AS4, IPv4).
  const peerBody = Buffer.alloc(4 + 2 + 2 + 1 + 4 + 4 + 4);
  peerBody.writeUInt32BE(ipv4Bytes(SUBJECT.ip), 0);
  peerBody.writeUInt16BE(0, 4);
  peerBody.writeUInt16BE(1, 6);
  peerBody.writeUInt8(0x02, 8);
  peerBody.writeUInt32BE(ipv4Bytes(SUBJECT.ip), 9);
  peerBody.writeUInt32BE(0, 13); // peer address 0.0.0.0: a local path, not one from a neighbor
  peerBody.writeUInt32BE(SUBJECT.asn, 17);
  const attrs = Buffer.from([0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4, 0, 0, 0, 0]);
  attrs.writeUInt32BE(ipv4Bytes(nextHop), 10);
  const body = 4 + 1 + 4 + 2 + 2 + 4 + 2 + attrs.length;
  const rec = 12 + body;
  // `gobgp mrt inject` (3.10) drops the last records still queued when it exits, so the
  // file ends with PAD repeats of its first prefixes: re-adding a path only replaces it.
  const total = n + PAD;
  const out = Buffer.allocUnsafe(12 + peerBody.length + total * rec);
  let o = 0;
  o = out.writeUInt32BE(ts, o);
  o = out.writeUInt16BE(13, o); // TABLE_DUMP_V2
  o = out.writeUInt16BE(1, o); // PEER_INDEX_TABLE
  o = out.writeUInt32BE(peerBody.length, o);
  o += peerBody.copy(out, o);
  for (let r = 0; r < total; r++) {
    const i = r < n ? r : (r - n) % n;
    o = out.writeUInt32BE(ts, o);
    o = out.writeUInt16BE(13, o);
    o = out.writeUInt16BE(2, o); // RIB_IPV4_UNICAST
    o = out.writeUInt32BE(body, o);
    o = out.writeUInt32BE(r, o); // sequence number
    o = out.writeUInt8(32, o);
    o = out.writeUInt32BE((BASE + i) >>> 0, o);
    o = out.writeUInt16BE(1, o); // entry count
    o = out.writeUInt16BE(0, o); // peer index
    o = out.writeUInt32BE(ts, o);
    o = out.writeUInt16BE(attrs.length, o);
    o += attrs.copy(out, o);
  }
  writeFileSync(path, out);
}

// ---------------------------------------------------------------------------------
// Daemons.

function birdConfig(opts: {
  ip: string;
  asn: number;
  peerIp: string;
  peerAsn: number;
  routesFile: string;
  /** The fixed BIRD starts disabled and dials; the subject BIRD is passive. */
  role: 'fixed' | 'subject';
  exportStatic: boolean;
}): string {
  return [
    `router id ${opts.ip};`,
    'log stderr { warning, error, fatal };',
    'protocol device {}',
    'protocol static st {',
    '  ipv4;',
    // BIRD takes `include` only at the start of a line.
    `  include "${opts.routesFile}";`,
    '}',
    `protocol bgp ${PROTO} {`,
    `  local ${opts.ip} as ${opts.asn};`,
    `  neighbor ${opts.peerIp} as ${opts.peerAsn};`,
    '  hold time 90;',
    '  connect delay time 1;',
    '  connect retry time 2;',
    '  error wait time 1, 4;',
    opts.role === 'fixed' ? '  disabled on;' : '  passive on;',
    `  ipv4 { import all; export ${opts.exportStatic ? 'where source = RTS_STATIC' : 'none'}; };`,
    '}',
    '',
  ].join('\n');
}

async function startBird(lab: Lab, role: 'fixed' | 'subject', exportStatic: boolean): Promise<BirdDaemon> {
  const me = role === 'fixed' ? FIXED : SUBJECT;
  const peer = role === 'fixed' ? SUBJECT : FIXED;
  const routesFile = join(lab.dir, `${role}-routes.conf`);
  writeBirdRoutes(routesFile, 0);
  return startDaemon(lab, me.node, 'bird', {
    routerId: me.ip,
    asn: me.asn,
    neighbors: [{ address: peer.ip, localAddress: me.ip, asn: peer.asn, passive: role === 'subject' }],
    rawConfig: birdConfig({
      ip: me.ip,
      asn: me.asn,
      peerIp: peer.ip,
      peerAsn: peer.asn,
      routesFile,
      role,
      exportStatic,
    }),
  });
}

/** Loads N static routes into a running BIRD (reconfigure), excluded from the clock. */
async function loadBirdStatics(
  lab: Lab,
  bird: BirdDaemon,
  role: 'fixed' | 'subject',
  n: number,
): Promise<number> {
  const t = performance.now();
  writeBirdRoutes(join(lab.dir, `${role}-routes.conf`), n);
  const r = await runCommand('birdc', ['-s', bird.controlSocket, 'configure'], { timeoutMs: 300_000 });
  if (!/Reconfigur/.test(r.stdout)) throw new Error(`birdc configure: ${r.stdout} ${r.stderr}`);
  const c = await BirdControl.open(bird.controlSocket);
  try {
    const deadline = performance.now() + 300_000;
    while ((await c.imported('st')) < n) {
      if (performance.now() > deadline) throw new Error(`BIRD ${role}: static routes not loaded in 300 s`);
      await sleep(100);
    }
  } finally {
    c.close();
  }
  return performance.now() - t;
}

/** Another build's `anyvip-bgp speak` (its dist/main.js), run as the `base` subject. */
const BASELINE_CLI = process.env.ANYVIP_BENCH_BASELINE_CLI;

function speakArgs(generate: number, dist: boolean, base: boolean): string[] {
  // `anyvip-bgp speak`, from the CLI package beside this one (or the baseline build).
  const entry = base
    ? [resolve(BASELINE_CLI ?? '')]
    : dist
      ? [resolve(cli, 'dist/main.js')]
      : ['--import', resolve(pkg, 'scripts/ts-resolve.mjs'), resolve(cli, 'src/main.ts')];
  return [
    ...entry,
    'speak',
    '--local-asn',
    String(SUBJECT.asn),
    '--router-id',
    SUBJECT.ip,
    '--peer',
    FIXED.ip,
    '--peer-asn',
    String(FIXED.asn),
    '--passive',
    '--listen-address',
    SUBJECT.ip,
    '--stats-interval',
    '20',
    ...(generate > 0 ? ['--generate', String(generate), '--generate-base', BASE_TEXT] : []),
  ];
}

interface SpeakLine {
  t: number;
  event: string;
  to?: string;
  prefixes?: number;
  count?: number;
  msSinceEstablished?: number;
  ms?: number;
}

function speakLines(p: ManagedProcess): SpeakLine[] {
  const out: SpeakLine[] = [];
  for (const l of p.lines()) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as SpeakLine);
    } catch {
      // Not ours.
    }
  }
  return out;
}

function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** utime + stime of a process, seconds (USER_HZ is 100 on Linux). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function timeoutFor(n: number, who: Who): number {
  return Math.max(60_000, (n / 1_000_000) * (who === 'gobgp' ? 400_000 : 180_000));
}

// ---------------------------------------------------------------------------------
// Subjects.

interface Subject {
  /** PID for VmHWM. */
  pid(): number | undefined;
  /** Bench-clock time of Established from the subject itself, when it says. */
  establishedAt(): number | undefined;
}

/** Our speaker in the subject node; resolves once it listens (and generated its table). */
async function startOurs(
  lab: Lab,
  n: number,
  dist: boolean,
  base: boolean,
): Promise<{ p: ManagedProcess; s: Subject }> {
  const p = await lab.spawn(SUBJECT.node, process.execPath, speakArgs(n, dist, base), { label: 'speak' });
  let est: number | undefined;
  // Stamped on arrival: stdout to a pipe is written synchronously, and this process is
  // idle between polls, so the line arrives within a millisecond or so of the event.
  void p
    .waitForJsonLine((v) => (v as SpeakLine).to === 'established', { timeoutMs: 600_000 })
    .then(() => {
      est = performance.now();
    })
    .catch(() => {});
  await p.waitForJsonLine((v) => (v as SpeakLine).event === 'listening', {
    timeoutMs: 120_000,
    what: 'speak listening',
  });
  return { p, s: { pid: () => p.pid, establishedAt: () => est } };
}

async function startGobgp(lab: Lab, n: number): Promise<{ d: GobgpDaemon; s: Subject; loadMs: number }> {
  const d = await startDaemon(lab, SUBJECT.node, 'gobgp', {
    routerId: SUBJECT.ip,
    asn: SUBJECT.asn,
    neighbors: [
      { address: FIXED.ip, localAddress: SUBJECT.ip, asn: FIXED.asn, passive: true, holdTimeSec: 90 },
    ],
  });
  let loadMs = 0;
  if (n > 0) {
    const t = performance.now();
    const file = join(lab.dir, 'routes.mrt');
    writeMrt(file, n, SUBJECT.ip);
    progress(`gobgp: injecting ${n} paths`);
    await runCommand('gobgp', ['--target', d.apiTarget, 'mrt', 'inject', 'global', file], {
      timeoutMs: 600_000,
    });
    progress('gobgp: injected; waiting for the RIB');
    // Inject streams the paths; wait until the RIB holds all of them.
    const deadline = performance.now() + 300_000;
    for (;;) {
      const r = await d.gobgp(['global', 'rib', 'summary', '-a', 'ipv4']);
      const m = /Destination:\s*(\d+)/.exec(r.stdout);
      if (Number(m?.[1] ?? 0) >= n) break;
      if (performance.now() > deadline) throw new Error(`gobgp RIB: ${r.stdout.trim()} after 300 s`);
      await sleep(250);
    }
    loadMs = performance.now() - t;
  }
  return { d, s: { pid: () => d.pid, establishedAt: () => undefined }, loadMs };
}

// ---------------------------------------------------------------------------------
// Runs.

/** Poll interval of the fixed BIRD's import counter in announce runs. */
const ANNOUNCE_POLL_MS = 10;
/** Poll interval of the fixed BIRD's session state (Established for GoBGP and BIRD subjects). */
const ESTABLISHED_POLL_MS = 5;

/** Polls the fixed BIRD every 5 ms until its session is Established; returns that time. */
async function pollEstablished(c: BirdControl, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const t = performance.now();
    if (await c.established(PROTO)) return t;
    if (t > deadline) throw new Error(`session not Established in ${timeoutMs} ms`);
    await sleep(ESTABLISHED_POLL_MS);
  }
}

async function runAnnounce(who: Who, n: number, dist: boolean): Promise<Result> {
  const lab = await createPair(FIXED.node, SUBJECT.node);
  let note = '';
  try {
    const fixed = await startBird(lab, 'fixed', false);
    let subject: Subject;
    // An announcing BIRD may hold its last partial batch for 3 s unless a control
    // command wakes it, so it is poked as often as the receiver is polled.
    let poke: BirdControl | undefined;
    let ours: ManagedProcess | undefined;
    switch (who) {
      case 'ours':
      case 'base': {
        const { p, s } = await startOurs(lab, n, dist, who === 'base');
        subject = s;
        ours = p;
        const g = speakLines(p).find((l) => l.event === 'generated');
        note = `generate ${Math.round(g?.ms ?? 0)} ms`;
        break;
      }
      case 'gobgp': {
        const { s, loadMs } = await startGobgp(lab, n);
        subject = s;
        note = `mrt inject ${Math.round(loadMs)} ms`;
        break;
      }
      case 'bird': {
        const b = await startBird(lab, 'subject', true);
        const loadMs = await loadBirdStatics(lab, b, 'subject', n);
        subject = { pid: () => b.pid, establishedAt: () => undefined };
        poke = await BirdControl.open(b.controlSocket);
        note = `static load ${Math.round(loadMs)} ms`;
        break;
      }
    }
    const c = await BirdControl.open(fixed.controlSocket);
    try {
      await c.request(`enable ${PROTO}`);
      const polled = await pollEstablished(c, 30_000);
      const t0 = subject.establishedAt() ?? polled;
      const deadline = t0 + timeoutFor(n, who);
      let ms: number | undefined;
      for (;;) {
        const t = performance.now();
        await poke?.request('show status');
        if ((await c.imported(PROTO)) >= n) {
          ms = t - t0;
          break;
        }
        if (t > deadline) {
          note += '; TIMEOUT';
          break;
        }
        await sleep(ANNOUNCE_POLL_MS);
      }
      // Where our time went: sending (its own End-of-RIB stamp) versus the router importing.
      const eor = ours === undefined ? undefined : speakLines(ours).find((l) => l.event === 'eor-sent');
      if (eor?.msSinceEstablished !== undefined)
        note += `; EoR sent ${Math.round(eor.msSinceEstablished)} ms`;
      return {
        direction: 'announce',
        who,
        n,
        ms,
        subjectRssMb: peakRssMb(subject.pid()),
        fixedRssMb: peakRssMb(fixed.pid),
        subjectCpuS: cpuSeconds(subject.pid()),
        note,
      };
    } finally {
      c.close();
      poke?.close();
    }
  } finally {
    await lab.destroy();
  }
}

async function runReceive(who: Who, n: number, dist: boolean): Promise<Result> {
  const lab = await createPair(FIXED.node, SUBJECT.node);
  let note = '';
  try {
    const fixed = await startBird(lab, 'fixed', true);
    const loadMs = await loadBirdStatics(lab, fixed, 'fixed', n);
    note = `announcer static load ${Math.round(loadMs)} ms`;
    let count: () => Promise<number>;
    let subject: Subject;
    let interval = 50;
    let ours: ManagedProcess | undefined;
    let birdSubjectCtl: BirdControl | undefined;
    switch (who) {
      case 'ours':
      case 'base': {
        const { p, s } = await startOurs(lab, 0, dist, who === 'base');
        ours = p;
        subject = s;
        count = async () => {
          let best = 0;
          for (const l of speakLines(p)) best = Math.max(best, l.prefixes ?? 0);
          return best;
        };
        interval = 20;
        break;
      }
      case 'gobgp': {
        const { d, s } = await startGobgp(lab, 0);
        subject = s;
        // The harness's routeCount gives up after 15 s; at 1M, while routes arrive, the
        // Adj-RIB walk behind `gobgp neighbor -j` can take longer. A failed poll is "not yet".
        count = async () => {
          const r = await runCommand('gobgp', ['--target', d.apiTarget, 'neighbor', FIXED.ip, '-j'], {
            timeoutMs: 120_000,
            allowFailure: true,
          });
          if (r.code !== 0) return 0;
          const j = JSON.parse(r.stdout) as { afi_safis?: { state?: { accepted?: number } }[] };
          return (j.afi_safis ?? []).reduce((sum, a) => sum + (a.state?.accepted ?? 0), 0);
        };
        interval = 250;
        break;
      }
      case 'bird': {
        const b = await startBird(lab, 'subject', false);
        subject = { pid: () => b.pid, establishedAt: () => undefined };
        const bc = await BirdControl.open(b.controlSocket);
        birdSubjectCtl = bc;
        count = () => bc.imported(PROTO);
        break;
      }
    }
    const c = await BirdControl.open(fixed.controlSocket);
    try {
      await c.request(`enable ${PROTO}`);
      const polled = await pollEstablished(c, 30_000);
      const t0 = subject.establishedAt() ?? polled;
      const deadline = t0 + timeoutFor(n, who);
      let ms: number | undefined;
      let lastPoke = 0;
      for (;;) {
        const t = performance.now();
        // Any control command wakes BIRD, which may hold its last partial batch for 3 s;
        // every 20 ms, whatever the receiver's poll interval.
        if (t - lastPoke >= 20) {
          lastPoke = t;
          await c.request('show status');
        }
        if ((await count()) >= n) {
          ms = t - t0;
          break;
        }
        if (t > deadline) {
          note += '; TIMEOUT';
          break;
        }
        await sleep(interval);
      }
      if (ours !== undefined && ms !== undefined) {
        // Both stamps on the speaker's own clock: its Established line and the first
        // counter line (every 20 ms) or End-of-RIB that reached N.
        const lines = speakLines(ours);
        const est = lines.find((l) => l.to === 'established');
        const eor = lines.find((l) => l.event === 'eor-received' && (l.count ?? 0) >= n);
        const full = lines.find((l) => (l.prefixes ?? 0) >= n);
        if (eor?.msSinceEstablished !== undefined) {
          ms = eor.msSinceEstablished;
          note += '; End-of-RIB';
        } else if (est !== undefined && full !== undefined) {
          ms = full.t - est.t;
          note += '; 20 ms counter';
        }
      }
      return {
        direction: 'receive',
        who,
        n,
        ms,
        subjectRssMb: peakRssMb(subject.pid()),
        fixedRssMb: peakRssMb(fixed.pid),
        subjectCpuS: cpuSeconds(subject.pid()),
        note,
      };
    } finally {
      c.close();
      birdSubjectCtl?.close();
    }
  } finally {
    await lab.destroy();
  }
}

// ---------------------------------------------------------------------------------
// Report.

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? 'timeout' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? '—' : `${(a / b).toFixed(2)}×`;
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + ' '.repeat(w - s.length);
}

function printTable(results: readonly Result[], loadavg: string[]): void {
  const rows: string[][] = [
    [
      'direction',
      'N',
      'who',
      'Est.→all N',
      'vs BIRD',
      'vs GoBGP',
      'subject RSS',
      'subject CPU',
      'fixed BIRD RSS',
      'note',
    ],
  ];
  for (const r of results) {
    const same = (w: Who) =>
      results.find((x) => x.direction === r.direction && x.n === r.n && x.who === w)?.ms;
    rows.push([
      r.direction,
      String(r.n),
      r.who,
      fmtMs(r.ms),
      r.who === 'bird' ? '' : ratio(r.ms, same('bird')),
      r.who === 'ours' || r.who === 'base' ? ratio(r.ms, same('gobgp')) : '',
      `${r.subjectRssMb.toFixed(0)} MB`,
      `${r.subjectCpuS.toFixed(2)} s`,
      `${r.fixedRssMb.toFixed(0)} MB`,
      r.note,
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of rows) console.log(row.map((c, i) => pad(c, widths[i] ?? 0)).join('  '));
  console.log('');
  console.log('Targets (ours):');
  for (const n of [...new Set(results.map((r) => r.n))]) {
    const get = (d: Direction, w: Who) => results.find((x) => x.direction === d && x.n === n && x.who === w);
    const check = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'MET' : 'MISSED');
    const a = get('announce', 'ours');
    const ab = get('announce', 'bird');
    const ag = get('announce', 'gobgp');
    const rcv = get('receive', 'ours');
    const rb = get('receive', 'bird');
    const rg = get('receive', 'gobgp');
    const cmp = (x: Result | undefined, y: Result | undefined, f: (p: number, q: number) => boolean) =>
      x?.ms === undefined || y?.ms === undefined ? undefined : f(x.ms, y.ms);
    const rss = Math.max(a?.subjectRssMb ?? 0, rcv?.subjectRssMb ?? 0);
    // A process has a fixed floor (Node ≈ 100 MB), so below 1M the budget stays 300 MB.
    const budget = 300 * Math.max(1, n / 1_000_000);
    console.log(
      `  N=${n}: announce ≤ 2.5× BIRD: ${check(cmp(a, ab, (p, q) => p <= 2.5 * q))}; ` +
        `announce ≤ 1/4 GoBGP: ${check(cmp(a, ag, (p, q) => p <= q / 4))}; ` +
        `receive ≤ 2× BIRD: ${check(cmp(rcv, rb, (p, q) => p <= 2 * q))}; ` +
        `receive < GoBGP: ${check(cmp(rcv, rg, (p, q) => p < q))}; ` +
        `peak RSS ${rss.toFixed(0)} MB < ${budget.toFixed(0)} MB: ${check(rss < budget)}`,
    );
  }
  console.log('');
  console.log(`loadavg before: ${loadavg[0]}   after: ${loadavg[1]}`);
  console.log(
    'Poll granularity: announce: fixed BIRD import counter every 10 ms. receive: GoBGP accepted every 250 ms ' +
      '(time = start of the first poll that saw N: a lower bound), BIRD every 50 ms, ours its own ' +
      'End-of-RIB / 20 ms counter; announcer poked at every announce poll. Established: ours from its own event, ' +
      'GoBGP/BIRD from a 5 ms poll of the fixed BIRD. Ratios are ours ÷ other (targets: announce ' +
      '≤ 2.5 vs BIRD, ≤ 0.25 vs GoBGP; receive ≤ 2 vs BIRD, < 1 vs GoBGP).',
  );
}

interface Args {
  readonly ns: number[];
  readonly dist: boolean;
  readonly only: Who[];
  readonly directions: Direction[];
  readonly runs: number;
}

function parseArgs(argv: readonly string[]): Args {
  let ns = [100_000, 1_000_000];
  let dist = false;
  let only: Who[] =
    BASELINE_CLI === undefined ? ['ours', 'gobgp', 'bird'] : ['ours', 'base', 'gobgp', 'bird'];
  let directions: Direction[] = ['announce', 'receive'];
  let runs = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--n') ns = (argv[++i] ?? '').split(',').map(Number);
    else if (a === '--dist') dist = true;
    else if (a === '--only') only = (argv[++i] ?? '').split(',') as Who[];
    else if (a === '--direction') directions = (argv[++i] ?? '').split(',') as Direction[];
    else if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--') continue;
    else
      throw new Error(
        `unknown argument ${a}; use --n 100000,1000000 [--dist] [--only ours,gobgp,bird] ` +
          '[--direction announce,receive] [--runs N]',
      );
  }
  if (ns.some((n) => !Number.isInteger(n) || n < 1 || n > 4_000_000)) throw new Error('--n: 1..4000000');
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error('--runs: 1..20');
  if (only.includes('base') && BASELINE_CLI === undefined)
    throw new Error('--only base needs ANYVIP_BENCH_BASELINE_CLI=/path/to/bgp-cli/dist/main.js');
  return { ns, dist, only, directions, runs };
}

function median(xs: readonly number[]): number | undefined {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/** One row per (direction, N, who): the median time, the largest peak RSS, and the runs in the note. */
function medians(runs: readonly (readonly Result[])[]): Result[] {
  const out: Result[] = [];
  for (const r of runs[0] ?? []) {
    const same = runs.flatMap((rs) =>
      rs.filter((x) => x.direction === r.direction && x.n === r.n && x.who === r.who),
    );
    const ms = same.map((x) => x.ms ?? Number.NaN);
    out.push({
      ...r,
      ms: median(ms),
      subjectRssMb: Math.max(...same.map((x) => x.subjectRssMb)),
      fixedRssMb: Math.max(...same.map((x) => x.fixedRssMb)),
      subjectCpuS: median(same.map((x) => x.subjectCpuS)) ?? Number.NaN,
      note: `median of ${ms.map((x) => fmtMs(Number.isFinite(x) ? x : undefined)).join(', ')}`,
    });
  }
  return out;
}

/** Ours ÷ BIRD within each run, then the median of those: robust to load that shifts between runs. */
function printRunRatios(runs: readonly (readonly Result[])[]): void {
  console.log('Ours (and base) ÷ BIRD within each run (then the median, and the range of the runs):');
  for (const r of runs[0] ?? []) {
    if (r.who !== 'ours' && r.who !== 'base') continue;
    const ratios = runs.map((rs) => {
      const find = (w: Who) => rs.find((x) => x.direction === r.direction && x.n === r.n && x.who === w)?.ms;
      const a = find(r.who);
      const b = find('bird');
      return a === undefined || b === undefined ? Number.NaN : a / b;
    });
    const m = median(ratios);
    const ok = ratios.filter((x) => Number.isFinite(x));
    const spread = ok.length === 0 ? '—' : `${Math.min(...ok).toFixed(2)}–${Math.max(...ok).toFixed(2)}`;
    console.log(
      `  ${r.who} ${r.direction} ${r.n}: ${ratios.map((x) => (Number.isFinite(x) ? x.toFixed(2) : '—')).join(', ')}` +
        ` → median ${m === undefined ? '—' : `${m.toFixed(2)}×`}, range ${spread}`,
    );
  }
}

const args = parseArgs(process.argv.slice(2));
const runs: Result[][] = [];
const loads: string[] = [];
for (let run = 0; run < args.runs; run++) {
  const before = readFileSync('/proc/loadavg', 'utf8').trim();
  const results: Result[] = [];
  for (const n of args.ns) {
    for (const direction of args.directions) {
      for (const who of args.only) {
        let r: Result;
        try {
          r =
            direction === 'announce'
              ? await runAnnounce(who, n, args.dist)
              : await runReceive(who, n, args.dist);
        } catch (err) {
          const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
          r = {
            direction,
            who,
            n,
            ms: undefined,
            subjectRssMb: Number.NaN,
            fixedRssMb: Number.NaN,
            subjectCpuS: Number.NaN,
            note: `FAILED: ${why}`,
          };
        }
        console.error(JSON.stringify({ run: run + 1, ...r }));
        results.push(r);
      }
    }
  }
  const after = readFileSync('/proc/loadavg', 'utf8').trim();
  loads.push(before, after);
  runs.push(results);
  if (args.runs > 1) console.log(`\nRun ${run + 1} of ${args.runs}:`);
  printTable(results, [before, after]);
}
if (args.runs > 1) {
  console.log(`\nMedians over ${args.runs} runs:`);
  printTable(medians(runs), [loads[0] ?? '', loads[loads.length - 1] ?? '']);
  printRunRatios(runs);
}
