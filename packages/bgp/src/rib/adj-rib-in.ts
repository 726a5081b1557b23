import type { PathAttribute } from '../wire/attributes/path-attribute.js';
import { CeaseSubcode, ErrorCode, Safi } from '../wire/constants.js';
import { assertNever } from '../wire/message.js';
import type { NotificationMessage } from '../wire/notification.js';
import type { Prefix } from '../wire/prefix.js';
import type { ParsedUpdate } from '../wire/update.js';
import { type AttributeSet, AttributeSetTable } from './attribute-set.js';
import { PrefixMap } from './prefix-map.js';
import type { AddressFamily, Route, RouteChange, UnicastAfi } from './route.js';

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
  readonly endOfRib?: AddressFamily;
  /** Set when a maximum-prefix limit was crossed. */
  readonly maxPrefix?: MaxPrefixExceeded;
}

export interface AdjRibInOptions {
  /** Where received attribute sets are interned; share one per speaker so peers share sets. */
  readonly table?: AttributeSetTable;
  readonly maxPrefixes?: readonly MaxPrefixLimit[];
}

/** A stored route; `epoch` tells whether it predates the last {@link AdjRibIn.markStale} of its family. */
class InRoute implements Route {
  readonly prefix: Prefix;
  readonly attributes: AttributeSet;
  readonly nextHop: string;
  epoch: number;

  constructor(prefix: Prefix, attributes: AttributeSet, nextHop: string, epoch: number) {
    this.prefix = prefix;
    this.attributes = attributes;
    this.nextHop = nextHop;
    this.epoch = epoch;
  }
}

/**
 * The Adj-RIB-In of one peer (RFC 4271 §3.2): the routes it sent, keyed by prefix
 * and ADD-PATH path identifier (RFC 7911). {@link apply} takes a parsed UPDATE and
 * returns what changed, for events; counts per family are O(1). It applies the
 * RFC 7606 outcome found by `parseUpdate`, checks maximum-prefix limits
 * (RFC 4486 §4) and keeps Graceful Restart stale marks (RFC 4724 §4.2), but does no
 * I/O: decisions come back in the result.
 */
export class AdjRibIn {
  readonly #table: AttributeSetTable;
  readonly #limits: readonly MaxPrefixLimit[];
  readonly #routes = new PrefixMap<InRoute>();
  /** Per AFI - 1: routes whose epoch is below this are stale. */
  readonly #epoch: [number, number] = [0, 0];
  readonly #staleCount: [number, number] = [0, 0];
  #clock = 0;

  constructor(opts: AdjRibInOptions = {}) {
    this.#table = opts.table ?? new AttributeSetTable();
    this.#limits = opts.maxPrefixes ?? [];
  }

  /** Routes held, in one unicast family or in all. */
  count(afi?: UnicastAfi): number {
    return afi === undefined ? this.#routes.size : this.#routes.count(afi);
  }

  /** The route for `prefix` (path identifier included), if held. */
  get(prefix: Prefix): Route | undefined {
    return this.#routes.get(prefix);
  }

  /** The routes held, in one unicast family or in all. */
  *routes(afi?: UnicastAfi): Generator<Route> {
    yield* this.#routes.values(afi);
  }

  /**
   * Applies one parsed UPDATE. Withdrawals come first, so a prefix both withdrawn
   * and announced ends up announced (RFC 4271 §4.3). With a `treatAsWithdraw`
   * outcome, every prefix the message announces is withdrawn instead (RFC 7606 §2);
   * `afiSafiDisable` and `sessionReset` are handled the same way here, the session
   * layer doing the rest. Routes of families other than IPv4 and IPv6 unicast are
   * ignored.
   */
  apply(update: ParsedUpdate): AdjRibInResult {
    const changes: RouteChange[] = [];
    if (update.endOfRib !== undefined) {
      return { changes, endOfRib: { afi: update.endOfRib.afi, safi: update.endOfRib.safi } };
    }
    const before4 = this.#routes.count(1);
    const before6 = this.#routes.count(2);

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
    let mpNextHop: string | undefined;
    let mpWithdrawn: readonly Prefix[] | undefined;
    const shared: PathAttribute[] = [];
    for (const a of update.attributes) {
      switch (a.kind) {
        case 'nextHop':
          nextHop = a.address;
          break;
        case 'mpReach':
          if (isUnicast(a.afi, a.safi)) {
            mpNlri = a.nlri;
            mpNextHop = a.nextHops[0];
          }
          break;
        case 'mpUnreach':
          if (isUnicast(a.afi, a.safi)) mpWithdrawn = a.withdrawn;
          break;
        default:
          shared.push(a);
      }
    }

    for (const p of update.withdrawn) this.#remove(p, changes);
    if (mpWithdrawn !== undefined) for (const p of mpWithdrawn) this.#remove(p, changes);

    const classic = update.nlri;
    if (classic.length > 0 || (mpNlri !== undefined && mpNlri.length > 0)) {
      if (withdrawAnnounced) {
        for (const p of classic) this.#remove(p, changes);
        if (mpNlri !== undefined) for (const p of mpNlri) this.#remove(p, changes);
      } else {
        const set = this.#table.intern(shared);
        // A missing next hop is a missing well-known attribute: treat-as-withdraw (RFC 7606 §3 d).
        for (const p of classic) {
          if (nextHop === undefined) this.#remove(p, changes);
          else this.#add(p, set, nextHop, changes);
        }
        if (mpNlri !== undefined) {
          for (const p of mpNlri) {
            if (mpNextHop === undefined) this.#remove(p, changes);
            else this.#add(p, set, mpNextHop, changes);
          }
        }
        // The routes hold their own references; the one taken by intern was ours.
        set.release();
      }
    }

    const maxPrefix = this.#checkLimits(before4, before6);
    return maxPrefix === undefined ? { changes } : { changes, maxPrefix };
  }

