/**
 * Footprint benchmark (not a test; root, network namespaces): what anyvip costs on every node
 * when nothing happens, side by side in one run with the Node floor and gobgpd.
 *
 *   pnpm --filter @anyvip/controller bench:footprint    (after `pnpm run build`; as root)
 *   ANYVIP_BENCH_IDLE_SEC=60 …                           (the idle window, default 60 s)
 *   ANYVIP_BENCH_SETTLE_SEC=15 …                         (start-up's tail before it, default 15 s)
 *   ANYVIP_BENCH_BASELINE_CLI=/path/to/other/dist/main.js (another build's standalone and
 *                                                          Kubernetes mode beside ours, e.g.
 *                                                          main's, in the same run)
 *   ANYVIP_CLI=/path/to/cli …                            (ours: default the shipped bundle,
 *                                                          dist/bundle/anyvip.mjs; e.g. dist/main.js)
 *
 * Printed:
 * - module costs: RSS of a fresh `node` that imports one module (and idles), minus the floor;
 *   what each lazily loaded piece would add if it were loaded eagerly;
 * - idle RSS (VmRSS, and VmHWM, the peak since start) after the idle window of
 *   `anyvip standalone` (one peer, one VIP, one TCP check every second; admin listener on, as
 *   by default), `anyvip run` in Kubernetes mode with 100 Services (the in-repo test API
 *   server), `node -e` with a timer (the floor), and gobgpd with one neighbour;
 * - CPU seconds (utime + stime from /proc/PID/stat) each used over the idle window, and that
 *   as a share of one core.
 * anyvip's processes (ours and the baseline) run with the environment the image sets
 * (src/manifest/process-env.ts: NODE_OPTIONS); the Node floor runs without it.
 * All processes idle at the same time, so machine load hits them alike. The idle window starts
 * `ANYVIP_BENCH_SETTLE_SEC` after the last route reached BIRD: the start-up's tail (the heap trim
 * 2 s after the first pass, V8's memory reducer ~10 s in) is printed apart, as "settle CPU s".
 *
 * Lab: router 10.250.1.1 / .2.1 / .3.1 (BIRD, AS 65000) ↔ node1 10.250.1.2 (standalone,
 * AS 65001), node2 10.250.2.2 (Kubernetes mode, AS 65002), node3 10.250.3.2 (gobgpd,
 * AS 65003). The API server listens on a Unix socket here, served to node2 by a TCP forwarder
 * in the router's namespace. VIPs: 10.250.200.1 (standalone), 10.250.128.0+ (Services).
 * With a baseline: node4 10.250.4.2 (its standalone) and node5 10.250.5.2 (its Kubernetes mode,
 * AS 65002, against a second API server with the same 100 Services, so neither shares a
 * leader election or a status writer with ours).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLab,
  type ManagedProcess,
  sleep,
  startDaemon,
  waitFor,
} from '../../bgp/test/interop/support/index.js';
import { shippedProcessEnv } from '../src/manifest/process-env.js';
import { ANYVIP_CLI } from '../test/support/anyvip-cli.js';
import { TestApiServer } from '../test/support/api-server.js';
import { writeKubeconfig } from '../test/support/kubeconfig.js';
import { applyCluster, serveApiInto } from './support/cluster-lab.js';

const IDLE_SEC = Number(process.env.ANYVIP_BENCH_IDLE_SEC ?? 60);
const SETTLE_SEC = Number(process.env.ANYVIP_BENCH_SETTLE_SEC ?? 15);
const BASELINE_CLI = process.env.ANYVIP_BENCH_BASELINE_CLI;
const SERVICES = 100;
const CLI = ANYVIP_CLI;
const PKG = fileURLToPath(new URL('..', import.meta.url));
const CHECK_PORT = 18081;
const TICKS_PER_SEC = 100; // USER_HZ on Linux.
/** What the image sets for anyvip (Dockerfile ENV), so the bench measures what we ship. */
const SHIPPED_ENV = { ...process.env, ...shippedProcessEnv };

