/**
 * Which nodes run a live anyvip, from the per-node Leases each instance renews (the way
 * kubelet's node leases work; observe/kubernetes/node-lease.ts). Single-announcer placement
 * takes only live nodes, so a crashed or SIGKILLed anyvip on a Ready Node loses its VIPs to
 * another node within seconds instead of when the Node turns NotReady (40 s or more).
 *
 * A lease is live when its last change, as this process saw it on its own monotonic clock,
 * is no more than `staleAfterMs` older than the newest change seen on any node lease. Two
 * consequences, both deliberate:
 * - clock skew between nodes does not matter (renewTime is never compared with our clock);
 * - an anyvip cut off from the API server sees no lease change at all, so nothing ages and
 *   it keeps every placement it had: an API outage never withdraws anything.
 * This node is always live in its own view: it is running, and it must not give up its VIPs
 * because its own renewals are slow to come back through the watch. Pure.
 */
export function computeLiveNodes(
  lastChangeMs: ReadonlyMap<string, number>,
  staleAfterMs: number,
  self: string,
): Set<string> {
  let newest = Number.NEGATIVE_INFINITY;
  for (const t of lastChangeMs.values()) if (t > newest) newest = t;
  const live = new Set<string>([self]);
  for (const [node, t] of lastChangeMs) if (newest - t <= staleAfterMs) live.add(node);
  return live;
}

/** Whether two live sets hold the same nodes. Pure. */
export function sameNodes(a: ReadonlySet<string> | undefined, b: ReadonlySet<string>): boolean {
  if (a === undefined || a.size !== b.size) return false;
  for (const n of a) if (!b.has(n)) return false;
  return true;
}
