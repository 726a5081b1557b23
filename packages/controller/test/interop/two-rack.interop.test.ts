/**
 * Issue 14's proof: Kubernetes mode on a two-rack fabric, configured by anyvip.io objects and
 * checked at the routers (birdc, vtysh JSON, their kernel FIBs).
 *
 * support/two-rack-fabric.ts builds the fabric: rack A's top-of-rack is BIRD in AS 65010 with
 * nodes a1, a2 on routed links (each its own gateway), rack B's is FRR in AS 65020 with b1, b2
 * on one rack subnet, a client behind both; dual-stack everywhere. Four nodes run `anyvip run`
 * (the built CLI) against the in-repo API server with `--asn 65001` and no other BGP flag: the
 * VIP ranges are an AnyvipPool, and the peers come from four AnyvipPeer objects (a v4 and a v6
 * one per rack, so every node has two sessions, eight in all):
 * - rack A's by default-gateway discovery (`autoDiscovery: DefaultGateway`, IPv4 and IPv6):
 *   a1 finds 10.250.1.1, a2 10.250.2.1, where one static address could not serve both;
 * - rack B's at the rack subnet's ToR address, and in AS 65021 by the node label
 *   `anyvip.io/asn` (AS per rack), while rack A uses the `--asn` flag.
 * Advertisements: `everywhere` (every VIP not marked `reach: rack-a`, to every peer),
 * `prod-communities` (namespace prod: 65000:100 and 65000:1:2), `rack-a-only` (VIPs marked
 * `reach: rack-a`, only to peers labelled `rack: a`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DaemonRoute, interopSkipReason, waitUntil } from '../../../bgp/test/interop/support/index.js';
import type { AnyvipAdvertisementSpec, AnyvipPeerSpec } from '../../src/kubernetes/crds/index.js';
import type { KubeObject } from '../support/api-server.js';
import { ClusterLab, nodeObject } from './support/cluster-lab.js';
import {
  fabricAsn,
  fabricNodes,
  frrNeighbor,
  type Rack,
  rackLabels,
  rackNodes,
  resetSessions,
  sessionMarks,
  startTwoRackFabric,
  type TwoRackFabric,
  torAHoldTimeSec,
  vipRange,
} from './support/two-rack-fabric.js';

const skipReason = interopSkipReason();
const API = 'anyvip.io/v1alpha1';
/** Rack B's hold time before and after the live change (FRR is configured with 30 s). */
const RACK_B_HOLD_SEC = { before: 9, after: 15 } as const;

const WEB = { v4: '10.250.255.10', v6: 'fd00:250::ff:10' } as const;
const DEV = '10.250.255.20';
const RACK_A_ONLY = '10.250.255.30';
const LATE = '10.250.255.40';

function loadBalancer(
  name: string,
  namespace: string,
  ips: readonly string[],
  labels?: Record<string, string>,
): KubeObject {
  return {
    metadata: { name, namespace, ...(labels !== undefined ? { labels } : {}) },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], externalTrafficPolicy: 'Cluster' },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
  };
}

function peer(name: string, labels: Record<string, string>, spec: AnyvipPeerSpec): KubeObject {
  return { apiVersion: API, kind: 'AnyvipPeer', metadata: { name, labels }, spec };
}

function rackPeer(rack: Rack, family: 'ipv4' | 'ipv6', holdTimeSeconds: number): KubeObject {
  const spec: AnyvipPeerSpec =
    rack === 'a'
      ? {
          nodeSelector: { matchLabels: { rack: 'a' } },
          autoDiscovery: { mode: 'DefaultGateway', family },
          peerASN: fabricAsn.torA,
          holdTimeSeconds,
        }
      : {
          nodeSelector: { matchLabels: { rack: 'b' } },
          peerAddress: family === 'ipv4' ? '10.250.3.1' : 'fd00:250::3:1',
          peerASN: fabricAsn.torB,
          holdTimeSeconds,
        };
  return peer(`rack-${rack}-${family}`, { rack }, spec);
}

