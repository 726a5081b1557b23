import type { AddPeerOptions, AnnounceOptions } from '@anyvip/bgp';
import type { PeerConfig } from '../config/schema.js';
import { GRACEFUL_SHUTDOWN } from '../desired/lifecycle.js';
import type { BgpDesired, DesiredState, RouteAttributes, SpeakerSpec } from '../desired/types.js';
import { describeError } from '../errors.js';
import { canonicalJson, diffKeyed, sameData } from '../reconcile/diff.js';
import type { Phase, Sink, SinkChange, SinkFailure, SinkResult } from '../reconcile/sink.js';

/**
 * The narrow part of `@anyvip/bgp`'s `BgpSpeaker` the sink drives (Cilium's `Router`
 * interface idea): a fake in unit tests, the real speaker in production.
 */
export interface BgpRouter {
  addPeer(options: AddPeerOptions): unknown;
  removePeer(address: string): Promise<void>;
  announce(options: AnnounceOptions): void;
  withdraw(prefix: string): boolean;
  /** A configured peer's own routes (per-peer export); undefined for an unknown peer. */
  peer(address: string): PeerRouter | undefined;
  listen(options: {
    readonly port?: number;
    readonly host?: string;
  }): Promise<{ address: string; port: number }>;
  close(reason?: string): Promise<void>;
  /** Ends the sessions for a planned restart (RFC 4724): no NOTIFICATION where GR was negotiated. */
  closeForRestart?(reason?: string): Promise<void>;
  /** Holds End-of-RIB back until `releaseEndOfRib` (the table is still being announced). */
  holdEndOfRib?(): void;
  releaseEndOfRib?(): void;
}

/**
 * One peer's own routes (`@anyvip/bgp` `Peer`): a peer's own route of a prefix overrides the
 * speaker-wide one for that peer; withdrawing it falls back to the speaker-wide route, if any.
 */
export interface PeerRouter {
  announce(options: AnnounceOptions): void;
  withdraw(prefix: string): boolean;
}

/** Makes a router for a speaker identity (the app wires events and the logger in). */
export type RouterFactory = (spec: SpeakerSpec) => BgpRouter;

export { GRACEFUL_SHUTDOWN };

/**
 * Mode `bgp`: keeps the speaker, its peers and its originated routes equal to the desired
 * state, diffing each by key so that nothing unchanged is touched:
 *
 * - speaker identity (AS, router id, listen address) changed: the old speaker is closed (every
 *   session ends) and a new one made; nothing else restarts sessions;
 * - peers are added and removed one by one; a peer whose settings changed is removed and added
 *   again (a new session); the others keep theirs;
 * - routes: withdrawn when no longer desired, announced when new, re-announced (an implicit
 *   replace, RFC 4271 §3.1, no withdraw) when their attributes changed;
 * - per-peer export (`routesByPeer`, from AnyvipAdvertisements): a route every peer gets with
 *   the same attributes is speaker-wide (as above: one entry, whatever the number of peers);
 *   a route only some peers get, or with attributes that differ by peer, is each such peer's
 *   own route (`Peer.announce`, which overrides the speaker-wide one). A route moving between
 *   the two is announced where it goes before it is withdrawn where it went, so a peer that
 *   keeps it sees at most an implicit replace, never a withdrawal; an advertisement change
 *   sends only the difference. Without advertisements nothing is per peer (no cost).
 *
 * The remove phase withdraws routes and removes peers; the add phase makes the speaker, adds
 * peers and announces routes. `progress` is an early add phase, while the loopback sink is
 * still binding (see reconcile/sink.ts): it makes the speaker and adds new peers at once, so
 * their sessions open while the kernel binds, and announces each new route whose address is
 * confirmed bound; it withdraws nothing. A speaker this sink makes holds End-of-RIB
 * (`holdEndOfRib`) until the end of the pass's own add phase, so End-of-RIB still follows
 * the whole first table (RFC 4724 §4.2: a restarting node's router flushes what it lacks). Graceful shutdown (RFC 8326) and a planned restart (RFC 4724)
 * are states of the desired world: GRACEFUL_SHUTDOWN arrives as a changed attribute (an
 * implicit replace), and `end` asks the sink to close the speaker.
 */
