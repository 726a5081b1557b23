/**
 * Kubernetes Services mode end to end: the in-repo test API server, three nodes running
 * `anyvip run` (the built CLI, the bundle) against it with the real client-node, and BIRD
 * as the ECMP router. Services are created, changed and deleted through the API server and
 * the routes are checked in the router's FIB.
 *
 * Two instances: class-less Services are handled by the instance on node1 and node2, Services
 * of class `blue` by the instance on node3 (each node has one link to the router, so one
 * speaker per node; each instance has its own Lease, `anyvip` and `anyvip-blue`).
 *
 * The API server runs in this process on a Unix socket; a TCP forwarder in the router's
 * namespace puts it at 10.250.i.1:6443 for node i (the namespaces share the file system).
 * An outage is `goDown()`: the forwarder's connections are refused at the socket.
 *
 * Lab: router 10.250.i.1 ↔ node i 10.250.i.2. Router AS 65000, anyvip AS 65001.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BirdDaemon,
  interopSkipReason,
  type Lab,
  sleep,
  startDaemon,
  waitUntil,
} from '../../../bgp/test/interop/support/index.js';
import type { KubeObject, TestApiServer } from '../support/api-server.js';
import { apiPort, loadBalancerService, nodeObject } from './support/cluster-lab.js';
import { OneRouterCluster, routerAsn } from './support/one-router-cluster.js';

const skipReason = interopSkipReason();
const NODES = ['node1', 'node2', 'node3'] as const;
const HOLD_TIME_SEC = 9;

function service(name: string, ips: readonly string[], extra: { class?: string } = {}): KubeObject {
  return loadBalancerService({
    name,
    ips,
    ...(extra.class !== undefined ? { loadBalancerClass: extra.class } : {}),
  });
}

describe.skipIf(skipReason !== undefined)('Kubernetes mode: Services → routes at BIRD', () => {
  let cluster: OneRouterCluster | undefined;
  let lab: Lab | undefined;
  let api: TestApiServer | undefined;
  let bird: BirdDaemon | undefined;

  /** Gateways of `prefix` in the router's FIB, sorted. */
  async function hops(prefix: string): Promise<string[]> {
    if (lab === undefined) throw new Error('no lab');
    const routes = await lab.kernelRoutes('router', prefix);
    return (routes[0]?.nextHops ?? []).flatMap((h) => (h.gateway === undefined ? [] : [h.gateway])).sort();
  }

  async function waitHops(prefix: string, want: readonly string[], what: string): Promise<void> {
    await waitUntil(
      async () => {
        // BIRD may hold the last batch up to 3 s; any birdc command wakes it.
        await bird?.birdc(['show', 'status'], true);
        return hops(prefix);
      },
      (h) => h.join() === want.join(),
      { timeoutMs: 20_000, intervalMs: 50, what },
    );
  }

  beforeAll(async () => {
    const c = await OneRouterCluster.start({ nodes: NODES });
    cluster = c;
    lab = c.lab;
    const a = c.cluster.api;
    api = a;
    for (const n of NODES) a.apply('v1', 'nodes', nodeObject({ name: n, addresses: [c.nodeAddress(n)] }));
    // The API server's own endpoints, as the cluster publishes them (default/kubernetes).
    a.apply('discovery.k8s.io/v1', 'endpointslices', {
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'kubernetes' },
      },
      addressType: 'IPv4',
      endpoints: [
        ...NODES.map((n) => ({ addresses: [c.routerAddress(n)], conditions: { ready: true } })),
        // API servers no node's kubeconfig names (one not ready yet): refused all the same.
        { addresses: ['10.250.253.11'], conditions: { ready: true } },
        { addresses: ['10.250.253.12'], conditions: { ready: false } },
      ],
      ports: [{ name: 'https', port: apiPort, protocol: 'TCP' }],
    });
    a.apply('v1', 'services', {
      metadata: { name: 'kubernetes', namespace: 'default' },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.250.253.1',
        ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
      },
    });
    const b = await startDaemon(c.lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: routerAsn,
      ecmp: true,
      neighbors: c.neighbors(HOLD_TIME_SEC),
    });
    bird = b;
    for (const n of NODES)
      await c.startNode(n, HOLD_TIME_SEC, [
        '--allowed-range',
        '10.250.255.0/24',
        // A careless allow entry that covers node2's own address: it must still never be announced.
        '--allowed-range',
        '10.250.2.2/32',
        // …and one that covers the API server's ClusterIP, endpoints and node2's kubeconfig host.
        '--allowed-range',
        '10.250.253.0/24',
        '--allowed-range',
        '10.250.2.1/32',
        '--local-grace',
        '1s',
        ...(n === 'node3'
          ? ['--load-balancer-class', 'blue']
          : ['--pools-configmap', 'kube-system/anyvip-pools']),
      ]);
    // Start-up has its own bound (ClusterLab.waitStarted), so that each test's waits time only
    // what it tests: at load ~30 the first log line came 18.5 s after the spawn, and the first
    // test's 20 s wait for its Service ran out (2 of 3 runs) while the nodes were still starting.
    for (const n of NODES) {
      await c.cluster.waitStarted([n]);
      await b.waitEstablished(c.nodeAddress(n), 60_000);
    }
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  it('a Service is announced from every node of its instance; a changed address moves; a deleted Service is withdrawn', async () => {
    const a = api as TestApiServer;
    a.apply('v1', 'services', service('web', ['10.250.255.10']));
    await waitHops('10.250.255.10/32', ['10.250.1.2', '10.250.2.2'], 'web on node1 and node2');
    // Each node tells on the Service that it announces it.
    await waitUntil(
      async () =>
        a
          .list('v1', 'events', 'default')
          .filter((e) => e.reason === 'Announced' && (e.involvedObject as { name?: string }).name === 'web')
          .map((e) => String(e.message))
          .sort(),
      (ms) => ms.length === 2,
      { timeoutMs: 10_000, intervalMs: 100, what: 'Announced events from node1 and node2' },
    ).then((ms) =>
      expect(ms).toEqual([
        '10.250.255.10 announced from node node1',
        '10.250.255.10 announced from node node2',
      ]),
    );
    a.apply('v1', 'services', service('web', ['10.250.255.11']));
    await waitHops('10.250.255.11/32', ['10.250.1.2', '10.250.2.2'], 'web moved to .11');
    await waitHops('10.250.255.10/32', [], '.10 withdrawn');
    a.remove('v1', 'services', 'web', 'default');
    await waitHops('10.250.255.11/32', [], 'web withdrawn on delete');
  });

  it('two instances, two classes: a blue Service is announced only by the blue instance; each holds its own Lease', async () => {
    const a = api as TestApiServer;
    a.apply('v1', 'services', service('blue', ['10.250.255.20'], { class: 'blue' }));
    a.apply('v1', 'services', service('plain', ['10.250.255.21']));
    await waitHops('10.250.255.20/32', ['10.250.3.2'], 'blue only on node3');
    await waitHops('10.250.255.21/32', ['10.250.1.2', '10.250.2.2'], 'plain only on node1 and node2');
    // The leader Leases (node liveness leases carry the anyvip.io/node-lease label).
    const leaderLeases = () =>
      a
        .list('coordination.k8s.io/v1', 'leases', 'kube-system')
        .filter(
          (l) =>
            (l.metadata as { labels?: Record<string, string> }).labels?.['anyvip.io/node-lease'] ===
            undefined,
        );
    await waitUntil(
      async () => leaderLeases(),
      (ls) => ls.length === 2,
      {
        timeoutMs: 10_000,
        intervalMs: 100,
        what: 'two leader leases',
      },
    );
    const holders = Object.fromEntries(
      leaderLeases().map((l) => [l.metadata.name, (l.spec as { holderIdentity?: string }).holderIdentity]),
    );
    // Every node renews its own liveness lease, per instance.
    expect(
      a
        .list('coordination.k8s.io/v1', 'leases', 'kube-system')
        .map((l) => l.metadata.name)
        .filter((n) => n.includes('-node-'))
        .sort(),
    ).toEqual(['anyvip-blue-node-node3', 'anyvip-node-node1', 'anyvip-node-node2']);
    expect(holders['anyvip-blue']).toBe('node3');
    expect(['node1', 'node2']).toContain(holders.anyvip);
    a.remove('v1', 'services', 'blue', 'default');
    a.remove('v1', 'services', 'plain', 'default');
    await waitHops('10.250.255.20/32', [], 'blue withdrawn');
    await waitHops('10.250.255.21/32', [], 'plain withdrawn');
  });

  it('hijack attempt: an address outside the allowed ranges (another network, a router address) is refused with a Warning Event', async () => {
    const a = api as TestApiServer;
    a.apply('v1', 'services', service('evil', ['10.250.254.1', '10.250.1.1', '10.250.255.30']));
    // The allowed address of the same Service is announced, so the refusal is not a stall.
    await waitHops('10.250.255.30/32', ['10.250.1.2', '10.250.2.2'], 'allowed address announced');
    expect(await hops('10.250.254.1/32')).toEqual([]);
    const birdRoutes = await (bird as BirdDaemon).birdc(
      ['show', 'route', 'for', '10.250.254.1/32', 'all'],
      true,
    );
    expect(birdRoutes).not.toMatch(/BGP/);
    const refused = await waitUntil(
      async () =>
        a
          .list('v1', 'events', 'default')
          .filter((e) => e.reason === 'Refused' && (e.involvedObject as { name?: string }).name === 'evil'),
      (es) => es.length >= 2,
      { timeoutMs: 10_000, intervalMs: 100, what: 'Refused events' },
    );
    expect(refused.every((e) => e.type === 'Warning')).toBe(true);
    expect(refused.map((e) => String(e.message)).join('\n')).toMatch(/10\.250\.254\.1.*outside/);
    a.remove('v1', 'services', 'evil', 'default');
    await waitHops('10.250.255.30/32', [], 'evil withdrawn');
  });

  it('API server outage: nothing is withdrawn while it is away; changes made meanwhile apply when it is back', async () => {
    const a = api as TestApiServer;
    a.apply('v1', 'services', service('steady', ['10.250.255.40']));
    await waitHops('10.250.255.40/32', ['10.250.1.2', '10.250.2.2'], 'steady announced');
    await a.goDown();
    const samples: string[][] = [];
    const end = performance.now() + 4000;
    while (performance.now() < end) {
      samples.push(await hops('10.250.255.40/32'));
      await sleep(100);
    }
    expect(samples.length).toBeGreaterThan(10);
    expect(samples.filter((h) => h.join() !== '10.250.1.2,10.250.2.2')).toEqual([]);
    // Changed while away (and the history compacted): the relist after 410 Gone brings it.
    a.apply('v1', 'services', service('late', ['10.250.255.41']));
    a.compact();
    await a.comeUp();
    await waitHops('10.250.255.41/32', ['10.250.1.2', '10.250.2.2'], 'late announced after the outage');
    expect(await hops('10.250.255.40/32')).toEqual(['10.250.1.2', '10.250.2.2']);
    for (const [n, p] of (cluster as OneRouterCluster).cluster.nodes)
      expect(p.running, `${n} still running`).toBe(true);
  });

  it('externalTrafficPolicy Local: only nodes with a ready endpoint announce; a moved endpoint is followed after the grace', async () => {
    const a = api as TestApiServer;
    a.apply('v1', 'services', {
      ...service('local', ['10.250.255.50']),
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80, protocol: 'TCP' }] },
    });
    const slice = (nodeName: string): KubeObject => ({
      metadata: { name: 'local-x1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'local' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: true, serving: true }, nodeName }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
    a.apply('discovery.k8s.io/v1', 'endpointslices', slice('node2'));
    await waitHops('10.250.255.50/32', ['10.250.2.2'], 'local only on node2');
    a.apply('discovery.k8s.io/v1', 'endpointslices', slice('node1'));
    await waitHops('10.250.255.50/32', ['10.250.1.2'], 'local moved to node1 after the grace');
    a.remove('discovery.k8s.io/v1', 'endpointslices', 'local-x1', 'default');
    await waitHops('10.250.255.50/32', [], 'no endpoint: withdrawn after the grace');
    a.remove('v1', 'services', 'local', 'default');
  });

  it('a node address is refused even inside an allowed range, and so is the API server address', async () => {
    const a = api as TestApiServer;
    a.apply('v1', 'services', service('grab', ['10.250.2.2', '10.250.2.1', '10.250.255.60']));
    await waitHops('10.250.255.60/32', ['10.250.1.2', '10.250.2.2'], 'allowed address announced');
    const b = bird as BirdDaemon;
    for (const p of ['10.250.2.2/32', '10.250.2.1/32'])
      expect(await b.birdc(['show', 'route', p, 'all'], true)).not.toMatch(/BGP/);
    await waitUntil(
      async () =>
        a
          .list('v1', 'events', 'default')
          .filter((e) => e.reason === 'Refused' && (e.involvedObject as { name?: string }).name === 'grab'),
      (es) => es.length >= 2,
      { timeoutMs: 10_000, intervalMs: 100, what: 'Refused events for grab' },
    );
    a.remove('v1', 'services', 'grab', 'default');
    await waitHops('10.250.255.60/32', [], 'grab withdrawn');
  });

  it('every API server address (all default/kubernetes endpoints, the ClusterIP) and node address is refused on every node and in status', async () => {
    const a = api as TestApiServer;
    const asked = [
      '10.250.253.1',
      '10.250.253.11',
      '10.250.253.12',
      '10.250.2.1',
      '10.250.2.2',
      '10.250.255.61',
    ];
    a.apply('v1', 'services', {
      ...service('apigrab', []),
      metadata: {
        name: 'apigrab',
        namespace: 'default',
        annotations: { 'anyvip.io/addresses': asked.join(',') },
      },
    });
    await waitHops('10.250.255.61/32', ['10.250.1.2', '10.250.2.2'], 'the allowed address announced');
    // The leader wrote only the allowed address into status.
    await waitUntil(
      async () =>
        (
          a.get('v1', 'services', 'apigrab', 'default') as {
            status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
          }
        )?.status?.loadBalancer?.ingress?.map((i) => i.ip),
      (ips) => ips?.join() === '10.250.255.61',
      { timeoutMs: 10_000, intervalMs: 100, what: 'status holds only the allowed address' },
    );
    // No node announced any of the others: BIRD has no BGP route for them.
    const b = bird as BirdDaemon;
    for (const ip of asked.slice(0, -1))
      expect(await b.birdc(['show', 'route', `${ip}/32`, 'all'], true)).not.toMatch(/BGP/);
    const refused = await waitUntil(
      async () =>
        a
          .list('v1', 'events', 'default')
          .filter((e) => e.reason === 'Refused' && (e.involvedObject as { name?: string }).name === 'apigrab')
          .map((e) => String(e.message)),
      (ms) => ms.length >= 5,
      { timeoutMs: 10_000, intervalMs: 100, what: 'Refused events for apigrab' },
    );
    for (const ip of asked.slice(0, 4))
      expect(refused.some((m) => m.includes(`${ip} refused: ANYVIP_VIP_API_SERVER`))).toBe(true);
    expect(refused.some((m) => m.includes('10.250.2.2 refused: ANYVIP_VIP_NODE_ADDRESS'))).toBe(true);
    // No Announced event for a refused address, from any node.
    const announced = a
      .list('v1', 'events', 'default')
      .filter((e) => e.reason === 'Announced' && (e.involvedObject as { name?: string }).name === 'apigrab')
      .map((e) => String(e.message));
    for (const ip of asked.slice(0, -1)) expect(announced.join('\n')).not.toContain(ip);
    a.remove('v1', 'services', 'apigrab', 'default');
    await waitHops('10.250.255.61/32', [], 'apigrab withdrawn');
  });

  it('IPAM: the leader allocates from the pools ConfigMap and writes status; a sharing key shares; delete releases', async () => {
    const a = api as TestApiServer;
    a.apply('v1', 'configmaps', {
      metadata: { name: 'anyvip-pools', namespace: 'kube-system' },
      data: { default: '10.250.255.128/30' },
    });
    const auto = (name: string, port: number, sharing?: string): KubeObject => ({
      metadata: {
        name,
        namespace: 'default',
        ...(sharing !== undefined ? { annotations: { 'anyvip.io/allow-shared-ip': sharing } } : {}),
      },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ports: [{ port, protocol: 'TCP' }] },
    });
    const ingressOf = (name: string): string[] =>
      (
        (
          a.get('v1', 'services', name, 'default')?.status as {
            loadBalancer?: { ingress?: { ip?: string }[] };
          }
        )?.loadBalancer?.ingress ?? []
      ).map((i) => i.ip ?? '');
    a.apply('v1', 'services', auto('auto1', 80, 'team'));
    a.apply('v1', 'services', auto('auto2', 443, 'team'));
    a.apply('v1', 'services', auto('auto3', 80));
    await waitUntil(
      async () => ['auto1', 'auto2', 'auto3'].map(ingressOf),
      (v) => v.every((x) => x.length === 1),
      {
        timeoutMs: 15_000,
        intervalMs: 100,
        what: 'three Services allocated',
      },
    );
    const [a1, a2, a3] = ['auto1', 'auto2', 'auto3'].map((n) => ingressOf(n)[0] as string);
    expect(a1).toBe(a2);
    expect(a3).not.toBe(a1);
    for (const ip of [a1, a3]) await waitHops(`${ip}/32`, ['10.250.1.2', '10.250.2.2'], `${ip} announced`);
    const allocated = a.list('v1', 'events', 'default').filter((e) => e.reason === 'IPAllocated');
    expect(allocated.length).toBeGreaterThanOrEqual(3);
    a.remove('v1', 'services', 'auto3', 'default');
    await waitHops(`${a3}/32`, [], 'auto3 withdrawn');
    a.apply('v1', 'services', auto('auto4', 80));
    await waitUntil(
      async () => ingressOf('auto4'),
      (v) => v.length === 1,
      { timeoutMs: 15_000, intervalMs: 100, what: 'auto4 allocated' },
    );
    expect(ingressOf('auto4')).toEqual([a3]);
    for (const n of ['auto1', 'auto2', 'auto4']) a.remove('v1', 'services', n, 'default');
    await waitHops(`${a1}/32`, [], 'shared address withdrawn');
  });

  it('SIGTERM: the node withdraws its VIPs and exits 0; status --cluster marks it down at once by its node lease', async () => {
    const c = cluster as OneRouterCluster;
    const p = c.process('node1');
    expect(await p.stop(8000, 'SIGTERM')).toEqual({ code: 0, signal: null });
    // A stopped anyvip deletes its node lease: no wait for its status to age.
    const r = await c.cluster.runCli('node2', c.routerAddress('node2'), ['status', '--cluster', '--json']);
    const doc = JSON.parse(r.stdout) as {
      liveness: { source: string };
      nodes: { node: string; liveness: string; stale: boolean }[];
    };
    expect(doc.liveness.source).toBe('leases');
    expect(doc.nodes.map((n) => [n.node, n.liveness, n.stale])).toEqual([
      ['node1', 'absent', true],
      ['node2', 'live', false],
      ['node3', 'live', false],
    ]);
    await waitHops('10.250.255.40/32', ['10.250.2.2'], 'node1 withdrawn');
  });
});
