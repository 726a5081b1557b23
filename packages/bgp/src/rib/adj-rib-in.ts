import { assertNever } from '../wire/assert-never.js';
import type { AsPathSegment, PathAttribute } from '../wire/attributes/path-attribute.js';
import { CeaseSubcode, ErrorCode, Safi } from '../wire/constants.js';
import type { Family, UnicastAfi } from '../wire/family.js';
import type { NotificationMessage } from '../wire/notification.js';
import type { Prefix } from '../wire/prefix.js';
import type { ParsedUpdate } from '../wire/update.js';
import { AttributeSetTable } from './attribute-set.js';
import { PathTable } from './path-table.js';
import { PrefixIndex } from './prefix-index.js';
import type { Route, RouteChange } from './route.js';

/** What to do when a peer sends more prefixes than allowed: log it, or close the session. */
export type MaxPrefixAction = 'warn' | 'stop';

/** A maximum-prefix limit, for one family or for all families together. */
export interface MaxPrefixLimit {
  /** Routes allowed; one more triggers {@link action}. */
  readonly limit: number;
  /** The family counted (unicast); undefined counts every family together. */
  readonly afi?: UnicastAfi;
  readonly action: MaxPrefixAction;
}

/**
 * A limit crossed by the UPDATE just applied. It is reported once per crossing:
 * again only after the count fell back to the limit. With `stop`, the session layer
 * sends `notification`, Cease / Maximum Number of Prefixes Reached, and closes
 * (RFC 4486 §4). The routes of the UPDATE were stored all the same.
 */
export interface MaxPrefixExceeded {
  readonly kind: 'maxPrefixExceeded';
  readonly action: MaxPrefixAction;
  readonly limit: number;
  readonly count: number;
  /** The family named in the NOTIFICATION: the limit's, or for a total limit the one that grew. */
  readonly afi: UnicastAfi;
  readonly safi: number;
  /** Present with `stop`: Cease (6) / 1, data AFI(2) SAFI(1) upper bound(4) (RFC 4486 §4). */
  readonly notification?: NotificationMessage;
}

/** What applying one UPDATE did. */
export interface AdjRibInResult {
  /** Routes added, replaced (implicit withdraw, RFC 4271 §3.1) or removed, in the order applied. */
  readonly changes: readonly RouteChange[];
  /** Set when the UPDATE was an End-of-RIB marker (RFC 4724 §2). */
  readonly endOfRib?: Family;
  /** Set when a maximum-prefix limit was crossed. */
  readonly maxPrefix?: MaxPrefixExceeded;
  /** Set when the UPDATE's routes were not accepted because their AS_PATH loops (RFC 4271 §9.1.2). */
  readonly rejected?: AsPathLoopRejection;
}

/**
 * The AS-path loop check (RFC 4271 §9.1.2): a route whose AS_PATH holds `localAsn`
 * more than `allowAsIn` times is not accepted; it is treated as withdrawn, so a route
 * held for its prefix goes too (the new announcement replaced it). `allowAsIn` is
 * FRR's and Junos' `allowas-in` count, BIRD's `allow local as`; 0 accepts none.
 */
export interface AsPathLoopCheck {
  readonly localAsn: number;
  readonly allowAsIn: number;
}

/** The routes of one UPDATE refused because our AS is in their path. */
export interface AsPathLoopRejection {
  readonly kind: 'asPathLoop';
  readonly localAsn: number;
  /** How often `localAsn` appears in the path. */
  readonly occurrences: number;
  /** Prefixes the UPDATE announced, all refused. */
  readonly routes: number;
}

export interface AdjRibInOptions {
  /** Where received attribute sets are interned; share one per speaker so peers share sets. */
  readonly table?: AttributeSetTable;
  readonly maxPrefixes?: readonly MaxPrefixLimit[];
  /** Reject paths through our own AS; undefined checks nothing (as on iBGP). */
  readonly asPathLoop?: AsPathLoopCheck;
}

