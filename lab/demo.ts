/**
 * The anyvip lab: `./run lab` (alias `./run demo`), as root on Debian 12.
 *
 * Three nodes run `anyvip standalone` and announce one VIP over BGP to a BIRD router, which
 * spreads a client's connections over them by ECMP. The demo shows the router's next hops
 * and each node's share of the traffic, fails one node's apiserver and measures how long
 * the router takes to drop that next hop (from the /livez flip to the kernel route
 * change, seen by `ip monitor` in the router's namespace), heals it, and shuts the
 * controllers down. Everything runs in network namespaces (topology.ts) that are removed
 * at the end, also after an error or on Ctrl-C.
 *
 *   node --import ./packages/bgp/scripts/ts-resolve.mjs lab/demo.ts [--proxy local|iptables] [--weighted]
 *   node --import ./packages/bgp/scripts/ts-resolve.mjs lab/demo.ts rollout [--router bird|frr] [--wait 5s]
 *
 * `--weighted` runs the weighted ECMP lab instead (weighted.ts): FRR as the router, the three
 * nodes announcing with link bandwidth 1 : 2 : 5, and the client's split following it.
 * `rollout` runs the rollout lab (rollout.ts): each node's anyvip restarted in turn under a
 * client's stream of new connections, through the examples/routers policy; 0 failed requests.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type BirdDaemon,
  type ManagedProcess,
  runCommand,
  sleep,
} from '../packages/bgp/test/interop/support/index.js';
import { makeCertificate } from './certificate.js';
import { FibMonitor } from './fib-monitor.js';
import {
  bold,
  dim,
  green,
  header,
  ms,
  red,
  say,
  shareLines,
  sharesInline,
  type Tally,
  tally,
} from './report.js';
import { type RolloutOptions, type RolloutResults, restartLine, runRollout } from './rollout.js';
import {
  ANYVIP_CLI,
  buildTopology,
  CHECK,
  type LabNode,
  NODE_ASN,
  type ProxyMode,
  ROUTER_ASN,
  startNode,
  startRouter,
  type Topology,
  VIP,
} from './topology.js';
import { runWeightedLab, type WeightedResults, weightedSummary } from './weighted.js';

const STEPS = 8;
const TRAFFIC_WINDOW_MS = 3000;
const CLIENT_RATE = 200;
const CLIENT = fileURLToPath(new URL('./client.ts', import.meta.url));
const ROLLOUT_RATE = 200;
const usage = `usage: ./run lab [--proxy local|iptables] [--weighted]
       ./run lab rollout [--router bird|frr] [--wait DURATION] [--slow-router MS]
                         [--router-ignores-gshut] [--no-graceful-shutdown] [--client-pause MS]

  --proxy local      the web backend listens on the VIP on each node (default)
  --proxy iptables   the VIP is DNATed to two backend pods per node, as kube-proxy's
                     iptables mode does for a LoadBalancer Service (externalTrafficPolicy: Local)
  --weighted         weighted ECMP: an FRR router and three nodes announcing the link-bandwidth
                     community with weights 1, 2, 5; the client's split follows (docs/weighted-ecmp.md)
  rollout            a rollout: each node's anyvip restarted in turn (SIGTERM, exit, start) while a
                     client opens new connections through the router; RFC 8326 GRACEFUL_SHUTDOWN
                     with the examples/routers policy; prints requests, failures (0), timings
  --router bird|frr  rollout: the router and its examples/routers configuration (default bird)
  --wait DURATION    rollout: the nodes' gracefulShutdown.wait (default: anyvip's default)
  --slow-router MS   rollout: the router acts on each shutdown UPDATE MS later (its daemons frozen)
  --router-ignores-gshut   rollout: drop the examples' 65535:0 → LOCAL_PREF 0 line
  --no-graceful-shutdown   rollout: the nodes without gracefulShutdown (anyvip's default)
  --client-pause MS  rollout: the client sends each request MS after connecting (flows the
                     router's rehash moves, open across a next-hop change, are reset)
`;

/** A node with its anyvip running. */
interface RunningNode extends LabNode {
  readonly anyvip: ManagedProcess;
}

