import type { UnicastAfi } from '../wire/family.js';
import { type Prefix, prefixKey } from '../wire/prefix.js';

/** An entry of a string-keyed prefix: the prefix object is kept to give it back when iterating. */
interface Keyed<V> {
  readonly prefix: Prefix;
  value: V;
}

const EMPTY = 0;
const USED = 1;
const DELETED = 2;
const INITIAL_CAPACITY = 16;

/** One IPv4 prefix length's open-addressing table (linear probing, tombstones on delete). */
class Ipv4Table<V> {
  /** Host bits of the prefix length, shifted away before hashing (32 for /0). */
  readonly shift: number;
  keys: Int32Array;
  /** EMPTY, USED or DELETED per slot. */
  state: Uint8Array;
  values: (V | undefined)[];
  mask: number;
  /** Live entries. */
  size = 0;
  /** Live entries and tombstones. */
  used = 0;

  constructor(length: number, capacity: number) {
    this.shift = 32 - length;
    this.keys = new Int32Array(capacity);
    this.state = new Uint8Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  slotOf(key: number): number {
    const net = this.shift === 32 ? 0 : key >>> this.shift;
    return (Math.imul(net, 0x9e3779b1) >>> 7) & this.mask;
  }

  /** The slot holding `key`, or -1. */
  find(key: number): number {
    const { keys, state, mask } = this;
    for (let i = this.slotOf(key); ; i = (i + 1) & mask) {
      const s = state[i]!;
      if (s === EMPTY) return -1;
      if (s === USED && keys[i] === key) return i;
    }
  }

  /** The slot of `key`, claimed (state USED, value undefined) if it was absent; `added` says which. */
  claim(key: number): number {
    const { keys, state, mask } = this;
    let tomb = -1;
    for (let i = this.slotOf(key); ; i = (i + 1) & mask) {
      const s = state[i]!;
      if (s === EMPTY) {
        const at = tomb >= 0 ? tomb : i;
        if (tomb < 0) this.used++;
        keys[at] = key;
        state[at] = USED;
        this.size++;
        this.added = true;
        return at;
      }
      if (s === DELETED) {
        if (tomb < 0) tomb = i;
      } else if (keys[i] === key) {
        this.added = false;
        return i;
      }
    }
  }

  /** Whether the last {@link claim} added its key. */
  added = false;

  /** Whether the table should be rebuilt (over half its slots in use or dead). */
  get crowded(): boolean {
    return this.used * 2 > this.keys.length;
  }

  /** Rehashes into twice the slots (or as many, when tombstones filled it). */
  rebuild(): void {
    const { keys: oldKeys, state: oldState, values: oldValues } = this;
    const capacity = this.size * 4 > oldKeys.length ? oldKeys.length * 2 : oldKeys.length;
    this.keys = new Int32Array(capacity);
    this.state = new Uint8Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.used = this.size;
    const { keys, state, values, mask } = this;
    for (let j = 0; j < oldState.length; j++) {
      if (oldState[j] !== USED) continue;
      const key = oldKeys[j]!;
      let i = this.slotOf(key);
      while (state[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = key;
      state[i] = USED;
      values[i] = oldValues[j];
    }
  }
}

/**
 * A map keyed by prefix and ADD-PATH path identifier (RFC 7911 §3), built for
 * tables of a million routes. IPv4 prefixes without a path identifier, by far the
 * most numerous, live in one open-addressing table per prefix length: the address
 * in an Int32Array, the value in a plain array, one probe sequence per operation,
 * and the hashing of the session's route table (consecutive networks at a constant
 * stride), so walking that table into this one touches memory in order. A V8 Map
 * walks its buckets and entry chains for each get and again for each set.
 * Everything else (IPv6, ADD-PATH) is keyed by {@link prefixKey} text. Iteration
 * order is by IPv4 prefix length, then slot; it is not insertion order.
 */
export class PrefixMap<V> {
  readonly #v4: (Ipv4Table<V> | undefined)[] = new Array<Ipv4Table<V> | undefined>(33).fill(undefined);
  readonly #other = new Map<string, Keyed<V>>();
  /** Entries per AFI - 1. */
  readonly #count: [number, number] = [0, 0];

  /** Entries in all. */
  get size(): number {
    return this.#count[0] + this.#count[1];
  }

  /** Entries of one AFI (1 or 2). */
  count(afi: UnicastAfi): number {
    return this.#count[afi - 1]!;
  }

  /** The value for `p` (prefix, length and path id), if any. */
  get(p: Prefix): V | undefined {
    if (p.afi === 1 && p.pathId === undefined) {
      const t = this.#v4[p.length];
      if (t === undefined) return undefined;
      const i = t.find(p.v4 | 0);
      return i < 0 ? undefined : t.values[i];
    }
    return this.#other.get(prefixKey(p))?.value;
  }

  /** Whether `p` has a value. */
  has(p: Prefix): boolean {
    if (p.afi === 1 && p.pathId === undefined) {
      const t = this.#v4[p.length];
      return t !== undefined && t.find(p.v4 | 0) >= 0;
    }
    return this.#other.has(prefixKey(p));
  }

  /** Sets the value for `p`; for a prefix already present, the first prefix object given is kept. */
  set(p: Prefix, value: V): this {
    if (p.afi === 1 && p.pathId === undefined) {
      let t = this.#v4[p.length];
      if (t === undefined) {
        t = new Ipv4Table<V>(p.length, INITIAL_CAPACITY);
        this.#v4[p.length] = t;
      }
      const i = t.claim(p.v4 | 0);
      t.values[i] = value;
      if (t.added) {
        this.#count[0]++;
        if (t.crowded) t.rebuild();
      }
    } else {
      const key = prefixKey(p);
      const e = this.#other.get(key);
      if (e !== undefined) {
        e.value = value;
      } else {
        this.#other.set(key, { prefix: p, value });
        this.#count[p.afi - 1]!++;
      }
    }
    return this;
  }

  /** Removes `p`; whether it was present. */
  delete(p: Prefix): boolean {
    if (p.afi === 1 && p.pathId === undefined) {
      const t = this.#v4[p.length];
      if (t === undefined) return false;
      const i = t.find(p.v4 | 0);
      if (i < 0) return false;
      t.state[i] = DELETED;
      t.values[i] = undefined;
      t.size--;
      this.#count[0]--;
      return true;
    }
    const deleted = this.#other.delete(prefixKey(p));
    if (deleted) this.#count[p.afi - 1]!--;
    return deleted;
  }

  /** Removes everything. */
  clear(): void {
    this.#v4.fill(undefined);
    this.#other.clear();
    this.#count[0] = 0;
    this.#count[1] = 0;
  }

  /**
   * Every entry, or those of one AFI; IPv4 prefixes are rebuilt from their keys.
   * Entries may be set (existing prefixes) or deleted while iterating; adding a new
   * prefix may rebuild a table and move entries.
   */
  *entries(afi?: UnicastAfi): Generator<[Prefix, V]> {
    if (afi !== 2) {
      for (let length = 0; length <= 32; length++) {
        const t = this.#v4[length];
        if (t === undefined || t.size === 0) continue;
        for (let i = 0; i < t.state.length; i++) {
          if (t.state[i] !== USED) continue;
          yield [
            { afi: 1, length, v4: t.keys[i]! >>> 0, v6: undefined, pathId: undefined },
            t.values[i] as V,
          ];
        }
      }
    }
    for (const e of this.#other.values())
      if (afi === undefined || e.prefix.afi === afi) yield [e.prefix, e.value];
  }

  /** Every value, or those of one AFI. */
  *values(afi?: UnicastAfi): Generator<V> {
    if (afi !== 2) {
      for (const t of this.#v4) {
        if (t === undefined || t.size === 0) continue;
        for (let i = 0; i < t.state.length; i++) if (t.state[i] === USED) yield t.values[i] as V;
      }
    }
    for (const e of this.#other.values()) if (afi === undefined || e.prefix.afi === afi) yield e.value;
  }
}
