/**
 * A two-rack leaf fabric in network namespaces (issue 14's proof), every link dual-stack:
 *
 * ```
 *             client  (10.250.5.2 via tora, 10.250.6.2 via torb; runs the API forwarder)
 *            /      \
 *   tora: BIRD 2, AS 65010           torb: FRR 8, AS 65020
 *    | 10.250.1.1    | 10.250.2.1     | bridge "rackb" 10.250.3.1, fd00:250::3:1
 *   a1 .1.2        a2 .2.2          b1 .3.2         b2 .3.3
 *   (routed point-to-point links:    (one rack subnet: the ToR has one address,
 *    each node has its own gateway)   as an SVI on a VLAN would)
 * ```
 *
 * IPv6 mirrors IPv4: fd00:250::<link>:<host>, with rack B on fd00:250::3:0/112. Every node
 * has its default routes (both families) via its top-of-rack, so default-gateway discovery
 * finds 10.250.1.1 on a1 and 10.250.2.1 on a2: one static peer address could not serve rack A.
 * Nodes carry `rack=a|b`; rack B's also `anyvip.io/asn: "65021"` (AS per rack). Each ToR has
 * a v4 and a v6 session to each of its nodes (8 sessions in all) with ECMP on (BIRD
 * `merge paths`, FRR `maximum-paths` + `bgp bestpath as-path multipath-relax`); BIRD's hold
 * time is 9 s, FRR's 30 s (so that a node's hold time below that is what the session uses).
 * The client routes the VIP ranges to both ToRs (ECMP) and the node subnets to their ToR.
 */

import {
  type BirdDaemon,
  createLab,
  type FrrDaemon,
  type Lab,
  type NeighborConfig,
  startDaemon,
} from '../../../../bgp/test/interop/support/index.js';
import { msOfDay, upSinceBefore } from './bird-since.js';

export type Rack = 'a' | 'b';

/** One cluster node of the fabric. */
export interface FabricNode {
  readonly name: string;
  readonly rack: Rack;
  readonly ipv4: string;
  readonly ipv6: string;
  /** Its top-of-rack's address on its link (its default gateway and BGP neighbour). */
  readonly gateway4: string;
  readonly gateway6: string;
  /** The API server (forwarder) address it uses: the client's address on its ToR's link. */
  readonly apiHost: string;
}

/** AS numbers of the design: the ToRs', rack A nodes' (the `--asn` flag) and rack B's (node label). */
export const fabricAsn = { torA: 65010, torB: 65020, rackA: 65001, rackB: 65021 } as const;

/** BIRD's hold time toward rack A (seconds); anyvip on rack A proposes the same. */
export const torAHoldTimeSec = 9;
/** FRR's configured hold time toward rack B (seconds): above what rack B's nodes propose. */
export const torBHoldTimeSec = 30;

/** VIPs are drawn from these (also the client's ECMP routes). */
export const vipRange = { ipv4: '10.250.255.0/24', ipv6: 'fd00:250::ff:0/112' } as const;

/** The four nodes, in start order. */
export const fabricNodes: readonly FabricNode[] = [
  {
    name: 'a1',
    rack: 'a',
    ipv4: '10.250.1.2',
    ipv6: 'fd00:250::1:2',
    gateway4: '10.250.1.1',
    gateway6: 'fd00:250::1:1',
    apiHost: '10.250.5.2',
  },
  {
    name: 'a2',
    rack: 'a',
    ipv4: '10.250.2.2',
    ipv6: 'fd00:250::2:2',
    gateway4: '10.250.2.1',
    gateway6: 'fd00:250::2:1',
    apiHost: '10.250.5.2',
  },
  {
    name: 'b1',
    rack: 'b',
    ipv4: '10.250.3.2',
    ipv6: 'fd00:250::3:2',
    gateway4: '10.250.3.1',
    gateway6: 'fd00:250::3:1',
    apiHost: '10.250.6.2',
  },
  {
    name: 'b2',
    rack: 'b',
    ipv4: '10.250.3.3',
    ipv6: 'fd00:250::3:3',
    gateway4: '10.250.3.1',
    gateway6: 'fd00:250::3:1',
    apiHost: '10.250.6.2',
  },
];