/** The TCP check's target: accepts and closes. */
const tcpTarget = `
require('node:net').createServer((c) => { c.on('error', () => {}); c.end(); }).listen(${CHECK_PORT}, '127.0.0.1', () => console.log('listening'));
`;

/** The floor: Node with a timer, nothing else. */
const FLOOR = 'setInterval(() => {}, 1000)';

interface Memory {
  readonly rssMb: number;
  readonly peakMb: number;
}

function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** utime + stime of a process, seconds. */
function cpuSec(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SEC;
}

/**
 * RSS of a fresh node that imports `specifiers` one after another (from the controller
 * package) and idles 1 s; none for the floor.
 */
async function importCost(specifiers: readonly string[]): Promise<number> {
  const code = `for (const s of ${JSON.stringify(specifiers)}) await import(s); setTimeout(() => console.log(process.memoryUsage().rss), 1000)`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: PKG });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code_ = await new Promise<number | null>((r) => child.on('close', r));
  if (code_ !== 0) throw new Error(`import ${specifiers.join(', ')}: exit ${code_}: ${err}`);
  return Number(out.trim()) / 1048576;
}

/** `@kubernetes/client-node` 2.x has no "exports" map, so its files import by path. */
const CLIENT = '@kubernetes/client-node/dist';

/** One row: what is imported (one module, or a set loaded together), and why it is there. */
const MODULES: readonly (readonly [string | readonly string[], string])[] = [
  ['yargs', 'the CLI parser (every command)'],
  ['yaml', 'configuration files'],
  ['winston', 'JSON logs'],
  ['prom-client', '/metrics: the index (Pushgateway, https, zlib, cluster too)'],
  [
    ['registry', 'counter', 'gauge', 'histogram', 'defaultMetrics'].map((f) => `prom-client/lib/${f}.js`),
    '/metrics: the prom-client files we import',
  ],
  ['node:http', 'admin listener, HTTP checks'],
  ['@kubernetes/client-node', 'Kubernetes mode only'],
  // The parts of the client, to weigh narrower uses of it (docs/scale.md, "One node").
  [`${CLIENT}/config.js`, 'KubeConfig: imports every API class (gen/index.js)'],
  [`${CLIENT}/watch.js`, 'Watch alone (needs a KubeConfig to run)'],
  [
    [
      ...['CoreV1Api', 'CoordinationV1Api', 'CustomObjectsApi', 'DiscoveryV1Api'].map(
        (api) => `${CLIENT}/gen/apis/${api}.js`,
      ),
      `${CLIENT}/gen/configuration.js`,
      `${CLIENT}/watch.js`,
      `${CLIENT}/cache.js`,
    ],
    'our four request factories, Watch, ListWatch; no KubeConfig',
  ],
  ['@sinclair/typebox', 'the anyvip.io CRD schemas (Kubernetes mode)'],
  ['@anyvip/bgp', 'the speaker'],
  ['@anyvip/healthcheck', 'checks'],
  ['./dist/app.js', 'the runtime (standalone core)'],
  ['./dist/kubernetes-mode.js', 'Kubernetes mode, all of it'],
  ['./dist/main.js', 'the entry point, loaded but not run'],
];

/**
 * The bundle's main chunk (what dist/bundle/anyvip.mjs loads before it runs main), named by
 * the chunk graph the build writes: the same entry point, minified and with its dependencies.
 */
