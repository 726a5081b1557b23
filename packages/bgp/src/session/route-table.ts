import { type Prefix, prefixKey } from '../wire/prefix.js';
import type { RouteTemplate } from './route-template.js';

/** One IPv4 prefix length's open-addressing table: keys are addresses, values template indexes. */
class Ipv4Slots {
  /** Host bits of the prefix length, shifted away before hashing (32 for /0). */
  readonly shift: number;
  readonly keys: Int32Array;
  /** Template index + 1 per slot; 0 empty, -1 deleted (a tombstone keeps probe chains intact). */
  readonly values: Int32Array;
  readonly mask: number;
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
 * The first slot to probe for `key` in `t`: multiplicative hashing of the network
 * number (the address without its host bits, so that /24s, whose low octet is always
 * 0, spread as well as /32s). Bits 7 and up of the product are used: consecutive
 * networks, as bulk announcements make them, then land at a constant stride, which
 * the CPU prefetches well (measured 3–4× faster to load than the top bits).
 */
function slotOf(t: Ipv4Slots, key: number): number {
  const net = t.shift === 32 ? 0 : key >>> t.shift;
  return (Math.imul(net, 0x9e3779b1) >>> 7) & t.mask;
}

/** A position in a {@link RouteTable} walk; see {@link RouteTable.walk}. */
export interface RouteWalk {
  /**
   * Visits up to `max` routes that exist now and have not been visited; returns
   * false once every route has been. A route may be visited twice (when the table
   * grows during the walk), never missed, except one deleted before it was reached.
   */
  next(max: number, visit: (prefix: Prefix, template: RouteTemplate) => void): boolean;
}

/**
 * The locally originated routes: one {@link RouteTemplate} per prefix. Built for a
 * million host routes announced alike: IPv4 prefixes without path identifier live in
 * one open-addressing table per prefix length (two Int32Array slots per route, a few
 * octets each, and no allocation per insert), templates are stored by index with a
 * reference count each; IPv6 prefixes use a Map keyed by {@link prefixKey}.
 */
export class RouteTable {
  readonly #v4: (Ipv4Slots | undefined)[] = new Array<Ipv4Slots | undefined>(33).fill(undefined);
  readonly #other = new Map<string, { readonly prefix: Prefix; template: RouteTemplate }>();
  /** Templates by index; a freed index holds undefined until reused. */
  readonly #templates: (RouteTemplate | undefined)[] = [];
  #refs = new Int32Array(16);
  readonly #index = new Map<RouteTemplate, number>();
  readonly #free: number[] = [];
  #lastTemplate: RouteTemplate | undefined;
  #lastIndex = -1;
  #count4 = 0;
  #count6 = 0;
  /** Bumped whenever an IPv4 table is rebuilt, which moves routes between slots. */
  #generation = 0;

  /** Routes in all, or of one AFI. */
  get size(): number {
    return this.#count4 + this.#count6;
  }

  count(afi: 1 | 2): number {
    return afi === 1 ? this.#count4 : this.#count6;
  }

  /** Routes using `template`. */
  refs(template: RouteTemplate): number {
    const i = this.#index.get(template);
    return i === undefined ? 0 : this.#refs[i]!;
  }

  get(p: Prefix): RouteTemplate | undefined {
    if (p.afi === 1 && p.pathId === undefined) {
      const t = this.#v4[p.length];
      if (t === undefined) return undefined;
      const key = p.v4 | 0;
      for (let i = slotOf(t, key); ; i = (i + 1) & t.mask) {
        const v = t.values[i]!;
        if (v === EMPTY) return undefined;
        if (v !== DELETED && t.keys[i] === key) return this.#templates[v - 1];
      }
    }
    return this.#other.get(prefixKey(p))?.template;
  }

  /** Sets the template of `p`; returns the one it replaces. */
  set(p: Prefix, template: RouteTemplate): RouteTemplate | undefined {
    const index = this.#indexOf(template);
    let old: RouteTemplate | undefined;
    if (p.afi === 1 && p.pathId === undefined) {
      old = this.#setV4(p.length, p.v4 | 0, index + 1);
    } else {
      const key = prefixKey(p);
      const e = this.#other.get(key);
      if (e === undefined) {
        this.#other.set(key, { prefix: p, template });
        if (p.afi === 1) this.#count4++;
        else this.#count6++;
      } else {
        old = e.template;
        e.template = template;
      }
    }
    if (old === template) return old;
    this.#refs[index]!++;
    if (old !== undefined) this.#release(old);
    return old;
  }