/** Everything the steps after start-up share. */
interface Running {
  readonly t: Topology;
  readonly router: BirdDaemon;
  readonly monitor: FibMonitor;
  readonly nodes: readonly RunningNode[];
}

/** What the summary reports. */
interface Results {
  startupMs?: number;
  before?: Tally;
  failedNode?: string;
  failoverMs?: number;
  detectMs?: number;
  during?: Tally;
  recoveryMs?: number;
  after?: Tally;
  allTraffic?: Tally;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .concat(['/usr/sbin', '/sbin', '/usr/bin'])
    .some((dir) => dir !== '' && existsSync(join(dir, cmd)));
}

/** What keeps the lab from running here, in words a user can act on. */
function preflight(proxy: ProxyMode): string[] {
  const problems: string[] = [];
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    problems.push('the lab creates network namespaces and needs root: run `sudo ./run lab`');
  }
  const needed: [string, string][] = [
    ['ip', 'iproute2'],
    ['bird', 'bird2'],
    ['birdc', 'bird2'],
    ['openssl', 'openssl'],
    ['setpriv', 'util-linux'],
  ];
  if (proxy === 'iptables') needed.push(['iptables-restore', 'iptables']);
  for (const [cmd, pkg] of needed) {
    if (!onPath(cmd)) problems.push(`\`${cmd}\` is missing: apt-get install ${pkg} (./run lab installs it)`);
  }
  if (!existsSync(ANYVIP_CLI)) {
    problems.push(`${ANYVIP_CLI} is missing: build first with \`pnpm run build\` (./run lab does)`);
  }
  return problems;
}

async function versionOf(cmd: string, args: string[]): Promise<string> {
  const r = await runCommand(cmd, args, { allowFailure: true });
  return `${r.stdout}${r.stderr}`.split('\n')[0]?.trim() ?? '?';
}

/**
 * What the client counted over the next `windowMs`. Reports come every 200 ms; the first
 * one after now also covers time before now, so it is left out.
 */
async function trafficWindow(client: ManagedProcess, windowMs: number): Promise<Tally> {
  const since = client.mark() + 1;
  await sleep(windowMs);
  return tally(client.lines(since));
}

function firstLine(text: unknown): string {
  const line = String(text ?? '').split('\n')[0] ?? '';
  return line.length > 90 ? `${line.slice(0, 89)}…` : line;
}

function hopsText(hops: readonly string[], nodes: readonly LabNode[]): string {
  if (hops.length === 0) return 'none';
  return hops.map((h) => `${h} (${nodes.find((n) => n.address === h)?.name ?? '?'})`).join(', ');
}

async function showRoute(t: Topology): Promise<void> {
  const r = await t.lab.ip('router', ['route', 'show', VIP]);
  const lines = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.replace(/\t/g, '        ').trimEnd());
  say(dim(`router# ip route show ${VIP}`), ...lines);
}

/** The first JSON log line of `node`'s anyvip after `since` with `message`, and when it came. */
async function logged(
  node: RunningNode,
  since: number,
  message: string,
): Promise<{ line: Record<string, unknown>; atMs: number }> {
  const line = await node.anyvip.waitForJsonLine<Record<string, unknown>>(
    (v) => (v as { message?: unknown }).message === message,
    { since, timeoutMs: 15_000, what: `${node.name}: "${message}"` },
  );
  return { line, atMs: performance.now() };
}

function timeline(t0: number, events: { atMs: number; text: string }[]): void {
  for (const e of events.sort((a, b) => a.atMs - b.atMs)) {
    say(`${`+${Math.round(e.atMs - t0)} ms`.padStart(8)}  ${e.text}`);
  }
}