function advertisement(name: string, spec: AnyvipAdvertisementSpec): KubeObject {
  return { apiVersion: API, kind: 'AnyvipAdvertisement', metadata: { name }, spec };
}

/** What the checks read of an AnyvipNodeStatus. */
interface NodeStatusObject {
  status?: {
    sessions?: { state: string }[];
    vips?: { address: string; announced: boolean }[];
  };
}

/** What the checks read of `anyvip status --cluster --json`. */
interface ClusterStatusJson {
  sessions: { node: string; peer: string; peerAddress: string; peerASN: number; state: string }[];
  vips: { address: string; announcedBy: string[]; peers: string[] }[];
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
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

  /** Gateways of `prefix` in `rack`'s router kernel FIB (what it forwards with), sorted. */
  async function fibHops(rack: Rack, prefix: string): Promise<string[]> {
    const routes = await f().lab.kernelRoutes(rack === 'a' ? 'tora' : 'torb', prefix);
    return (routes[0]?.nextHops ?? []).flatMap((h) => (h.gateway === undefined ? [] : [h.gateway])).sort();
  }

  async function waitPaths(
    rack: Rack,
    prefix: string,
    check: (ps: DaemonRoute[]) => boolean,
    what: string,
  ): Promise<DaemonRoute[]> {
    return waitUntil(() => paths(rack, prefix), check, {
      timeoutMs: 20_000,
      intervalMs: 200,
      what: `${what} (rack ${rack} router RIB)`,
    });
  }

  const hopsAre = (want: readonly string[]) => (ps: DaemonRoute[]) =>
    ps
      .flatMap((r) => r.nextHops)
      .sort()
      .join() === [...want].sort().join();

  const addressesOf = (rack: Rack, family: 'ipv4' | 'ipv6'): string[] =>
    rackNodes(rack)
      .map((n) => (family === 'ipv4' ? n.ipv4 : n.ipv6))
      .sort();

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

  function conditionOf(plural: string, name: string, type: string): Condition | undefined {
    const o = c().api.get(API, plural, name) as { status?: { conditions?: Condition[] } } | undefined;
    return o?.status?.conditions?.find((x) => x.type === type);
  }

  beforeAll(async () => {
    fabric = await startTwoRackFabric();
    cluster = await ClusterLab.start(fabric.lab, 'client');
    const api = cluster.api;
    for (const n of fabricNodes)
      api.apply(
        'v1',
        'nodes',
        nodeObject({ name: n.name, addresses: [n.ipv4, n.ipv6], labels: rackLabels(n.rack) }),
      );
    // The VIP ranges: Services name their addresses (no auto-assignment from here).
    api.apply(API, 'anyvippools', {
      apiVersion: API,
      kind: 'AnyvipPool',
      metadata: { name: 'lab' },
      spec: { addresses: [vipRange.ipv4, vipRange.ipv6], autoAssign: false },
    });
    for (const family of ['ipv4', 'ipv6'] as const) {
      api.apply(API, 'anyvippeers', rackPeer('a', family, torAHoldTimeSec));
      api.apply(API, 'anyvippeers', rackPeer('b', family, RACK_B_HOLD_SEC.before));
    }
    api.apply(
      API,
      'anyvipadvertisements',
      advertisement('everywhere', {
        serviceSelector: { matchExpressions: [{ key: 'reach', operator: 'DoesNotExist' }] },
      }),
    );
    api.apply(
      API,
      'anyvipadvertisements',
      advertisement('prod-communities', {
        namespaces: ['prod'],
        communities: ['65000:100'],
        largeCommunities: ['65000:1:2'],
      }),
    );
    api.apply(
      API,
      'anyvipadvertisements',
      advertisement('rack-a-only', {
        serviceSelector: { matchLabels: { reach: 'rack-a' } },
        peerSelector: { matchLabels: { rack: 'a' } },
      }),
    );
    for (const n of fabricNodes) {
      await cluster.startNode(n.name, n.apiHost, ['--asn', String(fabricAsn.rackA)]);
    }
    await cluster.waitStarted(fabricNodes.map((n) => n.name));
  });

