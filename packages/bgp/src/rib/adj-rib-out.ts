import { formatAddress, formatIpv4, parseIpv4, parseIpv6 } from '../wire/address.js';
import type { PathAttribute } from '../wire/attributes/path-attribute.js';
import { familyKey, Safi } from '../wire/constants.js';
import type { CodecContext } from '../wire/context.js';
import { LocalProtocolError } from '../wire/errors.js';
import type { Family, UnicastAfi } from '../wire/family.js';
import { encodedPrefixLength } from '../wire/nlri.js';
import type { Prefix } from '../wire/prefix.js';
import {
  endOfRib,
  type PackResult,
  packUpdatesUpTo,
  packWithdrawalsUpTo,
  updateNlriCapacity,
  withdrawalNlriCapacity,
} from '../wire/update-packer.js';
import type { AttributeSet } from './attribute-set.js';
import { PrefixMap } from './prefix-map.js';
import type { Route } from './route.js';

export interface AdjRibOutOptions {
  /** What OPEN negotiated for the sending direction (4-octet AS, ADD-PATH, extended messages). */
  readonly ctx: CodecContext;
  /** Families this peer was negotiated for; only IPv4 and IPv6 unicast are supported. */
  readonly families: Iterable<Family>;
  /**
   * Send IPv4 NLRI in MP_REACH_NLRI / MP_UNREACH_NLRI rather than the classic fields (RFC 4760 §5).
   * IPv4 routes with an IPv6 next hop always use MP_REACH_NLRI (RFC 8950 §4).
   */
  readonly useMpForIpv4?: boolean;
}

/**
 * Messages encoded per packer call: bounds the transient memory of a flush to the
 * prefix objects of some 13,000 routes, short-lived enough to die young (measured:
 * 16 keeps RSS lowest for a million-route flush, at no cost in time).
 */
const CHUNK_MESSAGES = 16;

/**
 * A change to a route the peer has: a replacement, a withdrawal, or a re-send asked
 * by a refresh. It stands in the route map in place of the route's path until it
 * is sent or cancelled. A change superseded by another is marked dead and a new one
 * is queued, so each change sits in exactly one queue, once.
 */
class PendingRoute {
  readonly prefix: Prefix;
  /** What the peer has now. */
  readonly sent: OutPath;
  /** What to send: a path to announce, or null to withdraw. */
  readonly op: OutPath | null;
  /** Send even if `op` is what the peer has: a refresh asked for it. */
  forced: boolean;
  dead = false;

  constructor(prefix: Prefix, sent: OutPath, op: OutPath | null, forced: boolean) {
    this.prefix = prefix;
    this.sent = sent;
    this.op = op;
    this.forced = forced;
  }
}

/**
 * The route-map value of a route announced for the first time and not sent yet:
 * one shared object per path, so loading a table allocates nothing per route.
 */
class FreshMark {
  readonly path: OutPath;
  constructor(path: OutPath) {
    this.path = path;
  }
}

/**
 * The route-map value of a route the peer has with `path` and must be sent again,
 * after a refresh: one shared object per path, so a refresh of a whole table
 * allocates nothing per route. Behaves as a change from `path` to `path` that
 * cannot be cancelled.
 */
class ResendMark {
  readonly path: OutPath;
  constructor(path: OutPath) {
    this.path = path;
  }
}

/**
 * Routes queued under a shared mark ({@link FreshMark} or {@link ResendMark}):
 * IPv4 ones as plain numbers (`v4 * 64 + length`, stored unboxed by V8), others as
 * prefixes. An entry whose route left the mark is left in place; `stale` then says
 * every entry must be checked against the route map.
 */
class MarkedList {
  v4: number[] = [];
  v4Head = 0;
  other: Prefix[] = [];
  otherHead = 0;
  stale = false;

  push(p: Prefix): void {
    if (p.afi === 1 && p.pathId === undefined) this.v4.push(p.v4 * 64 + p.length);
    else this.other.push(p);
  }

  reset(): void {
    this.v4 = [];
    this.v4Head = 0;
    this.other = [];
    this.otherHead = 0;
    this.stale = false;
  }