async function checkHost(proxy: ProxyMode): Promise<void> {
  header(1, STEPS, 'Checking the host');
  const problems = preflight(proxy);
  if (problems.length > 0) {
    for (const p of problems) say(red(`✗ ${p}`));
    throw new Error('the host is not ready for the lab (see above)');
  }
  const versions = [
    await versionOf('bird', ['--version']),
    await versionOf('ip', ['-V']),
    await versionOf('openssl', ['version']),
    ...(proxy === 'iptables' ? [await versionOf('iptables', ['--version'])] : []),
    `node ${process.version}`,
  ];
  say(`root ✓  ${versions.join(' · ')}`);
}

async function buildNetwork(proxy: ProxyMode): Promise<Topology> {
  header(2, STEPS, 'Building the network');
  let t: Topology;
  try {
    t = await buildTopology(proxy);
  } catch (err) {
    say(red(`✗ cannot build network namespaces: ${firstLine(err instanceof Error ? err.message : err)}`));
    say(
      'The lab needs a kernel with network namespaces, `ip netns` (iproute2) and CAP_SYS_ADMIN;',
      'in a container, run it with --privileged.',
    );
    throw new Error('no network namespace support');
  }
  const iptables = proxy === 'iptables';
  say(
    `namespaces ${t.lab.id}-{${t.lab.nodes.join(',')}}`,
    `client ${t.clientAddress} ── ${t.routerClientAddress} router  ` +
      `(BIRD 2, AS ${ROUTER_ASN}, merge paths on, fib_multipath_hash_policy=1)`,
    ...t.nodes.map(
      (n) =>
        `router ${n.routerAddress} ── ${n.address} ${n.name}  (anyvip, AS ${NODE_ASN}` +
        `${iptables ? `; pods ${n.pods.map((p) => `${p.name} ${p.address}`).join(', ')}` : ''})`,
    ),
    `VIP ${VIP}/32 on every node's lo; ` +
      (iptables
        ? 'kube-proxy-style DNAT (statistic random) to the node-local pods :8080'
        : 'the web backend answers on it with the node name'),
  );
  return t;
}

async function startAll(t: Topology, results: Results): Promise<Running> {
  header(3, STEPS, 'Starting the router and the nodes');
  const cert = await makeCertificate(t.lab.dir);
  const started = performance.now();
  const monitor = await FibMonitor.start(t.lab.nsOf('router'), `${VIP}/32`);
  t.lab.onDestroy(() => monitor.stop());
  const router = await startRouter(t);
  say(`router: BIRD up, ${t.nodes.length} eBGP sessions configured`);
  const nodes: RunningNode[] = [];
  for (const n of t.nodes) {
    const anyvip = await startNode(t, n, cert);
    nodes.push({ ...n, anyvip });
    say(
      `${n.name}: apiserver https://127.0.0.1:6443/livez (self-signed, SAN kubernetes)` +
        (t.proxy === 'local'
          ? `, web on ${VIP}:80`
          : `, pods ${n.pods.map((p) => p.name).join(' ')} + NAT rules`) +
        `, anyvip standalone (pid ${anyvip.pid})`,
    );
  }
  const first = nodes[0];
  if (t.proxy === 'iptables' && first !== undefined) {
    const rules = await t.lab.exec(first.name, 'iptables', ['-t', 'nat', '-S', 'KUBE-SVL-WEB']);
    say(dim(`${first.name}# iptables -t nat -S KUBE-SVL-WEB`), ...rules.stdout.trimEnd().split('\n'));
  }
  say(
    `health check: apiserver /livez every ${CHECK.intervalMs} ms, timeout ${CHECK.timeoutMs} ms, ` +
      `rise ${CHECK.rise}, fall ${CHECK.fall}`,
  );
  try {
    await Promise.race([
      monitor.waitFor((h) => h.length === nodes.length, { timeoutMs: 30_000, what: 'three next hops' }),
      ...nodes.map(async (n) => {
        const e = await n.anyvip.exited;
        throw new Error(`anyvip on ${n.name} exited (code ${e.code}, signal ${e.signal})`);
      }),
    ]);
  } catch (err) {
    for (const n of nodes) say(dim(n.anyvip.tail(10)));
    say(dim(router.logTail(10)));
    throw err;
  }
  results.startupMs = performance.now() - started;
  say(green(`✓ all ${nodes.length} nodes announce ${VIP}/32 (${ms(results.startupMs)} after start)`));
  return { t, router, monitor, nodes };
}

