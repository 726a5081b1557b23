/**
 * The weighted ECMP lab: `./run lab --weighted` (issue 18, docs/weighted-ecmp.md).
 *
 * The same network as the ECMP lab (topology.ts), with FRR as the router instead of BIRD
 * (BIRD 2 ignores the link-bandwidth community). The three nodes run `anyvip standalone` with
 * `vips[].weight` 1, 2 and 5, so each announces the VIP with the link-bandwidth extended
 * community at 1, 2 and 5 Gbit/s; FRR (`bgp bestpath bandwidth skip-missing`) installs a kernel
 * route with next-hop weights in that ratio, and a client's new connections split accordingly.
 * Then node3's weight drops to 1 (a SIGHUP reload) and the split follows.
 */
import { writeFileSync } from 'node:fs';
import {
  type FrrDaemon,
  type ManagedProcess,
  sleep,
  startDaemon,
  waitUntil,
} from '../packages/bgp/test/interop/support/index.js';
import { bold, dim, green, header, ms, say, shareLines, sharesInline, type Tally, tally } from './report.js';
import {
  ANYVIP_CLI,
  buildTopology,
  type LabNode,
  NODE_ASN,
  nodeBgpYaml,
  ROUTER_ASN,
  routerSessions,
  SERVICES,
  type Topology,
  VIP,
} from './topology.js';

const STEPS = 6;
const WEIGHTS = [1, 2, 5] as const;
/** node3's weight after the change. */
const CHANGED = 1;
const CLIENT_RATE = 200;
const TRAFFIC_WINDOW_MS = 4000;
const CLIENT = new URL('./client.ts', import.meta.url).pathname;

/** What the summary of the weighted lab reports. */
export interface WeightedResults {
  weightsBefore?: string;
  before?: Tally;
  changeMs?: number;
  weightsAfter?: string;
  after?: Tally;
}

function frrConfig(t: Topology): string {
  const lines = [
    'hostname router',
    'log stdout informational',
    '!',
    `router bgp ${ROUTER_ASN}`,
    ` bgp router-id ${t.routerClientAddress}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' bgp bestpath as-path multipath-relax',
    // UCMP from the link-bandwidth community; paths without it get no share.
    ' bgp bestpath bandwidth skip-missing',
  ];
  for (const n of t.nodes)
    lines.push(
      ` neighbor ${n.address} remote-as ${NODE_ASN}`,
      ` neighbor ${n.address} timers 3 9`,
      ` neighbor ${n.address} timers connect 1`,
    );
  lines.push(' address-family ipv4 unicast');
  for (const n of t.nodes) lines.push(`  neighbor ${n.address} activate`);
  lines.push('  maximum-paths 16', ' exit-address-family', '!', '');
  return lines.join('\n');
}

function anyvipConfig(node: LabNode, weight: number): string {
  return `# anyvip on ${node.name}: announce ${VIP} with link bandwidth ${weight} × 1 Gbit/s.
${nodeBgpYaml(node)}vips:
  - { address: ${VIP}, weight: ${weight} }
allowedRanges: [10.250.255.0/24]
`;
}

/** The router's kernel next hops for the VIP as `node1 12, node2 25, node3 62`. */
async function kernelWeights(t: Topology): Promise<{ text: string; weights: Map<string, number> }> {
  const routes = await t.lab.kernelRoutes('router', `${VIP}/32`);
  const weights = new Map<string, number>();
  for (const h of routes[0]?.nextHops ?? []) {
    const node = t.nodes.find((n) => n.address === h.gateway);
    if (node !== undefined) weights.set(node.name, h.weight ?? 1);
  }
  const text = t.nodes
    .flatMap((n) => (weights.has(n.name) ? [`${n.name} ${weights.get(n.name)}`] : []))
    .join(', ');
  return { text, weights };
}

/** Whether the kernel weights are `ratio` (in node order) within FRR's rounding. */
function matches(weights: Map<string, number>, t: Topology, ratio: readonly number[]): boolean {
  const w = t.nodes.map((n) => weights.get(n.name));
  if (w.some((x) => x === undefined)) return false;
  const sum = w.reduce<number>((s, x) => s + (x ?? 0), 0);
  const total = ratio.reduce((s, x) => s + x, 0);
  return w.every((x, i) => Math.abs((x ?? 0) / sum - (ratio[i] ?? 0) / total) <= 0.02);
}

async function showRoute(t: Topology, frr: FrrDaemon): Promise<void> {
  const r = await t.lab.ip('router', ['route', 'show', VIP]);
  say(
    dim(`router# ip route show ${VIP}`),
    ...r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/\t/g, '        ')),
  );
  const bgp = await frr.vtysh([`show bgp ipv4 unicast ${VIP}/32 json`]);
  const j = JSON.parse(bgp.stdout) as {
    paths?: { extendedCommunity?: { string?: string }; peer?: { peerId?: string } }[];
  };
  say(dim(`router# vtysh -c 'show bgp ipv4 unicast ${VIP}/32'`));
  for (const p of j.paths ?? []) {
    const node = t.nodes.find((n) => n.address === p.peer?.peerId);
    say(`  from ${node?.name ?? p.peer?.peerId}: ${p.extendedCommunity?.string ?? 'no extended community'}`);
  }
}

async function traffic(client: ManagedProcess, t: Topology): Promise<Tally> {
  const since = client.mark() + 1;
  await sleep(TRAFFIC_WINDOW_MS);
  const result = tally(client.lines(since));
  say(
    `over ${TRAFFIC_WINDOW_MS / 1000} s:`,
    ...shareLines(
      result,
      t.nodes.map((n) => n.name),
    ),
  );
  return result;
}

