import type { UnicastAfi } from '../wire/family.js';
import type { Prefix } from '../wire/prefix.js';
import { PrefixIndex } from './prefix-index.js';

/**
 * A map keyed by prefix and ADD-PATH path identifier (RFC 7911 §3), for any value:
 * a {@link PrefixIndex} gives each prefix a slot of a plain array that holds the
 * value. Freed slots are reused. IPv4 lookups therefore cost one probe of the
 * index's open-addressing table (a V8 Map walks its buckets for each get and again
 * for each set). Iteration order is the index's: by IPv4 prefix length, then slot;
 * not insertion order.
 */
export class PrefixMap<V> {
  readonly #index = new PrefixIndex();
  #values: (V | undefined)[] = [];
  readonly #free: number[] = [];

  /** Entries in all. */
  get size(): number {
    return this.#index.size;
  }

  /** Entries of one AFI (1 or 2). */
  count(afi: UnicastAfi): number {
    return this.#index.count(afi);
  }

  /** Makes room for `counts[length]` IPv4 entries of each prefix length (see `PrefixIndex.reserve`). */
  reserve(counts: readonly number[]): void {
    this.#index.reserve(counts);
  }

  /** The value for `p` (prefix, length and path id), if any. */
  get(p: Prefix): V | undefined {
    const i = this.#index.get(p);
    return i < 0 ? undefined : this.#values[i];
  }

  /** Whether `p` has a value. */
  has(p: Prefix): boolean {
    return this.#index.get(p) >= 0;
  }

  /** Sets the value for `p`; for a prefix already present, the first prefix object given is kept. */
  set(p: Prefix, value: V): this {
    // A replacement (the common case: a route's state changes in place) writes only the
    // value array; a new prefix costs a second probe to enter it in the index.
    const at = this.#index.get(p);
    if (at >= 0) {
      this.#values[at] = value;
      return this;
    }
    const slot = this.#free.pop() ?? this.#values.length;
    this.#values[slot] = value;
    this.#index.set(p, slot);
    return this;
  }

  /** Removes `p`; whether it was present. */
  delete(p: Prefix): boolean {
    const i = this.#index.delete(p);
    if (i < 0) return false;
    this.#values[i] = undefined;
    this.#free.push(i);
    return true;
  }

  /** Removes everything. */
  clear(): void {
    this.#index.clear();
    this.#values = [];
    this.#free.length = 0;
  }

  /**
   * Every entry, or those of one AFI; IPv4 prefixes are rebuilt from their keys.
   * Entries may be set (existing prefixes) or deleted while iterating; adding a new
   * prefix may rebuild a table and move entries.
   */
  *entries(afi?: UnicastAfi): Generator<[Prefix, V]> {
    for (const [p, i] of this.#index.entries(afi)) yield [p, this.#values[i] as V];
  }

  /** Every value, or those of one AFI. */
  *values(afi?: UnicastAfi): Generator<V> {
    for (const [, i] of this.#index.entries(afi)) yield this.#values[i] as V;
  }
}
