/**
 * What the node status adds to a reconcile pass (pure, no I/O; not a test): the world for N
 * Cluster Services announced here over two peers, then `computeNodeStatus` on it plus the JSON
 * the sink compares to decide whether to write, side by side with `computeDesiredWorld` itself.
 * The status is capped at MAX_VIP_ROWS rows (etcd's request size), so past that its cost stays flat.
 *
 *   node --import ../bgp/scripts/ts-resolve.mjs bench/node-status.bench.ts   (ANYVIP_BENCH_SERVICES=10000)
 */

import { parseRange } from '../src/address/ip-range.js';
import { parseConfig } from '../src/config/schema.js';
import type { ClusterService } from '../src/desired/cluster.js';
import { computeDesiredWorld } from '../src/desired/compute.js';
import { running } from '../src/desired/lifecycle.js';
import { computeNodeStatus } from '../src/desired/node-status.js';
import { initialClusterMemory, type Observation } from '../src/desired/observation.js';

const ROUNDS = 30;
const parsed = parseRange('10.0.0.0/8');
if ('error' in parsed) throw new Error(parsed.error);
const range = parsed;
const config = parseConfig({
  bgp: {
    asn: 65001,
    routerId: '10.250.1.2',
    peers: [
      { address: '10.250.1.1', asn: 65000 },
      { address: '10.250.1.3', asn: 65000 },
    ],
  },
});

function observation(n: number): Observation {
  const services: ClusterService[] = Array.from({ length: n }, (_, i) => ({
    metadata: { name: `s${i}`, namespace: `ns-${i % 50}`, uid: `u${i}` },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ports: [{ port: 80 }] },
    status: { loadBalancer: { ingress: [{ ip: `10.20.${i >> 8}.${i & 255}` }] } },
  }));
  return {
    config,
    health: () => undefined,
    lifecycle: running,
    restarting: false,
    nowMs: 0,
    sessions: [],
    cluster: {
      snapshot: {
        services,
        endpointSlices: [],
        nodes: [{ metadata: { name: 'node1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }],
        poolsData: undefined,
        leader: true,
      },
      settings: {
        nodeName: 'node1',
        loadBalancerClass: undefined,
        singleAnnouncer: false,
        localGraceMs: 0,
        weightedEcmp: false,
        weightedEcmpIntervalMs: 5000,
        allowList: [range],
        poolsConfigMap: '',
      },
      memory: initialClusterMemory,
    },
  };
}

function msPerRound(f: () => void): number {
  f();
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) f();
  return (performance.now() - start) / ROUNDS;
}

const sizes =
  process.env.ANYVIP_BENCH_SERVICES === undefined
    ? [1000, 10_000]
    : [Number(process.env.ANYVIP_BENCH_SERVICES)];
for (const n of sizes) {
  const o = observation(n);
  const world = computeDesiredWorld(o);
  let bytes = 0;
  const worldMs = msPerRound(() => computeDesiredWorld(o));
  const statusMs = msPerRound(() => {
    bytes = JSON.stringify(computeNodeStatus(world)).length;
  });
  process.stdout.write(
    `${n} Services: computeDesiredWorld ${worldMs.toFixed(1)} ms, node status ${statusMs.toFixed(1)} ms ` +
      `(${((100 * statusMs) / worldMs).toFixed(0)} % of it), status ${(bytes / 1024).toFixed(0)} KiB\n`,
  );
}
