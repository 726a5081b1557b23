import type { UnicastAfi } from '../wire/family.js';
import type { Prefix } from '../wire/prefix.js';
import { PrefixIndex } from './prefix-index.js';
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
 * million host routes announced alike: a {@link PrefixIndex} maps each prefix to the
 * index of its template (no allocation per IPv4 insert), and templates are stored by
 * index with a reference count each.
 */
export class RouteTable {
  readonly #routes = new PrefixIndex();
  /** Templates by index; a freed index holds undefined until reused. */
  readonly #templates: (RouteTemplate | undefined)[] = [];
  #refs = new Int32Array(16);
  readonly #index = new Map<RouteTemplate, number>();
  readonly #free: number[] = [];
  #lastTemplate: RouteTemplate | undefined;
  #lastIndex = -1;

  /** Routes in all. */
  get size(): number {
    return this.#routes.size;
  }

  count(afi: UnicastAfi): number {
    return this.#routes.count(afi);
  }

  /** IPv4 routes (without path identifier) per prefix length (index 0..32). */
  ipv4Lengths(): number[] {
    return this.#routes.ipv4Lengths();
  }

  /** Routes using `template`. */
  refs(template: RouteTemplate): number {
    const i = this.#index.get(template);
    return i === undefined ? 0 : this.#refs[i]!;
  }

  get(p: Prefix): RouteTemplate | undefined {
    const i = this.#routes.get(p);
    return i < 0 ? undefined : this.#templates[i];
  }

  /** Sets the template of `p`; returns the one it replaces. */
  set(p: Prefix, template: RouteTemplate): RouteTemplate | undefined {
    const index = this.#indexOf(template);
    const was = this.#routes.set(p, index);
    const old = was < 0 ? undefined : this.#templates[was];
    if (old === template) return old;
    this.#refs[index]!++;
    if (old !== undefined) this.#release(old);
    return old;
  }

  /** Removes `p`; returns its template. */
  delete(p: Prefix): RouteTemplate | undefined {
    const was = this.#routes.delete(p);
    if (was < 0) return undefined;
    const old = this.#templates[was];
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
    const walk = this.#routes.walk(afis);
    const templates = this.#templates;
    return {
      next: (max, visit) => walk.next(max, (p, i) => visit(p, templates[i]!)),
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
}