export class BgpSink implements Sink {
  readonly name = 'bgp';
  readonly order: number;
  readonly #factory: RouterFactory;
  #router: BgpRouter | undefined;
  #speakerKey = '';
  #listening = false;
  readonly #peers = new Map<string, PeerConfig>();
  readonly #routes = new Map<string, RouteAttributes>();
  /** Peer → its own routes (per-peer export), as announced. */
  readonly #own = new Map<string, Map<string, RouteAttributes>>();
  /** No peer added yet since start: a restarting process may still hold its first peers back. */
  #firstPeers = true;
  /** When this restarting process first held its peers back (ms, `now()`). */
  #heldSince: number | undefined;
  readonly #now: () => number;

  constructor(options: {
    readonly createRouter: RouterFactory;
    readonly order?: number;
    /** Wall clock in ms; bounds how long a restart holds peers back. Default `Date.now`. */
    readonly now?: () => number;
  }) {
    this.#factory = options.createRouter;
    this.order = options.order ?? 20;
    this.#now = options.now ?? Date.now;
  }

  /** The router in use, if any (for status and tests). */
  get router(): BgpRouter | undefined {
    return this.#router;
  }

  /** Peers configured on the speaker now, by address. */
  get peers(): ReadonlyMap<string, PeerConfig> {
    return this.#peers;
  }

  /** Routes originated now, by prefix. */
  get routes(): ReadonlyMap<string, RouteAttributes> {
    return this.#routes;
  }