  /**
   * Marks every route of `family` stale, as when the peer restarts with Graceful
   * Restart (RFC 4724 §4.2). Routes received again are fresh; {@link sweepStale}
   * removes the others. O(1).
   */
  markStale(family: AddressFamily): void {
    if (!isUnicast(family.afi, family.safi)) return;
    const i = family.afi - 1;
    this.#epoch[i] = ++this.#clock;
    this.#staleCount[i] = this.#routes.count(family.afi);
  }

  /** Whether the route for `prefix` is held and stale. */
  isStale(prefix: Prefix): boolean {
    const i = prefix.afi - 1;
    const r = this.#routes.get(prefix);
    return r !== undefined && r.epoch < this.#epoch[i]!;
  }

  /** Stale routes left in `family`. */
  staleCount(family: AddressFamily): number {
    return isUnicast(family.afi, family.safi) ? this.#staleCount[family.afi - 1]! : 0;
  }

  /**
   * Removes the routes of `family` still stale, as on End-of-RIB or when the
   * restart timer expires (RFC 4724 §4.2), and returns the removals.
   */
  sweepStale(family: AddressFamily): RouteChange[] {
    const changes: RouteChange[] = [];
    if (!isUnicast(family.afi, family.safi)) return changes;
    const i = family.afi - 1;
    if (this.#staleCount[i] === 0) return changes;
    const epoch = this.#epoch[i]!;
    for (const r of this.#routes.values(family.afi)) {
      if (r.epoch < epoch) {
        this.#routes.delete(r.prefix);
        r.attributes.release();
        changes.push({ kind: 'removed', route: r });
      }
    }
    this.#staleCount[i] = 0;
    return changes;
  }

  /**
   * Removes every route, or those of one family (as when the session goes down or
   * a family is disabled, RFC 7606 §2), and returns the removals.
   */
  clear(family?: AddressFamily): RouteChange[] {
    const changes: RouteChange[] = [];
    let afi: UnicastAfi | undefined;
    if (family !== undefined) {
      if (!isUnicast(family.afi, family.safi)) return changes;
      afi = family.afi;
    }
    for (const r of this.#routes.values(afi)) {
      r.attributes.release();
      changes.push({ kind: 'removed', route: r });
      if (afi !== undefined) this.#routes.delete(r.prefix);
    }
    if (afi === undefined) {
      this.#routes.clear();
      this.#staleCount[0] = 0;
      this.#staleCount[1] = 0;
    } else {
      this.#staleCount[afi - 1] = 0;
    }
    return changes;
  }

  #add(p: Prefix, set: AttributeSet, nextHop: string, changes: RouteChange[]): void {
    const i = p.afi - 1;
    const epoch = this.#epoch[i]!;
    const old = this.#routes.get(p);
    if (old === undefined) {
      const route = new InRoute(p, set.retain(), nextHop, epoch);
      this.#routes.set(p, route);
      changes.push({ kind: 'added', route });
      return;
    }
    if (old.epoch < epoch) this.#staleCount[i]!--;
    if (old.attributes === set && old.nextHop === nextHop) {
      // The same route again: no change, but it is fresh now (RFC 4724 §4.2).
      old.epoch = epoch;
      return;
    }
    const route = new InRoute(p, set.retain(), nextHop, epoch);
    this.#routes.set(p, route);
    old.attributes.release();
    changes.push({ kind: 'replaced', route, previous: old });
  }

  #remove(p: Prefix, changes: RouteChange[]): void {
    const i = p.afi - 1;
    const old = this.#routes.get(p);
    if (old === undefined) return;
    this.#routes.delete(p);
    if (old.epoch < this.#epoch[i]!) this.#staleCount[i]!--;
    old.attributes.release();
    changes.push({ kind: 'removed', route: old });
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
