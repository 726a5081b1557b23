import { compareCodeUnits } from '../desired/code-unit-order.js';

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
  // The common case (a route's attributes, a peer, unchanged since the last pass) is decided
  // without serialising: at 10,000 VIPs the canonical JSON of both sides cost ~150 ms a pass.
  return plainEqual(a, b) || canonicalJson(a) === canonicalJson(b);
}

/**
 * True only when `a` and `b` are equal primitives (`===`), or arrays / plain objects whose
 * entries are so, recursively (a field holding `undefined` counts as absent, as in
 * {@link canonicalJson}); anything else (Maps, RegExps, class instances, NaN) answers false and
 * is left to the canonical JSON. So `plainEqual(a, b)` implies `canonicalJson(a) === canonicalJson(b)`.
 */
function plainEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!plainEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k of Object.keys(x)) {
    if (x[k] === undefined) continue;
    defined++;
    if (!plainEqual(x[k], y[k])) return false;
  }
  for (const k of Object.keys(y)) if (y[k] !== undefined) defined--;
  return defined === 0;
}

function isPlain(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

/** JSON with sorted keys; `undefined` fields dropped; Maps as sorted entries; RegExps as `/src/flags`. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
    if (v instanceof Map) return [...v.entries()].sort(([x], [y]) => compareCodeUnits(String(x), String(y)));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}