  /** Drops consumed entries once they are the bulk of an array. */
  compact(): void {
    if (this.v4Head > 1024 && this.v4Head * 2 > this.v4.length) {
      this.v4 = this.v4.slice(this.v4Head);
      this.v4Head = 0;
    }
    if (this.otherHead > 1024 && this.otherHead * 2 > this.other.length) {
      this.other = this.other.slice(this.otherHead);
      this.otherHead = 0;
    }
  }
}

/**
 * Changes waiting to be encoded together: the withdrawals of one family, or the
 * announcements of one {@link OutPath}. Arrays consumed from a head index: a change
 * superseded before it is sent is left in place and skipped, so queueing costs no
 * hashing.
 */
class FlushQueue {
  readonly afi: UnicastAfi;
  changes: PendingRoute[] = [];
  changesHead = 0;
  /** First announcements (announcement queues only). */
  readonly fresh = new MarkedList();
  /** Re-sends after a refresh (announcement queues only). */
  readonly resend = new MarkedList();
  /** Entries still to be sent. */
  live = 0;
  /** Octets of NLRI one UPDATE of this queue holds at most, as the packer says; asked when first needed. */
  capacity: number | undefined;

  constructor(afi: UnicastAfi) {
    this.afi = afi;
  }

  /** Drops consumed entries once they are the bulk of an array. */
  compact(): void {
    if (this.live === 0) {
      this.changes = [];
      this.changesHead = 0;
      this.fresh.reset();
      this.resend.reset();
      return;
    }
    if (this.changesHead > 1024 && this.changesHead * 2 > this.changes.length) {
      this.changes = this.changes.slice(this.changesHead);
      this.changesHead = 0;
    }
    this.fresh.compact();
    this.resend.compact();
  }
}

/**
 * One (family, attribute set, next hop) as sent to this peer: the unit by which
 * announcements are grouped into UPDATEs. Every advertised route of the peer holds
 * one of these shared objects rather than an object of its own. Counted by the
 * routes and pending changes that use it, and dropped (releasing its attribute set)
 * at zero.
 */
class OutPath extends FlushQueue {
  readonly set: AttributeSet;
  readonly nextHop: string;
  readonly useMp: boolean;
  /** The set's attributes, in the mutable form the packer takes. */
  readonly attributes: PathAttribute[];
  readonly freshMark: FreshMark;
  readonly resendMark: ResendMark;
  refs = 0;

  constructor(afi: UnicastAfi, set: AttributeSet, nextHop: string, useMp: boolean) {
    super(afi);
    this.set = set;
    this.nextHop = nextHop;
    this.useMp = useMp;
    this.attributes = [...set.attributes];
    this.freshMark = new FreshMark(this);
    this.resendMark = new ResendMark(this);
  }
}

/**
 * The Adj-RIB-Out of one peer (RFC 4271 §3.2): what the peer has been sent, and the
 * changes not sent yet. It is diff-based: callers state the desired route per prefix
 * ({@link set}, {@link withdraw}), and {@link flush} encodes only what differs from
 * what the peer already has, in as few UPDATEs as possible. Announcing identical
 * attributes again sends nothing; new attributes replace the route (an implicit
 * withdraw, RFC 4271 §3.1); withdrawing a route that was never sent cancels it.
 *
 * Pure data: no sockets, timers or clocks. {@link flush} takes a message budget so
 * that the session layer can stop when its socket pushes back and call again when
 * it drains.
 *
 * Memory: an advertised IPv4 route without path id is one Map entry with a small
 * integer key and a shared {@link OutPath} as value (see {@link PrefixMap}). A first
 * announcement or a refresh re-send is a shared mark in that entry plus a number in
 * a queue; objects exist per route only for other pending changes.
 */
export class AdjRibOut {
  readonly #ctx: CodecContext;
  readonly #families: readonly Family[];
  /** Per AFI - 1: negotiated; ADD-PATH (RFC 7911) in the sending direction. */
  readonly #enabled: [boolean, boolean] = [false, false];
  readonly #addPath: [boolean, boolean];
  readonly #useMpForIpv4: boolean;

