/**
 * The rollout lab: `./run lab rollout` (issue 15 §5), and the scenario the interop test
 * packages/controller/test/interop/rollout.interop.test.ts pins.
 *
 * The ECMP lab's network (topology.ts): three nodes announce one VIP over eBGP to a router
 * that spreads a client's connections over them. The router runs **the configuration in
 * examples/routers** (BIRD by default, FRR with `--router frr`), documentation addresses
 * replaced by the lab's, so the proof is also a proof of the examples' RFC 8326 policy
 * (65535:0 → LOCAL_PREF 0). Every node runs `anyvip standalone` with `gracefulShutdown`
 * enabled and a web backend on the VIP that keeps running throughout: what is rolled out is
 * anyvip, as a DaemonSet update does.
 *
 * A client opens new TCP connections to the VIP at a steady rate while each node's anyvip in
 * turn gets SIGTERM, is waited for until it exits, is started again, and is waited for until
 * the router's kernel route has its next hop back, before the next node. The result counts
 * every request; a failed request is one whose connection could not be opened or did not
 * complete.
 *
 * One exception is told apart, never hidden: the router's kernel picks a next hop per packet
 * by hashing the 4-tuple over the current set of next hops (hash-threshold). When that set
 * changes (a node leaves it or comes back), some flows that were already open hash onto a
 * different node, which has the VIP but not their socket, and answers their next packet with
 * RST. No sender-side ordering can prevent that; only the router can (resilient next-hop
 * groups). Such a failure has a recognisable signature: its connection was established before
 * a next-hop change at the router and failed after it. Those are reported as "reset by a
 * next-hop change" with the change they spanned; every other failure is a failed request.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type BgpDaemon,
  type ManagedProcess,
  sleep,
  startDaemon,
} from '../packages/bgp/test/interop/support/index.js';
import { FibMonitor, type NextHopChange } from './fib-monitor.js';
import { type Tally, tally } from './report.js';
import {
  ANYVIP_CLI,
  type LabNode,
  NODE_ASN,
  nodeBgpYaml,
  routerSessions,
  SERVICES,
  type Topology,
  VIP,
} from './topology.js';

/** The router the rollout lab runs, with its examples/routers configuration. */
export type RolloutRouter = 'bird' | 'frr';

