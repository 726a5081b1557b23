/**
 * Kubernetes mode at scale (not a test; root, network namespaces): 10,000 Services of type
 * LoadBalancer, each with one address in `status.loadBalancer.ingress`, in the in-repo test
 * API server; one node runs `anyvip run` (the built CLI) against it and peers with BIRD.
 * Measured: the time from spawning the controller until BIRD has imported every route, and
 * the controller's RSS then (VmRSS) and at its peak (VmHWM). For scale, the same run first
 * does the same with `anyvip standalone` and the same 10,000 VIPs in a file (no Kubernetes),
 * and prints the ratio; and last Kubernetes mode again with V8's young generation capped
 * (`--max-semi-space-size=2`, as the DaemonSet should run it: a controller does not need 16 MB
 * semi-spaces, which hold on to RSS after every burst). Targets: under 10 s and under 200 MB.
 *
 *   pnpm --filter @anyvip/controller bench:services      (after `pnpm run build`; as root)
 *   ANYVIP_BENCH_SERVICES=20000 …                        (another count)
 *
 * Lab: router 10.250.1.1 (BIRD, AS 65000) ↔ node1 10.250.1.2 (anyvip, AS 65001). VIPs from
 * 10.250.128.0 upwards (allowed range 10.250.128.0/17). The API server listens on a Unix
 * socket in this process; a TCP forwarder in the router's namespace serves it to the node.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BirdDaemon,
  createLab,
  type Lab,
  type ManagedProcess,
  sleep,
  startDaemon,
} from '../../bgp/test/interop/support/index.js';
import { TestApiServer } from '../test/support/api-server.js';
import { writeKubeconfig } from '../test/support/kubeconfig.js';

const COUNT = Number(process.env.ANYVIP_BENCH_SERVICES ?? 10_000);
const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const TIMEOUT_MS = 120_000;
const TUNED = '--max-semi-space-size=2';

const forwarder = `
const net = require('node:net');
const [port, path] = process.argv.slice(2);
net.createServer((c) => {
  const u = net.connect(path);
  c.pipe(u).pipe(c);
  u.on('error', () => c.destroy());
  c.on('error', () => u.destroy());
}).listen(Number(port), '0.0.0.0', () => console.log('listening'));
`;

function vip(i: number): string {
  return `10.250.${128 + (i >> 8)}.${i & 255}`;
}

interface Result {
  readonly ms: number;
  readonly rssMb: number;
  readonly peakMb: number;
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
  nodeFlags: readonly string[] = [],
): Promise<Result> {
  const t0 = performance.now();
  const p: ManagedProcess = await lab.spawn('node1', process.execPath, [...nodeFlags, CLI, ...args], {
    label,
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
  const exit = await p.stop(30_000, 'SIGTERM');
  if (exit.code !== 0) throw new Error(`${label}: exit ${JSON.stringify(exit)}\n${p.tail()}`);
  // Wait until the router has dropped everything before the next run.
  const end = performance.now() + 60_000;
  while ((await bird.routeCount('10.250.1.2').catch(() => 0)) > 0 && performance.now() < end)
    await sleep(200);
  return { ms, rssMb: mem.rss, peakMb: mem.peak };
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm run build first`);
  const lab = await createLab({ nodes: ['router', 'node1'], links: [['router', 'node1']] });
  const api = await TestApiServer.start({ path: join(lab.dir, 'api.sock'), historyLimit: COUNT + 1000 });
  try {
    const bird = await startDaemon(lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [{ address: '10.250.1.2', asn: 65001, localAddress: '10.250.1.1', holdTimeSec: 90 }],
    });
    const fwd = join(lab.dir, 'forwarder.cjs');
    writeFileSync(fwd, forwarder);
    const f = await lab.spawn('router', process.execPath, [fwd, '6443', join(lab.dir, 'api.sock')]);
    await f.waitForLine((l) => l === 'listening', { timeoutMs: 10_000, what: 'forwarder' });

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
    const standalone = await timeToAllRoutes(lab, bird, ['standalone', '--config', file], 'standalone');

    api.apply('v1', 'nodes', {
      metadata: { name: 'node1' },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.250.1.2' }],
      },
    });
    for (let i = 0; i < COUNT; i++) {
      api.apply('v1', 'services', {
        metadata: { name: `svc-${i}`, namespace: `ns-${i % 50}` },
        spec: {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Cluster',
          ports: [{ port: 80, protocol: 'TCP' }],
        },
        status: { loadBalancer: { ingress: [{ ip: vip(i) }] } },
      });
    }
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
    const kube = await timeToAllRoutes(lab, bird, kubeArgs, 'kubernetes');
    const tuned = await timeToAllRoutes(lab, bird, kubeArgs, 'kubernetes-tuned', [TUNED]);

    const load = readFileSync('/proc/loadavg', 'utf8').trim();
    const row = (name: string, r: Result): string =>
      `${name.padEnd(34)} ${(r.ms / 1000).toFixed(2).padStart(7)} s   RSS ${r.rssMb.toFixed(0).padStart(4)} MB   peak ${r.peakMb.toFixed(0).padStart(4)} MB`;
    process.stdout.write(`${COUNT} VIPs, start → all routes at BIRD (loadavg ${load})\n`);
    process.stdout.write(`${row('standalone (file)', standalone)}\n`);
    process.stdout.write(`${row(`kubernetes (${COUNT} Services)`, kube)}\n`);
    process.stdout.write(`${row(`kubernetes, ${TUNED}`, tuned)}\n`);
    process.stdout.write(
      `kubernetes / standalone: time ${(kube.ms / standalone.ms).toFixed(2)}×, RSS ${(kube.rssMb / standalone.rssMb).toFixed(2)}×\n`,
    );
    process.stdout.write(
      `targets (${TUNED}): < 10 s ${tuned.ms < 10_000 ? 'met' : 'MISSED'}, < 200 MB ${tuned.peakMb < 200 ? 'met' : 'MISSED'} (peak RSS); ` +
        `default flags: ${kube.ms < 10_000 ? 'met' : 'MISSED'}, ${kube.peakMb < 200 ? 'met' : 'MISSED'}\n`,
    );
  } finally {
    await lab.destroy();
    await api.close();
  }
}

await main();