/**
 * The Adj-RIB-In of one peer (RFC 4271 §3.2): the routes it sent, keyed by prefix
 * and ADD-PATH path identifier (RFC 7911). {@link apply} takes a parsed UPDATE and
 * returns what changed, for events; counts per family are O(1). It applies the
 * RFC 7606 outcome found by `parseUpdate`, checks maximum-prefix limits
 * (RFC 4486 §4), rejects paths that loop through our own AS (RFC 4271 §9.1.2) and
 * keeps Graceful Restart stale marks (RFC 4724 §4.2), but does no I/O: decisions
 * come back in the result.
 *
 * Storage is compact, for tables of a million routes: each route is one small
 * integer in a {@link PrefixIndex}, naming a path of a {@link PathTable} (attribute
 * set, next hop, epoch) interned once per UPDATE. {@link Route} objects are built
 * only when asked for (`get`, `routes`, changes), so they are not held.
 */
export class AdjRibIn {
  readonly #table: AttributeSetTable;
  readonly #limits: readonly MaxPrefixLimit[];
  readonly #loop: AsPathLoopCheck | undefined;
  readonly #routes = new PrefixIndex();
  readonly #paths = new PathTable();
  readonly #staleCount: [number, number] = [0, 0];

  constructor(opts: AdjRibInOptions = {}) {
    this.#table = opts.table ?? new AttributeSetTable();
    this.#limits = opts.maxPrefixes ?? [];
    this.#loop = opts.asPathLoop;
  }

  /** Routes held, in one unicast family or in all. */
  count(afi?: UnicastAfi): number {
    return afi === undefined ? this.#routes.size : this.#routes.count(afi);
  }

  /** Distinct paths (attribute set, next hop, epoch) the routes share. */
  get pathCount(): number {
    return this.#paths.size;
  }

  /** The route for `prefix` (path identifier included), if held. */
  get(prefix: Prefix): Route | undefined {
    const p = this.#routes.get(prefix);
    return p < 0 ? undefined : this.#route(prefix, p);
  }