  afterAll(async () => {
    // ANYVIP_INTEROP_LOGS=DIR keeps every node's log there (a failure's story).
    const logs = process.env.ANYVIP_INTEROP_LOGS;
    if (logs !== undefined) cluster?.writeLogs(logs);
    await fabric?.lab.destroy();
  });

  it('1. rack A peers only with BIRD, rack B only with FRR, from AnyvipPeer node selectors: rack A by default-gateway discovery, rack B in AS 65021 by node label', async () => {
    const { torA, torB } = f();
    // Each router is configured with exactly its rack's nodes and their AS (BIRD 65001 for
    // rack A, FRR 65021 for rack B): Established means the right node in the right AS (a
    // wrong one gets OPEN error 2/2 Bad Peer AS). Rack A's nodes found their router by their
    // default gateway (10.250.1.1 for a1, 10.250.2.1 for a2); check 6 shows no node has any
    // other session.
    for (const n of rackNodes('a')) {
      await torA.waitEstablished(n.ipv4, 60_000);
      await torA.waitEstablished(n.ipv6, 60_000);
    }
    for (const n of rackNodes('b')) {
      await torB.waitEstablished(n.ipv4, 60_000);
      await torB.waitEstablished(n.ipv6, 60_000);
    }
    // No --router-id flag: each node's BGP identifier is its first IPv4 InternalIP.
    const protocols = await torA.birdc(['show', 'protocols', 'all']);
    for (const n of rackNodes('a'))
      expect(protocols).toMatch(new RegExp(`Neighbor ID:\\s+${n.ipv4.replaceAll('.', '\\.')}\\n`));
    for (const n of rackNodes('b')) expect((await frrNeighbor(torB, n.ipv4)).remoteRouterId).toBe(n.ipv4);
  });

  it('2. a prod VIP from all four nodes carries 65000:100 and 65000:1:2 at both routers; a dev VIP carries none; a rack-a-only VIP reaches BIRD only', async () => {
    const api = c().api;
    api.apply('v1', 'services', loadBalancer('web', 'prod', [WEB.v4, WEB.v6]));
    api.apply('v1', 'services', loadBalancer('api', 'dev', [DEV]));
    api.apply('v1', 'services', loadBalancer('internal', 'dev', [RACK_A_ONLY], { reach: 'rack-a' }));
    for (const rack of ['a', 'b'] as const) {
      const web = await waitPaths(
        rack,
        `${WEB.v4}/32`,
        hopsAre(addressesOf(rack, 'ipv4')),
        'prod/web from both nodes',
      );
      for (const p of web) {
        expect(p.communities).toEqual(['65000:100']);
        expect(p.largeCommunities).toEqual(['65000:1:2']);
      }
      const api4 = await waitPaths(
        rack,
        `${DEV}/32`,
        hopsAre(addressesOf(rack, 'ipv4')),
        'dev/api from both nodes',
      );
      for (const p of api4) {
        expect(p.communities).toEqual([]);
        expect(p.largeCommunities).toEqual([]);
      }
      await waitUntil(
        () => fibHops(rack, `${WEB.v4}/32`),
        (h) => h.join() === addressesOf(rack, 'ipv4').join(),
        { timeoutMs: 10_000, intervalMs: 200, what: `prod/web ECMP in rack ${rack} router FIB` },
      );
    }
    await waitPaths('a', `${RACK_A_ONLY}/32`, hopsAre(addressesOf('a', 'ipv4')), 'dev/internal at BIRD');
    // FRR got everything else from rack B meanwhile; the rack-a-only VIP is not among it.
    expect(await paths('b', `${RACK_A_ONLY}/32`)).toEqual([]);
    expect(await tcpProbe(WEB.v4)).toBe('ECONNREFUSED');
  });

