/**
 * Issue 14: routes of one family over a BGP session of the other family, from an AnyvipPeer's
 * `families: [ipv4, ipv6]`, checked at BIRD and FRR (RIB, kernel FIB, and a TCP connection
 * from the router to the VIP).
 *
 * - IPv6 VIPs over an IPv4 session: MP_REACH_NLRI (RFC 4760) with a global IPv6 next hop.
 * - IPv4 VIPs over an IPv6 session: the classic NLRI with an IPv4 NEXT_HOP attribute. No RFC
 *   8950 extended next hop is needed (nor configured at either router): BIRD and FRR both take
 *   an IPv4 NEXT_HOP over an IPv6 session and install the route when that address is on a
 *   connected network, as here.
 * The next hop is the peer's `nextHop.<family>`, else the node's address of that family on the
 * session's interface (as BIRD and FRR choose theirs), else the Node's InternalIP of it.
 *
 * Lab: one node (`anyvip run`, the built CLI) on two dual-stack links: to BIRD (AS 65010,
 * 10.250.1.1 / fd00:250::1:1) and to FRR (AS 65020, 10.250.2.1 / fd00:250::2:1). The Node's
 * InternalIPs are its addresses on BIRD's link. Each router is configured for both of the
 * node's addresses on its link, each session with both families; anyvip (AS 65001) opens one
 * session per router, from an AnyvipPeer:
 * 1. BIRD over IPv4 and FRR over IPv6: the next hops of the other family are the node's
 *    addresses on each link (at FRR 10.250.2.2: the Node's InternalIP 10.250.1.2 is on BIRD's
 *    link, and FRR could not resolve it);
 * 2. swapped live: BIRD over IPv6 (its IPv4 next hop the node's 10.250.1.2) and FRR over IPv4
 *    with `nextHop.ipv6` fd00:250::2:3 (a second address of the node on FRR's link, so the
 *    explicit one shows). Together: each direction at each router.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BirdDaemon,
  createLab,
  type DaemonRoute,
  type FrrDaemon,
  interopSkipReason,
  startDaemon,
  waitUntil,
} from '../../../bgp/test/interop/support/index.js';
import type { AnyvipPeerSpec } from '../../src/kubernetes/crds/index.js';
import type { KubeObject } from '../support/api-server.js';
import { ClusterLab, nodeObject } from './support/cluster-lab.js';

const skipReason = interopSkipReason();
const API = 'anyvip.io/v1alpha1';
const ASN = { bird: 65010, frr: 65020, node: 65001 } as const;
const VIP = { ipv4: '10.250.255.10', ipv6: 'fd00:250::ff:10' } as const;
const PREFIX = { ipv4: `${VIP.ipv4}/32`, ipv6: `${VIP.ipv6}/128` } as const;
/** The node's addresses on each router's link. */
const NODE = {
  bird: { ipv4: '10.250.1.2', ipv6: 'fd00:250::1:2' },
  frr: { ipv4: '10.250.2.2', ipv6: 'fd00:250::2:2' },
} as const;
/** A second IPv6 address of the node on FRR's link (eth2), named by `nextHop.ipv6`. */
const EXPLICIT_V6 = 'fd00:250::2:3';
const ROUTER = {
  bird: { ipv4: '10.250.1.1', ipv6: 'fd00:250::1:1' },
  frr: { ipv4: '10.250.2.1', ipv6: 'fd00:250::2:1' },
} as const;

type Router = 'bird' | 'frr';
type Family = 'ipv4' | 'ipv6';

function peer(router: Router, session: Family, nextHop?: AnyvipPeerSpec['nextHop']): KubeObject {
  const spec: AnyvipPeerSpec = {
    peerAddress: ROUTER[router][session],
    peerASN: ASN[router],
    families: ['ipv4', 'ipv6'],
    holdTimeSeconds: 9,
    connectRetryTimeSeconds: 1,
    ...(nextHop !== undefined ? { nextHop } : {}),
  };
  return { apiVersion: API, kind: 'AnyvipPeer', metadata: { name: `${router}-${session}` }, spec };
}