async function showEcmp(r: Running): Promise<void> {
  header(4, STEPS, "The router's ECMP route");
  await showRoute(r.t);
  const protocols = await r.router.birdc(['show', 'protocols']);
  const established = protocols.split('\n').filter((l) => /\sBGP\s.*Established/.test(l)).length;
  say(
    `BIRD: ${established} BGP sessions established; ` +
      "the kernel hashes each connection's addresses and ports onto one next hop",
  );
}

async function failNode(r: Running, victim: RunningNode, client: ManagedProcess, results: Results) {
  header(6, STEPS, `Failing ${victim.name}'s apiserver (/livez → 500)`);
  const down = logged(victim, victim.anyvip.mark(), 'healthcheck down');
  const t0 = performance.now();
  rmSync(victim.healthyFile);
  const gone = await r.monitor.waitFor((h) => !h.includes(victim.address), {
    timeoutMs: 10_000,
    what: `${victim.address} gone from the router FIB`,
  });
  const d = await down;
  results.failedNode = victim.name;
  results.failoverMs = gone.atMs - t0;
  results.detectMs = d.atMs - t0;
  timeline(t0, [
    { atMs: t0, text: `${victim.name}: /livez answers 500 (etcd failed)` },
    { atMs: d.atMs, text: `${victim.name}: anyvip check down, withdraws: ${firstLine(d.line.reason)}` },
    { atMs: gone.atMs, text: `router FIB: ${victim.address} gone → ${hopsText(gone.nextHops, r.nodes)}` },
  ]);
  say(
    `${bold(`failover ${ms(results.failoverMs)}`)} from /livez failing to the router's kernel route ` +
      `losing ${victim.name} ${dim(`(${CHECK.fall} failed probes ${CHECK.intervalMs} ms apart)`)}`,
  );
  await showRoute(r.t);
  say(`${victim.name} keeps ${VIP} on lo and keeps serving: only the router's choice changes.`);
  results.during = await trafficWindow(client, TRAFFIC_WINDOW_MS);
  say(
    `over ${TRAFFIC_WINDOW_MS / 1000} s:`,
    ...shareLines(
      results.during,
      r.nodes.map((n) => n.name),
    ),
  );
}

async function healNode(r: Running, victim: RunningNode, client: ManagedProcess, results: Results) {
  header(7, STEPS, `Healing ${victim.name}'s apiserver (/livez → 200)`);
  const up = logged(victim, victim.anyvip.mark(), 'healthcheck up');
  const t0 = performance.now();
  writeFileSync(victim.healthyFile, '');
  const back = await r.monitor.waitFor((h) => h.includes(victim.address), {
    timeoutMs: 10_000,
    what: `${victim.address} back in the router FIB`,
  });
  const u = await up;
  results.recoveryMs = back.atMs - t0;
  timeline(t0, [
    { atMs: t0, text: `${victim.name}: /livez answers 200` },
    { atMs: u.atMs, text: `${victim.name}: anyvip check up (${CHECK.rise} passing probes), announces` },
    { atMs: back.atMs, text: `router FIB: ${victim.address} back → ${back.nextHops.length} next hops` },
  ]);
  say(bold(`recovery ${ms(results.recoveryMs)}`));
  results.after = await trafficWindow(client, TRAFFIC_WINDOW_MS);
  say(
    `over ${TRAFFIC_WINDOW_MS / 1000} s:`,
    ...shareLines(
      results.after,
      r.nodes.map((n) => n.name),
    ),
  );
}

async function stopAll(r: Running): Promise<void> {
  header(8, STEPS, 'Stopping anyvip (SIGTERM: withdraw, Cease, VIP off lo)');
  const t0 = performance.now();
  const exits = await Promise.all(r.nodes.map((n) => n.anyvip.stop(8000, 'SIGTERM')));
  const empty = await r.monitor.waitFor((h) => h.length === 0, {
    timeoutMs: 10_000,
    what: 'the VIP route gone',
  });
  say(
    `exit codes ${exits.map((e) => e.code ?? e.signal).join(', ')}; the router has no route to ${VIP} ` +
      `${ms(Math.max(0, empty.atMs - t0))} after SIGTERM`,
  );
}

