import { compareCodeUnits } from '../desired/code-unit-order.js';
import { NODE_STATUS_STALE_MS, type NodeSessionStatus } from '../desired/node-status.js';
import { type AnyvipNodeStatus, checkAnyvipNodeStatus } from '../kubernetes/crds/index.js';

/**
 * How much a lease's `renewTime` (the holder's clock) may trail the reader's clock (an
 * operator's laptop) before the lease counts as expired: clocks in NTP sync differ by
 * milliseconds; this covers a laptop a few seconds off without hiding a dead node for long.
 */
export const LEASE_CLOCK_SKEW_MS = 5_000;

/** One anyvip node Lease (`anyvip.io/node-lease`) as `status --cluster` reads it. */
export interface ObservedNodeLease {
  /** `spec.holderIdentity`: the node. */
  readonly holder: string;
  /** `spec.renewTime` (RFC 3339), as the holder wrote it. */
  readonly renewTime: string | undefined;
  readonly leaseDurationSeconds: number | undefined;
}

/** What was learnt of the node leases: read (in `namespace`), or not, with why. */
export type NodeLeasesRead =
  | { readonly kind: 'read'; readonly namespace: string; readonly leases: readonly ObservedNodeLease[] }
  | { readonly kind: 'unavailable'; readonly namespace: string; readonly reason: string };

/**
 * How a node's liveness was judged. From its node leases: `live` (one is unexpired),
 * `expired` (all lapsed: its anyvip died or cannot reach the API server), `absent` (none: a
 * stopped anyvip deletes its lease). Where leases could not be read, from the status's age:
 * `fresh`, or `old` (not updated for `staleAfterSeconds`).
 */
export type NodeLiveness = 'live' | 'expired' | 'absent' | 'fresh' | 'old';

/** Where liveness came from: the node leases, or (unreadable) the statuses' `updatedAt`. */
export type LivenessSource =
  | { readonly source: 'leases'; readonly namespace: string }
  | { readonly source: 'status-age'; readonly namespace: string; readonly reason: string };

/**
 * `anyvip status --cluster` as data: every node's AnyvipNodeStatus, read through the API and
 * joined into one list of sessions and one of VIPs (which nodes announce each, to which
 * peers), with the nodes whose anyvip is not alive marked stale. Liveness is each node's
 * anyvip node Lease (as kubelet's node leases tell a live kubelet): a node whose leases have
 * all expired, or that has none (stopped cleanly), is stale at once; only when the leases
 * cannot be read does a status's age decide. Pure; `--json` prints this document.
 */
export interface ClusterStatus {
  readonly version: 1;
  /** RFC 3339: when this was read. */
  readonly readAt: string;
  /** Without leases, a status not updated for this long is stale (its anyvip is gone or cannot write). */
  readonly staleAfterSeconds: number;
  readonly liveness: LivenessSource;
  readonly nodes: readonly ClusterNodeStatus[];
  /** Every session of every node, by node then peer address. */
  readonly sessions: readonly ClusterSession[];
  /** Every VIP (address and Service), with the nodes announcing it. */
  readonly vips: readonly ClusterVip[];
}

/** One node's status as read. */
export interface ClusterNodeStatus {
  readonly node: string;
  /** RFC 3339, as the node wrote it; absent when it never wrote a status. */
  readonly updatedAt: string | undefined;
  /** Its anyvip is not known to be alive ({@link liveness} is neither `live` nor `fresh`). */
  readonly stale: boolean;
  readonly liveness: NodeLiveness;
  /** The newest `renewTime` of its node leases, when leases were read and it has one. */
  readonly leaseRenewTime: string | undefined;
  readonly asn: number | undefined;
  readonly routerID: string | undefined;
  /** The Ready condition: True, False, or Unknown when absent. */
  readonly ready: string;
  readonly readyMessage: string;
}

export type ClusterSession = NodeSessionStatus & { readonly node: string; readonly stale: boolean };

export interface ClusterVip {
  readonly address: string;
  readonly prefix: string;
  readonly service: string | undefined;
  /** Nodes whose status says they announce it, sorted (stale ones included, and listed in `staleNodes`). */
  readonly announcedBy: readonly string[];
  readonly staleNodes: readonly string[];
  /** Peer addresses it goes to, over all announcing nodes, sorted. */
  readonly peers: readonly string[];
  /** Why not, per node that does not announce it (`node: reason`), when no node does. */
  readonly reasons: readonly string[];
}

/**
 * Joins the objects (`items` of the list) and the node leases as read at `nowMs` (wall
 * clock). A node with a live lease but no status yet is listed too (its anyvip runs but has
 * not written one: Ready `Unknown`). Pure.
 */
