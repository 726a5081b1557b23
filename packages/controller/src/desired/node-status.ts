import { type PeerConfig, peerFamilies } from '../config/schema.js';
import { isoTimestamp } from '../iso-timestamp.js';
import { compareCodeUnits } from './code-unit-order.js';
import type { BfdStateName, SessionObservation, SessionStateName } from './session-observation.js';
import type { BgpDesired, DesiredState, VipPlan } from './types.js';

/**
 * What this node's AnyvipNodeStatus says, from the desired world a pass applied (after the
 * bind gate, so a withheld VIP reads as not announced, with why) and the sessions the speaker
 * reported at the start of that pass. Pure: the node status sink (sinks/node-status.ts) adds
 * `updatedAt` and the condition's transition time, and decides when to write.
 */

/** A changed status is written at most this often (coalescing the changes in between). */
export const NODE_STATUS_MIN_INTERVAL_MS = 5_000;
/**
 * An unchanged status is rewritten this often: a backstop, not the liveness signal. Whether a
 * node's anyvip is alive is its node Lease (renewed every `--node-lease-interval`, deleted on
 * stop; desired/node-liveness.ts, `anyvip status --cluster`), a few hundred bytes; the status
 * is the whole VIP table (~200 KiB at 1,000 VIPs), so rewriting it every 30 s as a heartbeat
 * cost the API server 167 writes/s at 5,000 nodes for nothing the lease does not say. Five
 * minutes still re-creates a status deleted behind anyvip's back on a quiet node, and lets a
 * reader that cannot see the leases tell a long-dead node by `updatedAt`.
 */
export const NODE_STATUS_REFRESH_MS = 5 * 60_000;
/**
 * A status whose `updatedAt` is older than this is stale (its anyvip is gone or cannot
 * write): three refreshes missed, plus slack for a write in back-off and clock skew. Only
 * where no node lease says better (leases unreadable, or none observed).
 */
export const NODE_STATUS_STALE_MS = 3 * NODE_STATUS_REFRESH_MS + 15_000;

/** A session's BFD state as status shows it: `off` when the peer has no BFD. */
export type SessionBfd = BfdStateName | 'off';

/** One BGP session. */
export interface NodeSessionStatus {
  /** The AnyvipPeer's name, `node-annotation`, or `flags` (flags or the configuration file). */
  readonly peer: string;
  readonly peerAddress: string;
  readonly peerASN: number;
  readonly localAddress?: string;
  readonly state: SessionStateName;
  /** RFC 3339: the last state change this process saw (absent: none since it started). */
  readonly since?: string;
  readonly lastError?: string;
  readonly prefixesSent: number;
  readonly prefixesReceived: number;
  /** Negotiated (RFC 4271 §4.2), while the session is up. */
  readonly holdTimeSeconds?: number;
  readonly bfd: SessionBfd;
}

/** One VIP as this node handles it. */
export interface NodeVipStatus {
  readonly address: string;
  readonly prefix: string;
  /** `namespace/name`; absent for a VIP from flags or the configuration file. */
  readonly service?: string;
  readonly announced: boolean;
  /** `healthy` when announced; otherwise why not. */
  readonly reason: string;
  /** Peer addresses the route goes to (sorted); empty when not announced. */
  readonly peers: readonly string[];
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly localPref?: number;
  readonly med?: number;
  readonly asPathPrepend: number;
}

/** The `Ready` condition without its transition time (the sink keeps that). */
export interface NodeReadiness {
  readonly status: 'True' | 'False';
  /** CamelCase, as conditions want. */
  readonly reason: 'Established' | 'NoSessions' | 'SessionsNotEstablished' | 'VipsWithheld';
  readonly message: string;
}

/** The node status's content, as written but for `updatedAt` and the condition's time. */
export interface NodeStatusContent {
  readonly nodeName: string;
  readonly asn?: number;
  readonly routerID?: string;
  readonly sessions: readonly NodeSessionStatus[];
  readonly vips: readonly NodeVipStatus[];
  readonly ready: NodeReadiness;
}

/** The peer name status shows: the AnyvipPeer's name, `node-annotation`, or `flags`. */
export function peerNameOf(peer: PeerConfig): string {
  const source = peer.source;
  if (source === undefined || source === '') return 'flags';
  return source.startsWith('AnyvipPeer/') ? source.slice('AnyvipPeer/'.length) : source;
}