/** The labels a node of `rack` carries. */
export function rackLabels(rack: Rack): Record<string, string> {
  return rack === 'a' ? { rack: 'a' } : { rack: 'b', 'anyvip.io/asn': String(fabricAsn.rackB) };
}

/** The nodes of one rack. */
export function rackNodes(rack: Rack): FabricNode[] {
  return fabricNodes.filter((n) => n.rack === rack);
}

/** The running fabric. */
export interface TwoRackFabric {
  readonly lab: Lab;
  /** Rack A's top-of-rack (lab node `tora`). */
  readonly torA: BirdDaemon;
  /** Rack B's top-of-rack (lab node `torb`). */
  readonly torB: FrrDaemon;
}

function neighbors(rack: Rack, holdTimeSec: number): NeighborConfig[] {
  const asn = rack === 'a' ? fabricAsn.rackA : fabricAsn.rackB;
  return rackNodes(rack).flatMap((n) => [
    { address: n.ipv4, localAddress: n.gateway4, asn, holdTimeSec },
    { address: n.ipv6, localAddress: n.gateway6, asn, holdTimeSec },
  ]);
}

/**
 * Builds the namespaces, links, rack B's bridge and the routes, then starts BIRD and FRR.
 * The caller owns `lab.destroy()` (which stops the routers too), also when this throws
 * after the lab exists: it is destroyed here before the error is rethrown.
 */
export async function startTwoRackFabric(): Promise<TwoRackFabric> {
  // Link numbers (and so the lab's addresses): 1 tora–a1, 2 tora–a2, 3 torb–b1, 4 torb–b2,
  // 5 tora–client, 6 torb–client. Link 4's addresses are replaced by rack B's subnet below.
  const lab = await createLab({
    nodes: ['tora', 'torb', 'a1', 'a2', 'b1', 'b2', 'client'],
    links: [
      ['tora', 'a1'],
      ['tora', 'a2'],
      ['torb', 'b1'],
      ['torb', 'b2'],
      ['tora', 'client'],
      ['torb', 'client'],
    ],
  });
  try {
    const batch = (node: string, cmds: readonly string[]) =>
      lab.ip(node, ['-batch', '-'], { input: `${cmds.join('\n')}\n` });
    // Rack B: one subnet, the ToR's address on a bridge over both node ports. No STP (ports
    // forward at once) and no multicast snooping (neighbour discovery needs no querier).
    await batch('torb', [
      'link add rackb type bridge stp_state 0 mcast_snooping 0',
      'addr del 10.250.3.1/24 dev eth3',
      'addr del fd00:250::3:1/112 dev eth3',
      'addr del 10.250.4.1/24 dev eth4',
      'addr del fd00:250::4:1/112 dev eth4',
      'link set eth3 master rackb',
      'link set eth4 master rackb',
      'link set rackb up',
      'addr add 10.250.3.1/24 dev rackb',
      'addr add fd00:250::3:1/112 dev rackb nodad',
    ]);
    await batch('b2', [
      'addr del 10.250.4.2/24 dev eth4',
      'addr del fd00:250::4:2/112 dev eth4',
      'addr add 10.250.3.3/24 dev eth4',
      'addr add fd00:250::3:3/112 dev eth4 nodad',
    ]);
    for (const n of fabricNodes) {
      await batch(n.name, [`route add default via ${n.gateway4}`, `route add default via ${n.gateway6}`]);
    }
    await batch('client', [
      'route add 10.250.1.0/24 via 10.250.5.1',
      'route add 10.250.2.0/24 via 10.250.5.1',
      'route add 10.250.3.0/24 via 10.250.6.1',
      'route add fd00:250::1:0/112 via fd00:250::5:1',
      'route add fd00:250::2:0/112 via fd00:250::5:1',
      'route add fd00:250::3:0/112 via fd00:250::6:1',
      `route add ${vipRange.ipv4} nexthop via 10.250.5.1 nexthop via 10.250.6.1`,
      `route add ${vipRange.ipv6} nexthop via fd00:250::5:1 nexthop via fd00:250::6:1`,
    ]);
    const torA = await startDaemon(lab, 'tora', 'bird', {
      routerId: '10.250.1.1',
      asn: fabricAsn.torA,
      ecmp: true,
      neighbors: neighbors('a', torAHoldTimeSec),
    });
    const torB = await startDaemon(lab, 'torb', 'frr', {
      routerId: '10.250.3.1',
      asn: fabricAsn.torB,
      ecmp: true,
      neighbors: neighbors('b', torBHoldTimeSec),
    });
    return { lab, torA, torB };
  } catch (err) {
    await lab.destroy();
    throw err;
  }
}