async function runLab(proxy: ProxyMode, results: Results, built: (t: Topology) => void): Promise<void> {
  await checkHost(proxy);
  const t = await buildNetwork(proxy);
  built(t);
  const r = await startAll(t, results);
  await showEcmp(r);

  header(5, STEPS, `Traffic: client → ${VIP}:80, ${CLIENT_RATE} new connections/s`);
  const args = [CLIENT, '--target', `${VIP}:80`, '--rate', String(CLIENT_RATE)];
  const client = await t.lab.spawn('client', process.execPath, args, { label: 'client' });
  const firstReport = client.mark();
  await sleep(500); // Warm-up: a fresh Node process is slow for its first requests.
  results.before = await trafficWindow(client, TRAFFIC_WINDOW_MS);
  say(
    `over ${TRAFFIC_WINDOW_MS / 1000} s:`,
    ...shareLines(
      results.before,
      r.nodes.map((n) => n.name),
    ),
  );

  const victim = r.nodes[1];
  if (victim === undefined) throw new Error('the lab needs at least two nodes');
  await failNode(r, victim, client, results);
  await healNode(r, victim, client, results);
  await client.stop(2000);
  results.allTraffic = tally(client.lines(firstReport));
  await stopAll(r);
}

function summary(proxy: ProxyMode, r: Results, names: string[]): void {
  console.log(`\n${bold('Summary')}`);
  const rows: [string, string | undefined][] = [
    ['setup', `3 × anyvip standalone → BIRD router, ECMP (proxy: ${proxy})`],
    ['3 next hops', r.startupMs === undefined ? undefined : `${ms(r.startupMs)} after start`],
    ['traffic, healthy', r.before === undefined ? undefined : sharesInline(r.before, names)],
    [
      'failover',
      r.failoverMs === undefined
        ? undefined
        : `${ms(r.failoverMs)}  (/livez 500 → next hop gone from the router FIB; ` +
          `check down after ${ms(r.detectMs ?? 0)}; fall ${CHECK.fall} × interval ${CHECK.intervalMs} ms)`,
    ],
    [`traffic, ${r.failedNode} down`, r.during === undefined ? undefined : sharesInline(r.during, names)],
    [
      'recovery',
      r.recoveryMs === undefined ? undefined : `${ms(r.recoveryMs)}  (/livez 200 → next hop back)`,
    ],
    ['traffic, healed', r.after === undefined ? undefined : sharesInline(r.after, names)],
  ];
  if (r.allTraffic !== undefined) {
    let ok = 0;
    let failed = 0;
    for (const n of r.allTraffic.ok.values()) ok += n;
    for (const n of r.allTraffic.errors.values()) failed += n;
    rows.push(['requests', `${ok + failed}, each on a new connection; ${failed} failed`]);
  }
  for (const [k, v] of rows) if (v !== undefined) say(`${k.padEnd(20)} ${v}`);
}

