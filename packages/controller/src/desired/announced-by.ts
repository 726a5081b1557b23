import type { ClusterNode } from './cluster.js';
import { NODE_STATUS_STALE_MS } from './node-status.js';

/** The Service annotation the leader keeps: the nodes announcing the Service, sorted, comma-separated. */
export const announcedByAnnotation = 'anyvip.io/announced-by';

/** One node's AnyvipNodeStatus, as far as {@link computeAnnouncedBy} reads it. */
export interface ObservedNodeStatus {
  /** The node (the object's name). */
  readonly node: string;
  /**
   * When (the observing process's monotonic ms) the object last changed. Its own `updatedAt`
   * is the writer's wall clock, never compared with ours: node clocks may disagree.
   */
  readonly changedAtMs: number;
  /** `namespace/name` of each Service the node says it announces (some address of). */
  readonly announcing: readonly string[];
}

/**
 * Which nodes announce each Service, from the node statuses (the leader writes it as the
 * `anyvip.io/announced-by` annotation): Service key → node names, sorted. A status counts
 * while it is fresh (changed within {@link NODE_STATUS_STALE_MS}: every anyvip rewrites its
 * own at least every refresh interval), its Node exists and, with node leases (`live`), its
 * anyvip is live: one that stopped deletes its lease and drops out at once, one that died
 * within 3 lease intervals, else once its status goes stale. Pure.
 */
export function computeAnnouncedBy(
  statuses: readonly ObservedNodeStatus[],
  nodes: readonly ClusterNode[],
  nowMs: number,
  live?: ReadonlySet<string>,
  staleMs: number = NODE_STATUS_STALE_MS,
): Map<string, string[]> {
  const known = new Set(nodes.flatMap((n) => (n.metadata?.name === undefined ? [] : [n.metadata.name])));
  const out = new Map<string, string[]>();
  for (const s of statuses) {
    if (!known.has(s.node) || nowMs - s.changedAtMs > staleMs) continue;
    if (live !== undefined && !live.has(s.node)) continue;
    for (const key of new Set(s.announcing)) {
      const list = out.get(key);
      if (list === undefined) out.set(key, [s.node]);
      else list.push(s.node);
    }
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** The annotation's value for a list of nodes: sorted, comma-separated (empty: no node announces). */
export function formatAnnouncedBy(nodes: readonly string[]): string {
  return [...nodes].sort().join(',');
}