/** What the routers say of each session, to tell later whether any was reset. */
export interface SessionMarks {
  /**
   * Per session (`tora <node address>` / `torb <node address>`): BIRD's state and info columns
   * (`up Established`), FRR's state with its connectionsEstablished/connectionsDropped counters
   * (which move exactly when a session is reset).
   */
  readonly states: ReadonlyMap<string, string>;
  /** BIRD's "Since" text per rack A session (see support/bird-since.ts). */
  readonly birdSince: ReadonlyMap<string, string>;
  /** When the marks were read (just before asking BIRD), ms into the day ({@link msOfDay}). */
  readonly readAt: number;
}

export async function sessionMarks(fabric: TwoRackFabric): Promise<SessionMarks> {
  const states = new Map<string, string>();
  const birdSince = new Map<string, string>();
  const readAt = msOfDay(new Date());
  const protocols = await fabric.torA.birdc(['show', 'protocols']);
  for (const n of rackNodes('a')) {
    for (const address of [n.ipv4, n.ipv6]) {
      const name = await fabric.torA.protocolName(address);
      const row = protocols.split('\n').find((l) => l.startsWith(`${name} `));
      // name  BGP  ---  up  21:36:59.635  Established
      const cols = row?.trim().split(/\s+/) ?? [];
      states.set(`tora ${address}`, `${cols[3] ?? '?'} ${cols[5] ?? ''}`.trim());
      birdSince.set(`tora ${address}`, cols[4] ?? '?');
    }
  }
  for (const n of rackNodes('b')) {
    for (const address of [n.ipv4, n.ipv6]) {
      const j = await frrNeighbor(fabric.torB, address);
      states.set(
        `torb ${address}`,
        `${j.bgpState} established ${j.connectionsEstablished} dropped ${j.connectionsDropped}`,
      );
    }
  }
  return { states, birdSince, readAt };
}

/**
 * The sessions reset between two readings: their state text changed, or BIRD's "Since" is
 * not before the first reading (never compared for equality: see support/bird-since.ts).
 */
export function resetSessions(before: SessionMarks, after: SessionMarks): string[] {
  const reset: string[] = [];
  for (const [key, state] of before.states) {
    if (after.states.get(key) !== state) {
      reset.push(`${key}: ${state} -> ${after.states.get(key) ?? 'gone'}`);
      continue;
    }
    const since = after.birdSince.get(key);
    if (since !== undefined && !upSinceBefore(since, before.readAt))
      reset.push(`${key}: BIRD's Since ${since} is not before the first reading`);
  }
  return reset;
}

/** The parts of FRR's `show bgp neighbors ADDRESS json` the checks read. */
export interface FrrNeighborFacts {
  readonly bgpState?: string;
  readonly remoteRouterId?: string;
  /** Negotiated hold time (ms). */
  readonly bgpTimerHoldTimeMsecs?: number;
  readonly connectionsEstablished?: number;
  readonly connectionsDropped?: number;
}

/** FRR's view of its session to `address`. */
export async function frrNeighbor(frr: FrrDaemon, address: string): Promise<FrrNeighborFacts> {
  const r = await frr.vtysh([`show bgp neighbors ${address} json`]);
  const j = JSON.parse(r.stdout) as Record<string, FrrNeighborFacts>;
  const facts = j[address];
  if (facts === undefined) throw new Error(`FRR has no neighbor ${address}: ${r.stdout.slice(0, 200)}`);
  return facts;
}