  it('5. dual-stack: the IPv6 VIP reaches both routers with the nodes’ global IPv6 next hops, and the client reaches it', async () => {
    for (const rack of ['a', 'b'] as const) {
      await waitPaths(rack, `${WEB.v6}/128`, hopsAre(addressesOf(rack, 'ipv6')), 'prod/web v6');
      await waitUntil(
        () => fibHops(rack, `${WEB.v6}/128`),
        (h) => h.join() === addressesOf(rack, 'ipv6').join(),
        { timeoutMs: 10_000, intervalMs: 200, what: `prod/web v6 ECMP in rack ${rack} router FIB` },
      );
    }
    expect(await tcpProbe(WEB.v6)).toBe('ECONNREFUSED');
  });

  it('3. rack B’s hold time changes live: FRR’s sessions come back with it, BIRD’s are not reset', async () => {
    const before = await sessionMarks(f());
    const established = new Map<string, number>();
    for (const n of rackNodes('b'))
      for (const a of [n.ipv4, n.ipv6])
        established.set(a, (await frrNeighbor(f().torB, a)).connectionsEstablished ?? 0);
    for (const family of ['ipv4', 'ipv6'] as const)
      c().api.apply(API, 'anyvippeers', rackPeer('b', family, RACK_B_HOLD_SEC.after));
    for (const [address, count] of established) {
      await waitUntil(
        () => frrNeighbor(f().torB, address),
        (j) =>
          j.bgpState === 'Established' &&
          (j.connectionsEstablished ?? 0) > count &&
          j.bgpTimerHoldTimeMsecs === RACK_B_HOLD_SEC.after * 1000,
        {
          timeoutMs: 30_000,
          intervalMs: 250,
          what: `FRR session to ${address} back with hold ${RACK_B_HOLD_SEC.after} s`,
        },
      );
    }
    const after = await sessionMarks(f());
    expect(resetSessions(before, after).filter((r) => r.startsWith('tora '))).toEqual([]);
    // Re-established with its routes: ECMP at FRR again.
    await waitPaths('b', `${WEB.v4}/32`, hopsAre(addressesOf('b', 'ipv4')), 'prod/web back at FRR');
  });

  it('4. an invalid Peer and a Peer naming a missing Secret get Accepted=False and a Warning Event; no session changes', async () => {
    const api = c().api;
    const before = await sessionMarks(f());
    api.apply(
      API,
      'anyvippeers',
      peer(
        'typo',
        { rack: 'b' },
        {
          nodeSelector: { matchLabels: { rack: 'b' } },
          peerAddress: '10.250.3.300',
          peerASN: fabricAsn.torB,
        },
      ),
    );
    api.apply(
      API,
      'anyvippeers',
      peer(
        'md5',
        { rack: 'a' },
        {
          nodeSelector: { matchLabels: { rack: 'a' } },
          peerAddress: '10.250.5.1',
          ebgpMultihop: 2,
          peerASN: fabricAsn.torA,
          passwordSecretRef: { name: 'tor-a-md5' },
        },
      ),
    );
    for (const [name, reason] of [
      ['typo', 'InvalidAddress'],
      ['md5', 'SecretNotFound'],
    ] as const) {
      const cond = await waitUntil(
        async () => conditionOf('anyvippeers', name, 'Accepted'),
        (x) => x?.status === 'False',
        { timeoutMs: 20_000, intervalMs: 200, what: `AnyvipPeer ${name} Accepted=False` },
      );
      expect(cond?.reason).toBe(reason);
      const events = await waitUntil(
        async () => c().eventsAbout('AnyvipPeer', name),
        (es) => es.some((e) => e.type === 'Warning'),
        { timeoutMs: 20_000, intervalMs: 200, what: `a Warning Event on AnyvipPeer ${name}` },
      );
      expect(events.find((e) => e.type === 'Warning')?.reason).toBe(reason);
    }
    // Everything else keeps working: a Service made after the bad objects is announced (so
    // every node has seen them), and no session was reset meanwhile.
    api.apply('v1', 'services', loadBalancer('late', 'dev', [LATE]));
    for (const rack of ['a', 'b'] as const)
      await waitPaths(rack, `${LATE}/32`, hopsAre(addressesOf(rack, 'ipv4')), 'dev/late after the bad Peers');
    expect(resetSessions(before, await sessionMarks(f()))).toEqual([]);
  });

