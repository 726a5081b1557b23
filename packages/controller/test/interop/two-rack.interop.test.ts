/**
 * Issue 14's proof: a two-rack fabric (support/two-rack-fabric.ts: rack A's top-of-rack is
 * BIRD in AS 65010, rack B's is FRR in AS 65020, two nodes per rack, a client behind both),
 * four nodes running `anyvip run` against the in-repo API server, and every check made at the
 * routers (birdc, vtysh JSON, their kernel FIBs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DaemonRoute, interopSkipReason, waitUntil } from '../../../bgp/test/interop/support/index.js';
import type { KubeObject } from '../support/api-server.js';
import { ClusterLab, nodeObject } from './support/cluster-lab.js';
import {
  fabricAsn,
  fabricNodes,
  type Rack,
  rackLabels,
  rackNodes,
  startTwoRackFabric,
  type TwoRackFabric,
  torAHoldTimeSec,
  vipRange,
} from './support/two-rack-fabric.js';

const skipReason = interopSkipReason();

function loadBalancer(name: string, namespace: string, ips: readonly string[]): KubeObject {
  return {
    metadata: { name, namespace },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], externalTrafficPolicy: 'Cluster' },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
  };
}

describe.skipIf(skipReason !== undefined)('two racks: BIRD (AS 65010) and FRR (AS 65020), four nodes', () => {
  let fabric: TwoRackFabric | undefined;
  let cluster: ClusterLab | undefined;

  const f = (): TwoRackFabric => {
    if (fabric === undefined) throw new Error('no fabric');
    return fabric;
  };
  const c = (): ClusterLab => {
    if (cluster === undefined) throw new Error('no cluster');
    return cluster;
  };

  /** The paths `rack`'s router holds for `prefix` from BGP (its RIB). */
  async function paths(rack: Rack, prefix: string): Promise<DaemonRoute[]> {
    const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
    if (rack === 'a') {
      // BIRD may hold its last batch up to 3 s; any birdc command wakes it.
      await f().torA.birdc(['show', 'status'], true);
      return (await f().torA.routes(family)).filter((r) => r.prefix === prefix);
    }
    return (await f().torB.routes(family)).filter((r) => r.prefix === prefix);
  }

  /** Next hops of `prefix` in `rack`'s router RIB, sorted. */
  async function ribHops(rack: Rack, prefix: string): Promise<string[]> {
    return (await paths(rack, prefix)).flatMap((r) => r.nextHops).sort();
  }

  /** Gateways of `prefix` in `rack`'s router kernel FIB (what it forwards with), sorted. */
  async function fibHops(rack: Rack, prefix: string): Promise<string[]> {
    const routes = await f().lab.kernelRoutes(rack === 'a' ? 'tora' : 'torb', prefix);
    return (routes[0]?.nextHops ?? []).flatMap((h) => (h.gateway === undefined ? [] : [h.gateway])).sort();
  }

  async function waitRibHops(rack: Rack, prefix: string, want: readonly string[], what: string) {
    return waitUntil(
      () => ribHops(rack, prefix),
      (h) => h.join() === [...want].sort().join(),
      { timeoutMs: 20_000, intervalMs: 200, what: `${what} (rack ${rack} router RIB)` },
    );
  }

  /**
   * A TCP connection from the client to `vip`:80, by ECMP through either router: a node
   * owning the VIP answers with a reset (no one listens), anything else (a timeout, no
   * route) is a data-plane failure.
   */
  async function tcpProbe(vip: string): Promise<string> {
    const script = `const s = require('node:net').connect({ host: ${JSON.stringify(vip)}, port: 80, timeout: 3000 });
s.on('connect', () => { console.log('connected'); s.destroy(); });
s.on('timeout', () => { console.log('timeout'); s.destroy(); });
s.on('error', (e) => console.log(e.code));`;
    const r = await f().lab.exec('client', process.execPath, ['-e', script], { timeoutMs: 10_000 });
    return r.stdout.trim();
  }

  const addressesOf = (rack: Rack, family: 'ipv4' | 'ipv6'): string[] =>
    rackNodes(rack).map((n) => (family === 'ipv4' ? n.ipv4 : n.ipv6));

  beforeAll(async () => {
    fabric = await startTwoRackFabric();
    cluster = await ClusterLab.start(fabric.lab, 'client');
    for (const n of fabricNodes)
      cluster.api.apply(
        'v1',
        'nodes',
        nodeObject({ name: n.name, addresses: [n.ipv4, n.ipv6], labels: rackLabels(n.rack) }),
      );
    for (const n of fabricNodes) {
      const torAsn = n.rack === 'a' ? fabricAsn.torA : fabricAsn.torB;
      const asn = n.rack === 'a' ? fabricAsn.rackA : fabricAsn.rackB;
      await cluster.startNode(n.name, n.apiHost, [
        '--peer',
        n.gateway4,
        '--peer',
        n.gateway6,
        '--peer-asn',
        String(torAsn),
        '--asn',
        String(asn),
        '--router-id',
        n.ipv4,
        '--hold-time',
        String(torAHoldTimeSec),
        '--allowed-range',
        vipRange.ipv4,
        '--allowed-range',
        vipRange.ipv6,
      ]);
    }
    await cluster.waitStarted(fabricNodes.map((n) => n.name));
  });

  afterAll(async () => {
    await fabric?.lab.destroy();
  });

  it('every node has a v4 and a v6 session with its own rack’s router only (8 sessions)', async () => {
    const { torA, torB } = f();
    for (const n of rackNodes('a')) {
      await torA.waitEstablished(n.ipv4, 60_000);
      await torA.waitEstablished(n.ipv6, 60_000);
    }
    for (const n of rackNodes('b')) {
      await torB.waitEstablished(n.ipv4, 60_000);
      await torB.waitEstablished(n.ipv6, 60_000);
    }
  });

  it('a dual-stack Service VIP has two next hops at each router (RIB and FIB), and the client reaches it', async () => {
    c().api.apply('v1', 'services', loadBalancer('web', 'prod', ['10.250.255.10', 'fd00:250::ff:10']));
    for (const rack of ['a', 'b'] as const) {
      await waitRibHops(rack, '10.250.255.10/32', addressesOf(rack, 'ipv4'), 'web v4 from both nodes');
      await waitRibHops(rack, 'fd00:250::ff:10/128', addressesOf(rack, 'ipv6'), 'web v6 from both nodes');
      await waitUntil(
        () => fibHops(rack, '10.250.255.10/32'),
        (h) => h.join() === addressesOf(rack, 'ipv4').sort().join(),
        { timeoutMs: 10_000, intervalMs: 200, what: `web v4 ECMP in rack ${rack} router FIB` },
      );
      await waitUntil(
        () => fibHops(rack, 'fd00:250::ff:10/128'),
        (h) => h.join() === addressesOf(rack, 'ipv6').sort().join(),
        { timeoutMs: 10_000, intervalMs: 200, what: `web v6 ECMP in rack ${rack} router FIB` },
      );
    }
    // The client's packets reach a node that owns the VIP: its kernel refuses port 80.
    for (const vip of ['10.250.255.10', 'fd00:250::ff:10']) expect(await tcpProbe(vip)).toBe('ECONNREFUSED');
  });
});