async function main(): Promise<number> {
  let parsed: {
    proxy: string;
    help: boolean;
    weighted: boolean;
    router: string;
    wait?: string | undefined;
    'slow-router'?: string | undefined;
    'client-pause'?: string | undefined;
    'router-ignores-gshut': boolean;
    'no-graceful-shutdown': boolean;
  };
  let positionals: string[];
  try {
    const args = parseArgs({
      allowPositionals: true,
      options: {
        proxy: { type: 'string', default: 'local' },
        help: { type: 'boolean', short: 'h', default: false },
        weighted: { type: 'boolean', default: false },
        router: { type: 'string', default: 'bird' },
        wait: { type: 'string' },
        'slow-router': { type: 'string' },
        'client-pause': { type: 'string' },
        'router-ignores-gshut': { type: 'boolean', default: false },
        'no-graceful-shutdown': { type: 'boolean', default: false },
      },
    });
    parsed = args.values;
    positionals = args.positionals;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'rollout')) {
    process.stderr.write(`unknown lab ${JSON.stringify(positionals.join(' '))}\n${usage}`);
    return 2;
  }
  if (positionals[0] === 'rollout') {
    if (parsed.router !== 'bird' && parsed.router !== 'frr') {
      process.stderr.write(`--router must be bird or frr, got ${JSON.stringify(parsed.router)}\n${usage}`);
      return 2;
    }
    const stall = Number(parsed['slow-router'] ?? '0');
    const pause = Number(parsed['client-pause'] ?? '0');
    for (const [flag, v] of [
      ['--slow-router', stall],
      ['--client-pause', pause],
    ] as const)
      if (!Number.isInteger(v) || v < 0) {
        process.stderr.write(`${flag} must be a number of ms, got ${v}\n${usage}`);
        return 2;
      }
    return rolloutMain({
      router: parsed.router,
      rate: ROLLOUT_RATE,
      ...(parsed.wait === undefined ? {} : { wait: parsed.wait }),
      routerStallMs: stall,
      clientPauseMs: pause,
      ignoreGracefulShutdown: parsed['router-ignores-gshut'],
      gracefulShutdown: !parsed['no-graceful-shutdown'],
    });
  }
  if (parsed.proxy !== 'local' && parsed.proxy !== 'iptables') {
    process.stderr.write(`--proxy must be local or iptables, got ${JSON.stringify(parsed.proxy)}\n${usage}`);
    return 2;
  }
  const proxy: ProxyMode = parsed.proxy;
  if (parsed.weighted) return weightedMain();
  console.log(
    `${bold('anyvip lab')}: 3 nodes announce ${VIP} over BGP; ` +
      "a BIRD router spreads a client's connections over them by ECMP",
  );
  const results: Results = {};
  const { code, topology } = await runCleaningUp((built) => runLab(proxy, results, built));
  if (code === 0 && topology !== undefined)
    summary(
      proxy,
      results,
      topology.nodes.map((n) => n.name),
    );
  return code;
}

/**
 * Runs a lab and removes it whatever happens: after the run, after an error, and on Ctrl-C or
 * SIGTERM (processes by PID, namespaces by exact name). Returns the exit code and the topology.
 */
