/**
 * Failover benchmark (not a test; root, network namespaces): how long after a health
 * endpoint starts failing does the router's kernel route lose that node's next hop, for
 * anyvip and, side by side in the same run, for ExaBGP's healthcheck
 * (`python3 -m exabgp.application.healthcheck`, the usual way to run ExaBGP for anycast).
 *
 *   pnpm --filter @anyvip/controller bench        (after `pnpm run build`; as root)
 *   ANYVIP_CLI=/path/to/cli …                     (default the shipped bundle, dist/bundle/anyvip.mjs)
 *
 * Lab: a BIRD router (ECMP, `merge paths on`) with three eBGP neighbours announcing
 * 10.250.255.1/32: anyvip standalone (10.250.1.2, AS 65001) and ExaBGP driven by its
 * healthcheck (10.250.2.2, AS 65002), both in one namespace and checking the same
 * endpoint (`http://127.0.0.1:18080/livez`, 200 or 503) at the same interval, fall and
 * rise; and an anchor ExaBGP (10.250.3.2, AS 65003) that keeps the route multipath. Each
 * run makes the endpoint fail at a random phase and times, with one `ip monitor route` in
 * the router's namespace, when each next hop leaves the FIB; then heals it and waits for
 * both to return.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FibMonitor } from '../../../lab/fib-monitor.js';
import {
  createLab,
  type Lab,
  type ManagedProcess,
  sleep,
  startDaemon,
} from '../../bgp/test/interop/support/index.js';
import { ANYVIP_CLI } from '../test/support/anyvip-cli.js';

const RUNS = Number(process.env.ANYVIP_BENCH_RUNS ?? 20);
const INTERVAL_MS = 100;
const TIMEOUT_MS = 80;
const FALL = 3;
const RISE = 2;
const PORT = 18080;
const VIP = '10.250.255.1';
const ANYVIP_HOP = '10.250.1.2';
const EXABGP_HOP = '10.250.2.2';
const ANCHOR_HOP = '10.250.3.2';
const CLI = ANYVIP_CLI;
/** Debian's exabgp; `/usr/bin/python3` has its module (a python3 earlier on PATH may not). */
const EXABGP = '/usr/sbin/exabgp';
const PYTHON = '/usr/bin/python3';
const HEALTHCHECK = '/usr/lib/python3/dist-packages/exabgp/application/healthcheck.py';

/** The shared endpoint: 200 while `flag` exists, 503 otherwise. */
const endpoint = `
const http = require('node:http');
const fs = require('node:fs');
const [port, flag] = process.argv.slice(2);
http.createServer((req, res) => {
  const ok = fs.existsSync(flag);
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain', connection: 'close' });
  res.end(ok ? 'ok' : 'unhealthy');
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;

function anyvipConfig(): string {
  return `bgp:
  asn: 65001
  routerId: ${ANYVIP_HOP}
  peers:
    - { address: 10.250.1.1, asn: 65000, localAddress: ${ANYVIP_HOP}, holdTime: 9, connectRetry: 1 }
healthchecks:
  livez: { http: "http://127.0.0.1:${PORT}/livez", interval: ${INTERVAL_MS}ms, timeout: ${TIMEOUT_MS}ms, rise: ${RISE}, fall: ${FALL} }
vips:
  - { address: ${VIP}, healthcheck: livez }
`;
}

/** The healthcheck's `--config` file (one long option per line): same check, same timing. */
function healthcheckConfig(): string {
  return `${[
    `interval=${INTERVAL_MS / 1000}`,
    `fast-interval=${INTERVAL_MS / 1000}`,
    `rise=${RISE}`,
    `fall=${FALL}`,
    // Whole seconds only; the command bounds itself with curl's --max-time.
    'timeout=1',
    `command=curl -fsS -o /dev/null --max-time ${TIMEOUT_MS / 1000} http://127.0.0.1:${PORT}/livez`,
    `ip=${VIP}/32`,
    'no-ip-setup',
    'withdraw-on-down',
    'no-ack',
    'no-syslog',
  ].join('\n')}\n`;
}

function exabgpConfig(hcConfig: string): string {
  return `process healthcheck {
  run ${PYTHON} -m exabgp.application.healthcheck --config ${hcConfig};
  encoder text;
}

neighbor 10.250.2.1 {
  router-id ${EXABGP_HOP};
  local-address ${EXABGP_HOP};
  local-as 65002;
  peer-as 65000;
  hold-time 9;
  family { ipv4 unicast; }
  api { processes [ healthcheck ]; }
}
`;
}

async function startExabgp(lab: Lab): Promise<ManagedProcess> {
  const hc = join(lab.dir, 'healthcheck.conf');
  writeFileSync(hc, healthcheckConfig());
  const conf = join(lab.dir, 'exabgp.conf');
  writeFileSync(conf, exabgpConfig(hc));
  return lab.spawn('node', EXABGP, [conf], {
    label: 'exabgp+healthcheck',
    env: {
      ...process.env,
      'exabgp.daemon.user': 'root',
      'exabgp.daemon.drop': 'false',
      'exabgp.daemon.daemonize': 'false',
      'exabgp.api.cli': 'false',
      'exabgp.api.ack': 'false',
      'exabgp.tcp.bind': EXABGP_HOP,
      'exabgp.tcp.port': '179',
      'exabgp.log.destination': 'stdout',
      'exabgp.log.level': 'WARNING',
    },
  });
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

function preflight(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (!existsSync(CLI)) return `${CLI} is missing: run \`pnpm run build\` first`;
  if (!existsSync(EXABGP) || !existsSync(HEALTHCHECK))
    return 'needs Debian exabgp 4 (apt-get install exabgp)';
  if (!existsSync('/usr/bin/curl')) return "needs curl (ExaBGP's healthcheck command)";
  return undefined;
}