export function buildClusterStatus(
  items: readonly unknown[],
  leases: NodeLeasesRead,
  nowMs: number,
  staleMs: number = NODE_STATUS_STALE_MS,
): ClusterStatus {
  const objects = items.map(readNodeStatus);
  const renewed = leases.kind === 'read' ? newestRenewals(leases.leases, nowMs) : undefined;
  const listed = new Set(objects.map((o) => o.node));
  for (const [node, lease] of renewed ?? [])
    if (lease.live && !listed.has(node))
      objects.push({
        node,
        status: undefined,
        problem: 'no AnyvipNodeStatus yet (its anyvip runs: live lease)',
      });
  objects.sort((a, b) => compareCodeUnits(a.node, b.node));
  const nodes: ClusterNodeStatus[] = [];
  const sessions: ClusterSession[] = [];
  const vips = new Map<
    string,
    { row: ClusterVip; by: Set<string>; stale: Set<string>; peers: Set<string> }
  >();
  for (const { node, status, problem } of objects) {
    const updatedAt = status?.updatedAt;
    const at = updatedAt === undefined ? Number.NaN : Date.parse(updatedAt);
    const lease = renewed?.get(node);
    const liveness: NodeLiveness =
      renewed === undefined
        ? Number.isNaN(at) || nowMs - at > staleMs
          ? 'old'
          : 'fresh'
        : lease === undefined
          ? 'absent'
          : lease.live
            ? 'live'
            : 'expired';
    const stale = liveness !== 'live' && liveness !== 'fresh';
    const ready = status?.conditions?.find((c) => c.type === 'Ready');
    nodes.push({
      node,
      updatedAt,
      stale,
      liveness,
      leaseRenewTime: lease?.renewTime,
      asn: status?.asn,
      routerID: status?.routerID,
      ready: problem === undefined ? (ready?.status ?? 'Unknown') : 'Unknown',
      readyMessage: problem ?? ready?.message ?? '',
    });
    for (const s of status?.sessions ?? [])
      sessions.push({
        ...s,
        peerASN: s.peerASN ?? 0,
        prefixesSent: s.prefixesSent ?? 0,
        prefixesReceived: s.prefixesReceived ?? 0,
        bfd: s.bfd ?? 'off',
        node,
        stale,
      });
    for (const v of status?.vips ?? []) {
      const key = `${v.address} ${v.service ?? ''}`;
      let entry = vips.get(key);
      if (entry === undefined) {
        entry = {
          row: {
            address: v.address,
            prefix: v.prefix,
            service: v.service,
            announcedBy: [],
            staleNodes: [],
            peers: [],
            reasons: [],
          },
          by: new Set(),
          stale: new Set(),
          peers: new Set(),
        };
        vips.set(key, entry);
      }
      if (v.announced) {
        entry.by.add(node);
        if (stale) entry.stale.add(node);
        for (const p of v.peers ?? []) entry.peers.add(p);
      } else (entry.row.reasons as string[]).push(`${node}: ${v.reason ?? 'not announced'}`);
    }
  }
  const joined = [...vips.values()]
    .map(({ row, by, stale, peers }) => ({
      ...row,
      announcedBy: [...by].sort(),
      staleNodes: [...stale].sort(),
      peers: [...peers].sort(),
      reasons: by.size > 0 ? [] : row.reasons,
    }))
    .sort((a, b) => compareCodeUnits(a.address, b.address) || compareCodeUnits(a.service, b.service));
  return {
    version: 1,
    readAt: new Date(nowMs).toISOString(),
    staleAfterSeconds: Math.round(staleMs / 1000),
    liveness:
      leases.kind === 'read'
        ? { source: 'leases', namespace: leases.namespace }
        : { source: 'status-age', namespace: leases.namespace, reason: leases.reason },
    nodes,
    sessions,
    vips: joined,
  };
}

/** One object of the list, checked against the CRD's schema (it is another process's output). */
function readNodeStatus(item: unknown): {
  readonly node: string;
  readonly status: AnyvipNodeStatus['status'];
  readonly problem: string | undefined;
} {
  const checked = checkAnyvipNodeStatus(item);
  if (checked.ok)
    return { node: checked.value.metadata.name ?? '', status: checked.value.status, problem: undefined };
  const name = (item as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return {
    node: typeof name === 'string' ? name : '?',
    status: undefined,
    problem: `status does not validate: ${checked.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
  };
}

/**
 * Per holder (node): the newest renewal of its leases (RFC 3339) and whether any is unexpired
 * at `nowMs` (renewTime + leaseDurationSeconds + {@link LEASE_CLOCK_SKEW_MS} not yet past).
 * A node may hold several (one per anyvip instance): any live one makes it live.
 */
function newestRenewals(
  leases: readonly ObservedNodeLease[],
  nowMs: number,
): Map<string, { readonly renewTime: string | undefined; readonly live: boolean }> {
  const out = new Map<string, { renewTime: string | undefined; renewMs: number; live: boolean }>();
  for (const l of leases) {
    if (l.holder === '') continue;
    const renewMs = l.renewTime === undefined ? Number.NaN : Date.parse(l.renewTime);
    const live =
      !Number.isNaN(renewMs) && nowMs <= renewMs + (l.leaseDurationSeconds ?? 0) * 1000 + LEASE_CLOCK_SKEW_MS;
    const prev = out.get(l.holder);
    const newer = prev === undefined || Number.isNaN(prev.renewMs) || renewMs > prev.renewMs;
    out.set(l.holder, {
      renewTime: newer ? l.renewTime : prev.renewTime,
      renewMs: newer ? renewMs : prev.renewMs,
      live: live || (prev?.live ?? false),
    });
  }
  return new Map([...out].map(([node, { renewTime, live }]) => [node, { renewTime, live }]));
}