describe.skipIf(skipReason !== undefined)(
  'fabric: IPv6 VIPs over an IPv4 session and the reverse, at BIRD and FRR',
  () => {
    let cluster: ClusterLab | undefined;
    let bird: BirdDaemon | undefined;
    let frr: FrrDaemon | undefined;

    const c = (): ClusterLab => {
      if (cluster === undefined) throw new Error('no cluster');
      return cluster;
    };

    async function paths(router: Router, family: Family): Promise<DaemonRoute[]> {
      if (router === 'bird') {
        const b = bird as BirdDaemon;
        // BIRD may hold its last batch up to 3 s; any birdc command wakes it.
        await b.birdc(['show', 'status'], true);
        return (await b.routes(family)).filter((r) => r.prefix === PREFIX[family]);
      }
      return (await (frr as FrrDaemon).routes(family)).filter((r) => r.prefix === PREFIX[family]);
    }

    /**
     * The VIP of `family` at `router`: one path in its RIB, learnt over the `session`-family
     * session, with next hop the node's address of `family` on the router's link; the same
     * gateway in the router's kernel FIB; and a TCP connection from the router to VIP:80 refused
     * by the node (it owns the VIP, nothing listens): the next hop is usable, not only accepted.
     */
    async function expectUsable(
      router: Router,
      family: Family,
      session: Family,
      hop: string = NODE[router][family],
    ): Promise<void> {
      const from = NODE[router][session];
      const what = `${PREFIX[family]} at ${router} via ${hop} over the session to ${from}`;
      await waitUntil(
        () => paths(router, family),
        (ps) => ps.length === 1 && ps[0]?.nextHops.join() === hop && ps[0].peer === from,
        { timeoutMs: 20_000, intervalMs: 200, what: `${what} (RIB)` },
      );
      await waitUntil(
        () => c().lab.kernelRoutes(router, PREFIX[family]),
        (rs) => rs[0]?.nextHops.map((h) => h.gateway).join() === hop,
        { timeoutMs: 10_000, intervalMs: 200, what: `${what} (kernel FIB)` },
      );
      expect(await tcpProbe(router, VIP[family]), what).toBe('ECONNREFUSED');
    }

    async function tcpProbe(router: Router, vip: string): Promise<string> {
      const script = `const s = require('node:net').connect({ host: ${JSON.stringify(vip)}, port: 80, timeout: 3000 });
s.on('connect', () => { console.log('connected'); s.destroy(); });
s.on('timeout', () => { console.log('timeout'); s.destroy(); });
s.on('error', (e) => console.log(e.code));`;
      const r = await c().lab.exec(router, process.execPath, ['-e', script], { timeoutMs: 10_000 });
      return r.stdout.trim();
    }

    beforeAll(async () => {
      const lab = await createLab({
        nodes: ['bird', 'frr', 'node1'],
        links: [
          ['bird', 'node1'],
          ['frr', 'node1'],
        ],
      });
      try {
        const neighbors = (router: Router) =>
          (['ipv4', 'ipv6'] as const).map((f) => ({
            address: NODE[router][f],
            localAddress: ROUTER[router][f],
            asn: ASN.node,
            families: ['ipv4', 'ipv6'] as Family[],
          }));
        bird = await startDaemon(lab, 'bird', 'bird', {
          routerId: ROUTER.bird.ipv4,
          asn: ASN.bird,
          neighbors: neighbors('bird'),
        });
        frr = await startDaemon(lab, 'frr', 'frr', {
          routerId: ROUTER.frr.ipv4,
          asn: ASN.frr,
          neighbors: neighbors('frr'),
        });
        // Deprecated (preferred_lft 0): never the source of the node's session to FRR, which
        // expects fd00:250::2:2, yet an address the node answers on.
        await lab.ip('node1', [
          'addr',
          'add',
          `${EXPLICIT_V6}/112`,
          'dev',
          'eth2',
          'nodad',
          'preferred_lft',
          '0',
        ]);
        cluster = await ClusterLab.start(lab, 'bird');
      } catch (err) {
        await lab.destroy();
        throw err;
      }
      const api = cluster.api;
      api.apply('v1', 'nodes', nodeObject({ name: 'node1', addresses: [NODE.bird.ipv4, NODE.bird.ipv6] }));
      api.apply(API, 'anyvippools', {
        apiVersion: API,
        kind: 'AnyvipPool',
        metadata: { name: 'lab' },
        spec: { addresses: ['10.250.255.0/24', 'fd00:250::ff:0/112'], autoAssign: false },
      });
      api.apply('v1', 'services', {
        metadata: { name: 'web', namespace: 'prod' },
        spec: {
          type: 'LoadBalancer',
          ports: [{ port: 80, protocol: 'TCP' }],
          externalTrafficPolicy: 'Cluster',
        },
        status: { loadBalancer: { ingress: [{ ip: VIP.ipv4 }, { ip: VIP.ipv6 }] } },
      });
      api.apply(API, 'anyvippeers', peer('bird', 'ipv4'));
      api.apply(API, 'anyvippeers', peer('frr', 'ipv6'));
      await cluster.startNode('node1', ROUTER.bird.ipv4, ['--asn', String(ASN.node)]);
      await cluster.waitStarted(['node1']);
    });

    afterAll(async () => {
      const logs = process.env.ANYVIP_INTEROP_LOGS;
      if (logs !== undefined) cluster?.writeLogs(logs);
      await cluster?.lab.destroy();
    });

    it('IPv6 VIP over an IPv4 session to BIRD and IPv4 VIP over an IPv6 session to FRR, each with the node’s address on that link as next hop', async () => {
      await (bird as BirdDaemon).waitEstablished(NODE.bird.ipv4, 60_000);
      await (frr as FrrDaemon).waitEstablished(NODE.frr.ipv6, 60_000);
      await expectUsable('bird', 'ipv6', 'ipv4');
      await expectUsable('frr', 'ipv4', 'ipv6');
      // And each session's own family, as usual.
      await expectUsable('bird', 'ipv4', 'ipv4');
      await expectUsable('frr', 'ipv6', 'ipv6');
      // Only the sessions of the AnyvipPeers: the routers' other neighbour is never up.
      expect(await (bird as BirdDaemon).sessionState(NODE.bird.ipv6)).not.toBe('established');
      expect(await (frr as FrrDaemon).sessionState(NODE.frr.ipv4)).not.toBe('established');
    });

    it('swapped live: IPv4 VIP over an IPv6 session to BIRD (the node’s address on the link) and IPv6 VIP over an IPv4 session to FRR (nextHop.ipv6)', async () => {
      const api = c().api;
      api.remove(API, 'anyvippeers', 'bird-ipv4');
      api.remove(API, 'anyvippeers', 'frr-ipv6');
      api.apply(API, 'anyvippeers', peer('bird', 'ipv6'));
      api.apply(API, 'anyvippeers', peer('frr', 'ipv4', { ipv6: EXPLICIT_V6 }));
      await (bird as BirdDaemon).waitEstablished(NODE.bird.ipv6, 30_000);
      await (frr as FrrDaemon).waitEstablished(NODE.frr.ipv4, 30_000);
      await expectUsable('bird', 'ipv4', 'ipv6');
      await expectUsable('frr', 'ipv6', 'ipv4', EXPLICIT_V6);
      // And each session's own family.
      await expectUsable('bird', 'ipv6', 'ipv6');
      await expectUsable('frr', 'ipv4', 'ipv4');
      expect(await (bird as BirdDaemon).sessionState(NODE.bird.ipv4)).not.toBe('established');
      expect(await (frr as FrrDaemon).sessionState(NODE.frr.ipv6)).not.toBe('established');
    });
  },
);
