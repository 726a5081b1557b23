/**
 * Benchmark: N concurrent checks (default 1,000) every 100 ms against local targets for ~10 s.
 *
 *   pnpm bench                       # HTTP, 1,000 checks, 10 s
 *   pnpm bench -- --probe tcp        # TCP connect instead
 *   pnpm bench -- --probe noop       # no I/O: the library's own cost
 *   pnpm bench -- --checks 200 --seconds 5
 *
 * Prints the checker's CPU share (process.cpuUsage over wall time; the targets run in a child
 * process, reported apart), event-loop delay (monitorEventLoopDelay p50/p99/max), and the
 * detection latency (interval 100 ms, fall 3): every target is made to fail once, at a known
 * time spread over the run, and the time until its `down` event is measured. The failure time
 * is taken just before the IPC message to the target process is sent, so the figures include
 * that hop.
 */
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Check, type CheckEvent, type Probe, type ProbeResult, type ProbeSpec } from '../src/index.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    probe: { type: 'string', default: 'http' },
    checks: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
  },
});
const mode = values.probe === 'tcp' || values.probe === 'noop' ? values.probe : 'http';
const n = Number(values.checks);
const seconds = Number(values.seconds);
const timing = { intervalMs: 100, fastIntervalMs: 100, timeoutMs: 80, rise: 2, fall: 3, jitterMs: 10 };

const child = fork(
  new URL('./target-server.ts', import.meta.url),
  [mode === 'tcp' ? 'tcp' : 'http', String(n)],
  {
    stdio: 'inherit',
  },
);
type ChildMessage = { ready?: boolean; ports?: number[]; cpu?: NodeJS.CpuUsage; uptimeMs?: number };
const nextMessage = (): Promise<ChildMessage> =>
  new Promise((resolve) => child.once('message', (m) => resolve(m as ChildMessage)));
const { ports = [] } = await nextMessage();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const failedAt = new Map<number, number>();
const detection: number[] = [];
let falseDowns = 0;
let results = 0;
let failedResults = 0;
let upCount = 0;
const falseReasons = new Map<string, number>();

/** No I/O at all: what the scheduling, state machine and events cost on their own. */
function noopProbe(i: number): Probe {
  const ok: ProbeResult = { ok: true, latencyMs: 0, reason: 'ok' };
  const failed: ProbeResult = { ok: false, latencyMs: 0, reason: 'failing' };
  return { name: `noop ${i}`, run: async () => (failedAt.has(i) ? failed : ok) };
}

const checks = Array.from({ length: n }, (_, i) => {
  const probe: ProbeSpec | Probe =
    mode === 'http'
      ? { kind: 'http', url: `http://127.0.0.1:${ports[0]}/t/${i}` }
      : mode === 'tcp'
        ? { kind: 'tcp', host: '127.0.0.1', port: ports[i] ?? 0 }
        : noopProbe(i);
  const check = new Check({ name: `vip-${i}`, probes: [probe], ...timing });
  check.subscribe((e: CheckEvent) => {
    if (e.kind === 'result') {
      results++;
      if (!e.ok) {
        failedResults++;
        if (!failedAt.has(i)) falseReasons.set(e.reason, (falseReasons.get(e.reason) ?? 0) + 1);
      }
    } else if (e.kind === 'up') upCount++;
    else if (e.kind === 'down') {
      const t0 = failedAt.get(i);
      if (t0 === undefined) falseDowns++;
      else detection.push(performance.now() - t0);
    }
  });
  return check;
});

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (const c of checks) c.start();

// Warm-up: every check must rise (2 passing rounds) before failures are injected.
while (upCount < n && performance.now() - wall0 < 5000) await sleep(50);
const warmupMs = performance.now() - wall0;

// Fail every target once, spread over the run (leaving ~1.5 s at the end for the last downs).
const spreadMs = Math.max(1000, seconds * 1000 - warmupMs - 1500);
const failStart = performance.now();
for (let i = 0; i < n; i++) {
  const due = failStart + (i * spreadMs) / n;
  const wait = due - performance.now();
  if (wait > 1) await sleep(wait);
  failedAt.set(i, performance.now());
  child.send({ fail: i });
}
const deadline = performance.now() + 3000;
while (detection.length < n && performance.now() < deadline) await sleep(50);

const wallMs = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
loop.disable();
child.send({ stats: true });
const childStats = await nextMessage();
await Promise.all(checks.map((c) => c.stop()));
child.disconnect();

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const sorted = [...detection].sort((a, b) => a - b);
const bound = timing.fall * (timing.intervalMs + timing.jitterMs) + timing.timeoutMs;
const childCpuMs = childStats.cpu ? (childStats.cpu.user + childStats.cpu.system) / 1000 : Number.NaN;

console.log(
  `@anyvip/healthcheck bench: ${n} ${mode} checks, interval ${timing.intervalMs} ms, fast ${timing.fastIntervalMs} ms, timeout ${timing.timeoutMs} ms, rise ${timing.rise}, fall ${timing.fall}, jitter ${timing.jitterMs} ms; node ${process.version}`,
);
console.log(
  `wall ${ms(wallMs)} (warm-up to all up: ${ms(warmupMs)}); probe results ${results} (${((results / wallMs) * 1000).toFixed(0)}/s), failed ${failedResults}`,
);
console.log(
  `checker CPU: user ${ms(cpu.user / 1000)}, system ${ms(cpu.system / 1000)} → ${(((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(1)}% of one core`,
);
console.log(
  `checker CPU per probe run: ${(((cpu.user + cpu.system) / Math.max(1, results)) | 0).toString()} µs`,
);
console.log(
  `targets process CPU (whole life): ${ms(childCpuMs)} → ${((childCpuMs / wallMs) * 100).toFixed(1)}% of one core`,
);
console.log(
  `event-loop delay: p50 ${ms(loop.percentile(50) / 1e6)}, p99 ${ms(loop.percentile(99) / 1e6)}, max ${ms(loop.max / 1e6)} (resolution 10 ms)`,
);
console.log(
  `detection latency (failure → down), ${sorted.length}/${n} detected, bound fall × (interval + jitter) + timeout = ${bound} ms:`,
);
console.log(
  `  p50 ${ms(pct(sorted, 50))}, p90 ${ms(pct(sorted, 90))}, p99 ${ms(pct(sorted, 99))}, max ${ms(sorted.at(-1) ?? Number.NaN)}; over bound: ${sorted.filter((x) => x > bound).length}`,
);
console.log(`false downs (before their target failed): ${falseDowns}`);
if (falseReasons.size > 0) {
  const top = [...falseReasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(
    `failed results before injection, top reasons: ${top.map(([r, c]) => `${c}× ${r}`).join('; ')}`,
  );
}
