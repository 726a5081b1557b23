/**
 * 10,000 VIPs to the router (not a test; root, network namespaces), side by side in one run
 * with the kernel's floor for the same step:
 *
 * - floor: the same 10,000 /32s added to lo with one `ip -batch` (what binding them costs the
 *   kernel, with nothing else); then removed again; measured right before each controller run;
 * - `anyvip standalone` with the 10,000 VIPs in a file: from spawning the controller until BIRD
 *   has imported every route (each is bound to lo before it is announced);
 * - Kubernetes mode: 10,000 Services of type LoadBalancer, each with one address in
 *   `status.loadBalancer.ingress`, in the in-repo test API server; `anyvip run` against it.
 *
 * RSS is read when BIRD has every route (VmRSS), 35 s later (ANYVIP_BENCH_SETTLE_SEC; after the controller has given
 * the burst's memory back; see src/heap-trim.ts), and at its peak (VmHWM). No V8 flags.
 * Targets: standalone within 1.3× the floor, Kubernetes mode within 1.5× standalone, RSS
 * ≤ 150 MB in both. With ANYVIP_BENCH_PROFILE=DIR each controller also writes a CPU profile
 * there (`--cpu-prof`, which slows it down: use it for where the time goes, not for ratios).
 *
 *   pnpm --filter @anyvip/controller bench:services      (after `pnpm run build`; as root)
 *   ANYVIP_BENCH_SERVICES=20000 …                        (another count)
 *   ANYVIP_BENCH_BASELINE_CLI=/path/to/other/dist/main.js (also run another build, e.g. main's,
 *                                                          each run with its own floor before it)
 *   ANYVIP_BENCH_MODES=standalone                         (skip Kubernetes mode; default both)
 *   ANYVIP_CLI=/path/to/cli …                            (ours: default the shipped bundle,
 *                                                          dist/bundle/anyvip.mjs; e.g. dist/main.js)
 *
 * Lab: router 10.250.1.1 (BIRD, AS 65000) ↔ node1 10.250.1.2 (anyvip, AS 65001). VIPs from
 * 10.250.128.0 upwards (allowed range 10.250.128.0/17). The API server listens on a Unix
 * socket in this process; a TCP forwarder in the router's namespace serves it to the node.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BirdDaemon,
  createLab,
  type Lab,
  type ManagedProcess,
  sleep,
  startDaemon,
} from '../../bgp/test/interop/support/index.js';
import { shippedProcessEnv } from '../src/manifest/process-env.js';
import { ANYVIP_CLI } from '../test/support/anyvip-cli.js';
import { TestApiServer } from '../test/support/api-server.js';
import { writeKubeconfig } from '../test/support/kubeconfig.js';
import { applyCluster, serveApiInto } from './support/cluster-lab.js';

const COUNT = Number(process.env.ANYVIP_BENCH_SERVICES ?? 10_000);
const CLI = ANYVIP_CLI;
const TIMEOUT_MS = 300_000;
const PROFILE = process.env.ANYVIP_BENCH_PROFILE;
/** How long after the last route RSS is read again (the controller trims within ~30 s). */
const SETTLE_SEC = Number(process.env.ANYVIP_BENCH_SETTLE_SEC ?? 35);
const BASELINE_CLI = process.env.ANYVIP_BENCH_BASELINE_CLI;
const MODES = (process.env.ANYVIP_BENCH_MODES ?? 'standalone,kubernetes').split(',');

function vip(i: number): string {
  return `10.250.${128 + (i >> 8)}.${i & 255}`;
}

interface Result {
  readonly ms: number;
  readonly rssMb: number;
  /** VmRSS SETTLE_SEC after every route arrived. */
  readonly settledMb: number;
  readonly peakMb: number;
  /** SIGTERM → exit: everything withdrawn and unbound. */
  readonly stopMs: number;
}

