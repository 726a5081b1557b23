/**
 * The planner's pass time at scale (pure, no I/O; not a test): 10,000 Services with 3
 * endpoints each on 100 nodes, in four shapes: status addresses (Cluster), externalTrafficPolicy
 * Local (EndpointSlices indexed once per pass), single announcer (bounded-load rendezvous), and
 * IPAM (every Service allocated from a pool). Each shape also runs at 1,000 Services, and the
 * 10k/1k ratio shows whether a pass stays linear (10× is linear; the sort adds a little).
 *
 *   pnpm --filter @anyvip/controller bench:planner      (ANYVIP_BENCH_SERVICES=20000, ANYVIP_BENCH_NODES=5000
 *                                                       for another size; docs/scale.md)
 */

import { parseRange } from '../src/address/ip-range.js';
import type { ClusterEndpointSlice, ClusterNode, ClusterService } from '../src/desired/cluster.js';
import { parsePools } from '../src/desired/ipam.js';
import { initialServicesState, planServices, type ServicesInput } from '../src/desired/services.js';

const COUNT = Number(process.env.ANYVIP_BENCH_SERVICES ?? 10_000);
const NODES = Number(process.env.ANYVIP_BENCH_NODES ?? 100);

const nodes: ClusterNode[] = Array.from({ length: NODES }, (_, i) => ({
  metadata: { name: `node${i}` },
  status: {
    conditions: [{ type: 'Ready', status: 'True' }],
    addresses: [{ type: 'InternalIP', address: `10.9.${i >> 8}.${i & 255}` }],
  },
}));
const vip = (i: number): string => `10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

function world(n: number, shape: 'cluster' | 'local' | 'single' | 'ipam'): ServicesInput {
  const services: ClusterService[] = [];
  const slices: ClusterEndpointSlice[] = [];
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    services.push({
      metadata: {
        name,
        namespace: `ns-${i % 50}`,
        uid: `u${i}`,
        annotations: shape === 'single' ? { 'anyvip.io/single-announcer': 'true' } : {},
        creationTimestamp: new Date(1_700_000_000_000 + i * 1000),
      },
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: shape === 'local' ? 'Local' : 'Cluster',
        ports: [{ port: 80, protocol: 'TCP' }],
      },
      status: { loadBalancer: { ingress: shape === 'ipam' ? [] : [{ ip: vip(i) }] } },
    });
    slices.push({
      metadata: {
        name: `${name}-a`,
        namespace: `ns-${i % 50}`,
        labels: { 'kubernetes.io/service-name': name },
      },
      endpoints: [0, 1, 2].map((k) => ({
        nodeName: `node${(i + k * 7) % NODES}`,
        conditions: { ready: true },
      })),
    });
  }
  const range = parseRange('10.128.0.0/9');
  if ('error' in range) throw new Error(range.error);
  return {
    services,
    endpointSlices: slices,
    nodes,
    pools: shape === 'ipam' ? parsePools({ default: '10.128.0.0/9' }).pools : [],
    allowList: shape === 'ipam' ? [] : [range],
    apiServerAddresses: ['10.9.255.1'],
    loadBalancerClass: undefined,
    nodeName: 'node0',
    singleAnnouncer: false,
    localGraceMs: 5000,
    nowMs: 0,
  };
}

function msPerPass(input: ServicesInput): number {
  for (let i = 0; i < 3; i++) planServices(initialServicesState, input); // warm up
  const runs = 10;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) planServices(initialServicesState, input);
  return (performance.now() - t0) / runs;
}

const small = Math.max(1, Math.round(COUNT / 10));
console.log(`planner pass, ${NODES} nodes, 3 endpoints per Service`);
console.log(`shape     ${String(small).padStart(6)} Svc   ${String(COUNT).padStart(6)} Svc   ratio`);
for (const shape of ['cluster', 'local', 'single', 'ipam'] as const) {
  const a = msPerPass(world(small, shape));
  const b = msPerPass(world(COUNT, shape));
  console.log(
    `${shape.padEnd(8)} ${a.toFixed(2).padStart(8)} ms ${b.toFixed(2).padStart(8)} ms   ${(b / a).toFixed(1)}×`,
  );
}
