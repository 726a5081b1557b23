import { Ipv4SlotTable } from '../rib/ipv4-slot-table.js';
import type { UnicastAfi } from '../wire/family.js';
import { type Prefix, prefixKey } from '../wire/prefix.js';
import type { RouteTemplate } from './route-template.js';

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
  readonly #v4: (Ipv4SlotTable | undefined)[] = new Array<Ipv4SlotTable | undefined>(33).fill(undefined);
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

  count(afi: UnicastAfi): number {
    return afi === 1 ? this.#count4 : this.#count6;
  }

  /** Routes using `template`. */
  refs(template: RouteTemplate): number {
    const i = this.#index.get(template);
    return i === undefined ? 0 : this.#refs[i]!;
  }

  get(p: Prefix): RouteTemplate | undefined {
    if (p.afi === 1 && p.pathId === undefined) {
      const v = this.#v4[p.length]?.get(p.v4 | 0) ?? 0;
      return v === 0 ? undefined : this.#templates[v - 1];
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
      const v = this.#v4[p.length]?.delete(p.v4 | 0) ?? 0;
      if (v === 0) return undefined;
      this.#count4--;
      old = this.#templates[v - 1];
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
  *entries(afi?: UnicastAfi): Generator<[Prefix, RouteTemplate]> {
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
  walk(afis: readonly UnicastAfi[]): RouteWalk {
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
      t = new Ipv4SlotTable(length);
      this.#v4[length] = t;
    }
    const rebuilds = t.rebuilds;
    const v = t.set(key, value);
    if (t.rebuilds !== rebuilds) this.#generation++;
    if (v === 0) {
      this.#count4++;
      return undefined;
    }
    return this.#templates[v - 1];
  }
}
