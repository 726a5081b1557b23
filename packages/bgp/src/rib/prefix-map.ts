import { type Prefix, prefixKey } from '../wire/prefix.js';

/** An entry of a string-keyed prefix: the prefix object is kept to give it back when iterating. */
interface Keyed<V> {
  readonly prefix: Prefix;
  value: V;
}

/**
 * A map keyed by prefix and ADD-PATH path identifier (RFC 7911 §3), built for
 * tables of a million routes. IPv4 prefixes without a path identifier, by far the
 * most numerous, live in one Map per prefix length keyed by the address as a signed
 * 32-bit integer: V8 keeps such keys as small integers, with no allocation and cheap
 * hashing, where a key like `v4 * 64 + length` (above 2^31) would be a heap number
 * costing 16 more octets per route and about twice the time per operation.
 * Everything else (IPv6, ADD-PATH) is keyed by {@link prefixKey} text. Iteration
 * order is by IPv4 prefix length, then insertion; it is not global insertion order.
 */
export class PrefixMap<V> {
  readonly #v4: Map<number, V>[] = Array.from({ length: 33 }, () => new Map<number, V>());
  readonly #other = new Map<string, Keyed<V>>();
  /** Entries per AFI - 1. */
  readonly #count: [number, number] = [0, 0];

  /** Entries in all. */
  get size(): number {
    return this.#count[0] + this.#count[1];
  }

  /** Entries of one AFI (1 or 2). */
  count(afi: 1 | 2): number {
    return this.#count[afi - 1]!;
  }

  /** The value for `p` (prefix, length and path id), if any. */
  get(p: Prefix): V | undefined {
    return p.afi === 1 && p.pathId === undefined
      ? this.#v4[p.length]!.get(p.v4 | 0)
      : this.#other.get(prefixKey(p))?.value;
  }

  /** Whether `p` has a value. */
  has(p: Prefix): boolean {
    return p.afi === 1 && p.pathId === undefined
      ? this.#v4[p.length]!.has(p.v4 | 0)
      : this.#other.has(prefixKey(p));
  }

  /** Sets the value for `p`; for a prefix already present, the first prefix object given is kept. */
  set(p: Prefix, value: V): this {
    if (p.afi === 1 && p.pathId === undefined) {
      const m = this.#v4[p.length]!;
      const before = m.size;
      m.set(p.v4 | 0, value);
      if (m.size !== before) this.#count[0]++;
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
    const deleted =
      p.afi === 1 && p.pathId === undefined
        ? this.#v4[p.length]!.delete(p.v4 | 0)
        : this.#other.delete(prefixKey(p));
    if (deleted) this.#count[p.afi - 1]!--;
    return deleted;
  }

  /** Removes everything. */
  clear(): void {
    for (const m of this.#v4) m.clear();
    this.#other.clear();
    this.#count[0] = 0;
    this.#count[1] = 0;
  }

  /**
   * Every entry, or those of one AFI; IPv4 prefixes are rebuilt from their keys.
   * Entries may be set (existing prefixes) or deleted while iterating, as with a Map.
   */
  *entries(afi?: 1 | 2): Generator<[Prefix, V]> {
    if (afi !== 2) {
      for (let length = 0; length <= 32; length++) {
        for (const [k, v] of this.#v4[length]!) {
          yield [{ afi: 1, length, v4: k >>> 0, v6: undefined, pathId: undefined }, v];
        }
      }
    }
    for (const e of this.#other.values())
      if (afi === undefined || e.prefix.afi === afi) yield [e.prefix, e.value];
  }

  /** Every value, or those of one AFI. */
  *values(afi?: 1 | 2): Generator<V> {
    if (afi !== 2) for (const m of this.#v4) yield* m.values();
    for (const e of this.#other.values()) if (afi === undefined || e.prefix.afi === afi) yield e.value;
  }
}
