import type { UnicastAfi } from '../wire/family.js';
import type { AttributeSet } from './attribute-set.js';

/**
 * The paths of one Adj-RIB-In, each an attribute set, a next hop, a family and the
 * Graceful Restart epoch it was received in, named by a small integer. A RIB then
 * stores one integer per route instead of an object: V8 keeps small integers
 * unboxed in a Map, so a million routes that share a few paths cost a Map entry
 * each and nothing the garbage collector has to trace (RFC 4271 §4.3: one attribute
 * list, many NLRI, is how routes arrive anyway).
 *
 * A path holds one reference to its attribute set, whatever the number of routes
 * using it; it counts those routes itself and is freed, its index reused, when the
 * last one goes. {@link intern} gives the same path for the same (set, next hop)
 * until {@link newEpoch} starts a new epoch for the family; after that the same
 * attributes get a fresh path, which is how a route received again after a restart
 * is told apart from a stale one (RFC 4724 §4.2) without touching every route.
 */
export class PathTable {
  readonly #set: (AttributeSet | undefined)[] = [];
  readonly #nextHop: string[] = [];
  readonly #afi: UnicastAfi[] = [];
  readonly #epoch: number[] = [];
  readonly #routes: number[] = [];
  readonly #free: number[] = [];
  /** Per AFI - 1: the current epoch's path for (set, next hop). */
  readonly #current: [Map<AttributeSet, Map<string, number>>, Map<AttributeSet, Map<string, number>>] = [
    new Map(),
    new Map(),
  ];
  readonly #epochOf: [number, number] = [0, 0];
  #clock = 0;

  /** Paths in use. */
  get size(): number {
    return this.#set.length - this.#free.length;
  }

  /**
   * The current epoch's path for `set` and `nextHop` in `afi`, created if new (taking
   * a reference to `set`). A new path with no route is freed by {@link unused}.
   */
  intern(afi: UnicastAfi, set: AttributeSet, nextHop: string): number {
    const bySet = this.#current[afi - 1]!;
    let byHop = bySet.get(set);
    if (byHop === undefined) {
      byHop = new Map();
      bySet.set(set, byHop);
    }
    const found = byHop.get(nextHop);
    if (found !== undefined) return found;
    const p = this.#free.pop() ?? this.#set.length;
    this.#set[p] = set.retain();
    this.#nextHop[p] = nextHop;
    this.#afi[p] = afi;
    this.#epoch[p] = this.#epochOf[afi - 1]!;
    this.#routes[p] = 0;
    byHop.set(nextHop, p);
    return p;
  }

  /** Starts a new epoch for `afi`: every path already held becomes stale. */
  newEpoch(afi: UnicastAfi): void {
    this.#epochOf[afi - 1] = ++this.#clock;
    this.#current[afi - 1]!.clear();
  }

  /** Whether path `p` predates the last {@link newEpoch} of its family. */
  isStale(p: number): boolean {
    return this.#epoch[p]! < this.#epochOf[this.#afi[p]! - 1]!;
  }

  /** Whether paths `p` and `q` carry the same attribute set and next hop (epochs aside). */
  sameRoute(p: number, q: number): boolean {
    return this.#set[p] === this.#set[q] && this.#nextHop[p] === this.#nextHop[q];
  }

  attributes(p: number): AttributeSet {
    return this.#set[p]!;
  }

  nextHop(p: number): string {
    return this.#nextHop[p]!;
  }

  /** One more route uses `p`. */
  use(p: number): void {
    this.#routes[p]!++;
  }

  /** One route less uses `p`; the last one frees it. */
  drop(p: number): void {
    if (--this.#routes[p]! === 0) this.#freePath(p);
  }

  /** Frees `p` if no route uses it (a path interned for an UPDATE that added nothing). */
  unused(p: number): void {
    if (this.#routes[p] === 0) this.#freePath(p);
  }

  /** Frees every path of `afi`, or every path. */
  clear(afi?: UnicastAfi): void {
    for (let p = 0; p < this.#set.length; p++) {
      if (this.#set[p] !== undefined && (afi === undefined || this.#afi[p] === afi)) this.#freePath(p);
    }
  }

  #freePath(p: number): void {
    const set = this.#set[p]!;
    const afi = this.#afi[p]!;
    const byHop = this.#current[afi - 1]!.get(set);
    if (byHop !== undefined && byHop.get(this.#nextHop[p]!) === p) {
      byHop.delete(this.#nextHop[p]!);
      if (byHop.size === 0) this.#current[afi - 1]!.delete(set);
    }
    this.#set[p] = undefined;
    this.#nextHop[p] = '';
    this.#routes[p] = 0;
    this.#free.push(p);
    set.release();
  }
}