async function main(): Promise<number> {
  const why = preflight();
  if (why !== undefined) {
    console.error(`failover bench: ${why}`);
    return 1;
  }
  const lab = await createLab({
    nodes: ['router', 'node', 'anchor'],
    links: [
      ['router', 'node'],
      ['router', 'node'],
      ['router', 'anchor'],
    ],
  });
  try {
    const monitor = await FibMonitor.start(lab.nsOf('router'), `${VIP}/32`);
    lab.onDestroy(() => monitor.stop());
    await startDaemon(lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      ecmp: true,
      neighbors: [
        { address: ANYVIP_HOP, asn: 65001, localAddress: '10.250.1.1' },
        { address: EXABGP_HOP, asn: 65002, localAddress: '10.250.2.1' },
        { address: ANCHOR_HOP, asn: 65003, localAddress: '10.250.3.1' },
      ],
    });
    await startDaemon(lab, 'anchor', 'exabgp', {
      routerId: ANCHOR_HOP,
      asn: 65003,
      neighbors: [{ address: '10.250.3.1', asn: 65000, localAddress: ANCHOR_HOP }],
      announce: [{ prefix: `${VIP}/32` }],
    });
    const flag = join(lab.dir, 'healthy');
    writeFileSync(flag, '');
    const script = join(lab.dir, 'endpoint.cjs');
    writeFileSync(script, endpoint);
    const ep = await lab.spawn('node', process.execPath, [script, String(PORT), flag], { label: 'endpoint' });
    await ep.waitForLine((l) => l === 'listening', { timeoutMs: 10_000, what: 'endpoint listening' });
    const configFile = join(lab.dir, 'anyvip.yaml');
    writeFileSync(configFile, anyvipConfig());
    const anyvip = await lab.spawn('node', process.execPath, [CLI, 'standalone', '--config', configFile], {
      label: 'anyvip',
    });
    const exabgp = await startExabgp(lab);
    const all = [ANYVIP_HOP, ANCHOR_HOP, EXABGP_HOP];
    await monitor
      .waitFor((h) => all.every((a) => h.includes(a)), { timeoutMs: 30_000, what: 'three next hops' })
      .catch((err: unknown) => {
        throw new Error(
          `${err instanceof Error ? err.message : String(err)}\n${anyvip.tail(10)}\n${exabgp.tail(10)}`,
        );
      });

    console.log(
      `failover: endpoint fails → router FIB loses the next hop ` +
        `(interval ${INTERVAL_MS} ms, timeout ${TIMEOUT_MS} ms, fall ${FALL}, rise ${RISE}; ${RUNS} runs + 1 warm-up)`,
    );
    const anyvipMs: number[] = [];
    const exabgpMs: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      // A random phase against both checkers' probe schedules.
      await sleep(Math.random() * INTERVAL_MS);
      const gone = (hop: string) =>
        monitor.waitFor((h) => !h.includes(hop), { timeoutMs: 15_000, what: `${hop} withdrawn` });
      const t0 = performance.now();
      rmSync(flag);
      const [a, e] = await Promise.all([gone(ANYVIP_HOP), gone(EXABGP_HOP)]);
      if (run > 0) {
        anyvipMs.push(a.atMs - t0);
        exabgpMs.push(e.atMs - t0);
        process.stdout.write(
          `  run ${String(run).padStart(2)}: anyvip ${(a.atMs - t0).toFixed(0)} ms, ExaBGP ${(e.atMs - t0).toFixed(0)} ms\n`,
        );
      }
      writeFileSync(flag, '');
      await monitor.waitFor((h) => all.every((x) => h.includes(x)), { timeoutMs: 15_000, what: 'both back' });
      // Both checkers are up again; let them settle into their steady interval.
      await sleep(3 * INTERVAL_MS);
    }

    const row = (name: string, xs: number[]) =>
      `${name.padEnd(22)}${[50, 90, 100].map((p) => `${percentile(xs, p).toFixed(0).padStart(8)} ms`).join('')}`;
    const bound = FALL * INTERVAL_MS + 50;
    const p50a = percentile(anyvipMs, 50);
    const p50e = percentile(exabgpMs, 50);
    console.log(`\n${''.padEnd(22)}${['p50', 'p90', 'max'].map((h) => h.padStart(11)).join('')}`);
    console.log(row('anyvip', anyvipMs));
    console.log(row('ExaBGP healthcheck', exabgpMs));
    console.log(
      `${'ratio ExaBGP / anyvip'.padEnd(22)}${[50, 90, 100]
        .map((p) => `${(percentile(exabgpMs, p) / percentile(anyvipMs, p)).toFixed(2).padStart(10)}×`)
        .join('')}`,
    );
    console.log(
      `\ntarget: anyvip p50 ≤ fall × interval + 50 ms = ${bound} ms: ${p50a <= bound ? 'met' : 'MISSED'} ` +
        `(${p50a.toFixed(0)} ms); faster than ExaBGP: ${p50a < p50e ? 'yes' : 'NO'}`,
    );
    return 0;
  } finally {
    await lab.destroy();
  }
}

process.exit(await main());
