/**
 * ECMP end to end: three nodes announce one VIP to one router, which installs a multipath
 * kernel route (BIRD `merge paths on`; FRR `maximum-paths` with `as-path multipath-relax`).
 * Nodes 1 and 2 run `anyvip standalone` in mode bgp (the built CLI, the bundle); node 3
 * runs it in mode table, with BIRD on the node announcing kernel table 198
 * (examples/table-mode/bird.conf), so both modes feed the same ECMP route.
 *
 * For each router: three next hops in the router's FIB; a failed health endpoint removes
 * that node's next hop and healing brings it back; a SIGHUP reload that adds a VIP never
 * shrinks the first VIP's next-hop set (sampled throughout); SIGTERM withdraws.
 *
 * Lab: router 10.250.i.1 ↔ node i 10.250.i.2 (i = 1..3). Router AS 65000, anyvip AS
 * 65001, node 3's BIRD AS 65101. VIPs 10.250.255.1 and .2.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createLab,
  interopSkipReason,
  type Lab,
  type ManagedProcess,
  startDaemon,
  waitUntil,
} from '../../../bgp/test/interop/support/index.js';
import { ANYVIP_CLI } from '../support/anyvip-cli.js';

const skipReason = interopSkipReason();
const CLI = ANYVIP_CLI;
const NODE_BIRD_CONF = fileURLToPath(new URL('../../../../examples/table-mode/bird.conf', import.meta.url));
const HEALTH_PORT = 18080;
const VIP = '10.250.255.1';
const VIP2 = '10.250.255.2';
const NODES = ['node1', 'node2', 'node3'] as const;
const HOPS = ['10.250.1.2', '10.250.2.2', '10.250.3.2'];
const CHECK = 'interval: 100ms, timeout: 80ms, rise: 2, fall: 3';
/**
 * fall × interval + timeout, plus BGP, router and polling delays on a busy 2-core machine. The
 * nodes keep the default periodic pass (10 s): with `reconcile.interval: 1s` a pass ran almost
 * back to back at load 25-30 (passes took 330-1530 ms), the check's `down` waited for it, and
 * one failover took 2924 ms. Measured at load 27: check down +437 ms, withdraw on the wire
 * +255 ms, FRR's FIB +96 ms, seen by the test's poll +150 ms.
 */
const FAILOVER_BOUND_MS = 3 * 100 + 80 + 1500;

/** A health endpoint: 200 while `flag` exists, 503 otherwise. */
const healthServer = `
const http = require('node:http');
const fs = require('node:fs');
const [port, flag] = process.argv.slice(2);
http.createServer((req, res) => {
  const ok = fs.existsSync(flag);
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
  res.end(ok ? 'ok' : 'unhealthy');
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;

type RouterKind = 'bird' | 'frr';

interface Node {
  name: string;
  index: number;
  flag: string;
  configFile: string;
  config: (extraVips: string) => string;
  anyvip: ManagedProcess;
}

/** Gateways of `prefix` in the router's main table, sorted. */
async function nextHops(lab: Lab, prefix = `${VIP}/32`): Promise<string[]> {
  const routes = await lab.kernelRoutes('router', prefix);
  return (routes[0]?.nextHops ?? []).flatMap((h) => (h.gateway === undefined ? [] : [h.gateway])).sort();
}

function waitHops(lab: Lab, want: string[], what: string, prefix = `${VIP}/32`): Promise<string[]> {
  return waitUntil(
    () => nextHops(lab, prefix),
    (hops) => hops.join() === want.join(),
    { timeoutMs: 30_000, intervalMs: 50, what },
  );
}

/** examples/table-mode/bird.conf for node i: documentation addresses replaced by the lab's. */
function nodeBirdConfig(i: number): string {
  return readFileSync(NODE_BIRD_CONF, 'utf8')
    .replace(/\b192\.0\.2\.11\b/g, `10.250.${i}.2`)
    .replace(/\b192\.0\.2\.1\b/g, `10.250.${i}.1`)
    .replace(/\b2001:db8::11\b/g, `fd00:250::${i}:2`)
    .replace(/\b2001:db8::1\b/g, `fd00:250::${i}:1`)
    .replaceAll('198.51.100.0/24', '10.250.255.0/24')
    .replaceAll('2001:db8:100::/64', 'fd00:250::ff:0/112');
}

function anyvipConfig(i: number, mode: 'bgp' | 'table', extraVips: string): string {
  const head =
    mode === 'bgp'
      ? `bgp:
  asn: 65001
  routerId: 10.250.${i}.2
  peers:
    - { address: 10.250.${i}.1, asn: 65000, holdTime: 9, connectRetry: 1 }
`
      : `mode: table
table: { id: 198, protocol: 248 }
`;
  return `${head}healthchecks:
  web: { http: "http://127.0.0.1:${HEALTH_PORT}/healthz", ${CHECK} }
vips:
  - { address: ${VIP}, healthcheck: web }