/**
 * The node status for a world (Kubernetes mode, running); undefined when the world has no
 * Kubernetes part (other modes, shutting down). Pure; sessions and VIPs in a stable order
 * (peer address; VIP address, then Service), so an unchanged world gives equal content.
 */
export function computeNodeStatus(d: DesiredState): NodeStatusContent | undefined {
  const k = d.kubernetes;
  if (k?.nodeName === undefined) return undefined;
  const sessions = computeSessions(d.bgp, k.sessions ?? []);
  const all = computeVips(d);
  const vips = all.length <= MAX_VIP_ROWS ? all : keepAnnouncedFirst(all, MAX_VIP_ROWS);
  const ready = computeReadiness(
    sessions,
    [...d.vips.values()].flatMap((v) => (v.withheld === undefined ? [] : [v.address])),
  );
  const omitted = all.length - vips.length;
  return {
    nodeName: k.nodeName,
    ...(d.bgp !== undefined ? { asn: d.bgp.speaker.asn, routerID: d.bgp.speaker.routerId } : {}),
    sessions,
    vips,
    ready:
      omitted === 0
        ? ready
        : { ...ready, message: `${ready.message}; ${omitted} more VIPs not listed (object size limit)` },
  };
}

/**
 * VIP rows one status holds at most: an object must stay well under etcd's 1.5 MiB request
 * limit (a row is 150-300 bytes). Past it, the rows of VIPs announced here are kept first.
 */
export const MAX_VIP_ROWS = 4000;