const CLIENT = fileURLToPath(new URL('./client.ts', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../examples/routers/', import.meta.url));
/** The lab's VIP pool, in place of the examples' 198.51.100.0/24. */
const POOL = '10.250.255.0/24';
/** Bound on each wait of the scenario (start, exit, next hop back); never a measure of speed. */
const WAIT_BOUND_MS = 60_000;

/** What the scenario does. */
export interface RolloutOptions {
  readonly router: RolloutRouter;
  /** `gracefulShutdown.wait` of every node; undefined: the default. */
  readonly wait?: string;
  /** false: the nodes run without `gracefulShutdown` (anyvip's default), for comparison. */
  readonly gracefulShutdown?: boolean;
  /**
   * A slow router: the router's daemons are frozen (SIGSTOP) while a stopping node sends each
   * shutdown UPDATE, and for this long after, so the router acts on it that much later, as one
   * with a busy control plane or a slow hardware FIB would; its kernel keeps forwarding.
   * Default 0.
   */
  readonly routerStallMs?: number;
  /**
   * The client sends each request this long after its connection is established (default 0):
   * more flows send data across each next-hop change, and the router's rehash resets those it
   * moves (what long-lived connections see).
   */
  readonly clientPauseMs?: number;
  /** Drop the example's 65535:0 → LOCAL_PREF 0 line: a router that ignores GRACEFUL_SHUTDOWN. */
  readonly ignoreGracefulShutdown?: boolean;
  /** New connections per second. */
  readonly rate: number;
  /** Progress lines (the lab prints them; the test may drop them). */
  readonly say?: (line: string) => void;
}

/** One node's restart, times from the SIGTERM (ms). */
export interface RestartTiming {
  readonly node: string;
  /** The router's kernel route stopped using the node (GRACEFUL_SHUTDOWN taken into account). */
  readonly movedMs: number | undefined;
  /** anyvip exited. */
  readonly exitedMs: number;
  readonly exitCode: number | null;
  /** The node's next hop was back at the router, counted from the new start. */
  readonly backMs: number;
}

/** A failed request as the client reported it (wall-clock ms). */
export interface ClientFailure {
  readonly code: string;
  readonly established: boolean;
  readonly openedAt: number;
  readonly failedAt: number;
}

/** What the scenario measured. */
export interface RolloutResults {
  readonly requests: number;
  /** Responses by backend. */
  readonly traffic: Tally;
  /** Failures that are not an open flow moved by a next-hop change: must be none. */
  readonly failed: readonly ClientFailure[];
  /** Established flows reset because the router's next-hop set changed under them. */
  readonly rehashed: readonly ClientFailure[];
  readonly restarts: readonly RestartTiming[];
  /** Every change of the VIP's next hops at the router while the client ran, wall-clock. */
  readonly hopChanges: readonly { readonly at: number; readonly nextHops: readonly string[] }[];
}

/** An examples/routers file for this lab: its addresses, one session per node (AS 65001). */
export function routerConfig(router: RolloutRouter, t: Topology, ignoreGracefulShutdown = false): string {
  let text = readFileSync(`${EXAMPLES}${router}.conf`, 'utf8')
    .replaceAll('198.51.100.0/24', POOL)
    .replaceAll('2001:db8:100::/64', 'fd00:250::ff:0/112')
    .replace(/\b192\.0\.2\.1\b/g, t.routerClientAddress);
  if (ignoreGracefulShutdown)
    text = text
      .replace(/^\s*if \(65535, 0\) ~ bgp_community then bgp_local_pref = 0;\n/gm, '')
      .replace(/^ set local-preference 0\n/gm, '');
  if (router === 'bird') {
    // The example's two nodes per family become the lab's three IPv4 sessions.
    text = text.replace(/^protocol bgp anyvip_node.*\n/gm, '');
    for (const n of t.nodes)
      text += `protocol bgp anyvip_${n.name}_v4 from anyvip_v4 { neighbor ${n.address} as ${NODE_ASN}; }\n`;
    return text;
  }
  text = text.replace(/^ neighbor (192\.0\.2\.1[12]|2001:db8::1[12]) peer-group .*\n/gm, '');
  const members = t.nodes.map((n) => ` neighbor ${n.address} peer-group ANYVIP-V4\n`).join('');
  return text.replace(/^( neighbor ANYVIP-V6 timers connect \d+\n)/m, `$1${members}`);
}

/** anyvip's configuration on a rollout node: the VIP, no check, RFC 8326 on SIGTERM. */
export function rolloutAnyvipConfig(node: LabNode, wait: string | undefined, graceful = true): string {
  return `# anyvip on ${node.name}: announce ${VIP}; on SIGTERM, GRACEFUL_SHUTDOWN first.
${nodeBgpYaml(node)}vips:
  - ${VIP}
allowedRanges: [${POOL}]
gracefulShutdown: { enabled: ${graceful}${wait === undefined ? '' : `, wait: ${wait}`} }
`;
}

/** Starts the router with the examples/routers configuration for `kind`. */
export function startRolloutRouter(
  t: Topology,
  kind: RolloutRouter,
  ignoreGracefulShutdown = false,
): Promise<BgpDaemon> {
  return startDaemon(t.lab, 'router', kind, {
    ...routerSessions(t),
    rawConfig: routerConfig(kind, t, ignoreGracefulShutdown),
  });
}

function startAnyvip(t: Topology, n: LabNode): Promise<ManagedProcess> {
  return t.lab.spawn(n.name, process.execPath, [ANYVIP_CLI, 'standalone', '--config', n.configFile], {
    label: `anyvip@${n.name}`,
  });
}

/**
 * SIGTERM to `anyvip` with a router that acts on each shutdown UPDATE `ms` late: the router's
 * daemons are frozen from the SIGTERM (the first UPDATE: 65535:0, or the withdrawal without
 * graceful shutdown) and again around the end of the graceful-shutdown wait its log line
 * announces (the withdrawal). Its kernel keeps forwarding meanwhile.
 */
async function stopWithSlowRouter(anyvip: ManagedProcess, router: BgpDaemon, ms: number) {
  const since = anyvip.mark();
  const graceful = anyvip
    .waitForJsonLine<{ waitMs?: number }>(
      (v) => (v as { message?: unknown }).message === 'shutdown gracefulShutdown',
      { since, timeoutMs: WAIT_BOUND_MS, what: 'shutdown gracefulShutdown' },
    )
    .then((line) => ({ line, atMs: performance.now() }))
    .catch(() => undefined);
  router.freeze();
  const exit = anyvip.stop(WAIT_BOUND_MS, 'SIGTERM');
  await sleep(ms);
  router.thaw();
  const gs = await Promise.race([graceful, exit.then(() => undefined)]);
  if (gs !== undefined) {
    const margin = 200;
    const withdrawAt = gs.atMs + (gs.line.waitMs ?? 0);
    await sleep(Math.max(0, withdrawAt - margin - performance.now()));
    router.freeze();
    await sleep(margin + ms);
    router.thaw();
  }
  return exit;
}

/**
 * Splits the client's failures: an established flow that failed after a next-hop change it
 * was open across is the router's rehash; every other failure is a failed request.
 */
export function classifyFailures(
  failures: readonly ClientFailure[],
  hopChanges: readonly { readonly at: number }[],
): { failed: ClientFailure[]; rehashed: ClientFailure[] } {
  const failed: ClientFailure[] = [];
  const rehashed: ClientFailure[] = [];
  for (const f of failures) {
    const spanned = hopChanges.some((c) => f.openedAt < c.at && c.at <= f.failedAt);
    (f.established && f.code === 'ECONNRESET' && spanned ? rehashed : failed).push(f);
  }
  return { failed, rehashed };
}

/**
 * Runs the rollout on a built topology (the caller owns and removes it): router, nodes,
 * client, then each node's anyvip restarted in turn.
 */
export async function runRollout(t: Topology, o: RolloutOptions): Promise<RolloutResults> {
  const say = o.say ?? (() => {});
  const monitor = await FibMonitor.start(t.lab.nsOf('router'), `${VIP}/32`);
  t.lab.onDestroy(() => monitor.stop());
  const router = await startRolloutRouter(t, o.router, o.ignoreGracefulShutdown);
  say(
    `router: ${o.router === 'bird' ? 'BIRD' : 'FRR'} with examples/routers/${o.router}.conf` +
      (o.ignoreGracefulShutdown === true ? ' without its 65535:0 line (GRACEFUL_SHUTDOWN ignored)' : '') +
      (o.routerStallMs ? `; the router acts on each shutdown UPDATE ${o.routerStallMs} ms late` : ''),
  );
  const anyvip = new Map<string, ManagedProcess>();
  for (const n of t.nodes) {
    writeFileSync(n.configFile, rolloutAnyvipConfig(n, o.wait, o.gracefulShutdown ?? true));
    const web = await t.lab.spawn(
      n.name,
      process.execPath,
      [SERVICES, '--web', `${VIP}:80`, '--name', n.name],
      {
        label: `web@${n.name}`,
      },
    );
    await web.waitForLine((l) => l === 'ready', { timeoutMs: WAIT_BOUND_MS, what: `web on ${n.name}` });
    anyvip.set(n.name, await startAnyvip(t, n));
  }
  const all = (h: readonly string[]): boolean => t.nodes.every((n) => h.includes(n.address));
  await monitor.waitFor(all, { timeoutMs: WAIT_BOUND_MS, what: 'every node a next hop' });
  say(`${t.nodes.length} next hops at the router; client: ${o.rate} new connections/s to ${VIP}:80`);

  const client = await t.lab.spawn(
    'client',
    process.execPath,
    [
      CLIENT,
      '--target',
      `${VIP}:80`,
      '--rate',
      String(o.rate),
      '--detail',
      '--pause-ms',
      String(o.clientPauseMs ?? 0),
    ],
    { label: 'client' },
  );
  const firstReport = client.mark();
  const clientStart = performance.now();
  await sleep(1000);

  const restarts: RestartTiming[] = [];
  for (const n of t.nodes) {
    const old = anyvip.get(n.name);
    if (old === undefined) throw new Error(`no anyvip on ${n.name}`);
    const t0 = performance.now();
    const exit = await (o.routerStallMs
      ? stopWithSlowRouter(old, router, o.routerStallMs)
      : old.stop(WAIT_BOUND_MS, 'SIGTERM'));
    const exitedMs = performance.now() - t0;
    // Gone from the router by now (withdrawn, Cease); this loop may not have read it yet.
    await monitor.waitFor((h) => !h.includes(n.address), {
      timeoutMs: WAIT_BOUND_MS,
      what: `${n.name} out of the router's next hops`,
    });
    // Times from ip's own stamps: when the router's kernel changed, not when this loop got to it.
    const sigtermAt = performance.timeOrigin + t0;
    const gone = monitor.changes.find((c) => c.wallMs >= sigtermAt && !c.nextHops.includes(n.address));
    const t1 = performance.now();
    const next = await startAnyvip(t, n);
    anyvip.set(n.name, next);
    await monitor.waitFor(all, { timeoutMs: WAIT_BOUND_MS, what: `${n.name} back at the router` });
    const timing: RestartTiming = {
      node: n.name,
      movedMs: gone === undefined ? undefined : gone.wallMs - sigtermAt,
      exitedMs,
      exitCode: exit.code,
      backMs: performance.now() - t1,
    };
    restarts.push(timing);
    say(restartLine(timing));
    await sleep(1000);
  }
  await client.stop(5000);
  const lines = client.lines(firstReport);
  const traffic = tally(lines);
  const failures = lines.flatMap((l) => {
    try {
      return (JSON.parse(l) as { failures?: ClientFailure[] }).failures ?? [];
    } catch {
      return [];
    }
  });
  const hopChanges = monitor.changes
    .filter((c: NextHopChange) => c.atMs >= clientStart)
    .map((c) => ({ at: c.wallMs, nextHops: c.nextHops }));
  const { failed, rehashed } = classifyFailures(failures, hopChanges);
  let requests = failures.length;
  for (const v of traffic.ok.values()) requests += v;
  await Promise.all([...anyvip.values()].map((p) => p.stop(WAIT_BOUND_MS, 'SIGTERM')));
  return { requests, traffic, failed, rehashed, restarts, hopChanges };
}

/**
 * A failure with the nearest next-hop change, for the record: `ECONNRESET established, opened
 * 1.2 ms before the change to 10.250.1.2,10.250.3.2, failed 0.8 ms after it`.
 */
export function describeFailure(
  f: ClientFailure,
  hopChanges: readonly { readonly at: number; readonly nextHops: readonly string[] }[],
): string {
  const head = `${f.code}${f.established ? ' established' : ' before connect'}`;
  let nearest: (typeof hopChanges)[number] | undefined;
  for (const c of hopChanges)
    if (nearest === undefined || Math.abs(c.at - f.failedAt) < Math.abs(nearest.at - f.failedAt)) nearest = c;
  if (nearest === undefined) return `${head}, no next-hop change`;
  const rel = (t: number) => `${(t - (nearest?.at ?? 0)).toFixed(1)} ms`;
  return (
    `${head}: opened ${rel(f.openedAt)}, failed ${rel(f.failedAt)} from the change to ` +
    `[${nearest.nextHops.join(', ')}]`
  );
}

/** `node2: out of the ECMP set +12 ms, exited +5031 ms (code 0), back 1520 ms after its start`. */
export function restartLine(r: RestartTiming): string {
  const moved =
    r.movedMs === undefined ? 'never left the ECMP set' : `out of the ECMP set +${Math.round(r.movedMs)} ms`;
  return (
    `${r.node}: SIGTERM → ${moved}, exited +${Math.round(r.exitedMs)} ms (code ${r.exitCode}); ` +
    `started again → next hop back ${Math.round(r.backMs)} ms later`
  );
}