  /** The routes held, in one unicast family or in all. */
  *routes(afi?: UnicastAfi): Generator<Route> {
    for (const [prefix, p] of this.#routes.entries(afi)) yield this.#route(prefix, p);
  }

  /**
   * Applies one parsed UPDATE. Withdrawals come first, so a prefix both withdrawn
   * and announced ends up announced (RFC 4271 §4.3). With a `treatAsWithdraw`
   * outcome, every prefix the message announces is withdrawn instead (RFC 7606 §2);
   * `afiSafiDisable` and `sessionReset` are handled the same way here, the session
   * layer doing the rest. So is a path that holds our own AS more often than
   * allowed (RFC 4271 §9.1.2; reported as `rejected`). Routes of families other
   * than IPv4 and IPv6 unicast are ignored. With `collect` false, `changes` stays
   * empty and no Route object is built (nobody listens).
   */
  apply(update: ParsedUpdate, collect = true): AdjRibInResult {
    const changes: RouteChange[] = [];
    if (update.endOfRib !== undefined) {
      return { changes, endOfRib: { afi: update.endOfRib.afi, safi: update.endOfRib.safi } };
    }
    const before4 = this.#routes.count(1);
    const before6 = this.#routes.count(2);
    const out = collect ? changes : undefined;

    let withdrawAnnounced: boolean;
    switch (update.action) {
      case undefined:
      case 'attributeDiscard':
        withdrawAnnounced = false;
        break;
      case 'treatAsWithdraw':
      case 'afiSafiDisable':
      case 'sessionReset':
        withdrawAnnounced = true;
        break;
      default:
        return assertNever(update.action);
    }

    let nextHop: string | undefined;
    let mpNlri: readonly Prefix[] | undefined;
    let mpAfi: UnicastAfi = 1;
    let mpNextHop: string | undefined;
    let mpWithdrawn: readonly Prefix[] | undefined;
    let asPath: readonly AsPathSegment[] | undefined;
    let as4Path: readonly AsPathSegment[] | undefined;
    const shared: PathAttribute[] = [];
    for (const a of update.attributes) {
      switch (a.kind) {
        case 'nextHop':
          nextHop = a.address;
          break;
        case 'mpReach':
          if (isUnicast(a.afi, a.safi)) {
            mpNlri = a.nlri;
            mpAfi = a.afi;
            mpNextHop = a.nextHops[0];
          }
          break;
        case 'mpUnreach':
          if (isUnicast(a.afi, a.safi)) mpWithdrawn = a.withdrawn;
          break;
        case 'asPath':
          asPath = a.segments;
          shared.push(a);
          break;
        case 'as4Path':
          as4Path = a.segments;
          shared.push(a);
          break;
        default:
          shared.push(a);
      }
    }

    for (const p of update.withdrawn) this.#remove(p, out);
    if (mpWithdrawn !== undefined) for (const p of mpWithdrawn) this.#remove(p, out);

    const classic = update.nlri;
    let rejected: AsPathLoopRejection | undefined;
    const announces = classic.length + (mpNlri?.length ?? 0);
    if (announces > 0 && !withdrawAnnounced && this.#loop !== undefined) {
      const seen = ownAsCount(this.#loop.localAsn, asPath, as4Path);
      if (seen > this.#loop.allowAsIn) {
        withdrawAnnounced = true;
        rejected = {
          kind: 'asPathLoop',
          localAsn: this.#loop.localAsn,
          occurrences: seen,
          routes: announces,
        };
      }
    }
    if (announces > 0) {
      if (withdrawAnnounced) {
        for (const p of classic) this.#remove(p, out);
        if (mpNlri !== undefined) for (const p of mpNlri) this.#remove(p, out);
      } else {
        const set = this.#table.intern(shared);
        // A missing next hop is a missing well-known attribute: treat-as-withdraw (RFC 7606 §3 d).
        if (classic.length > 0) {
          if (nextHop === undefined) {
            for (const p of classic) this.#remove(p, out);
          } else {
            // Classic NLRI are IPv4 (RFC 4271 §4.3); the path is interned once for all of them.
            const path = this.#paths.intern(1, set, nextHop);
            for (const p of classic) this.#add(p, path, out);
            this.#paths.unused(path);
          }
        }
        if (mpNlri !== undefined && mpNlri.length > 0) {
          if (mpNextHop === undefined) {
            for (const p of mpNlri) this.#remove(p, out);
          } else {
            const path = this.#paths.intern(mpAfi, set, mpNextHop);
            for (const p of mpNlri) this.#add(p, path, out);
            this.#paths.unused(path);
          }
        }
        // The paths hold their own references; the one taken by intern was ours.
        set.release();
      }
    }

    const maxPrefix = this.#checkLimits(before4, before6);
    if (maxPrefix === undefined && rejected === undefined) return { changes };
    return {
      changes,
      ...(maxPrefix !== undefined ? { maxPrefix } : {}),
      ...(rejected !== undefined ? { rejected } : {}),
    };
  }

  /**
   * Marks every route of `family` stale, as when the peer restarts with Graceful
   * Restart (RFC 4724 §4.2). Routes received again are fresh; {@link sweepStale}
   * removes the others. O(1).
   */
  markStale(family: Family): void {
    if (!isUnicast(family.afi, family.safi)) return;
    this.#paths.newEpoch(family.afi);
    this.#staleCount[family.afi - 1] = this.#routes.count(family.afi);
  }

  /** Whether the route for `prefix` is held and stale. */
  isStale(prefix: Prefix): boolean {
    const p = this.#routes.get(prefix);
    return p >= 0 && this.#paths.isStale(p);
  }

  /** Stale routes left in `family`. */
  staleCount(family: Family): number {
    return isUnicast(family.afi, family.safi) ? this.#staleCount[family.afi - 1]! : 0;
  }

  /**
   * Removes the routes of `family` still stale, as on End-of-RIB or when the
   * restart timer expires (RFC 4724 §4.2), and returns the removals.
   */
  sweepStale(family: Family): RouteChange[] {
    const changes: RouteChange[] = [];
    if (!isUnicast(family.afi, family.safi)) return changes;
    const i = family.afi - 1;
    if (this.#staleCount[i] === 0) return changes;
    for (const [prefix, p] of this.#routes.entries(family.afi)) {
      if (this.#paths.isStale(p)) {
        this.#routes.delete(prefix);
        changes.push({ kind: 'removed', route: this.#route(prefix, p) });
        this.#paths.drop(p);
      }
    }
    this.#staleCount[i] = 0;
    return changes;
  }

  /**
   * Removes every route, or those of one family (as when the session goes down or
   * a family is disabled, RFC 7606 §2), and returns the removals (none built with
   * `collect` false).
   */
  clear(family?: Family, collect = true): RouteChange[] {
    const changes: RouteChange[] = [];
    let afi: UnicastAfi | undefined;
    if (family !== undefined) {
      if (!isUnicast(family.afi, family.safi)) return changes;
      afi = family.afi;
    }
    if (collect) {
      for (const [prefix, p] of this.#routes.entries(afi)) {
        changes.push({ kind: 'removed', route: this.#route(prefix, p) });
      }
    }
    if (afi === undefined) {
      this.#routes.clear();
      this.#paths.clear();
      this.#staleCount[0] = 0;
      this.#staleCount[1] = 0;
    } else {
      this.#routes.clear(afi);
      this.#paths.clear(afi);
      this.#staleCount[afi - 1] = 0;
    }
    return changes;
  }

  #route(prefix: Prefix, p: number): Route {
    return { prefix, attributes: this.#paths.attributes(p), nextHop: this.#paths.nextHop(p) };
  }

  #add(prefix: Prefix, path: number, out: RouteChange[] | undefined): void {
    const paths = this.#paths;
    // One probe: set hands back what it replaced.
    const old = this.#routes.set(prefix, path);
    if (old < 0) {
      paths.use(path);
      if (out !== undefined) out.push({ kind: 'added', route: this.#route(prefix, path) });
      return;
    }
    if (old === path) return;
    if (paths.isStale(old)) this.#staleCount[prefix.afi - 1]!--;
    paths.use(path);
    // The same route again (stale before, now fresh) is no change (RFC 4724 §4.2).
    if (out !== undefined && !paths.sameRoute(old, path)) {
      out.push({ kind: 'replaced', route: this.#route(prefix, path), previous: this.#route(prefix, old) });
    }
    paths.drop(old);
  }

  #remove(prefix: Prefix, out: RouteChange[] | undefined): void {
    const old = this.#routes.delete(prefix);
    if (old < 0) return;
    if (this.#paths.isStale(old)) this.#staleCount[prefix.afi - 1]!--;
    if (out !== undefined) out.push({ kind: 'removed', route: this.#route(prefix, old) });
    this.#paths.drop(old);
  }

  #checkLimits(before4: number, before6: number): MaxPrefixExceeded | undefined {
    let found: MaxPrefixExceeded | undefined;
    const after4 = this.#routes.count(1);
    const after6 = this.#routes.count(2);
    for (const l of this.#limits) {
      const before = l.afi === undefined ? before4 + before6 : l.afi === 1 ? before4 : before6;
      const count = l.afi === undefined ? after4 + after6 : l.afi === 1 ? after4 : after6;
      if (!(count > l.limit && before <= l.limit)) continue;
      if (found !== undefined && !(found.action === 'warn' && l.action === 'stop')) continue;
      const afi: UnicastAfi = l.afi ?? (after4 > before4 ? 1 : 2);
      found = {
        kind: 'maxPrefixExceeded',
        action: l.action,
        limit: l.limit,
        count,
        afi,
        safi: Safi.UNICAST,
        ...(l.action === 'stop' ? { notification: maxPrefixNotification(afi, Safi.UNICAST, l.limit) } : {}),
      };
    }
    return found;
  }
}

/**
 * How often `asn` appears in the path, AS_SET and confederation segments included.
 * A 4-octet `asn` may hide behind AS_TRANS in the AS_PATH of a 2-octet session, so
 * AS4_PATH is counted too then (RFC 6793 §4.2.3), the larger count winning.
 */
function ownAsCount(
  asn: number,
  asPath: readonly AsPathSegment[] | undefined,
  as4Path: readonly AsPathSegment[] | undefined,
): number {
  const inPath = countAsn(asn, asPath);
  return asn > 0xffff ? Math.max(inPath, countAsn(asn, as4Path)) : inPath;
}

function countAsn(asn: number, segments: readonly AsPathSegment[] | undefined): number {
  let n = 0;
  if (segments !== undefined) for (const s of segments) for (const x of s.asns) if (x === asn) n++;
  return n;
}

function isUnicast(afi: number, safi: number): afi is UnicastAfi {
  return (afi === 1 || afi === 2) && safi === Safi.UNICAST;
}

/** Cease / Maximum Number of Prefixes Reached with data AFI(2) SAFI(1) upper bound(4) (RFC 4486 §4). */
export function maxPrefixNotification(afi: number, safi: number, limit: number): NotificationMessage {
  return {
    kind: 'notification',
    code: ErrorCode.CEASE,
    subcode: CeaseSubcode.MAXIMUM_NUMBER_OF_PREFIXES_REACHED,
    data: Uint8Array.of(
      afi >>> 8,
      afi & 0xff,
      safi,
      limit >>> 24,
      (limit >>> 16) & 0xff,
      (limit >>> 8) & 0xff,
      limit & 0xff,
    ),
  };
}
