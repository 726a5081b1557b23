import type { RouteRefreshEvent } from '../events/peer-events.js';
import type { Negotiated } from '../fsm/negotiate.js';
import { AdjRibIn } from '../rib/adj-rib-in.js';
import { AdjRibOut } from '../rib/adj-rib-out.js';
import { ExportCache } from '../rib/export-cache.js';
import type { Route, RouteChange } from '../rib/route.js';
import type { RouteWalk } from '../rib/route-table.js';
import type { RouteTemplate } from '../rib/route-template.js';
import { CeaseSubcode, familyKey, RouteRefreshSubtype, Safi } from '../wire/constants.js';
import { LocalProtocolError } from '../wire/errors.js';
import type { Family, UnicastAfi } from '../wire/family.js';
import type { Prefix } from '../wire/prefix.js';
import { encodeRouteRefresh, type RouteRefreshMessage } from '../wire/route-refresh.js';
import type { ParsedUpdate } from '../wire/update.js';
import type { BgpConnection, MessageCounters } from './connection.js';
import type { PeerSessionOptions } from './peer-session-options.js';
import { canonicalAddress } from './transport.js';

/** UPDATEs encoded per flush call: about 256 KB of 4096-octet messages. */
const FLUSH_BUDGET = 64;
/** With RFC 8654 extended messages of up to 64 KB, fewer per call. */
const FLUSH_BUDGET_EXTENDED = 8;
/** Routes fed to the Adj-RIB-Out per round during the initial table (about 5 ms of work). */
const SYNC_FEED_SLICE = 8192;
/**
 * During the initial table, routes are fed to the Adj-RIB-Out until this many are
 * pending before each flush. Kept small so the first UPDATEs leave within a few
 * milliseconds of Established and the peer imports while we encode the rest
 * (waiting for 64 full UPDATEs' worth, 52,000 routes, cost ~90 ms before the first
 * byte at 100,000 routes).
 */
const SYNC_PENDING_TARGET = 8192;
/**
 * IPv4 /32s in one UPDATE (4096 octets; RFC 8654 extended: 65535): while the initial
 * table is fed, a flush takes only as many UPDATEs as the pending routes fill, and
 * the rest waits for the next slice, so UPDATEs stay full.
 */
const ROUTES_PER_UPDATE = 800;
const ROUTES_PER_UPDATE_EXTENDED = 13_000;

/**
 * What exists only while a session is Established: the negotiated parameters, the
 * two Adj-RIBs, the per-peer export cache, the initial table and its End-of-RIB
 * (RFC 4724 §2), and route refresh in both directions (RFC 2918, RFC 7313).
 *
 * It never schedules anything itself: `pumpOnce` is called by the `PeerSession`'s
 * pump, and `requestFlush` asks it for a round when there is something to send.
 */
