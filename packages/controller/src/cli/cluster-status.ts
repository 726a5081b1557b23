import { NODE_STATUS_STALE_MS, type NodeSessionStatus } from '../desired/node-status.js';
import { type AnyvipNodeStatus, checkAnyvipNodeStatus } from '../kubernetes/crds/index.js';

/**
 * `anyvip status --cluster` as data: every node's AnyvipNodeStatus, read through the API and
 * joined into one list of sessions and one of VIPs (which nodes announce each, to which
 * peers), with stale statuses marked. Pure; `--json` prints this document.
 */
export interface ClusterStatus {
  readonly version: 1;
  /** RFC 3339: when this was read. */
  readonly readAt: string;
  /** A status not updated for this long is stale (its anyvip is gone or cannot write). */
  readonly staleAfterSeconds: number;
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
  readonly stale: boolean;
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

/** Joins the objects (`items` of the list) as read at `nowMs` (wall clock). Pure. */
export function buildClusterStatus(
  items: readonly unknown[],
  nowMs: number,
  staleMs: number = NODE_STATUS_STALE_MS,
): ClusterStatus {
  const objects = items.map(readNodeStatus).sort((a, b) => a.node.localeCompare(b.node));
  const nodes: ClusterNodeStatus[] = [];
  const sessions: ClusterSession[] = [];
  const vips = new Map<
    string,
    { row: ClusterVip; by: Set<string>; stale: Set<string>; peers: Set<string> }
  >();
  for (const { node, status, problem } of objects) {
    const updatedAt = status?.updatedAt;
    const at = updatedAt === undefined ? Number.NaN : Date.parse(updatedAt);
    const stale = Number.isNaN(at) || nowMs - at > staleMs;
    const ready = status?.conditions?.find((c) => c.type === 'Ready');
    nodes.push({
      node,
      updatedAt,
      stale,
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
    .sort((a, b) => a.address.localeCompare(b.address) || (a.service ?? '').localeCompare(b.service ?? ''));
  return {
    version: 1,
    readAt: new Date(nowMs).toISOString(),
    staleAfterSeconds: Math.round(staleMs / 1000),
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
