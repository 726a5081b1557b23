/**
 * Damping of weight changes, pure: a rolling update moves endpoints one Pod at a time, and each
 * move would otherwise re-announce the VIP. Like BGP's MinRouteAdvertisementIntervalTimer
 * (RFC 4271 §9.2.1.1), per VIP: a changed weight is published at once if the last one was
 * published at least `intervalMs` ago, else held and published, at its latest value, when the
 * interval ends. The bound: at most one weight UPDATE per VIP per interval, and the weight the
 * router holds is never more than one interval (plus a pass) behind the endpoints. A VIP newly
 * announced carries its weight from the first UPDATE; one no longer weighted is forgotten.
 */

/** What was published per VIP address, and when (the caller's monotonic ms). */
export type DampingState = ReadonlyMap<string, { readonly weight: number; readonly atMs: number }>;

export const initialDampingState: DampingState = new Map();

export interface DampedWeights {
  readonly state: DampingState;
  /** The weights to announce now. */
  readonly weights: ReadonlyMap<string, number>;
  /** When a held change falls due; undefined: none held. */
  readonly nextWakeMs: number | undefined;
}

export function dampWeights(
  prev: DampingState,
  wanted: ReadonlyMap<string, number>,
  nowMs: number,
  intervalMs: number,
): DampedWeights {
  const state = new Map<string, { readonly weight: number; readonly atMs: number }>();
  const weights = new Map<string, number>();
  let nextWakeMs: number | undefined;
  for (const [address, weight] of wanted) {
    const p = prev.get(address);
    if (p === undefined || p.weight === weight || nowMs - p.atMs >= intervalMs) {
      const entry = p !== undefined && p.weight === weight ? p : { weight, atMs: nowMs };
      state.set(address, entry);
      weights.set(address, weight);
      continue;
    }
    state.set(address, p);
    weights.set(address, p.weight);
    const due = p.atMs + intervalMs;
    nextWakeMs = nextWakeMs === undefined ? due : Math.min(nextWakeMs, due);
  }
  return { state, weights, nextWakeMs };
}
