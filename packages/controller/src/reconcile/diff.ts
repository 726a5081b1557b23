/**
 * The one shared diff: desired against applied, both keyed (by prefix or peer address).
 * Extras are removed, missing entries added, entries whose value differs changed; what is
 * equal is left alone, which is what keeps an unchanged VIP or peer untouched on reload.
 */

/** A change of an entry's value. */
export interface Change<V> {
  readonly from: V;
  readonly to: V;
}

/** What to do to make `applied` equal `desired`. */
export interface KeyedDiff<V> {
  /** In desired only. */
  readonly add: ReadonlyMap<string, V>;
  /** In applied only (with the applied value). */
  readonly remove: ReadonlyMap<string, V>;
  /** In both, with different values. */
  readonly change: ReadonlyMap<string, Change<V>>;
  /** How many keys are in both with equal values. */
  readonly unchanged: number;
}

/** Compares by key; values with `equal` (default: `===`). Pure. */
export function diffKeyed<V>(
  desired: ReadonlyMap<string, V>,
  applied: ReadonlyMap<string, V>,
  equal: (a: V, b: V) => boolean = (a, b) => a === b,
): KeyedDiff<V> {
  const add = new Map<string, V>();
  const remove = new Map<string, V>();
  const change = new Map<string, Change<V>>();
  let unchanged = 0;
  for (const [key, to] of desired) {
    if (!applied.has(key)) {
      add.set(key, to);
      continue;
    }
    const from = applied.get(key) as V;
    if (equal(from, to)) unchanged++;
    else change.set(key, { from, to });
  }
  for (const [key, from] of applied) if (!desired.has(key)) remove.set(key, from);
  return { add, remove, change, unchanged };
}

/** Whether a diff has nothing to do. */
export function isEmptyDiff<V>(diff: KeyedDiff<V>): boolean {
  return diff.add.size === 0 && diff.remove.size === 0 && diff.change.size === 0;
}

/**
 * Structural equality of plain data (objects, arrays, maps, primitives), for comparing
 * configuration values such as a peer or a route's attributes.
 */
export function sameData(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with sorted keys; `undefined` fields dropped; Maps as sorted entries; RegExps as `/src/flags`. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
    if (v instanceof Map) return [...v.entries()].sort(([x], [y]) => String(x).localeCompare(String(y)));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}