function bundleMainChunk(): readonly [string, string] {
  const graph = JSON.parse(readFileSync(join(PKG, 'dist/bundle/graph.json'), 'utf8')) as {
    entry: string;
    chunks: Record<string, { dynamicImports: string[] }>;
  };
  const main = graph.chunks[graph.entry]?.dynamicImports[0];
  if (main === undefined) throw new Error('dist/bundle/graph.json names no main chunk: rebuild');
  return [`./dist/bundle/${main}`, 'the same, from the shipped bundle'];
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm run build first`);

  // Module costs first, before the lab loads the machine.
  const floorImport = await importCost([]);
  const costs: { name: string; why: string; mb: number }[] = [];
  for (const [modules, why] of [...MODULES, bundleMainChunk()]) {
    const set = typeof modules === 'string' ? [modules] : modules;
    const name = set.length === 1 ? (set[0] as string) : `${set.length} modules`;
    costs.push({ name, why, mb: (await importCost(set)) - floorImport });
  }

  const lab = await createLab({
    nodes: ['router', 'node1', 'node2', 'node3', ...(BASELINE_CLI !== undefined ? ['node4', 'node5'] : [])],
    links: [
      ['router', 'node1'],
      ['router', 'node2'],
      ['router', 'node3'],
      ...(BASELINE_CLI !== undefined
        ? [['router', 'node4'] as [string, string], ['router', 'node5'] as [string, string]]
        : []),
    ],
  });
  const api = await TestApiServer.start({ path: join(lab.dir, 'api.sock') });
  const baselineApi =
    BASELINE_CLI !== undefined
      ? await TestApiServer.start({ path: join(lab.dir, 'api-baseline.sock') })
      : undefined;
  /** Processes whose output is shown when the run fails. */
  const watched: ManagedProcess[] = [];
  try {
    const bird = await startDaemon(lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [
        { address: '10.250.1.2', asn: 65001, localAddress: '10.250.1.1', holdTimeSec: 90 },
        { address: '10.250.2.2', asn: 65002, localAddress: '10.250.2.1', holdTimeSec: 90 },
        { address: '10.250.3.2', asn: 65003, localAddress: '10.250.3.1', holdTimeSec: 90 },
        ...(BASELINE_CLI !== undefined
          ? [
              { address: '10.250.4.2', asn: 65001, localAddress: '10.250.4.1', holdTimeSec: 90 },
              { address: '10.250.5.2', asn: 65002, localAddress: '10.250.5.1', holdTimeSec: 90 },
            ]
          : []),
      ],
    });
    const gobgp = await startDaemon(lab, 'node3', 'gobgp', {
      routerId: '10.250.3.2',
      asn: 65003,
      neighbors: [{ address: '10.250.3.1', asn: 65000, localAddress: '10.250.3.2', holdTimeSec: 90 }],
    });
    await serveApiInto(lab, 'router', join(lab.dir, 'api.sock'));
    if (baselineApi !== undefined)
      await serveApiInto(lab, 'router', join(lab.dir, 'api-baseline.sock'), 6444);
    const target = join(lab.dir, 'tcp-target.cjs');
    writeFileSync(target, tcpTarget);
    for (const node of BASELINE_CLI !== undefined ? ['node1', 'node4'] : ['node1']) {
      const t = await lab.spawn(node, process.execPath, [target]);
      await t.waitForLine((l) => l === 'listening', { timeoutMs: 10_000, what: 'tcp target' });
    }

    const standaloneConfig = (n: number): string => `bgp:
  asn: 65001
  routerId: 10.250.${n}.2
  peers: [{ address: 10.250.${n}.1, asn: 65000 }]
healthchecks:
  web: { tcp: "127.0.0.1:${CHECK_PORT}", interval: 1s, timeout: 500ms }
vips:
  - { address: 10.250.200.1, healthcheck: web }
`;
    const config = join(lab.dir, 'standalone.yaml');
    writeFileSync(config, standaloneConfig(1));
    const baselineConfig = join(lab.dir, 'baseline.yaml');
    writeFileSync(baselineConfig, standaloneConfig(4));
    applyCluster(api, {
      nodeName: 'node2',
      address: '10.250.2.2',
      count: SERVICES,
      vip: (i) => `10.250.128.${i}`,
      namespaces: 10,
    });
    const kubeconfig = writeKubeconfig('http://10.250.2.1:6443', lab.dir, 'node2.kubeconfig');
    if (baselineApi !== undefined)
      applyCluster(baselineApi, {
        nodeName: 'node5',
        address: '10.250.5.2',
        count: SERVICES,
        vip: (i) => `10.250.128.${i}`,
        namespaces: 10,
      });
    const baselineKubeconfig = writeKubeconfig('http://10.250.5.1:6444', lab.dir, 'node5.kubeconfig');
    /** `anyvip run` on `node` (10.250.N.2, AS 65002) with these flags. */
    const runArgs = (cli: string, node: string, n: number, kc: string): string[] => [
      cli,
      'run',
      '--kubeconfig',
      kc,
      '--node-name',
      node,
      '--peer',
      `10.250.${n}.1`,
      '--peer-asn',
      '65000',
      '--asn',
      '65002',
      '--router-id',
      `10.250.${n}.2`,
      '--allowed-range',
      '10.250.128.0/17',
    ];

    const standalone = await lab.spawn('node1', process.execPath, [CLI, 'standalone', '--config', config], {
      label: 'standalone',
      env: SHIPPED_ENV,
    });
    const kube = await lab.spawn('node2', process.execPath, runArgs(CLI, 'node2', 2, kubeconfig), {
      label: 'kubernetes',
      env: SHIPPED_ENV,
    });
    watched.push(standalone, kube);
    const baselineKube =
      BASELINE_CLI === undefined
        ? undefined
        : await lab.spawn('node5', process.execPath, runArgs(BASELINE_CLI, 'node5', 5, baselineKubeconfig), {
            label: 'baseline kubernetes',
            env: SHIPPED_ENV,
          });
    if (baselineKube !== undefined) watched.push(baselineKube);
    const baseline =
      BASELINE_CLI === undefined
        ? undefined
        : await lab.spawn(
            'node4',
            process.execPath,
            [BASELINE_CLI, 'standalone', '--config', baselineConfig],
            { label: 'baseline', env: SHIPPED_ENV },
          );
    if (baseline !== undefined) watched.push(baseline);
    const floor = await lab.spawn('node1', process.execPath, ['-e', FLOOR], { label: 'node floor' });

    await waitFor(async () => (await bird.routeCount('10.250.1.2').catch(() => 0)) === 1, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'the standalone VIP at BIRD',
      abort: () => (standalone.running ? undefined : new Error(`standalone exited\n${standalone.tail()}`)),
    });
    if (baseline !== undefined)
      await waitFor(async () => (await bird.routeCount('10.250.4.2').catch(() => 0)) === 1, {
        timeoutMs: 60_000,
        intervalMs: 200,
        what: 'the baseline VIP at BIRD',
        abort: () => (baseline.running ? undefined : new Error(`baseline exited\n${baseline.tail()}`)),
      });
    await waitFor(async () => (await bird.routeCount('10.250.2.2').catch(() => 0)) === SERVICES, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `${SERVICES} Services at BIRD`,
      abort: () => (kube.running ? undefined : new Error(`kubernetes mode exited\n${kube.tail()}`)),
    });
    if (baselineKube !== undefined)
      await waitFor(async () => (await bird.routeCount('10.250.5.2').catch(() => 0)) === SERVICES, {
        timeoutMs: 60_000,
        intervalMs: 200,
        what: `the baseline's ${SERVICES} Services at BIRD`,
        abort: () =>
          baselineKube.running ? undefined : new Error(`baseline kubernetes exited\n${baselineKube.tail()}`),
      });
    await bird.waitEstablished('10.250.3.2');
    const gobgpPid = gobgp.pid;
    if (gobgpPid === undefined) throw new Error('gobgpd has no pid');

    const subjects = [
      { name: 'anyvip standalone (1 peer, 1 VIP, 1 TCP check/s)', pid: standalone.pid },
      { name: `anyvip Kubernetes mode (${SERVICES} Services)`, pid: kube.pid },
      { name: 'node -e with a timer (Node floor)', pid: floor.pid },
      { name: 'gobgpd, one neighbour', pid: gobgpPid },
      ...(baseline !== undefined
        ? [{ name: `baseline standalone (${BASELINE_CLI})`, pid: baseline.pid }]
        : []),
      ...(baselineKube !== undefined
        ? [{ name: `baseline Kubernetes mode (${SERVICES} Services)`, pid: baselineKube.pid }]
        : []),
    ];
    const settle0 = subjects.map((s) => cpuSec(s.pid));
    await sleep(SETTLE_SEC * 1000);
    const cpu0 = subjects.map((s) => cpuSec(s.pid));
    const load0 = readFileSync('/proc/loadavg', 'utf8').trim();
    await sleep(IDLE_SEC * 1000);
    const cpu1 = subjects.map((s) => cpuSec(s.pid));
    const mem = subjects.map((s) => memory(s.pid));
    const load1 = readFileSync('/proc/loadavg', 'utf8').trim();
    if (!standalone.running || !kube.running) throw new Error('a controller exited during the idle window');

    const out: string[] = [];
    out.push(
      `module costs: RSS of a fresh node importing one module, minus node alone (${floorImport.toFixed(1)} MB)`,
    );
    for (const c of costs)
      out.push(`  ${c.name.padEnd(40)} ${`+${c.mb.toFixed(1)}`.padStart(7)} MB   ${c.why}`);
    out.push('');
    out.push(`idle, ${IDLE_SEC} s after ${SETTLE_SEC} s to settle (loadavg before ${load0}; after ${load1})`);
    out.push(
      `  ${'process'.padEnd(52)} ${'RSS'.padStart(8)} ${'peak'.padStart(8)} ${'CPU s'.padStart(7)} ${'% core'.padStart(7)} ${'settle CPU s'.padStart(13)}`,
    );
    subjects.forEach((s, i) => {
      const m = mem[i] as Memory;
      const cpu = (cpu1[i] as number) - (cpu0[i] as number);
      out.push(
        `  ${s.name.padEnd(52)} ${`${m.rssMb.toFixed(1)} MB`.padStart(8)} ${`${m.peakMb.toFixed(1)} MB`.padStart(8)} ${cpu.toFixed(2).padStart(7)} ${((100 * cpu) / IDLE_SEC).toFixed(2).padStart(7)} ${((cpu0[i] as number) - (settle0[i] as number)).toFixed(2).padStart(13)}`,
      );
    });
    const [sa, k8s, nodeFloor, gobgpd] = mem as [Memory, Memory, Memory, Memory];
    const saCpu = ((cpu1[0] as number) - (cpu0[0] as number)) / IDLE_SEC;
    out.push('');
    out.push(
      `standalone: ${(sa.rssMb / nodeFloor.rssMb).toFixed(2)}× the Node floor, ${(sa.rssMb / gobgpd.rssMb).toFixed(1)}× gobgpd; ` +
        `Kubernetes mode: ${(k8s.rssMb / nodeFloor.rssMb).toFixed(2)}× the Node floor`,
    );
    out.push(
      `targets: standalone ≤ 60 MB ${sa.rssMb <= 60 ? 'met' : 'MISSED'}; Kubernetes mode ≤ 80 MB ${k8s.rssMb <= 80 ? 'met' : 'MISSED'}; ` +
        `idle CPU ≤ 0.5 % of a core ${saCpu <= 0.005 ? 'met' : 'MISSED'}`,
    );
    if (baseline !== undefined) {
      const b = mem[4] as Memory;
      const bCpu = ((cpu1[4] as number) - (cpu0[4] as number)) / IDLE_SEC;
      out.push(
        `ours vs baseline standalone: RSS ${sa.rssMb.toFixed(1)} vs ${b.rssMb.toFixed(1)} MB (${(sa.rssMb / b.rssMb).toFixed(2)}×), ` +
          `idle CPU ${(100 * saCpu).toFixed(2)} vs ${(100 * bCpu).toFixed(2)} % of a core`,
      );
      const bk = mem[5] as Memory;
      out.push(
        `ours vs baseline Kubernetes mode: RSS ${k8s.rssMb.toFixed(1)} vs ${bk.rssMb.toFixed(1)} MB (${(k8s.rssMb / bk.rssMb).toFixed(2)}×), ` +
          `peak ${k8s.peakMb.toFixed(1)} vs ${bk.peakMb.toFixed(1)} MB`,
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
    await standalone.stop(30_000, 'SIGTERM');
    await kube.stop(30_000, 'SIGTERM');
    await baseline?.stop(30_000, 'SIGTERM');
    await baselineKube?.stop(30_000, 'SIGTERM');
  } catch (err) {
    for (const p of watched) process.stderr.write(`--- ${p.label}\n${p.tail()}\n`);
    throw err;
  } finally {
    await lab.destroy();
    await api.close();
    await baselineApi?.close();
  }
}

await main();
