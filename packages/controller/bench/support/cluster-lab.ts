/**
 * What the controller benchmarks share: the in-repo API server served into a lab namespace,
 * and a cluster of LoadBalancer Services with their addresses in status (status-addresses mode).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../../bgp/test/interop/support/index.js';
import type { TestApiServer } from '../../test/support/api-server.js';

/** A TCP → Unix socket forwarder, run by node in a namespace. */
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

/**
 * Serves the API server's Unix socket `socketPath` on `port` in `node`'s namespace (the lab
 * kills the forwarder on destroy).
 */
export async function serveApiInto(lab: Lab, node: string, socketPath: string, port = 6443): Promise<void> {
  const file = join(lab.dir, 'forwarder.cjs');
  writeFileSync(file, forwarder);
  const f = await lab.spawn(node, process.execPath, [file, String(port), socketPath]);
  await f.waitForLine((l) => l === 'listening', { timeoutMs: 10_000, what: 'API forwarder' });
}

/**
 * A Ready Node `nodeName` at `address`, and `count` Services of type LoadBalancer
 * (externalTrafficPolicy Cluster) with `vip(i)` in `status.loadBalancer.ingress`, spread over
 * `namespaces` namespaces.
 */
export function applyCluster(
  api: TestApiServer,
  options: {
    readonly nodeName: string;
    readonly address: string;
    readonly count: number;
    readonly vip: (i: number) => string;
    readonly namespaces: number;
  },
): void {
  api.apply('v1', 'nodes', {
    metadata: { name: options.nodeName },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: options.address }],
    },
  });
  for (let i = 0; i < options.count; i++) {
    api.apply('v1', 'services', {
      metadata: { name: `svc-${i}`, namespace: `ns-${i % options.namespaces}` },
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Cluster',
        ports: [{ port: 80, protocol: 'TCP' }],
      },
      status: { loadBalancer: { ingress: [{ ip: options.vip(i) }] } },
    });
  }
}