async function runCleaningUp(
  run: (built: (t: Topology) => void) => Promise<void>,
): Promise<{ code: number; topology: Topology | undefined }> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: removing the lab (its processes by PID, its namespaces by name)`);
      // Once the lab exists, the harness's handler (registered after this one) removes it
      // synchronously and re-raises the signal; before that there is nothing to remove.
      setImmediate(() => process.exit(130));
    });
  }
  let topology: Topology | undefined;
  let code = 0;
  try {
    await run((t) => {
      topology = t;
    });
  } catch (err) {
    code = 1;
    console.log(`\n${red(bold('lab failed:'))} ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (topology !== undefined) {
      const count = topology.lab.nodes.length;
      try {
        await topology.lab.destroy();
        console.log(dim(`\ncleaned up: ${count} namespaces and every process the lab started`));
      } catch (err) {
        code = 1;
        console.log(red(`cleanup had errors: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
  }
  return { code, topology };
}

/** `--weighted`: the weighted ECMP lab, with the same clean-up guarantees. */
async function weightedMain(): Promise<number> {
  console.log(
    `${bold('anyvip lab, weighted ECMP')}: 3 nodes announce ${VIP} with link bandwidth 1 : 2 : 5; ` +
      "an FRR router splits a client's connections in that ratio",
  );
  const problems = ['/usr/lib/frr/zebra', '/usr/lib/frr/bgpd']
    .filter((p) => !existsSync(p))
    .map((p) => `${p} is missing: apt-get install frr`);
  problems.push(...preflight('local').filter((p) => !p.includes('bird')));
  if (problems.length > 0) {
    for (const p of problems) say(red(`✗ ${p}`));
    return 1;
  }
  const results: WeightedResults = {};
  const { code, topology } = await runCleaningUp((built) => runWeightedLab(results, built));
  if (code === 0 && topology !== undefined) {
    console.log(`\n${bold('Summary')}`);
    const names = topology.nodes.map((n) => n.name);
    for (const [k, v] of weightedSummary(results, names)) if (v !== undefined) say(`${k.padEnd(20)} ${v}`);
  }
  return code;
}

/** `rollout`: the rollout lab, with the same clean-up guarantees. */
async function rolloutMain(options: RolloutOptions): Promise<number> {
  const { router } = options;
  console.log(
    `${bold('anyvip lab, rollout')}: 3 nodes announce ${VIP}; each node's anyvip is restarted in turn ` +
      `while a client opens ${ROLLOUT_RATE} new connections/s through a ${router === 'bird' ? 'BIRD' : 'FRR'} router`,
  );
  const problems = preflight('local').filter((p) => router === 'bird' || !p.includes('bird'));
  if (router === 'frr')
    problems.push(
      ...['/usr/lib/frr/zebra', '/usr/lib/frr/bgpd']
        .filter((p) => !existsSync(p))
        .map((p) => `${p} is missing: apt-get install frr`),
    );
  if (problems.length > 0) {
    for (const p of problems) say(red(`✗ ${p}`));
    return 1;
  }
  let results: RolloutResults | undefined;
  const started = performance.now();
  const { code } = await runCleaningUp(async (built) => {
    header(1, 3, 'Building the network');
    const t = await buildTopology('local');
    built(t);
    say(
      `client ${t.clientAddress} ── ${t.routerClientAddress} router (AS ${ROUTER_ASN}, ` +
        'examples/routers policy: 65535:0 → LOCAL_PREF 0; fib_multipath_hash_policy=1)',
      ...t.nodes.map(
        (n) =>
          `router ${n.routerAddress} ── ${n.address} ${n.name}  (anyvip standalone, AS ${NODE_ASN}, ` +
          `gracefulShutdown ${options.gracefulShutdown === false ? 'off' : 'on'}; web backend on ${VIP}:80)`,
      ),
    );
    header(2, 3, 'Starting, then restarting each node in turn (SIGTERM, exit, start, next hop back)');
    results = await runRollout(t, { ...options, say: (line) => say(line) });
    header(3, 3, 'Traffic over the whole rollout');
    say(
      ...shareLines(
        results.traffic,
        t.nodes.map((n) => n.name),
      ),
    );
  });
  if (code !== 0 || results === undefined) return code || 1;
  const r = results;
  console.log(`\n${bold('Summary')}`);
  const rows: [string, string][] = [
    [
      'setup',
      `3 × anyvip standalone (gracefulShutdown ${options.gracefulShutdown === false ? 'off' : 'on'}) → ` +
        `${router} (examples/routers/${router}.conf${options.ignoreGracefulShutdown ? ' without 65535:0' : ''}` +
        `${options.routerStallMs ? `, ${options.routerStallMs} ms late` : ''}), ECMP`,
    ],
    ['requests', `${r.requests}, each on a new connection, ${ROLLOUT_RATE}/s`],
    ['failed', r.failed.length === 0 ? green('0') : red(`${r.failed.length}: ${failureKinds(r.failed)}`)],
    ...r.restarts.map((x, i): [string, string] => [`restart ${i + 1}`, restartLine(x)]),
    [
      'reset by rehash',
      `${r.rehashed.length} (flows open across one of the router's ${r.hopChanges.length} next-hop ` +
        'changes, hashed onto another node: RST; not failed requests, see docs/rollouts.md)',
    ],
    ['duration', ms(performance.now() - started)],
  ];
  for (const [k, v] of rows) say(`${k.padEnd(16)} ${v}`);
  return r.failed.length === 0 ? 0 : 1;
}

function failureKinds(failures: RolloutResults['failed']): string {
  const kinds = new Map<string, number>();
  for (const f of failures) {
    const k = `${f.code}${f.established ? ' after connect' : ''}`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => `${k} ${n}`).join(', ');
}

process.exit(await main());
