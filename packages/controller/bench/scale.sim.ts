/**
 * What one node's watches cost the API server in a big cluster (not a test; no root): the
 * in-repo test API server holds a cluster of ANYVIP_SIM_NODES Nodes (default 5,000) and
 * ANYVIP_SIM_SERVICES Services of type LoadBalancer (default 20,000), each with one
 * EndpointSlice of 3 endpoints; ANYVIP_SIM_WATCHERS real `@kubernetes/client-node` watches
 * (default 50, standing in for 50 nodes' controllers) watch Services, EndpointSlices and
 * Nodes as anyvip does; then ANYVIP_SIM_UPDATES Service status updates and as many
 * EndpointSlice updates are written. Printed: the bytes of each initial list (what every
 * node fetches at start and after a 410), the bytes and time for every watcher to see every
 * update, and from these the figures per node and for the whole cluster in docs/scale.md.
 *
 *   pnpm --filter @anyvip/controller sim:scale
 */
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { type KubeObject, TestApiServer } from '../test/support/api-server.js';

const NODES = Number(process.env.ANYVIP_SIM_NODES ?? 5000);
const SERVICES = Number(process.env.ANYVIP_SIM_SERVICES ?? 20_000);
const WATCHERS = Number(process.env.ANYVIP_SIM_WATCHERS ?? 50);
const UPDATES = Number(process.env.ANYVIP_SIM_UPDATES ?? 1000);

const vip = (i: number): string => `10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

function service(i: number, generation = 0): KubeObject {
  return {
    metadata: { name: `svc-${i}`, namespace: `ns-${i % 200}`, labels: { app: `app-${i}` } },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      selector: { app: `app-${i}` },
    },
    status: {
      loadBalancer: { ingress: [{ ip: vip(i) }] },
      ...(generation > 0 ? { conditions: [{ type: 'Sim', status: 'True', reason: `G${generation}` }] } : {}),
    },
  };
}

function slice(i: number, shift = 0): KubeObject {
  return {
    metadata: {
      name: `svc-${i}-abcde`,
      namespace: `ns-${i % 200}`,
      labels: { 'kubernetes.io/service-name': `svc-${i}` },
    },
    addressType: 'IPv4',
    endpoints: [0, 1, 2].map((k) => ({
      addresses: [`10.64.${(i + k) & 255}.${(k * 50 + shift) & 255}`],
      nodeName: `node${(i + k * 7 + shift) % NODES}`,
      conditions: { ready: true },
    })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

async function listBytes(base: string, path: string): Promise<{ bytes: number; ms: number; rv: string }> {
  const t0 = performance.now();
  const r = await fetch(`${base}${path}`);
  const text = await r.text();
  const rv = (JSON.parse(text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  return { bytes: Buffer.byteLength(text), ms: performance.now() - t0, rv };
}

async function main(): Promise<void> {
  const api = await TestApiServer.start({ historyLimit: 4 * UPDATES + 1000, bookmarkIntervalMs: 60_000 });
  try {
    const t0 = performance.now();
    for (let i = 0; i < NODES; i++) {
      api.apply('v1', 'nodes', {
        metadata: { name: `node${i}`, labels: { 'kubernetes.io/hostname': `node${i}` } },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          addresses: [{ type: 'InternalIP', address: `10.9.${i >> 8}.${i & 255}` }],
        },
      });
    }
    for (let i = 0; i < SERVICES; i++) {
      api.apply('v1', 'services', service(i));
      api.apply('discovery.k8s.io/v1', 'endpointslices', slice(i));
    }
    const loadMs = performance.now() - t0;
    const lists = {
      services: await listBytes(api.url, '/api/v1/services'),
      endpointslices: await listBytes(api.url, '/apis/discovery.k8s.io/v1/endpointslices'),
      nodes: await listBytes(api.url, '/api/v1/nodes'),
    };

    const kc = new KubeConfig();
    kc.loadFromClusterAndUser({ name: 'sim', server: api.url, skipTLSVerify: true }, { name: 'sim' });
    const watch = new Watch(kc);
    const seen = new Array<number>(WATCHERS).fill(0);
    const aborts: AbortController[] = [];
    const paths = [
      ['/api/v1/services', lists.services.rv],
      ['/apis/discovery.k8s.io/v1/endpointslices', lists.endpointslices.rv],
      ['/api/v1/nodes', lists.nodes.rv],
    ] as const;
    for (let w = 0; w < WATCHERS; w++) {
      for (const [path, rv] of paths) {
        aborts.push(
          await watch.watch(
            path,
            { resourceVersion: rv, allowWatchBookmarks: true },
            (type) => {
              if (type === 'MODIFIED') seen[w]!++;
            },
            () => {},
          ),
        );
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    let eventBytes = 0;
    for (let u = 0; u < UPDATES; u++) {
      const s = service(u, 1);
      const e = slice(u, 1);
      eventBytes += Buffer.byteLength(
        JSON.stringify({ type: 'MODIFIED', object: api.apply('v1', 'services', s) }),
      );
      eventBytes += Buffer.byteLength(
        JSON.stringify({ type: 'MODIFIED', object: api.apply('discovery.k8s.io/v1', 'endpointslices', e) }),
      );
    }
    const want = 2 * UPDATES;
    const deadline = performance.now() + 300_000;
    while (seen.some((n) => n < want) && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const fanMs = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    for (const a of aborts) a.abort();

    const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
    const out = [
      `cluster: ${NODES} Nodes, ${SERVICES} Services, ${SERVICES} EndpointSlices (loaded in ${(loadMs / 1000).toFixed(1)} s); loadavg ${(
        await import('node:os')
      )
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      'initial lists, per node (at start and after every 410 Gone):',
      ...Object.entries(lists).map(
        ([k, v]) => `  ${k.padEnd(15)} ${mb(v.bytes).padStart(9)}  ${v.ms.toFixed(0).padStart(6)} ms`,
      ),
      `  total           ${mb(lists.services.bytes + lists.endpointslices.bytes + lists.nodes.bytes).padStart(9)}`,
      `watch fan-out: ${UPDATES} Service + ${UPDATES} EndpointSlice updates to ${WATCHERS} watchers × 3 watches`,
      `  every watcher saw every update: ${seen.every((n) => n >= want) ? 'yes' : `NO (min ${Math.min(...seen)})`} in ${(fanMs / 1000).toFixed(2)} s`,
      `  bytes per update event ${(eventBytes / want).toFixed(0)}; per watcher ${mb(eventBytes)}`,
      `  this process (API server + ${WATCHERS} clients) CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s ` +
        `= ${((cpu.user + cpu.system) / 1e3 / (want * WATCHERS)).toFixed(3)} ms per delivered event`,
      `extrapolated to ${NODES} nodes: one Service or EndpointSlice change = ${NODES} watch events, ` +
        `${mb((eventBytes / want) * NODES)} sent; one full relist by every node = ${mb((lists.services.bytes + lists.endpointslices.bytes + lists.nodes.bytes) * NODES)}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await api.close();
  }
}

await main();
