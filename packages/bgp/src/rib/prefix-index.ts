import { type Prefix, prefixKey } from '../wire/prefix.js';

/**
 * One IPv4 prefix length's open-addressing table from address to a small
 * non-negative integer, in two Int32Arrays (linear probing, tombstones on delete).
 */
class Ipv4Slots {
  /** Host bits of the prefix length, shifted away before hashing (32 for /0). */
  readonly shift: number;
  keys: Int32Array;
  /** Value + 1 per slot; 0 empty, -1 deleted (a tombstone keeps probe chains intact). */
  values: Int32Array;
  mask: number;
  /** Live entries. */
  size = 0;
  /** Live entries and tombstones. */
  used = 0;

  constructor(length: number, capacity: number) {
    this.shift = 32 - length;
    this.keys = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }
}

const EMPTY = 0;
const DELETED = -1;
const INITIAL_CAPACITY = 16;

/**
 * The first slot to probe for `key`: multiplicative hashing of the network number
 * (the address without its host bits, so /24s spread as well as /32s). Bits 7 and up
 * of the product are used, so consecutive networks, as a router sends a table, land
 * at a constant stride, which the CPU prefetches well.
 */
function slotOf(t: Ipv4Slots, key: number): number {
  const net = t.shift === 32 ? 0 : key >>> t.shift;
  return (Math.imul(net, 0x9e3779b1) >>> 7) & t.mask;
}

/**
 * A map from prefix (with ADD-PATH path identifier, RFC 7911 §3) to a small
 * non-negative integer, for an Adj-RIB-In of a million routes. IPv4 prefixes
 * without path identifier live in one open-addressing table per prefix length:
 * eight octets a slot, at most half the slots used, in typed arrays that the
 * garbage collector never traces, and one probe sequence for a get-and-set. A V8
 * Map costs about twice the memory and two hash walks per replaced route. Other
 * prefixes (IPv6, ADD-PATH) use a Map keyed by {@link prefixKey}.
 *
 * Entries may be deleted or have their value set while {@link entries} iterates;
 * adding a new prefix then may move entries, as growing rebuilds a table.
 */
export class PrefixIndex {
  readonly #v4: (Ipv4Slots | undefined)[] = new Array<Ipv4Slots | undefined>(33).fill(undefined);
  readonly #other = new Map<string, { readonly prefix: Prefix; value: number }>();
  readonly #count: [number, number] = [0, 0];

  /** Entries in all. */
  get size(): number {
    return this.#count[0] + this.#count[1];
  }

  /** Entries of one AFI (1 or 2). */
  count(afi: 1 | 2): number {
    return this.#count[afi - 1]!;
  }

  /** The value for `p`, or -1. */
  get(p: Prefix): number {
    if (p.afi === 1 && p.pathId === undefined) {
      const t = this.#v4[p.length];
      if (t === undefined) return -1;
      const key = p.v4 | 0;
      const { keys, values, mask } = t;
      for (let i = slotOf(t, key); ; i = (i + 1) & mask) {
        const v = values[i]!;
        if (v === EMPTY) return -1;
        if (v !== DELETED && keys[i] === key) return v - 1;
      }
    }
    return this.#other.get(prefixKey(p))?.value ?? -1;
  }

  /** Sets the value (a non-negative integer below 2^31 - 1) for `p`; returns the previous one, or -1. */
  set(p: Prefix, value: number): number {
    if (p.afi === 1 && p.pathId === undefined) {
      let t = this.#v4[p.length];
      if (t === undefined) {
        t = new Ipv4Slots(p.length, INITIAL_CAPACITY);
        this.#v4[p.length] = t;
      }
      const key = p.v4 | 0;
      let tomb = -1;
      const { keys, values, mask } = t;
      for (let i = slotOf(t, key); ; i = (i + 1) & mask) {
        const v = values[i]!;
        if (v === EMPTY) {
          // New: into the first tombstone passed, else this empty slot.
          const at = tomb >= 0 ? tomb : i;
          if (tomb < 0) t.used++;
          keys[at] = key;
          values[at] = value + 1;
          t.size++;
          this.#count[0]++;
          if (t.used * 2 > keys.length) this.#rebuild(t);
          return -1;
        }
        if (v === DELETED) {
          if (tomb < 0) tomb = i;
        } else if (keys[i] === key) {
          values[i] = value + 1;
          return v - 1;
        }
      }
    }
    const k = prefixKey(p);
    const e = this.#other.get(k);
    if (e !== undefined) {
      const old = e.value;
      e.value = value;
      return old;
    }
    this.#other.set(k, { prefix: p, value });
    this.#count[p.afi - 1]!++;
    return -1;
  }

  /** Removes `p`; returns its value, or -1 if it was absent. */
  delete(p: Prefix): number {
    if (p.afi === 1 && p.pathId === undefined) {
      const t = this.#v4[p.length];
      if (t === undefined) return -1;
      const key = p.v4 | 0;
      const { keys, values, mask } = t;
      for (let i = slotOf(t, key); ; i = (i + 1) & mask) {
        const v = values[i]!;
        if (v === EMPTY) return -1;
        if (v !== DELETED && keys[i] === key) {
          values[i] = DELETED;
          t.size--;
          this.#count[0]--;
          return v - 1;
        }
      }
    }
    const k = prefixKey(p);
    const e = this.#other.get(k);
    if (e === undefined) return -1;
    this.#other.delete(k);
    this.#count[p.afi - 1]!--;
    return e.value;
  }

  /** Removes everything, or every entry of one AFI. */
  clear(afi?: 1 | 2): void {
    if (afi === undefined) {
      this.#v4.fill(undefined);
      this.#other.clear();
      this.#count[0] = 0;
      this.#count[1] = 0;
      return;
    }
    if (afi === 1) {
      for (const t of this.#v4) if (t !== undefined) this.#count[0] -= t.size;
      this.#v4.fill(undefined);
    }
    for (const [k, e] of this.#other) {
      if (e.prefix.afi === afi) {
        this.#other.delete(k);
        this.#count[afi - 1]!--;
      }
    }
  }

  /** Every entry, or those of one AFI; IPv4 prefixes are rebuilt from their keys. */
  *entries(afi?: 1 | 2): Generator<[Prefix, number]> {
    if (afi !== 2) {
      for (let length = 0; length <= 32; length++) {
        const t = this.#v4[length];
        if (t === undefined || t.size === 0) continue;
        // Read through `t` each time: a set of a new prefix during iteration may rebuild it.
        for (let i = 0; i < t.values.length; i++) {
          const v = t.values[i]!;
          if (v > 0)
            yield [{ afi: 1, length, v4: t.keys[i]! >>> 0, v6: undefined, pathId: undefined }, v - 1];
        }
      }
    }
    for (const e of this.#other.values()) {
      if (afi === undefined || e.prefix.afi === afi) yield [e.prefix, e.value];
    }
  }

  /** Rehashes `t` into twice the slots (or as many, when tombstones filled it). */
  #rebuild(t: Ipv4Slots): void {
    const oldKeys = t.keys;
    const oldValues = t.values;
    const capacity = t.size * 4 > oldKeys.length ? oldKeys.length * 2 : oldKeys.length;
    t.keys = new Int32Array(capacity);
    t.values = new Int32Array(capacity);
    t.mask = capacity - 1;
    t.used = t.size;
    const { keys, values, mask } = t;
    for (let j = 0; j < oldValues.length; j++) {
      const v = oldValues[j]!;
      if (v <= 0) continue;
      const key = oldKeys[j]!;
      let i = slotOf(t, key);
      while (values[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = key;
      values[i] = v;
    }
  }
}