  async apply(desired: DesiredState, phase: Phase): Promise<SinkResult> {
    const changes: SinkChange[] = [];
    const errors: SinkFailure[] = [];
    const want = desired.bgp;
    if (phase === 'remove') {
      if (want?.end !== undefined) await this.#end(want.end, changes);
      else await this.#remove(want, changes, errors);
    } else if (want !== undefined && want.end === undefined) {
      await this.#add(want, desired.vips, changes, errors, false);
      // The speaker sends on setImmediate; the sinks after this one (Service status, Events,
      // node status: ~0.5 s of work at 10,000 Services) would otherwise run first, and the
      // routes announced here would wait behind them.
      if (changes.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { changes, errors, applied: this.#appliedPrefixes() };
  }

  async progress(desired: DesiredState): Promise<readonly SinkChange[]> {
    const want = desired.bgp;
    if (want === undefined || want.end !== undefined) return [];
    const changes: SinkChange[] = [];
    await this.#add(want, desired.vips, changes, [], true);
    return changes;
  }

  /** Every prefix announced to some peer (speaker-wide or a peer's own). */
  #appliedPrefixes(): string[] {
    const all = new Set(this.#routes.keys());
    for (const own of this.#own.values()) for (const p of own.keys()) all.add(p);
    return [...all].sort();
  }

  /** Each peer's own routes now, by peer (for status and tests). */
  get peerRoutes(): ReadonlyMap<string, ReadonlyMap<string, RouteAttributes>> {
    return this.#own;
  }

  async #remove(want: BgpDesired | undefined, changes: SinkChange[], errors: SinkFailure[]): Promise<void> {
    const router = this.#router;
    if (router === undefined) return;
    if (want === undefined || canonicalJson(want.speaker) !== this.#speakerKey) {
      this.#withdrawRoutes(router, [...this.#routes.keys()], changes, errors);
      const reason = want === undefined ? 'BGP is no longer configured' : 'speaker AS or router id changed';
      await this.#closeRouter(reason);
      changes.push({ action: 'remove', key: 'speaker', what: `speaker closed: ${reason}` });
      return;
    }
    const routes = diffKeyed(want.routes, this.#routes as ReadonlyMap<string, unknown>, () => true);
    this.#withdrawRoutes(router, [...routes.remove.keys()], changes, errors);
    for (const [peer, own] of this.#own) {
      const gone = [...own.keys()].filter((p) => !want.routes.has(p));
      if (gone.length > 0) this.#withdrawOwn(router, peer, gone, changes, errors);
    }
    const peers = diffKeyed(want.peers, this.#peers, sameData);
    for (const address of [...peers.remove.keys(), ...peers.change.keys()]) {
      await this.#removePeer(router, address, changes, errors);
    }
  }

  async #add(
    want: BgpDesired,
    vips: DesiredState['vips'],
    changes: SinkChange[],
    errors: SinkFailure[],
    early: boolean,
  ): Promise<void> {
    const speakerKey = canonicalJson(want.speaker);
    if (this.#router !== undefined && speakerKey !== this.#speakerKey) {
      if (early) return; // Closing a speaker is the pass's own business.
      await this.#closeRouter('speaker changed');
    }
    let router = this.#router;
    if (router === undefined) {
      try {
        router = this.#factory(want.speaker);
      } catch (err) {
        errors.push({ key: 'speaker', reason: `cannot start the BGP speaker: ${describeError(err)}` });
        return;
      }
      this.#router = router;
      this.#speakerKey = speakerKey;
      this.#listening = false;
      router.holdEndOfRib?.();
      changes.push({
        action: 'add',
        key: 'speaker',
        what: `speaker started (AS ${want.speaker.asn}, router id ${want.speaker.routerId})`,
      });
    }
    const listen = want.speaker.listen;
    if (listen !== undefined && !this.#listening) {
      try {
        const at = await router.listen({
          port: listen.port,
          ...(listen.address !== undefined ? { host: listen.address } : {}),
        });
        this.#listening = true;
        changes.push({ action: 'add', key: 'listen', what: `listening on ${at.address} port ${at.port}` });
      } catch (err) {
        errors.push({ key: 'listen', reason: `cannot listen on port ${listen.port}: ${describeError(err)}` });
      }
    }

    const peers = diffKeyed(want.peers, this.#peers, sameData);
    if (!early)
      for (const address of peers.change.keys()) await this.#removePeer(router, address, changes, errors);
    const holdPeers = this.#holdPeersForRestart(want, vips);
    if (!holdPeers) this.#firstPeers = false;
    const addPeers = holdPeers
      ? []
      : early
        ? [...peers.add]
        : [...peers.add, ...[...peers.change].map(([k, c]) => [k, c.to] as const)];
    for (const [address, peer] of addPeers) {
      try {
        router.addPeer(addPeerOptions(peer, want.restarting));
        this.#peers.set(address, peer);
        changes.push({ action: 'add', key: address, peer: address, what: 'peer added' });
      } catch (err) {
        errors.push({ key: address, peer: address, reason: `cannot add peer: ${describeError(err)}` });
      }
    }

    const split = splitExport(want);
    if (early) {
      // New speaker-wide routes only; everything else waits for the pass's own add phase.
      for (const [prefix, attributes] of split.common)
        if (!this.#routes.has(prefix)) this.#announce(router, prefix, attributes, 'add', changes, errors);
      return;
    }
    // 1. Each peer's own routes where they are new or changed (before any speaker-wide
    //    withdrawal, so a peer keeping a route never sees it withdrawn).
    for (const [peer, want] of split.own) {
      if (!this.#peers.has(peer)) continue;
      const have = this.#own.get(peer) ?? new Map<string, RouteAttributes>();
      const d = diffKeyed(want, have, sameAttributes);
      for (const [prefix, attributes] of [...d.add, ...[...d.change].map(([k, c]) => [k, c.to] as const)])
        this.#announceOwn(
          router,
          peer,
          prefix,
          attributes,
          d.add.has(prefix) ? 'add' : 'change',
          changes,
          errors,
        );
    }
    // 2. Speaker-wide routes: announced, re-announced, then withdrawn where they went per peer.
    const routes = diffKeyed(split.common, this.#routes, sameAttributes);
    const toAnnounce: [string, RouteAttributes, 'add' | 'change'][] = [
      ...[...routes.add].map(([k, a]) => [k, a, 'add'] as [string, RouteAttributes, 'add']),
      ...[...routes.change].map(([k, c]) => [k, c.to, 'change'] as [string, RouteAttributes, 'change']),
    ];
    for (const [prefix, attributes, action] of toAnnounce)
      this.#announce(router, prefix, attributes, action, changes, errors);
    this.#withdrawRoutes(router, [...routes.remove.keys()], changes, errors);
    // 3. Own routes no longer wanted: the peer falls back to the speaker-wide route (an
    //    implicit replace) or, without one, gets the withdrawal.
    for (const [peer, have] of this.#own) {
      const wanted = split.own.get(peer);
      const gone = [...have.keys()].filter((p) => wanted?.has(p) !== true);
      if (gone.length > 0) this.#withdrawOwn(router, peer, gone, changes, errors);
    }
    // The table is what this pass wants: End-of-RIB may follow it now, unless the world says
    // it is not the whole table yet (Kubernetes mode before the cluster is listed).
    if (want.incomplete !== true) router.releaseEndOfRib?.();
  }

  #announce(
    router: BgpRouter,
    prefix: string,
    attributes: RouteAttributes,
    action: 'add' | 'change',
    changes: SinkChange[],
    errors: SinkFailure[],
  ): void {
    try {
      router.announce(this.#announceOptions(prefix, attributes));
      this.#routes.set(prefix, attributes);
      changes.push({
        action,
        key: prefix,
        vip: prefix,
        what: action === 'add' ? 'announced' : 're-announced',
      });
    } catch (err) {
      errors.push({ key: prefix, vip: prefix, reason: `cannot announce: ${describeError(err)}` });
    }
  }

  #announceOwn(
    router: BgpRouter,
    peer: string,
    prefix: string,
    attributes: RouteAttributes,
    action: 'add' | 'change',
    changes: SinkChange[],
    errors: SinkFailure[],
  ): void {
    try {
      const handle = router.peer(peer);
      if (handle === undefined) throw new Error(`peer ${peer} is not configured`);
      handle.announce(this.#announceOptions(prefix, attributes));
      let own = this.#own.get(peer);
      if (own === undefined) {
        own = new Map();
        this.#own.set(peer, own);
      }
      own.set(prefix, attributes);
      changes.push({
        action,
        key: `${peer} ${prefix}`,
        vip: prefix,
        peer,
        what: action === 'add' ? 'announced to this peer' : 're-announced to this peer',
      });
    } catch (err) {
      errors.push({
        key: `${peer} ${prefix}`,
        vip: prefix,
        peer,
        reason: `cannot announce: ${describeError(err)}`,
      });
    }
  }

  #withdrawOwn(
    router: BgpRouter,
    peer: string,
    prefixes: readonly string[],
    changes: SinkChange[],
    errors: SinkFailure[],
  ): void {
    const own = this.#own.get(peer);
    const handle = router.peer(peer);
    for (const prefix of prefixes) {
      try {
        handle?.withdraw(prefix);
        own?.delete(prefix);
        changes.push({
          action: 'remove',
          key: `${peer} ${prefix}`,
          vip: prefix,
          peer,
          what: 'withdrawn from this peer',
        });
      } catch (err) {
        errors.push({
          key: `${peer} ${prefix}`,
          vip: prefix,
          peer,
          reason: `cannot withdraw: ${describeError(err)}`,
        });
      }
    }
    if (own !== undefined && own.size === 0) this.#own.delete(peer);
  }

  /**
   * After a planned restart the End-of-RIB that follows a session's first table ends the
   * router's restart: it flushes every stale route the table lacks (RFC 4724 §4.2). A VIP
   * whose check has not decided yet is not in the table, so the first peers wait until every
   * check has (`rise` successes or `fall` failures; each result triggers a pass), at most the
   * shortest restart time of the peers with Graceful Restart: by then the routers have
   * dropped the stale routes anyway, and a check that never settles must not keep the node
   * away for good (the periodic pass adds the peers then).
   */
  #holdPeersForRestart(want: BgpDesired, vips: DesiredState['vips']): boolean {
    if (!want.restarting || !this.#firstPeers) return false;
    if (![...vips.values()].some((v) => v.refused === undefined && v.health === 'unknown')) return false;
    const times = [...want.peers.values()].flatMap((p) =>
      p.gracefulRestart === undefined ? [] : [p.gracefulRestart.restartTimeSec],
    );
    if (times.length === 0) return false;
    const now = this.#now();
    this.#heldSince ??= now;
    return now - this.#heldSince < Math.min(...times) * 1000;
  }

  /** The desired world asks the speaker to end: shutdown (Cease) or a planned restart. */
  async #end(end: NonNullable<BgpDesired['end']>, changes: SinkChange[]): Promise<void> {
    if (this.#router === undefined) return;
    if (end.restart) await this.closeForRestart(end.reason);
    else await this.#closeRouter(end.reason);
    changes.push({
      action: 'remove',
      key: 'speaker',
      what: end.restart
        ? `speaker closed for a planned restart: ${end.reason}`
        : `speaker closed: ${end.reason}`,
    });
  }

  /** Closes the speaker: Cease / Administrative Shutdown with `reason` (RFC 9003) to every peer. */
  async close(reason: string): Promise<void> {
    await this.#closeRouter(reason);
  }

  /**
   * Closes the speaker for a planned restart: routes stay announced, and peers that
   * negotiated Graceful Restart keep them as stale until the next process re-announces
   * (RFC 4724 §4); see `BgpSpeaker.closeForRestart`.
   */
  async closeForRestart(reason: string): Promise<void> {
    const router = this.#router;
    if (router?.closeForRestart === undefined) {
      await this.#closeRouter(reason);
      return;
    }
    this.#router = undefined;
    this.#speakerKey = '';
    this.#listening = false;
    this.#peers.clear();
    this.#routes.clear();
    this.#own.clear();
    await router.closeForRestart(reason);
  }

  #announceOptions(prefix: string, a: RouteAttributes): AnnounceOptions {
    return {
      prefix,
      communities: a.communities,
      largeCommunities: a.largeCommunities,
      ...(a.extendedCommunities.length > 0 ? { extendedCommunities: a.extendedCommunities } : {}),
      ...(a.med !== undefined ? { med: a.med } : {}),
      ...(a.localPref !== undefined ? { localPref: a.localPref } : {}),
      ...(a.asPathPrepend > 0 ? { asPathPrepend: a.asPathPrepend } : {}),
    };
  }

  #withdrawRoutes(
    router: BgpRouter,
    prefixes: readonly string[],
    changes: SinkChange[],
    errors: SinkFailure[],
  ): void {
    for (const prefix of prefixes) {
      try {
        router.withdraw(prefix);
        this.#routes.delete(prefix);
        changes.push({ action: 'remove', key: prefix, vip: prefix, what: 'withdrawn' });
      } catch (err) {
        errors.push({ key: prefix, vip: prefix, reason: `cannot withdraw: ${describeError(err)}` });
      }
    }
  }

  async #removePeer(
    router: BgpRouter,
    address: string,
    changes: SinkChange[],
    errors: SinkFailure[],
  ): Promise<void> {
    try {
      await router.removePeer(address);
      changes.push({ action: 'remove', key: address, peer: address, what: 'peer removed' });
    } catch (err) {
      errors.push({ key: address, peer: address, reason: `cannot remove peer: ${describeError(err)}` });
    }
    // The speaker forgets the peer (and its own routes) before its session has closed, whatever happened after.
    this.#peers.delete(address);
    this.#own.delete(address);
  }

  async #closeRouter(reason: string): Promise<void> {
    const router = this.#router;
    this.#router = undefined;
    this.#speakerKey = '';
    this.#listening = false;
    this.#peers.clear();
    this.#routes.clear();
    this.#own.clear();
    if (router !== undefined) await router.close(reason);
  }
}

/** A configured peer as the speaker's `addPeer` takes it. */
export function addPeerOptions(p: PeerConfig, restarting = false): AddPeerOptions {
  return {
    address: p.address,
    remoteAsn: p.asn,
    port: p.port,
    holdTimeSec: p.holdTimeSec,
    ...(p.keepaliveTimeSec !== undefined ? { keepaliveTimeSec: p.keepaliveTimeSec } : {}),
    passive: p.passive,
    ...(p.localAddress !== undefined ? { localAddress: p.localAddress } : {}),
    ...(p.multihop !== undefined ? { multihop: p.multihop } : {}),
    ...(p.families !== undefined ? { families: p.families } : {}),
    ...(p.nextHopSelf !== undefined ? { nextHopSelf: p.nextHopSelf } : {}),
    ...(p.connectRetrySec !== undefined ? { connectRetryTimeSec: p.connectRetrySec } : {}),
    ...(p.passwordFile !== undefined ? { passwordFile: p.passwordFile } : {}),
    // The key from a Secret goes to the speaker only here (in memory; never logged).
    ...(p.password !== undefined ? { password: p.password.reveal() } : {}),
    ...(p.ttlSecurity !== undefined ? { ttlSecurity: p.ttlSecurity } : {}),
    ...(p.bfd !== undefined
      ? {
          bfd: {
            minTxMs: p.bfd.minTxMs,
            minRxMs: p.bfd.minRxMs,
            multiplier: p.bfd.multiplier,
            ...(p.bfd.multihop !== undefined ? { multihop: p.bfd.multihop } : {}),
          },
        }
      : {}),
    ...(p.gracefulRestart !== undefined
      ? {
          gracefulRestart: {
            restartTimeSec: p.gracefulRestart.restartTimeSec,
            notification: p.gracefulRestart.notification,
            restarting,
          },
        }
      : {}),
  };
}

/** Equal attributes: the same object (per-peer export shares them), else by value. */
function sameAttributes(a: RouteAttributes, b: RouteAttributes): boolean {
  return a === b || sameData(a, b);
}

/**
 * Splits the per-peer export into what every peer gets alike (speaker-wide) and each peer's own
 * routes. Only prefixes of `routes` count (the bind gate and shutdown narrow `routes`).
 */
export function splitExport(want: BgpDesired): {
  readonly common: ReadonlyMap<string, RouteAttributes>;
  readonly own: ReadonlyMap<string, ReadonlyMap<string, RouteAttributes>>;
} {
  const common = new Map<string, RouteAttributes>();
  const own = new Map<string, Map<string, RouteAttributes>>();
  const exports = [...want.peers.keys()].map((p) => [p, want.routesByPeer.get(p) ?? want.routes] as const);
  // Without advertisements every peer's export is `routes` itself: all speaker-wide, nothing compared.
  if (exports.every(([, r]) => r === want.routes)) {
    for (const [k, r] of want.routes) common.set(k, r.attributes);
    return { common, own };
  }
  for (const [prefix, route] of want.routes) {
    const first = exports[0]?.[1].get(prefix)?.attributes;
    const alike =
      first !== undefined &&
      exports.every(([, r]) => {
        const a = r.get(prefix)?.attributes;
        return a !== undefined && (a === first || sameData(a, first));
      });
    if (alike || exports.length === 0) {
      common.set(prefix, first ?? route.attributes);
      continue;
    }
    for (const [peer, r] of exports) {
      const a = r.get(prefix)?.attributes;
      if (a === undefined) continue;
      let m = own.get(peer);
      if (m === undefined) {
        m = new Map();
        own.set(peer, m);
      }
      m.set(prefix, a);
    }
  }
  return { common, own };
}
