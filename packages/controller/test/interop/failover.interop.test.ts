/**
 * Single-announcer failover in seconds (issue 15 §3): three nodes run `anyvip run` in
 * Kubernetes mode against the in-repo API server with `--single-announcer` and
 * `--node-lease-interval 1s`; BIRD (ECMP on) is the router. Each trial SIGKILLs the anyvip of
 * one node while its Node stays Ready (a crash-looping pod on a live kubelet), and measures
 * how long until every VIP that node held is in the router's FIB via another node; then the
 * anyvip starts again and its VIPs come back make-before-break (the FIB never lacks a route
 * for them, and no VIP has two next hops for longer than 3 intervals + 1 s).
 *
 * Target: p50 over 5 trials ≤ 3 × interval + 1 s = 4 s.
 *
 * Lab: router 10.250.i.1 ↔ node i 10.250.i.2; the API server on a Unix socket, forwarded to
 * 10.250.i.1:6443 in the router's namespace. Router AS 65000, anyvip AS 65001.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BirdDaemon,
  interopSkipReason,
  startDaemon,
  waitUntil,
} from '../../../bgp/test/interop/support/index.js';
import { anyvipCli, loadBalancerService, nodeObject } from './support/cluster-lab.js';
import { OneRouterCluster, routerAsn } from './support/one-router-cluster.js';

const skipReason = interopSkipReason();
const NODES = ['node1', 'node2', 'node3'] as const;
const HOLD_TIME_SEC = 9;
const INTERVAL_MS = 1000;
const TARGET_MS = 3 * INTERVAL_MS + 1000;
const VIPS = Array.from({ length: 9 }, (_, i) => `10.250.255.${40 + i}`);

describe.skipIf(skipReason !== undefined)('single-announcer failover with node leases', () => {
  let lab: OneRouterCluster | undefined;
  let bird: BirdDaemon | undefined;

  const l = (): OneRouterCluster => {
    if (lab === undefined) throw new Error('no lab');
    return lab;
  };
  /** Node `n`'s address: its next hop at the router. */
  const gatewayOf = (n: string) => l().nodeAddress(n);
  const adminAddress = (n: string) => `127.0.0.1:${9716 + NODES.indexOf(n as (typeof NODES)[number]) + 1}`;

  /** VIP → its gateways in the router FIB. */
  async function fib(): Promise<Map<string, string[]>> {
    await bird?.birdc(['show', 'status'], true); // BIRD may hold its last batch; any command wakes it
    const out = new Map<string, string[]>();
    for (const r of await l().lab.kernelRoutes('router')) {
      const vip = r.prefix.replace(/\/32$/, '');
      if (!VIPS.includes(vip)) continue;
      out.set(vip, (r.nextHops ?? []).flatMap((h) => (h.gateway === undefined ? [] : [h.gateway])).sort());
    }
    return out;
  }

  async function start(n: string): Promise<void> {
    await l().startNode(n, HOLD_TIME_SEC, [
      '--allowed-range',
      '10.250.255.0/24',
      '--single-announcer',
      '--node-lease-interval',
      '1s',
      '--admin-address',
      adminAddress(n),
    ]);
  }

  beforeAll(async () => {
    lab = await OneRouterCluster.start({ nodes: NODES });
    const { api } = lab.cluster;
    for (const n of NODES) api.apply('v1', 'nodes', nodeObject({ name: n, addresses: [gatewayOf(n)] }));
    for (const [k, ip] of VIPS.entries())
      api.apply('v1', 'services', loadBalancerService({ name: `svc${k}`, ips: [ip] }));
    bird = await startDaemon(lab.lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: routerAsn,
      ecmp: true,
      neighbors: lab.neighbors(HOLD_TIME_SEC),
    });
    for (const n of NODES) await start(n);
  });

  afterAll(async () => {
    await lab?.lab.destroy();
  });

  it('SIGKILL of one anyvip: its VIPs are announced by another node within 3 intervals + 1 s (p50 of 5); fail-back is make-before-break', async () => {
    const settled = await waitUntil(
      () => fib(),
      // Every node has its share (all three anyvips are up and live), each VIP on one node.
      (m) =>
        VIPS.every((v) => m.get(v)?.length === 1) &&
        NODES.every((n) => VIPS.some((v) => m.get(v)?.[0] === gatewayOf(n))),
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        what: 'every VIP announced by exactly one node, every node holding some',
      },
    );
    const home = new Map([...settled].map(([v, h]) => [v, h[0] ?? '']));
    const takeoverMs: number[] = [];
    let worstDoubleMs = 0;
    for (let trial = 0; trial < 5; trial++) {
      const victim = NODES[trial % NODES.length] as string;
      const gw = gatewayOf(victim);
      const held = VIPS.filter((v) => home.get(v) === gw);
      if (held.length === 0) continue;
      const killedAt = performance.now();
      const exit = await l().process(victim).kill();
      expect(exit.signal).toBe('SIGKILL');
      await waitUntil(
        () => fib(),
        (m) => held.every((v) => (m.get(v) ?? []).some((h) => h !== gw)),
        { timeoutMs: 30_000, intervalMs: 50, what: `${victim}'s VIPs announced elsewhere` },
      );
      takeoverMs.push(Math.round(performance.now() - killedAt));
      process.stdout.write(
        `[failover] trial ${trial}: ${victim} held ${held.join(', ')}; taken over in ${takeoverMs.at(-1)} ms\n`,
      );

      // Fail-back: start it again; sample until its VIPs are back on it alone, watching for gaps
      // (no route) and for how long a VIP has two next hops.
      await start(victim);
      const doubleSince = new Map<string, number>();
      const gaps: string[] = [];
      await waitUntil(
        async () => {
          const m = await fib();
          const now = performance.now();
          for (const v of held) {
            const hops = m.get(v) ?? [];
            if (hops.length === 0) gaps.push(v);
            if (hops.length > 1) {
              const since = doubleSince.get(v) ?? now;
              doubleSince.set(v, since);
              worstDoubleMs = Math.max(worstDoubleMs, now - since);
            } else doubleSince.delete(v);
          }
          return m;
        },
        (m) => held.every((v) => m.get(v)?.join() === gw),
        { timeoutMs: 60_000, intervalMs: 50, what: `${victim}'s VIPs back on it` },
      ).catch(async (err: unknown) => {
        // What each node thinks, for the failure message.
        for (const n of NODES) {
          const r = await l().lab.exec(
            n,
            process.execPath,
            [anyvipCli, 'status', '--admin-address', adminAddress(n)],
            {
              allowFailure: true,
            },
          );
          process.stdout.write(`[failover] ${n}:\n${r.stdout}${r.stderr}\n`);
          process.stdout.write(
            `[failover] ${n} log tail:\n${l().process(n).lines().slice(-15).join('\n')}\n`,
          );
        }
        process.stdout.write(
          `[failover] held ${held.join(', ')}; fib ${JSON.stringify([...(await fib())])}\n`,
        );
        throw err;
      });
      expect(gaps).toEqual([]);
    }
    const sorted = [...takeoverMs].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? Number.POSITIVE_INFINITY;
    process.stdout.write(
      `[failover] takeover ms per trial ${takeoverMs.join(', ')}; p50 ${p50} ms (target ${TARGET_MS}); longest double announcement ${Math.round(worstDoubleMs)} ms\n`,
    );
    expect(takeoverMs.length).toBe(5);
    expect(p50).toBeLessThanOrEqual(TARGET_MS);
    expect(worstDoubleMs).toBeLessThanOrEqual(TARGET_MS);
  }, 600_000);
});