/**
 * Runs the weighted lab; `built` hands the topology to the caller, which removes it at the end
 * whatever happens.
 */
export async function runWeightedLab(results: WeightedResults, built: (t: Topology) => void): Promise<void> {
  header(1, STEPS, 'Building the network (FRR router, three nodes, a client)');
  const t = await buildTopology('local');
  built(t);
  const expected = WEIGHTS.map((w) => `${((100 * w) / WEIGHTS.reduce((s, x) => s + x, 0)).toFixed(1)}%`);
  say(
    `client ${t.clientAddress} ── ${t.routerClientAddress} router (FRR, AS ${ROUTER_ASN}, ` +
      'bgp bestpath bandwidth skip-missing, fib_multipath_hash_policy=1)',
    ...t.nodes.map(
      (n, i) =>
        `router ${n.routerAddress} ── ${n.address} ${n.name}  (anyvip, AS ${NODE_ASN}, weight ${WEIGHTS[i]})`,
    ),
  );

  header(2, STEPS, 'Starting FRR and the nodes');
  const frr = (await startDaemon(t.lab, 'router', 'frr', {
    ...routerSessions(t),
    rawConfig: frrConfig(t),
  })) as FrrDaemon;
  const nodes: ManagedProcess[] = [];
  for (const [i, n] of t.nodes.entries()) {
    writeFileSync(n.configFile, anyvipConfig(n, WEIGHTS[i] ?? 1));
    const web = await t.lab.spawn(
      n.name,
      process.execPath,
      [SERVICES, '--web', `${VIP}:80`, '--name', n.name],
      {
        label: `web@${n.name}`,
      },
    );
    await web.waitForLine((l) => l === 'ready', { timeoutMs: 15_000, what: `web on ${n.name}` });
    nodes.push(
      await t.lab.spawn(n.name, process.execPath, [ANYVIP_CLI, 'standalone', '--config', n.configFile], {
        label: `anyvip@${n.name}`,
      }),
    );
    say(`${n.name}: web on ${VIP}:80, anyvip standalone with weight ${WEIGHTS[i]}`);
  }
  const first = await waitUntil(
    () => kernelWeights(t),
    (k) => matches(k.weights, t, WEIGHTS),
    { timeoutMs: 90_000, intervalMs: 100, what: 'kernel weights 1:2:5 at the router' },
  );
  results.weightsBefore = first.text;
  say(green(`✓ the router's kernel route is weighted: ${first.text}`));

  header(3, STEPS, "The router's UCMP route");
  await showRoute(t, frr);
  say(`zebra writes ⌊100 × bandwidth / Σ⌋ per next hop; the kernel hashes connections by those weights`);

  header(
    4,
    STEPS,
    `Traffic: client → ${VIP}:80, ${CLIENT_RATE} new connections/s (expected ${expected.join(' : ')})`,
  );
  const client = await t.lab.spawn(
    'client',
    process.execPath,
    [CLIENT, '--target', `${VIP}:80`, '--rate', String(CLIENT_RATE)],
    { label: 'client' },
  );
  await sleep(500); // Warm-up: a fresh Node process is slow for its first requests.
  results.before = await traffic(client, t);

  header(5, STEPS, `node3's weight ${WEIGHTS[2]} → ${CHANGED} (edit its file, SIGHUP)`);
  const node3 = t.nodes[2];
  const anyvip3 = nodes[2];
  if (node3 === undefined || anyvip3 === undefined) throw new Error('the lab needs three nodes');
  const t0 = performance.now();
  writeFileSync(node3.configFile, anyvipConfig(node3, CHANGED));
  anyvip3.signal('SIGHUP');
  const changed = [WEIGHTS[0], WEIGHTS[1], CHANGED];
  const after = await waitUntil(
    () => kernelWeights(t),
    (k) => matches(k.weights, t, changed),
    { timeoutMs: 30_000, intervalMs: 50, what: 'kernel weights 1:2:1 at the router' },
  );
  results.changeMs = performance.now() - t0;
  results.weightsAfter = after.text;
  say(bold(`weights ${after.text} at the router ${ms(results.changeMs)} after the reload`));
  await showRoute(t, frr);
  results.after = await traffic(client, t);
  await client.stop(2000);

  header(6, STEPS, 'Stopping anyvip (SIGTERM: withdraw, Cease)');
  const exits = await Promise.all(nodes.map((p) => p.stop(8000, 'SIGTERM')));
  say(`exit codes ${exits.map((e) => e.code ?? e.signal).join(', ')}`);
}

/** The summary lines of the weighted lab. */
export function weightedSummary(
  r: WeightedResults,
  names: readonly string[],
): [string, string | undefined][] {
  return [
    ['setup', `3 × anyvip standalone (weights ${WEIGHTS.join(', ')}) → FRR router, UCMP`],
    ['kernel weights', r.weightsBefore],
    ['traffic, 1:2:5', r.before === undefined ? undefined : sharesInline(r.before, names)],
    [
      'weight change',
      r.changeMs === undefined
        ? undefined
        : `${ms(r.changeMs)}  (SIGHUP → ${r.weightsAfter} in the router FIB)`,
    ],
    ['traffic, 1:2:1', r.after === undefined ? undefined : sharesInline(r.after, names)],
  ];
}