${extraVips}
allowedRanges: [10.250.255.0/24]
`;
}

/** Waits for anyvip's JSON log line `message` after `since`. */
function logLine(anyvip: ManagedProcess, message: string, since: number): Promise<unknown> {
  return anyvip.waitForJsonLine((v) => (v as { message?: string }).message === message, {
    timeoutMs: 15_000,
    since,
    what: `log line "${message}"`,
  });
}

async function startLab(kind: RouterKind): Promise<{ lab: Lab; nodes: Node[] }> {
  const lab = await createLab({
    nodes: ['router', ...NODES],
    links: NODES.map((n) => ['router', n] as const),
  });
  try {
    await startDaemon(lab, 'router', kind, {
      routerId: '10.250.1.1',
      asn: 65000,
      ecmp: true,
      neighbors: NODES.map((_, k) => ({
        address: `10.250.${k + 1}.2`,
        asn: k === 2 ? 65101 : 65001,
        localAddress: `10.250.${k + 1}.1`,
        holdTimeSec: 9,
      })),
    });
    await startDaemon(lab, 'node3', 'bird', {
      routerId: '10.250.3.2',
      asn: 65101,
      rawConfig: nodeBirdConfig(3),
      neighbors: [{ address: '10.250.3.1', asn: 65000, localAddress: '10.250.3.2' }],
    });
    const script = join(lab.dir, 'health-server.cjs');
    writeFileSync(script, healthServer);
    const nodes: Node[] = [];
    for (const [k, name] of NODES.entries()) {
      const i = k + 1;
      const flag = join(lab.dir, `${name}.healthy`);
      writeFileSync(flag, '');
      const health = await lab.spawn(name, process.execPath, [script, String(HEALTH_PORT), flag], {
        label: `health@${name}`,
      });
      await health.waitForLine((l) => l === 'listening', {
        timeoutMs: 10_000,
        what: `${name} health endpoint`,
      });
      const configFile = join(lab.dir, `${name}.yaml`);
      const config = (extra: string) => anyvipConfig(i, i === 3 ? 'table' : 'bgp', extra);
      writeFileSync(configFile, config(''));
      const anyvip = await lab.spawn(name, process.execPath, [CLI, 'standalone', '--config', configFile], {
        label: `anyvip@${name}`,
      });
      nodes.push({ name, index: i, flag, configFile, config, anyvip });
    }
    return { lab, nodes };
  } catch (err) {
    await lab.destroy();
    throw err;
  }
}

describe.skipIf(skipReason !== undefined)('ECMP: three anyvip nodes behind one router', () => {
  let lab: Lab | undefined;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (pnpm -r build)`);
  });

  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  it.each<RouterKind>(['bird', 'frr'])(
    '%s router: three next hops; a failed check drops its node and healing restores it; SIGHUP never shrinks the set; SIGTERM withdraws',
    async (kind) => {
      const started = await startLab(kind);
      lab = started.lab;
      const { nodes } = started;
      const [node1, node2, node3] = nodes;
      if (node1 === undefined || node2 === undefined || node3 === undefined) throw new Error('three nodes');
      const l = lab;

      // Two bgp-mode speakers and one table-mode node (its BIRD announces): one ECMP route.
      await waitHops(l, HOPS, 'three next hops for the VIP');

      // Node 2's endpoint fails: only its next hop goes, within fall × interval + timeout.
      const failedAt = performance.now();
      rmSync(node2.flag);
      await waitHops(l, ['10.250.1.2', '10.250.3.2'], 'node2 next hop withdrawn');
      expect(performance.now() - failedAt).toBeLessThan(FAILOVER_BOUND_MS);
      // The table-mode node fails the same way: its table route goes, so its BIRD withdraws.
      rmSync(node3.flag);
      await waitHops(l, ['10.250.1.2'], 'node3 (table mode) next hop withdrawn');
      writeFileSync(node2.flag, '');
      writeFileSync(node3.flag, '');
      await waitHops(l, HOPS, 'three next hops after healing');

      // SIGHUP on every node with a second VIP: the first VIP's next hops never shrink.
      const samples: string[][] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) samples.push(await nextHops(l));
      })();
      const marks = nodes.map((n) => n.anyvip.mark());
      for (const n of nodes) {
        writeFileSync(n.configFile, n.config(`  - { address: ${VIP2} }`));
        n.anyvip.signal('SIGHUP');
      }
      await Promise.all(nodes.map((n, k) => logLine(n.anyvip, 'configuration reloaded', marks[k] ?? 0)));
      await waitHops(l, HOPS, 'second VIP on three next hops', `${VIP2}/32`);
      // Sessions and routes would take seconds to come back after a flap; keep looking a while.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      sampling = false;
      await sampler;
      expect(samples.length).toBeGreaterThan(10);
      expect(samples.filter((s) => s.join() !== HOPS.join())).toEqual([]);

      // SIGTERM: node 1 withdraws both VIPs and exits 0; then the others.
      expect(await node1.anyvip.stop(8000, 'SIGTERM')).toEqual({ code: 0, signal: null });
      await waitHops(l, ['10.250.2.2', '10.250.3.2'], 'first VIP without node1');
      await waitHops(l, ['10.250.2.2', '10.250.3.2'], 'second VIP without node1', `${VIP2}/32`);
      for (const n of [node2, node3]) {
        expect(await n.anyvip.stop(8000, 'SIGTERM')).toEqual({ code: 0, signal: null });
      }
      await waitHops(l, [], 'no route once every node stopped');
      await waitHops(l, [], 'no route for the second VIP', `${VIP2}/32`);
    },
  );
});