  it('6. `anyvip status --cluster` lists all eight sessions (4 nodes × v4 and v6) and which nodes announce each VIP', async () => {
    const api = c().api;
    // The nodes write their status at most every 5 s: wait until all four are current.
    await waitUntil(
      async () => api.list(API, 'anyvipnodestatuses') as NodeStatusObject[],
      (os) =>
        os.length === 4 &&
        os.every(
          (o) =>
            o.status?.sessions?.length === 2 &&
            o.status.sessions.every((x) => x.state === 'established') &&
            o.status.vips?.some((v) => v.address === LATE && v.announced) === true,
        ),
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        what: 'four node statuses, two Established sessions each, dev/late in them',
      },
    );
    const json = await c().runCli('client', '10.250.5.2', ['status', '--cluster', '--json']);
    const cluster = JSON.parse(json.stdout) as ClusterStatusJson;
    expect(cluster.sessions.map((x) => `${x.node} ${x.peerAddress} ${x.peerASN} ${x.state}`).sort()).toEqual(
      fabricNodes
        .flatMap((n) => {
          const asn = n.rack === 'a' ? fabricAsn.torA : fabricAsn.torB;
          return [`${n.name} ${n.gateway4} ${asn} established`, `${n.name} ${n.gateway6} ${asn} established`];
        })
        .sort(),
    );
    expect(cluster.sessions.map((x) => x.peer).sort()).toEqual(
      ['a', 'b'].flatMap((r) => [`rack-${r}-ipv4`, `rack-${r}-ipv4`, `rack-${r}-ipv6`, `rack-${r}-ipv6`]),
    );
    const by = (address: string) => cluster.vips.find((v) => v.address === address)?.announcedBy;
    for (const vip of [WEB.v4, WEB.v6, DEV, LATE]) expect(by(vip), vip).toEqual(['a1', 'a2', 'b1', 'b2']);
    // The VIP for rack A's router only: announced by rack A's nodes, each to its own ToR.
    const internal = cluster.vips.find((v) => v.address === RACK_A_ONLY);
    expect(internal?.announcedBy).toEqual(['a1', 'a2']);
    expect(internal?.peers).toEqual(['10.250.1.1', '10.250.2.1']);
    // The table an operator reads: one row per session.
    const text = await c().runCli('client', '10.250.5.2', ['status', '--cluster']);
    for (const n of fabricNodes)
      for (const gw of [n.gateway4, n.gateway6])
        expect(text.stdout).toMatch(new RegExp(`^${n.name}\\s+\\S+\\s+${gw.replace(/\./g, '\\.')}\\s`, 'm'));
    // And each Service says who announces it.
    for (const [namespace, name, by] of [
      ['prod', 'web', 'a1,a2,b1,b2'],
      ['dev', 'internal', 'a1,a2'],
    ] as const)
      await waitUntil(
        async () =>
          api.get('v1', 'services', name, namespace)?.metadata.annotations as
            | Record<string, string>
            | undefined,
        (a) => a?.['anyvip.io/announced-by'] === by,
        {
          timeoutMs: 20_000,
          intervalMs: 500,
          what: `${namespace}/${name} annotated anyvip.io/announced-by: ${by}`,
        },
      );
  });
});