  /**
   * Per route: the path the peer has (nothing pending), a {@link FreshMark} (first
   * announcement pending), a {@link ResendMark} (re-send pending) or a
   * {@link PendingRoute} (change pending).
   */
  readonly #routes = new PrefixMap<RouteState>();
  /** Pending withdrawals per AFI - 1. */
  readonly #withdrawals: [FlushQueue, FlushQueue] = [new FlushQueue(1), new FlushQueue(2)];
  /** Paths with pending announcements, in the order they became pending. */
  readonly #dirty = new Set<OutPath>();
  /** Paths per AFI - 1, by attribute-set key, then by next hop. */
  readonly #paths: [Map<string, Map<string, OutPath>>, Map<string, Map<string, OutPath>>] = [
    new Map(),
    new Map(),
  ];
  /** The last path looked up: bulk announcements mostly repeat it. */
  #last: OutPath | undefined;
  #advertisedCount = 0;
  #pendingCount = 0;
  /** Pending first announcements (routes the peer does not have). */
  #pendingNew = 0;

  constructor(opts: AdjRibOutOptions) {
    this.#ctx = opts.ctx;
    this.#useMpForIpv4 = opts.useMpForIpv4 ?? false;
    const families: Family[] = [];
    for (const f of opts.families) {
      if ((f.afi !== 1 && f.afi !== 2) || f.safi !== Safi.UNICAST) {
        throw new LocalProtocolError(
          'ANYVIP_UNSUPPORTED_FAMILY',
          `Adj-RIB-Out holds IPv4 and IPv6 unicast only, not AFI ${f.afi} SAFI ${f.safi}`,
        );
      }
      this.#enabled[f.afi - 1] = true;
      families.push({ afi: f.afi, safi: f.safi });
    }
    this.#families = families;
    this.#addPath = [
      opts.ctx.addPath.has(familyKey(1, Safi.UNICAST)),
      opts.ctx.addPath.has(familyKey(2, Safi.UNICAST)),
    ];
  }

  /** Routes the peer has been sent (in UPDATEs that {@link flush} returned) and not withdrawn. */
  get advertisedCount(): number {
    return this.#advertisedCount;
  }

  /** Routes with an unsent change (announcement, replacement or withdrawal). */
  get pendingCount(): number {
    return this.#pendingCount;
  }

  /** Routes in the desired state: what the peer will have once everything is flushed. */
  get size(): number {
    return this.#advertisedCount + this.#pendingNew - this.#withdrawals[0].live - this.#withdrawals[1].live;
  }

  /**
   * Makes room for `counts[length]` IPv4 routes of each prefix length, as a session
   * does before it loads its initial table (a hint: it changes no state).
   */
  reserve(counts: readonly number[]): void {
    // With ADD-PATH every IPv4 prefix carries a path identifier and lives outside the slot tables.
    if (this.#enabled[0] && !this.#addPath[0]) this.#routes.reserve(counts);
  }

  /** Whether {@link flush} has anything to hand out. */
  get hasPending(): boolean {
    return this.#pendingCount > 0;
  }

  /**
   * Makes `prefix` reach the peer with `attributes` and `nextHop`. Does nothing if
   * that is what the peer has and nothing is pending. With ADD-PATH negotiated, a
   * prefix without a path identifier is path 0; without it, a path identifier is an
   * error. Throws {@link LocalProtocolError} for a family not negotiated or a next
   * hop of the wrong family. The RIB takes its own reference on `attributes`.
   */
  set(prefix: Prefix, attributes: AttributeSet, nextHop: string): void {
    const p = this.#normalize(prefix);
    const path = this.#path(p.afi, attributes, nextHop);
    const v = this.#routes.get(p);
    if (v === undefined) {
      this.#queueFresh(p, path);
    } else if (v instanceof FreshMark) {
      if (v.path !== path) {
        this.#unmark(v.path, v.path.fresh);
        this.#queueFresh(p, path);
      }
    } else if (v instanceof ResendMark) {
      if (v.path !== path) {
        this.#unmark(v.path, v.path.resend);
        this.#queue(p, v.path, path, true);
      }
    } else if (v instanceof PendingRoute) {
      if (v.op !== path) {
        // Back to what the peer already has: nothing to send, unless a refresh asked for it.
        if (path === v.sent && !v.forced) this.#cancel(v);
        else this.#replace(v, p, path);
      }
    } else if (v !== path) {
      this.#queue(p, v, path, false);
    }
    if (path.refs === 0) this.#dropPath(path);
  }

  /**
   * Makes `prefix` unreachable at the peer. A route never sent is just forgotten,
   * with nothing sent.
   */
  withdraw(prefix: Prefix): void {
    const p = this.#normalize(prefix);
    const v = this.#routes.get(p);
    if (v === undefined) return;
    if (v instanceof FreshMark) {
      this.#routes.delete(p);
      this.#unmark(v.path, v.path.fresh);
    } else if (v instanceof ResendMark) {
      this.#unmark(v.path, v.path.resend);
      this.#queue(p, v.path, null, true);
    } else if (v instanceof PendingRoute) {
      if (v.op !== null) this.#replace(v, p, null);
    } else {
      this.#queue(p, v, null, false);
    }
  }

  /** The desired route for `prefix` (pending changes included), if any. */
  get(prefix: Prefix): Route | undefined {
    const p = this.#normalize(prefix);
    const path = desiredPath(this.#routes.get(p));
    return path === null ? undefined : { prefix: p, attributes: path.set, nextHop: path.nextHop };
  }

  /** The desired state, route by route (pending changes included). Builds one object per route. */
  *routes(): Generator<Route> {
    for (const [prefix, v] of this.#routes.entries()) {
      const path = desiredPath(v);
      if (path !== null) yield { prefix, attributes: path.set, nextHop: path.nextHop };
    }
  }

  /**
   * Encodes pending changes into at most `maxMessages` UPDATEs: withdrawals first,
   * one family at a time, then announcements grouped by path (family, attribute set,
   * next hop) so that each group fills whole messages. The changes encoded count as
   * advertised at once. Each call does work proportional to what it returns. Call
   * again while {@link hasPending}.
   */
  flush(maxMessages = Number.POSITIVE_INFINITY): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (out.length < maxMessages) {
      const queue = this.#nextQueue();
      if (queue === undefined) break;
      this.#flushQueue(queue, out, Math.min(maxMessages - out.length, CHUNK_MESSAGES));
    }
    return out;
  }

  /**
   * Marks every advertised route pending again, so the next flushes re-send the
   * whole table, as a ROUTE-REFRESH asks (RFC 2918 §4, RFC 7313 §4). Changes already
   * pending are kept. Takes time proportional to the table (about 0.5 s per million
   * routes on a loaded 2-core machine) but allocates nothing per route.
   */
  resendAll(): void {
    for (const [prefix, v] of this.#routes.entries()) {
      if (v instanceof PendingRoute) {
        v.forced = true;
      } else if (v instanceof OutPath) {
        // The mark holds one more reference on the path, as a change to it would.
        this.#routes.set(prefix, v.resendMark);
        v.resend.push(prefix);
        v.refs++;
        if (v.live++ === 0) this.#dirty.add(v);
        this.#pendingCount++;
      }
    }
  }

  /**
   * End-of-RIB markers (RFC 4724 §2), one per family, by default for every
   * negotiated family. Send them once {@link hasPending} turns false after the
   * initial table (or a refresh) was flushed.
   */
  endOfRibFor(families: Iterable<Family> = this.#families): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const f of families) out.push(endOfRib(f.afi, f.safi, this.#ctx));
    return out;
  }

  /** Forgets everything, as when the session goes down, releasing every attribute set held. */
  clear(): void {
    for (const bySet of this.#paths) {
      for (const byNextHop of bySet.values()) for (const path of byNextHop.values()) path.set.release();
      bySet.clear();
    }
    this.#routes.clear();
    this.#withdrawals[0] = new FlushQueue(1);
    this.#withdrawals[1] = new FlushQueue(2);
    this.#dirty.clear();
    this.#last = undefined;
    this.#advertisedCount = 0;
    this.#pendingCount = 0;
    this.#pendingNew = 0;
  }

  #normalize(p: Prefix): Prefix {
    const i = p.afi - 1;
    if (!this.#enabled[i]) {
      throw new LocalProtocolError(
        'ANYVIP_FAMILY_NOT_NEGOTIATED',
        `AFI ${p.afi} unicast was not negotiated with this peer`,
      );
    }
    if (!(p.length >= 0 && p.length <= (p.afi === 1 ? 32 : 128))) {
      throw new LocalProtocolError('ANYVIP_BAD_PREFIX', `bad prefix length ${p.length}`);
    }
    if (this.#addPath[i]) return p.pathId === undefined ? ({ ...p, pathId: 0 } as Prefix) : p;
    if (p.pathId !== undefined) {
      throw new LocalProtocolError(
        'ANYVIP_ADD_PATH_NOT_NEGOTIATED',
        `path identifier ${p.pathId} given, but ADD-PATH send was not negotiated for AFI ${p.afi} (RFC 7911 §4)`,
      );
    }
    return p;
  }

  #path(afi: UnicastAfi, set: AttributeSet, nextHop: string): OutPath {
    const last = this.#last;
    if (last !== undefined && last.set === set && last.nextHop === nextHop && last.afi === afi) return last;
    const { text, isIpv6 } = this.#checkNextHop(afi, nextHop);
    const bySet = this.#paths[afi - 1]!;
    let byNextHop = bySet.get(set.key);
    if (byNextHop === undefined) {
      byNextHop = new Map();
      bySet.set(set.key, byNextHop);
    }
    let path = byNextHop.get(text);
    if (path === undefined) {
      // RFC 8950 §4: IPv4 NLRI with an IPv6 next hop travel in MP_REACH_NLRI.
      path = new OutPath(afi, set.retain(), text, afi === 1 && (this.#useMpForIpv4 || isIpv6));
      byNextHop.set(text, path);
    }
    this.#last = path;
    return path;
  }

  /** The next hop in canonical text, checked against the family (RFC 4760 §3, RFC 8950 §3). */
  #checkNextHop(afi: UnicastAfi, nextHop: string): { text: string; isIpv6: boolean } {
    const v4 = parseIpv4(nextHop);
    if (v4 !== undefined) {
      if (afi === 1) return { text: formatIpv4(v4), isIpv6: false };
    } else {
      const v6 = parseIpv6(nextHop);
      if (v6 !== undefined && (afi === 2 || this.#ctx.extendedNextHop.has(familyKey(1, Safi.UNICAST)))) {
        return { text: formatAddress(v6), isIpv6: true };
      }
    }
    throw new LocalProtocolError(
      'ANYVIP_BAD_NEXT_HOP',
      `next hop ${JSON.stringify(nextHop)} cannot be sent for AFI ${afi} to this peer`,
    );
  }

  #dropPath(path: OutPath): void {
    const bySet = this.#paths[path.afi - 1]!;
    const byNextHop = bySet.get(path.set.key);
    if (byNextHop?.get(path.nextHop) === path) {
      byNextHop.delete(path.nextHop);
      if (byNextHop.size === 0) bySet.delete(path.set.key);
    }
    if (this.#last === path) this.#last = undefined;
    path.set.release();
  }

  #unref(path: OutPath): void {
    if (--path.refs === 0) this.#dropPath(path);
  }

  /** Queues the first announcement of a route the peer does not have; it takes a reference on `path`. */
  #queueFresh(p: Prefix, path: OutPath): void {
    this.#routes.set(p, path.freshMark);
    path.fresh.push(p);
    path.refs++;
    if (path.live++ === 0) this.#dirty.add(path);
    this.#pendingCount++;
    this.#pendingNew++;
  }

  /**
   * A first announcement or re-send queued in `list` of `path` was cancelled or
   * superseded: its entry goes stale and its reference on `path` is given back. The
   * map entry is the caller's.
   */
  #unmark(path: OutPath, list: MarkedList): void {
    list.stale = true;
    this.#pendingCount--;
    if (list === path.fresh) this.#pendingNew--;
    if (--path.live === 0) this.#dirty.delete(path);
    path.compact();
    this.#unref(path);
  }

  /**
   * Queues a change to a route the peer has. The route's reference on `sent` moves
   * from the map into the change; the change takes one on `op`.
   */
  #queue(p: Prefix, sent: OutPath, op: OutPath | null, forced: boolean): void {
    const r = new PendingRoute(p, sent, op, forced);
    this.#routes.set(p, r);
    this.#pendingCount++;
    const q = op ?? this.#withdrawals[p.afi - 1]!;
    q.changes.push(r);
    if (q.live++ === 0 && op !== null) this.#dirty.add(op);
    if (op !== null) op.refs++;
  }

  /** Marks a change dead and gives back its reference on `op`; the map entry is the caller's. */
  #kill(r: PendingRoute): void {
    r.dead = true;
    this.#pendingCount--;
    const op = r.op;
    const q = op ?? this.#withdrawals[r.prefix.afi - 1]!;
    if (--q.live === 0 && op !== null) this.#dirty.delete(op);
    q.compact();
    if (op !== null) this.#unref(op);
  }

  /** Drops a change: the route goes back to what the peer has. */
  #cancel(r: PendingRoute): void {
    this.#kill(r);
    this.#routes.set(r.prefix, r.sent);
  }

  #replace(r: PendingRoute, p: Prefix, op: OutPath | null): void {
    this.#kill(r);
    this.#queue(p, r.sent, op, r.forced);
  }

  #nextQueue(): FlushQueue | undefined {
    if (this.#withdrawals[0].live > 0) return this.#withdrawals[0];
    if (this.#withdrawals[1].live > 0) return this.#withdrawals[1];
    for (const path of this.#dirty) return path;
    return undefined;
  }

  #pack(queue: FlushQueue, prefixes: Prefix[], maxMessages: number): PackResult {
    if (queue instanceof OutPath) {
      return packUpdatesUpTo(
        {
          afi: queue.afi,
          attributes: queue.attributes,
          nextHop: queue.nextHop,
          nlri: prefixes,
          ctx: this.#ctx,
          useMpForIpv4: queue.useMp,
        },
        maxMessages,
      );
    }
    return packWithdrawalsUpTo(
      { afi: queue.afi, prefixes, ctx: this.#ctx, useMpForIpv4: this.#useMpForIpv4 },
      maxMessages,
    );
  }

  /** Octets of NLRI one UPDATE of `queue` holds at most (the packer's answer). */
  #capacity(queue: FlushQueue): number {
    if (queue instanceof OutPath) {
      return updateNlriCapacity({
        afi: queue.afi,
        attributes: queue.attributes,
        nextHop: queue.nextHop,
        ctx: this.#ctx,
        useMpForIpv4: queue.useMp,
      });
    }
    return withdrawalNlriCapacity({ afi: queue.afi, ctx: this.#ctx, useMpForIpv4: this.#useMpForIpv4 });
  }

  /**
   * Encodes up to `budget` messages of `queue` into `out`. It offers the packer the
   * entries that `budget` full messages could hold at most; the packer says how many
   * it packed, and the rest stay pending where they were.
   */
  #flushQueue(queue: FlushQueue, out: Uint8Array[], budget: number): void {
    const addPath = this.#addPath[queue.afi - 1]!;
    queue.capacity ??= this.#capacity(queue);
    const room = queue.capacity * budget;
    let bytes = 0;
    // The first entry is always offered: if it does not fit alone, the packer says why.
    const offer = (p: Prefix): boolean => {
      const n = encodedPrefixLength(p, addPath);
      if (bytes > 0 && bytes + n > room) return false;
      bytes += n;
      return true;
    };
    const prefixes: Prefix[] = [];
    const taken: PendingRoute[] = [];
    const takenAt: number[] = [];
    const path = queue instanceof OutPath ? queue : undefined;
    let full = false;

    const changes = queue.changes;
    let i = queue.changesHead;
    for (; i < changes.length; i++) {
      const r = changes[i]!;
      if (r.dead) continue;
      if (!offer(r.prefix)) {
        full = true;
        break;
      }
      r.dead = true;
      taken.push(r);
      takenAt.push(i);
      prefixes.push(r.prefix);
    }
    // Marked entries are set to the path as they are offered (which also makes a
    // duplicate entry fail the check), and set back if the packer leaves them out.
    let fresh: Offered | undefined;
    let resend: Offered | undefined;
    if (path !== undefined) {
      fresh = this.#offerMarked(path, path.fresh, path.freshMark, full, offer, prefixes);
      resend = this.#offerMarked(path, path.resend, path.resendMark, fresh.full, offer, prefixes);
    }

    if (prefixes.length === 0) {
      // A queue counted live always yields at least one entry; anything else would loop forever.
      throw new Error(`Adj-RIB-Out queue for AFI ${queue.afi} counts ${queue.live} changes but holds none`);
    }
    let packed: number;
    let messages: Uint8Array[];
    try {
      ({ packed, messages } = this.#pack(queue, prefixes, budget));
    } catch (err) {
      for (const r of taken) r.dead = false;
      fresh?.settle(0);
      resend?.settle(0);
      throw err;
    }
    // What the packer left out stays pending, from the first entry left out.
    const changesSent = Math.min(packed, taken.length);
    for (let k = changesSent; k < taken.length; k++) taken[k]!.dead = false;
    queue.changesHead = changesSent < taken.length ? takenAt[changesSent]! : i;
    let rest = packed - changesSent;
    const freshSent = fresh?.settle(rest) ?? 0;
    rest -= freshSent;
    const resendSent = resend?.settle(rest) ?? 0;

    const sent = changesSent + freshSent + resendSent;
    queue.live -= sent;
    this.#pendingCount -= sent;
    if (path !== undefined) {
      // A first announcement's reference on its path becomes the route's.
      this.#pendingNew -= freshSent;
      this.#advertisedCount += freshSent;
      // A re-send's extra reference goes; the route keeps its own, so the path stays.
      path.refs -= resendSent;
      for (let k = 0; k < changesSent; k++) {
        const r = taken[k]!;
        // The change's reference on `path` becomes the route's; the one on what was sent goes.
        this.#routes.set(r.prefix, path);
        this.#unref(r.sent);
      }
      if (path.live === 0) this.#dirty.delete(path);
    } else {
      for (let k = 0; k < changesSent; k++) {
        const r = taken[k]!;
        this.#routes.delete(r.prefix);
        this.#advertisedCount--;
        this.#unref(r.sent);
      }
    }
    queue.compact();
    for (const m of messages) out.push(m);
  }

  /**
   * Offers entries of `list` still marked with `mark` while `offer` accepts them
   * (none if `full`), setting their routes to `path` and appending them to `prefixes`.
   */
  #offerMarked(
    path: OutPath,
    list: MarkedList,
    mark: FreshMark | ResendMark,
    full: boolean,
    offer: (p: Prefix) => boolean,
    prefixes: Prefix[],
  ): Offered {
    const routes = this.#routes;
    const check = list.stale;
    const v4: Prefix[] = [];
    const v4At: number[] = [];
    let j = list.v4Head;
    for (; !full && j < list.v4.length; j++) {
      const p = ipv4OfNumber(list.v4[j]!);
      if (check && routes.get(p) !== mark) continue;
      if (!offer(p)) {
        full = true;
        break;
      }
      routes.set(p, path);
      v4.push(p);
      v4At.push(j);
    }
    const other: Prefix[] = [];
    const otherAt: number[] = [];
    let k = list.otherHead;
    for (; !full && k < list.other.length; k++) {
      const p = list.other[k]!;
      if (check && routes.get(p) !== mark) continue;
      if (!offer(p)) {
        full = true;
        break;
      }
      routes.set(p, path);
      other.push(p);
      otherAt.push(k);
    }
    for (const p of v4) prefixes.push(p);
    for (const p of other) prefixes.push(p);
    const v4End = j;
    const otherEnd = k;
    return {
      full,
      settle: (packed) => {
        const v4Sent = Math.min(packed, v4.length);
        const otherSent = Math.min(packed - v4Sent, other.length);
        for (let x = v4Sent; x < v4.length; x++) routes.set(v4[x]!, mark);
        for (let x = otherSent; x < other.length; x++) routes.set(other[x]!, mark);
        list.v4Head = v4Sent < v4.length ? v4At[v4Sent]! : v4End;
        list.otherHead = otherSent < other.length ? otherAt[otherSent]! : otherEnd;
        return v4Sent + otherSent;
      },
    };
  }
}

/** What {@link AdjRibOut} offered the packer from a {@link MarkedList}. */
interface Offered {
  /** Whether the room ran out. */
  readonly full: boolean;
  /**
   * The first `packed` entries offered were sent: the others get their mark back, and
   * the list's heads move to the first of them. Returns how many of this list's were sent.
   */
  readonly settle: (packed: number) => number;
}

/** A route map value. */
type RouteState = OutPath | FreshMark | ResendMark | PendingRoute;

/** The path a route map value says the peer should end up with; null for none. */
function desiredPath(v: RouteState | undefined): OutPath | null {
  if (v === undefined) return null;
  if (v instanceof FreshMark || v instanceof ResendMark) return v.path;
  if (v instanceof PendingRoute) return v.op;
  return v;
}

/** The IPv4 prefix (no path id) stored in a queue as `v4 * 64 + length`. */
function ipv4OfNumber(n: number): Prefix {
  const length = n % 64;
  return { afi: 1, length, v4: (n - length) / 64, v6: undefined, pathId: undefined };
}
