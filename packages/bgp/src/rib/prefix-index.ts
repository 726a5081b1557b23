import type { UnicastAfi } from '../wire/family.js';
import { type Prefix, prefixKey } from '../wire/prefix.js';
import { Ipv4SlotTable } from './ipv4-slot-table.js';

/**
 * The one prefix table of the RIBs: a map from prefix (with ADD-PATH path
 * identifier, RFC 7911 §3) to a small non-negative integer, for tables of a million
 * routes. The Adj-RIB-In keeps its path numbers here; {@link PrefixMap} (any value)
 * and `RouteTable` (the originated routes) keep an index into their own arrays. IPv4 prefixes
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
  readonly #v4: (Ipv4SlotTable | undefined)[] = new Array<Ipv4SlotTable | undefined>(33).fill(undefined);
  readonly #other = new Map<string, { readonly prefix: Prefix; value: number }>();
  readonly #count: [number, number] = [0, 0];
  /** Bumped whenever an IPv4 table is rebuilt or dropped, which moves entries between slots. */
  #generation = 0;

  /** Entries in all. */
  get size(): number {
    return this.#count[0] + this.#count[1];
  }

  /** Entries of one AFI (1 or 2). */
  count(afi: UnicastAfi): number {
    return this.#count[afi - 1]!;
  }

  /** IPv4 entries without path identifier, per prefix length (index 0..32). */
  ipv4Lengths(): number[] {
    return this.#v4.map((t) => t?.size ?? 0);
  }

  /**
   * Makes room for `counts[length]` IPv4 entries (without path identifier) of each
   * prefix length, so loading a table of known size rehashes nothing.
   */
  reserve(counts: readonly number[]): void {
    for (let length = 0; length <= 32; length++) {
      const n = counts[length] ?? 0;
      if (n <= 0) continue;
      let t = this.#v4[length];
      if (t === undefined) {
        t = new Ipv4SlotTable(length);
        this.#v4[length] = t;
      }
      if (t.reserve(n)) this.#generation++;
    }
  }

  /** The value for `p`, or -1. */
  get(p: Prefix): number {
    if (p.afi === 1 && p.pathId === undefined) {
      return (this.#v4[p.length]?.get(p.v4 | 0) ?? 0) - 1;
    }
    return this.#other.get(prefixKey(p))?.value ?? -1;
  }

  /** Sets the value (a non-negative integer below 2^31 - 1) for `p`; returns the previous one, or -1. */
  set(p: Prefix, value: number): number {
    if (p.afi === 1 && p.pathId === undefined) {
      let t = this.#v4[p.length];
      if (t === undefined) {
        t = new Ipv4SlotTable(p.length);
        this.#v4[p.length] = t;
      }
      const rebuilds = t.rebuilds;
      const old = t.set(p.v4 | 0, value + 1);
      if (t.rebuilds !== rebuilds) this.#generation++;
      if (old === 0) this.#count[0]++;
      return old - 1;
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
      const old = this.#v4[p.length]?.delete(p.v4 | 0) ?? 0;
      if (old > 0) this.#count[0]--;
      return old - 1;
    }
    const k = prefixKey(p);
    const e = this.#other.get(k);
    if (e === undefined) return -1;
    this.#other.delete(k);
    this.#count[p.afi - 1]!--;
    return e.value;
  }

  /** Removes everything, or every entry of one AFI. */
  clear(afi?: UnicastAfi): void {
    this.#generation++;
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
  *entries(afi?: UnicastAfi): Generator<[Prefix, number]> {
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

  /**
   * A walk over the entries of `afis` that exist now (see {@link PrefixWalk}), for
   * handing out a whole table in slices with other work in between.
   */
  walk(afis: readonly UnicastAfi[]): PrefixWalk {
    let length = 0;
    let slot = 0;
    let generation = this.#generation;
    let v4Done = !afis.includes(1);
    let other: Iterator<{ readonly prefix: Prefix; value: number }> | undefined;
    return {
      next: (max, visit) => {
        let n = 0;
        if (!v4Done) {
          if (generation !== this.#generation) {
            // The slots moved: start again (visiting some entries twice is harmless).
            generation = this.#generation;
            length = 0;
            slot = 0;
          }
          for (; length <= 32 && n < max; length++, slot = 0) {
            const t = this.#v4[length];
            if (t === undefined || t.size === 0) continue;
            const { keys, values } = t;
            const end = values.length;
            for (; slot < end && n < max; slot++) {
              const v = values[slot]!;
              if (v <= 0) continue;
              visit({ afi: 1, length, v4: keys[slot]! >>> 0, v6: undefined, pathId: undefined }, v - 1);
              n++;
            }
            if (slot < end) return true;
          }
          if (length <= 32) return true;
          v4Done = true;
        }
        other ??= this.#other.values();
        for (; n < max; ) {
          const r = other.next();
          if (r.done === true) return false;
          const e = r.value;
          if (!afis.includes(e.prefix.afi)) continue;
          visit(e.prefix, e.value);
          n++;
        }
        return true;
      },
    };
  }
}

/** A position in a {@link PrefixIndex} walk; see {@link PrefixIndex.walk}. */
export interface PrefixWalk {
  /**
   * Visits up to `max` entries that exist now and have not been visited; returns
   * false once every entry has been. An entry may be visited twice (when the index
   * grows during the walk), never missed, except one deleted before it was reached.
   */
  next(max: number, visit: (prefix: Prefix, value: number) => void): boolean;
}
