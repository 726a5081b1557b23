/**
 * Which node announces a single-announcer VIP: rendezvous (highest random weight) hashing.
 * Every node scores every (node, Service) pair with the same hash and the highest score wins,
 * so all nodes agree without talking (no Lease per Service), and when a node leaves only the
 * Services it held move (everyone else's winner is unchanged). Pure HRW is a random
 * assignment, and 300 Services over 3 nodes then overshoot 1.2 × average about one time in
 * 40; so placement is bounded-load rendezvous: Services go, in key order, to their
 * highest-scoring eligible node that is below ⌊1.2 × average⌋ (never below ⌈average⌉).
 * The bound only binds in those unlucky cases, and only then can a departure move a Service
 * that was not on the departing node. Pure.
 */

/** FNV-1a, 32 bits, over UTF-16 code units (names are ASCII in practice). */
function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finaliser: full avalanche, so FNV's weak low bits do not bias the scores. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash of a node name, reusable across every Service of a pass. */
export function nodeHash(node: string): number {
  return fmix32(fnv1a32(node) ^ 0x9e3779b9);
}

/** The rendezvous score of (node, Service key); higher wins. */
export function rendezvousScore(nodeHashValue: number, key: string): number {
  return fmix32(fnv1a32(key) ^ nodeHashValue);
}

/** The winner among `nodes` for `key` by plain rendezvous hashing (ties: the smaller name). */
export function pickNode(key: string, nodes: readonly string[]): string | undefined {
  const k = fnv1a32(key);
  let best: string | undefined;
  let bestScore = -1;
  for (const n of nodes) {
    const s = fmix32(k ^ nodeHash(n));
    if (s > bestScore || (s === bestScore && best !== undefined && n < best)) {
      best = n;
      bestScore = s;
    }
  }
  return best;
}

/** One VIP holder to place. */
export interface PlacementRequest {
  /** Unique and stable (the Service key). */
  readonly key: string;
  /** The nodes that may announce it (ready; with endpoints for Local). */
  readonly eligible: readonly string[];
  /** Taken when eligible, regardless of load (the preferred-node annotation; fail-back is automatic). */
  readonly preferred?: string | undefined;
}

/** The most Services one node holds, out of `count` over `nodes` nodes. */
export function loadBound(count: number, nodes: number, factor = 1.2): number {
  if (nodes === 0) return 0;
  return Math.max(Math.ceil(count / nodes), Math.floor((factor * count) / nodes));
}

/**
 * Places every request on one of its eligible nodes (none when it has none): bounded-load
 * rendezvous over `nodeCount` nodes (the ready ones). Deterministic in the set of requests,
 * whatever their order.
 */
export function placeBalanced(
  requests: readonly PlacementRequest[],
  nodeCount: number,
  factor = 1.2,
): Map<string, string> {
  const out = new Map<string, string>();
  const load = new Map<string, number>();
  const hashes = new Map<string, number>();
  const hashOf = (n: string): number => {
    let h = hashes.get(n);
    if (h === undefined) {
      h = nodeHash(n);
      hashes.set(n, h);
    }
    return h;
  };
  const bound = loadBound(requests.length, nodeCount, factor);
  const rest: PlacementRequest[] = [];
  for (const r of requests) {
    if (r.preferred !== undefined && r.eligible.includes(r.preferred)) {
      out.set(r.key, r.preferred);
      load.set(r.preferred, (load.get(r.preferred) ?? 0) + 1);
    } else if (r.eligible.length > 0) rest.push(r);
  }
  rest.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const r of rest) {
    const k = fnv1a32(r.key);
    let best: string | undefined;
    let bestScore = -1;
    let open: string | undefined;
    let openScore = -1;
    for (const n of r.eligible) {
      const s = fmix32(k ^ hashOf(n));
      if (s > bestScore || (s === bestScore && best !== undefined && n < best)) {
        best = n;
        bestScore = s;
      }
      if (
        (load.get(n) ?? 0) < bound &&
        (s > openScore || (s === openScore && open !== undefined && n < open))
      ) {
        open = n;
        openScore = s;
      }
    }
    // Every eligible node full (few eligible, e.g. Local): the plain winner, over the bound.
    const chosen = open ?? best;
    if (chosen === undefined) continue;
    out.set(r.key, chosen);
    load.set(chosen, (load.get(chosen) ?? 0) + 1);
  }
  return out;
}