  /** Removes `p`; returns its template. */
  delete(p: Prefix): RouteTemplate | undefined {
    let old: RouteTemplate | undefined;
    if (p.afi === 1 && p.pathId === undefined) {
      const t = this.#v4[p.length];
      if (t === undefined) return undefined;
      const key = p.v4 | 0;
      for (let i = slotOf(t, key); ; i = (i + 1) & t.mask) {
        const v = t.values[i]!;
        if (v === EMPTY) return undefined;
        if (v !== DELETED && t.keys[i] === key) {
          t.values[i] = DELETED;
          t.size--;
          this.#count4--;
          old = this.#templates[v - 1];
          break;
        }
      }
    } else {
      const key = prefixKey(p);
      const e = this.#other.get(key);
      if (e === undefined) return undefined;
      this.#other.delete(key);
      if (p.afi === 1) this.#count4--;
      else this.#count6--;
      old = e.template;
    }
    if (old !== undefined) this.#release(old);
    return old;
  }

  /** Every route (one AFI or all), as fresh Prefix objects; IPv4 in no particular order. */
  *entries(afi?: 1 | 2): Generator<[Prefix, RouteTemplate]> {
    const batch: [Prefix, RouteTemplate][] = [];
    const walk = this.walk(afi === undefined ? [1, 2] : [afi]);
    for (;;) {
      const more = walk.next(4096, (p, t) => batch.push([p, t]));
      yield* batch;
      batch.length = 0;
      if (!more) return;
    }
  }

  /** A walk over the routes of `afis` (see {@link RouteWalk}), for sending a whole table in slices. */
  walk(afis: readonly (1 | 2)[]): RouteWalk {
    let length = 0;
    let slot = 0;
    let generation = this.#generation;
    let v4Done = !afis.includes(1);
    let other: Iterator<{ readonly prefix: Prefix; template: RouteTemplate }> | undefined;
    return {
      next: (max, visit) => {
        let n = 0;
        if (!v4Done) {
          if (generation !== this.#generation) {
            // The slots moved: start again (visiting some routes twice is harmless).
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
              visit(
                { afi: 1, length, v4: keys[slot]! >>> 0, v6: undefined, pathId: undefined },
                this.#templates[v - 1]!,
              );
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
          visit(e.prefix, e.template);
          n++;
        }
        return true;
      },
    };
  }

  #indexOf(template: RouteTemplate): number {
    if (template === this.#lastTemplate) return this.#lastIndex;
    let i = this.#index.get(template);
    if (i === undefined) {
      i = this.#free.pop() ?? this.#templates.length;
      this.#templates[i] = template;
      this.#index.set(template, i);
      if (i >= this.#refs.length) {
        const grown = new Int32Array(this.#refs.length * 2);
        grown.set(this.#refs);
        this.#refs = grown;
      }
      this.#refs[i] = 0;
    }
    this.#lastTemplate = template;
    this.#lastIndex = i;
    return i;
  }

  #release(template: RouteTemplate): void {
    const i = this.#index.get(template);
    if (i === undefined) return;
    if (--this.#refs[i]! > 0) return;
    this.#index.delete(template);
    this.#templates[i] = undefined;
    this.#free.push(i);
    if (this.#lastTemplate === template) this.#lastTemplate = undefined;
  }

  /** Inserts or replaces; returns the replaced template. `value` is template index + 1. */
  #setV4(length: number, key: number, value: number): RouteTemplate | undefined {
    let t = this.#v4[length];
    if (t === undefined) {
      t = new Ipv4Slots(length, INITIAL_CAPACITY);
      this.#v4[length] = t;
    } else if ((t.used + 1) * 2 > t.values.length) {
      t = this.#rebuild(length, t);
    }
    let tomb = -1;
    for (let i = slotOf(t, key); ; i = (i + 1) & t.mask) {
      const v = t.values[i]!;
      if (v === EMPTY) {
        const at = tomb >= 0 ? tomb : i;
        if (tomb < 0) t.used++;
        t.keys[at] = key;
        t.values[at] = value;
        t.size++;
        this.#count4++;
        return undefined;
      }
      if (v === DELETED) {
        if (tomb < 0) tomb = i;
      } else if (t.keys[i] === key) {
        t.values[i] = value;
        return this.#templates[v - 1];
      }
    }
  }

  /** A table with room for two to three times the live entries, without tombstones. */
  #rebuild(length: number, old: Ipv4Slots): Ipv4Slots {
    let capacity = INITIAL_CAPACITY;
    while (capacity < (old.size + 1) * 3) capacity *= 2;
    const t = new Ipv4Slots(length, capacity);
    for (let i = 0; i < old.values.length; i++) {
      const v = old.values[i]!;
      if (v <= 0) continue;
      const key = old.keys[i]!;
      let j = slotOf(t, key);
      while (t.values[j] !== EMPTY) j = (j + 1) & t.mask;
      t.keys[j] = key;
      t.values[j] = v;
    }
    t.size = old.size;
    t.used = old.size;
    this.#v4[length] = t;
    this.#generation++;
    return t;
  }
}