export class EstablishedSession {
  readonly connection: BgpConnection;
  readonly negotiated: Negotiated;
  readonly localAddress: string;
  readonly establishedAt: number;
  readonly ribIn: AdjRibIn;
  readonly ribOut: AdjRibOut;
  /** Families (by key) whose EoRR is due once the re-sent table is flushed (RFC 7313 §4). */
  readonly #eorrPending = new Set<number>();
  readonly #opts: PeerSessionOptions;
  readonly #counters: MessageCounters;
  readonly #requestFlush: () => void;
  readonly #families: readonly UnicastAfi[];
  readonly #enabled: [boolean, boolean] = [false, false];
  readonly #budget: number;
  readonly #routesPerUpdate: number;
  readonly #exports: ExportCache;
  /** The initial table still to be fed to the Adj-RIB-Out. */
  #sync: RouteWalk | undefined;
  readonly #feedOne = (prefix: Prefix, template: RouteTemplate): void => {
    if (this.export(prefix, template)) this.#initial[prefix.afi - 1]!++;
  };
  /** Routes of the initial table per AFI - 1, for End-of-RIB events. */
  readonly #initial: [number, number] = [0, 0];
  #eorSent = false;
  /**
   * Whether an UPDATE left yet. Until then, the initial table is flushed as soon as
   * one full UPDATE's worth is pending (not SYNC_PENDING_TARGET): the peer starts
   * importing while we encode the rest, which takes the cold first slice off the
   * session's fixed start-up cost (Established → first UPDATE).
   */
  #updateSent = false;

  constructor(
    opts: PeerSessionOptions,
    connection: BgpConnection,
    negotiated: Negotiated,
    localAddress: string,
    counters: MessageCounters,
    requestFlush: () => void,
  ) {
    this.#opts = opts;
    this.#counters = counters;
    this.#requestFlush = requestFlush;
    this.connection = connection;
    this.negotiated = negotiated;
    this.localAddress = localAddress;
    this.establishedAt = opts.clock.now();
    const unicast = negotiated.families.filter(
      (f): f is { afi: UnicastAfi; safi: number } => (f.afi === 1 || f.afi === 2) && f.safi === Safi.UNICAST,
    );
    this.#families = unicast.map((f) => f.afi);
    for (const afi of this.#families) this.#enabled[afi - 1] = true;
    this.ribIn = new AdjRibIn({
      table: opts.table,
      maxPrefixes: opts.maxPrefixes ?? [],
      // iBGP paths never carry our AS unless it looped through an eBGP peer, which refused it there.
      ...(negotiated.ibgp
        ? {}
        : { asPathLoop: { localAsn: opts.fsm.localAsn, allowAsIn: opts.allowAsIn ?? 0 } }),
    });
    this.ribOut = new AdjRibOut({ ctx: negotiated.sendContext, families: unicast });
    this.#budget = negotiated.sendContext.extendedMessage ? FLUSH_BUDGET_EXTENDED : FLUSH_BUDGET;
    this.#routesPerUpdate = negotiated.sendContext.extendedMessage
      ? ROUTES_PER_UPDATE_EXTENDED
      : ROUTES_PER_UPDATE;
    const local = canonicalAddress(localAddress);
    const isV6 = local?.includes(':') === true;
    const isV4 = local !== undefined && !isV6;
    // A link-local address cannot be a global next hop (RFC 2545 §3).
    const isV6Global = isV6 && local !== undefined && !/^fe[89ab]/i.test(local);
    this.#exports = new ExportCache({
      table: opts.table,
      facts: {
        localAsn: opts.fsm.localAsn,
        ibgp: negotiated.ibgp,
        fourOctetAs: negotiated.fourOctetAs,
        nextHopSelf: {
          ipv4: opts.nextHopSelf?.ipv4 ?? (isV4 ? local : undefined),
          ipv6: opts.nextHopSelf?.ipv6 ?? (isV6Global ? local : undefined),
        },
      },
      onRefused: (afi, reason) => opts.logger.warn('route not exported', { peer: opts.address, afi, reason }),
    });
    // The initial table's size is known: presized slots load it without rehashing.
    if (this.#enabled[0]) this.ribOut.reserve(opts.routes.ipv4Lengths());
    this.#sync = opts.routes.walk(this.#families);
  }

  // ---- the Adj-RIB-Out and the export cache ----------------------------------------------

  /**
   * Puts `prefix` in the Adj-RIB-Out with this peer's form of `template`; false if
   * not exported. A route this peer cannot be sent is withdrawn from it: the peer
   * must not keep older attributes of a route that changed.
   */
  export(prefix: Prefix, template: RouteTemplate): boolean {
    const afi = prefix.afi;
    if (!this.#enabled[afi - 1]) return false;
    const path = this.#exports.resolve(template, afi);
    if (path === null) {
      this.ribOut.withdraw(prefix);
      return false;
    }
    try {
      this.ribOut.set(prefix, path.set, path.nextHop);
    } catch (e) {
      if (!(e instanceof LocalProtocolError)) throw e;
      this.#opts.logger.warn('route not exported', { peer: this.#opts.address, reason: e.message });
      this.ribOut.withdraw(prefix);
      return false;
    }
    return true;
  }

  withdraw(prefix: Prefix): void {
    if (this.#enabled[prefix.afi - 1]) this.ribOut.withdraw(prefix);
  }

  /** Drops what this peer cached for a template no route uses any more. */
  forget(template: RouteTemplate): void {
    this.#exports.forget(template);
  }

  // ---- received UPDATEs ------------------------------------------------------------------

  /** An UPDATE from the peer: into the Adj-RIB-In, then the events it calls for. */
  onUpdate(update: ParsedUpdate): void {
    const opts = this.#opts;
    const result = this.ribIn.apply(update, opts.listening('routesReceived'));
    if (result.endOfRib !== undefined) {
      const { afi, safi } = result.endOfRib;
      opts.emit({
        kind: 'eorReceived',
        peer: opts.address,
        afi,
        safi,
        count: afi === 1 || afi === 2 ? this.ribIn.count(afi) : 0,
        msSinceEstablished: Math.round(opts.clock.now() - this.establishedAt),
      });
    }
    if (result.changes.length > 0) this.#emitChanges(result.changes);
    const rejected = result.rejected;
    if (rejected !== undefined) {
      opts.emit({
        kind: 'routesRejected',
        peer: opts.address,
        reason: rejected.kind,
        localAsn: rejected.localAsn,
        occurrences: rejected.occurrences,
        count: rejected.routes,
      });
    }
    const max = result.maxPrefix;
    if (max !== undefined) {
      opts.emit({
        kind: 'maxPrefix',
        peer: opts.address,
        action: max.action,
        limit: max.limit,
        count: max.count,
        afi: max.afi,
        safi: max.safi,
      });
      if (max.action === 'stop') {
        this.connection.step({
          kind: 'automaticStop',
          ceaseSubcode: CeaseSubcode.MAXIMUM_NUMBER_OF_PREFIXES_REACHED,
          ...(max.notification !== undefined ? { data: max.notification.data } : {}),
        });
      }
    }
  }

  #emitChanges(changes: readonly RouteChange[]): void {
    const announced: Route[] = [];
    const withdrawn: Route[] = [];
    for (const ch of changes) {
      if (ch.kind === 'removed') withdrawn.push(ch.route);
      else announced.push(ch.route);
    }
    this.#opts.emit({ kind: 'routesReceived', peer: this.#opts.address, announced, withdrawn });
  }

  // ---- route refresh (RFC 2918, RFC 7313) ------------------------------------------------

  /**
   * Asks the peer to re-send its routes (RFC 2918 §3), for one family or every
   * negotiated one. Throws {@link LocalProtocolError} when the peer did not
   * advertise Route Refresh or the family was not negotiated.
   */
  requestRefresh(family?: Family): void {
    const negotiated = this.negotiated;
    if (!negotiated.routeRefresh) {
      throw new LocalProtocolError(
        'ANYVIP_ROUTE_REFRESH_NOT_NEGOTIATED',
        `peer ${this.#opts.address} did not advertise Route Refresh`,
      );
    }
    const families = family === undefined ? negotiated.families : [family];
    for (const f of families) {
      if (!negotiated.families.some((n) => n.afi === f.afi && n.safi === f.safi)) {
        throw new LocalProtocolError(
          'ANYVIP_FAMILY_NOT_NEGOTIATED',
          `family ${f.afi}/${f.safi} was not negotiated`,
        );
      }
      this.#sendRefresh(f.afi, f.safi, RouteRefreshSubtype.NORMAL);
    }
  }

  /**
   * ROUTE-REFRESH from the peer (RFC 2918 §4): the whole table is re-sent, between
   * BoRR and EoRR markers when Enhanced Route Refresh was negotiated (RFC 7313 §4).
   * BoRR/EoRR from the peer frame its own re-advertisement: routes not re-sent
   * between them are removed (RFC 7313 §4.2).
   */
  onRouteRefresh(message: RouteRefreshMessage): void {
    const { afi, safi, subtype } = message;
    this.#emitRefresh('received', afi, safi, subtype);
    const family = { afi, safi };
    switch (subtype) {
      case RouteRefreshSubtype.NORMAL:
        if (this.negotiated.enhancedRouteRefresh) {
          this.#sendRefresh(afi, safi, RouteRefreshSubtype.BORR);
          this.#eorrPending.add(familyKey(afi, safi));
        }
        this.ribOut.resendAll();
        this.#requestFlush();
        return;
      case RouteRefreshSubtype.BORR:
        this.ribIn.markStale(family);
        return;
      case RouteRefreshSubtype.EORR: {
        const removed = this.ribIn.sweepStale(family);
        if (removed.length > 0 && this.#opts.listening('routesReceived')) this.#emitChanges(removed);
        return;
      }
      default:
        return;
    }
  }

  #sendRefresh(afi: number, safi: number, subtype: number): void {
    this.connection.send(encodeRouteRefresh({ kind: 'routeRefresh', afi, safi, subtype }));
    this.#counters.messagesSent++;
    this.#emitRefresh('sent', afi, safi, subtype);
  }

  #emitRefresh(direction: 'sent' | 'received', afi: number, safi: number, subtype: number): void {
    const name: RouteRefreshEvent['subtype'] =
      subtype === RouteRefreshSubtype.BORR
        ? 'borr'
        : subtype === RouteRefreshSubtype.EORR
          ? 'eorr'
          : 'request';
    this.#opts.emit({ kind: 'routeRefresh', peer: this.#opts.address, direction, afi, safi, subtype: name });
  }

  // ---- the pump: initial table, End-of-RIB, EoRR ----------------------------------------

  /**
   * One round of the pump: feed the initial table, flush a budget of UPDATEs, then
   * End-of-RIB and EoRR markers. Returns false when there is nothing left to do.
   */
  pumpOnce(): boolean {
    const out = this.ribOut;
    // Until the first UPDATE left, one UPDATE's worth (an eighth over the estimate, so it is full) is enough.
    const target = this.#updateSent
      ? SYNC_PENDING_TARGET
      : Math.min(SYNC_PENDING_TARGET, this.#routesPerUpdate + (this.#routesPerUpdate >> 3));
    if (this.#sync !== undefined && out.pendingCount < target) {
      this.#feed(target);
      // Flush only once enough is pending for full UPDATEs (or the table is all fed).
      if (this.#sync !== undefined && out.pendingCount < target) return true;
    }
    if (out.hasPending) {
      const budget =
        this.#sync === undefined
          ? this.#budget
          : Math.min(this.#budget, Math.max(1, Math.floor(out.pendingCount / this.#routesPerUpdate)));
      const messages = out.flush(budget);
      if (messages.length > 0) this.#sendUpdates(messages);
      return true;
    }
    if (this.#sync !== undefined) return true;
    // Held (the speaker's table is still being originated): the pump stops here, and the
    // release asks for a round that sends it.
    if (!this.#eorSent && this.#opts.endOfRibHeld?.() !== true) {
      this.#eorSent = true;
      this.#sendEndOfRib();
      return true;
    }
    if (this.#eorrPending.size > 0) {
      for (const key of this.#eorrPending) this.#sendRefresh(key >> 8, key & 0xff, RouteRefreshSubtype.EORR);
      this.#eorrPending.clear();
      return true;
    }
    return false;
  }

  #feed(target: number): void {
    const walk = this.#sync;
    if (walk === undefined) return;
    // One slice per round, so that refused routes (which add nothing pending) cannot make a round scan the whole table.
    const want = Math.min(SYNC_FEED_SLICE, target - this.ribOut.pendingCount);
    if (!walk.next(want, this.#feedOne)) this.#sync = undefined;
  }

  #sendUpdates(messages: Uint8Array[]): void {
    let total = 0;
    for (const m of messages) total += m.length;
    const buf = new Uint8Array(total);
    let at = 0;
    for (const m of messages) {
      buf.set(m, at);
      at += m.length;
    }
    this.connection.send(buf);
    this.#updateSent = true;
    this.#counters.updatesSent += messages.length;
    this.#counters.messagesSent += messages.length;
  }

  #sendEndOfRib(): void {
    const opts = this.#opts;
    for (const afi of this.#families) {
      const [eor] = this.ribOut.endOfRibFor([{ afi, safi: Safi.UNICAST }]);
      if (eor === undefined) continue;
      const count = this.#initial[afi - 1]!;
      this.#counters.updatesSent++;
      this.#counters.messagesSent++;
      this.connection.send(eor, (err) => {
        if (err) return;
        opts.emit({
          kind: 'eorSent',
          peer: opts.address,
          afi,
          safi: Safi.UNICAST,
          count,
          msSinceEstablished: Math.round(opts.clock.now() - this.establishedAt),
        });
      });
    }
  }

  /** Empties both RIBs and the export cache; returns how many received routes went. */
  teardown(): number {
    const withdrawn = this.ribIn.count();
    this.ribIn.clear(undefined, false);
    this.ribOut.clear();
    this.#exports.clear();
    this.#sync = undefined;
    return withdrawn;
  }
}