/** The first `max` rows, those announced first, each group in its order. */
function keepAnnouncedFirst(rows: readonly NodeVipStatus[], max: number): NodeVipStatus[] {
  const kept = [...rows.filter((r) => r.announced), ...rows.filter((r) => !r.announced)].slice(0, max);
  const order = new Map(rows.map((r, i) => [r, i]));
  return kept.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

function computeSessions(
  bgp: BgpDesired | undefined,
  observed: readonly SessionObservation[],
): NodeSessionStatus[] {
  if (bgp === undefined) return [];
  const byAddress = new Map(observed.map((s) => [s.peerAddress, s]));
  return [...bgp.peers.values()]
    .sort((a, b) => compareCodeUnits(a.address, b.address))
    .map((p) => {
      const o = byAddress.get(p.address);
      return {
        peer: peerNameOf(p),
        peerAddress: p.address,
        peerASN: p.asn,
        ...(o?.localAddress !== undefined ? { localAddress: o.localAddress } : {}),
        state: o?.state ?? 'idle',
        ...(o?.sinceMs !== undefined ? { since: isoTimestamp(o.sinceMs) } : {}),
        ...(o?.lastError !== undefined ? { lastError: o.lastError } : {}),
        prefixesSent: o?.prefixesSent ?? 0,
        prefixesReceived: o?.prefixesReceived ?? 0,
        ...(o?.holdTimeSec !== undefined ? { holdTimeSeconds: o.holdTimeSec } : {}),
        // RFC 5880 §6.8.1: a session starts Down until the first packet says otherwise.
        bfd: p.bfd === undefined ? 'off' : (o?.bfd ?? 'down'),
      };
    });
}

/** One row per (address, Service): this node's VIPs, then the Services' addresses it does not announce. */
function computeVips(d: DesiredState): NodeVipStatus[] {
  const rows: NodeVipStatus[] = [];
  const seen = new Set<string>();
  const row = (address: string, prefix: string, service: string | undefined): void => {
    const key = `${address} ${service ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    rows.push(vipRow(d, address, prefix, service));
  };
  for (const plan of d.vips.values()) {
    if (plan.services === undefined || plan.services.length === 0) row(plan.address, plan.prefix, undefined);
    else for (const s of plan.services) row(plan.address, plan.prefix, s);
  }
  for (const [key, s] of d.kubernetes?.services ?? []) {
    for (const a of s.addresses ?? []) row(a, hostPrefix(a), key);
    for (const r of s.refused) {
      const k = `${r.address} ${key}`;
      if (seen.has(k)) continue;
      seen.add(k);
      rows.push({ ...notAnnounced(r.address, hostPrefix(r.address), key), reason: r.reason });
    }
  }
  return rows.sort(
    (a, b) => compareCodeUnits(a.address, b.address) || compareCodeUnits(a.service, b.service),
  );
}

function vipRow(
  d: DesiredState,
  address: string,
  prefix: string,
  service: string | undefined,
): NodeVipStatus {
  const plan = d.vips.get(prefix);
  const bgp = d.bgp;
  const route = bgp?.routes.get(prefix);
  const tableRoute = d.table.routes.has(prefix);
  const peers = route === undefined ? [] : peersOf(bgp, prefix);
  // Advertisements may leave a node with no peer to send a route to (a VIP for another rack's
  // router): bound here, announced to no one, so not announced from this node.
  if (plan?.announce === true && route !== undefined && peers.length === 0 && !tableRoute)
    return {
      ...notAnnounced(address, prefix, service),
      reason: 'no advertisement sends it to a peer of this node',
    };
  if (plan?.announce === true && (route !== undefined || tableRoute)) {
    const a =
      (peers[0] === undefined ? undefined : bgp?.routesByPeer.get(peers[0])?.get(prefix))?.attributes ??
      route?.attributes;
    return {
      address,
      prefix,
      ...(service !== undefined ? { service } : {}),
      announced: true,
      reason: 'healthy',
      peers,
      communities: a?.communities ?? [],
      largeCommunities: a?.largeCommunities ?? [],
      ...(a?.localPref !== undefined ? { localPref: a.localPref } : {}),
      ...(a?.med !== undefined ? { med: a.med } : {}),
      asPathPrepend: a?.asPathPrepend ?? 0,
    };
  }
  return { ...notAnnounced(address, prefix, service), reason: whyNot(d, plan, prefix, service) };
}

/** The peers a route is exported to (`routesByPeer`: every peer without AnyvipAdvertisements). */
function peersOf(bgp: BgpDesired | undefined, prefix: string): string[] {
  if (bgp === undefined) return [];
  // Only the peers whose session carries the route's family (RFC 4760): the export holds every
  // route for every peer, but an IPv4 VIP never goes over an IPv6-only session.
  const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
  const carries = (peer: string): boolean => {
    const p = bgp.peers.get(peer);
    return p === undefined || peerFamilies(p).includes(family);
  };
  return [...bgp.routesByPeer]
    .flatMap(([peer, routes]) => (routes.has(prefix) && carries(peer) ? [peer] : []))
    .sort(compareCodeUnits);
}

function whyNot(
  d: DesiredState,
  plan: VipPlan | undefined,
  prefix: string,
  service: string | undefined,
): string {
  if (plan?.refused !== undefined) return plan.refused;
  if (plan?.withheld !== undefined) return plan.withheld;
  if (plan !== undefined && !plan.announce)
    return `health check ${plan.healthcheck ?? '(none)'} is ${plan.health}`;
  if (plan !== undefined) return d.bgp === undefined ? 'no BGP speaker on this node' : 'not announced yet';
  const s = service === undefined ? undefined : d.kubernetes?.services.get(service);
  const announcers = s?.announcers;
  if (announcers === undefined) return `not announced from this node (${prefix})`;
  if (announcers === 'all')
    return 'this node is not eligible (not Ready, or excluded from external load balancers)';
  if (announcers.length === 0)
    return 'no node is eligible (externalTrafficPolicy Local without ready endpoints, or no live node to place it on)';
  return `announced by ${announcers.join(', ')}, not this node`;
}

function notAnnounced(
  address: string,
  prefix: string,
  service: string | undefined,
): Omit<NodeVipStatus, 'reason'> {
  return {
    address,
    prefix,
    ...(service !== undefined ? { service } : {}),
    announced: false,
    peers: [],
    communities: [],
    largeCommunities: [],
    asPathPrepend: 0,
  };
}

function computeReadiness(
  sessions: readonly NodeSessionStatus[],
  withheld: readonly string[],
): NodeReadiness {
  if (sessions.length === 0)
    return { status: 'False', reason: 'NoSessions', message: 'no BGP peer is configured for this node' };
  const down = sessions.filter((s) => s.state !== 'established');
  if (down.length > 0)
    return {
      status: 'False',
      reason: 'SessionsNotEstablished',
      message: `${down.length} of ${sessions.length} sessions not Established: ${down
        .map((s) => `${s.peerAddress} (${s.state})`)
        .join(', ')}`,
    };
  if (withheld.length > 0)
    return {
      status: 'False',
      reason: 'VipsWithheld',
      message: `${withheld.length} VIPs not bound, so not announced: ${withheld.join(', ')}`,
    };
  return {
    status: 'True',
    reason: 'Established',
    message: `${sessions.length} sessions Established`,
  };
}

/** A Service address (canonical text) as the host prefix the world keys it by. */
function hostPrefix(address: string): string {
  return `${address}/${address.includes(':') ? 128 : 32}`;
}