function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function timeToAllRoutes(
  lab: Lab,
  bird: BirdDaemon,
  args: readonly string[],
  label: string,
  cli = CLI,
): Promise<Result> {
  const t0 = performance.now();
  const flags = PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`];
  // The environment the image sets (src/manifest/process-env.ts): we measure what we ship.
  const p: ManagedProcess = await lab.spawn('node1', process.execPath, [...flags, cli, ...args], {
    label,
    env: { ...process.env, ...shippedProcessEnv },
  });
  let count = 0;
  while (count < COUNT) {
    if (performance.now() - t0 > TIMEOUT_MS)
      throw new Error(`${label}: only ${count} of ${COUNT} routes\n${p.tail()}`);
    if (!p.running) throw new Error(`${label} exited\n${p.tail()}`);
    await sleep(100);
    count = await bird.routeCount('10.250.1.2').catch(() => 0);
  }
  const ms = performance.now() - t0;
  const mem = memoryMb(p.pid);
  await sleep(SETTLE_SEC * 1000);
  const settled = memoryMb(p.pid);
  const s0 = performance.now();
  const exit = await p.stop(300_000, 'SIGTERM');
  const stopMs = performance.now() - s0;
  if (exit.code !== 0) throw new Error(`${label}: exit ${JSON.stringify(exit)}\n${p.tail()}`);
  // Wait until the router has dropped everything before the next run.
  const end = performance.now() + 60_000;
  while ((await bird.routeCount('10.250.1.2').catch(() => 0)) > 0 && performance.now() < end)
    await sleep(200);
  const r = { ms, rssMb: mem.rss, settledMb: settled.rss, peakMb: settled.peak, stopMs };
  process.stdout.write(`${JSON.stringify({ label, ...r })}\n`);
  return r;
}

/**
 * The kernel's floor: the same addresses added to lo in node1 with one `ip -batch` (as the
 * loopback sink adds them, label and metric included), timed; then removed again.
 */
async function ipBatchFloor(lab: Lab): Promise<number> {
  const add: string[] = [];
  const del: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    add.push(`addr add ${vip(i)}/32 dev lo label lo:anyvip metric 7717`);
    del.push(`addr del ${vip(i)}/32 dev lo`);
  }
  const addFile = join(lab.dir, 'floor-add.batch');
  const delFile = join(lab.dir, 'floor-del.batch');
  writeFileSync(addFile, `${add.join('\n')}\n`);
  writeFileSync(delFile, `${del.join('\n')}\n`);
  const t0 = performance.now();
  const r = await lab.ip('node1', ['-batch', addFile], { timeoutMs: 300_000 });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`ip -batch: ${r.stderr}`);
  await lab.ip('node1', ['-force', '-batch', delFile], { timeoutMs: 300_000 });
  return ms;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm run build first`);
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
  const lab = await createLab({ nodes: ['router', 'node1'], links: [['router', 'node1']] });
  const api = await TestApiServer.start({ path: join(lab.dir, 'api.sock'), historyLimit: COUNT + 1000 });
  try {
    const bird = await startDaemon(lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [{ address: '10.250.1.2', asn: 65001, localAddress: '10.250.1.1', holdTimeSec: 90 }],
    });
    await serveApiInto(lab, 'router', join(lab.dir, 'api.sock'));

    const speaker = [
      '--peer',
      '10.250.1.1',
      '--peer-asn',
      '65000',
      '--asn',
      '65001',
      '--router-id',
      '10.250.1.2',
    ];
    const file = join(lab.dir, 'standalone.yaml');
    const lines = [
      'bgp:',
      '  asn: 65001',
      '  routerId: 10.250.1.2',
      '  peers: [{ address: 10.250.1.1, asn: 65000 }]',
      'log: { level: warn }',
      'vips:',
    ];
    for (let i = 0; i < COUNT; i++) lines.push(`  - ${vip(i)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    // The floor is measured right before each run: on a shared machine the kernel's time for
    // the same batch moved from 19 s to 133 s between runs, so only neighbours compare.
    const kubeconfig = writeKubeconfig('http://10.250.1.1:6443', lab.dir, 'node1.kubeconfig');
    const kubeArgs = [
      'run',
      '--kubeconfig',
      kubeconfig,
      '--node-name',
      'node1',
      ...speaker,
      '--allowed-range',
      '10.250.128.0/17',
      '--log-level',
      'warn',
    ];
    const builds: [string, string][] = [['', CLI]];
    if (BASELINE_CLI !== undefined) builds.push(['baseline ', BASELINE_CLI]);
    const runs: { name: string; floorMs: number; r: Result }[] = [];
    for (const [tag, cli] of builds) {
      if (MODES.includes('standalone')) {
        const floorMs = await ipBatchFloor(lab);
        const r = await timeToAllRoutes(lab, bird, ['standalone', '--config', file], `${tag}standalone`, cli);
        runs.push({ name: `${tag}standalone (file)`, floorMs, r });
      }
      if (MODES.includes('kubernetes')) {
        if (api.list('v1', 'services').length === 0)
          applyCluster(api, {
            nodeName: 'node1',
            address: '10.250.1.2',
            count: COUNT,
            vip: vip,
            namespaces: 50,
          });
        const floorMs = await ipBatchFloor(lab);
        const r = await timeToAllRoutes(lab, bird, kubeArgs, `${tag}kubernetes`, cli);
        runs.push({ name: `${tag}kubernetes (${COUNT} Services)`, floorMs, r });
      }
    }

    const load = readFileSync('/proc/loadavg', 'utf8').trim();
    const row = (name: string, r: Result): string =>
      `${name.padEnd(34)} ${(r.ms / 1000).toFixed(2).padStart(7)} s   RSS ${r.rssMb.toFixed(0).padStart(4)} MB, ` +
      `${SETTLE_SEC} s later ${r.settledMb.toFixed(0).padStart(4)} MB, peak ${r.peakMb.toFixed(0).padStart(4)} MB; SIGTERM → exit ${(r.stopMs / 1000).toFixed(1)} s`;
    const out = [`${COUNT} VIPs, start → all routes at BIRD (loadavg ${loadBefore} before, ${load} after)`];
    for (const run of runs) {
      out.push(
        `${'  floor: one ip -batch of the addresses'.padEnd(34)} ${(run.floorMs / 1000).toFixed(2).padStart(7)} s`,
      );
      out.push(`${row(run.name, run.r)}   ${(run.r.ms / run.floorMs).toFixed(2)}× its floor`);
    }
    const ours = (mode: string) => runs.find((x) => x.name.startsWith(mode));
    const sa = ours('standalone');
    const kube = ours('kubernetes');
    const ratio = (x: { floorMs: number; r: Result }): number => x.r.ms / x.floorMs;
    out.push(
      `targets: ${sa === undefined ? '' : `standalone ≤ 1.3× floor ${ratio(sa) <= 1.3 ? 'met' : 'MISSED'}; RSS ≤ 150 MB (${SETTLE_SEC} s later) ${sa.r.settledMb <= 150 ? 'met' : 'MISSED'}; `}` +
        `${kube === undefined ? '' : `kubernetes RSS ${kube.r.settledMb <= 150 ? 'met' : 'MISSED'}`}` +
        `${sa !== undefined && kube !== undefined ? `; kubernetes ≤ 1.5× standalone (floor-normalised ${(ratio(kube) / ratio(sa)).toFixed(2)}×) ${ratio(kube) <= 1.5 * ratio(sa) ? 'met' : 'MISSED'}` : ''}`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await lab.destroy();
    await api.close();
  }
}

await main();
