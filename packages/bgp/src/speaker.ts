import { type Clock, systemClock, type TimerHandle } from '@anyvip/clock';
import { BfdEndpoint, type BfdSession, type BfdStateChange } from './bfd/session/bfd-endpoint.js';
import { bfdDiagName } from './bfd/wire/constants.js';
import type { BfdState } from './bfd/wire/control-packet.js';
import { logEvent } from './event-log.js';
import {
  type AnySpeakerListener,
  type SpeakerEvent,
  type SpeakerEventKind,
  type SpeakerEventOf,
  SpeakerEvents,
  type SpeakerListener,
} from './events.js';
import type { SessionState } from './fsm/state.js';
import { afiOfFamilyName, resolvePeerConfig } from './peer-config.js';
import { type ReceivedRoute, viewReceivedRoute } from './received-route.js';
import { AttributeSetTable } from './rib/attribute-set.js';
import { PendingPrefixes } from './rib/pending-prefixes.js';
import type { Route } from './rib/route.js';
import { RouteTable } from './rib/route-table.js';
import {
  type AnnounceOptions,
  buildRouteTemplate,
  checkNextHopFamily,
  checkPrefix,
  type OriginName,
  parseNextHop,
  type RouteAttributesInput,
  type RouteTemplate,
} from './rib/route-template.js';
import { ListenError } from './session/listen-error.js';
import { type Logger, silentLogger } from './session/logger.js';
import { type PeerInfo, PeerSession } from './session/peer-session.js';
import { needsTcpAuth, type TcpSecurity } from './session/tcp-security.js';
import {
  canonicalAddress,
  nodeTransport,
  type Transport,
  type TransportConnection,
  type TransportServer,
} from './session/transport.js';
import { formatCommunity } from './wire/attributes/communities.js';
import { formatExtendedCommunity } from './wire/attributes/extended-communities.js';
import { formatLargeCommunity } from './wire/attributes/large-communities.js';
import { CeaseSubcode } from './wire/constants.js';
import { LocalProtocolError, type LocalProtocolErrorCode } from './wire/errors.js';
import { type FamilyName, type UnicastAfi, unicastFamilies } from './wire/family.js';
import { formatPrefix, type Prefix } from './wire/prefix.js';

export { describeDownReason } from './event-log.js';
export type { FamilyName } from './wire/family.js';

/** What `new BgpSpeaker(…)` takes. */
export interface BgpSpeakerOptions {
  /** Our AS, 1 to 4294967295. */
  readonly localAsn: number;
  /** Our BGP Identifier, a non-zero dotted quad (RFC 6286). */
  readonly routerId: string;
  /** Structured logger; silent by default. */
  readonly logger?: Logger;
  /** Time source for protocol timers; the system clock by default. */
  readonly clock?: Clock;
  /** Where TCP connections come from; `node:net` by default. */
  readonly transport?: Transport;
  /** How long a closing connection may flush its last messages before it is destroyed. Default 3000 ms. */
  readonly lingerMs?: number;
  /** BFD UDP ports; the IANA ones (3784 single-hop, 4784 multihop) by default. Tests move them. */
  readonly bfdPorts?: { readonly singleHop?: number; readonly multihop?: number };
}

/**
 * BFD for a peer (RFC 5880 asynchronous mode; RFC 5881 single-hop or RFC 5883
 * multihop). A failure (Up → Down, not signalled AdminDown by the peer) stops the
 * BGP session with Cease / BFD Down (RFC 9384).
 */
export interface BfdPeerOptions {
  /** bfd.DesiredMinTxInterval while Up, in ms. Default 300 (FRR's default). */
  readonly minTxMs?: number;
  /** bfd.RequiredMinRxInterval, in ms. Default 300. */
  readonly minRxMs?: number;
  /** bfd.DetectMult. Default 3. */
  readonly multiplier?: number;
  /** RFC 5883 multihop (UDP 4784). Default: true for eBGP multihop peers, else false. */
  readonly multihop?: boolean;
}

/**
 * Graceful Restart as the restarting speaker (RFC 4724, RFC 8538). Off by default:
 * a peer that negotiated it keeps our routes as stale for `restartTimeSec` after
 * the TCP session drops without a NOTIFICATION, which is right for a planned
 * restart (`speaker.closeForRestart()`) and wrong for a crash; pair it with BFD so a
 * crash still removes the routes at once.
 */
export interface GracefulRestartOptions {
  /** Restart Time we advertise, 0 to 4095 s. Default 120. */
  readonly restartTimeSec?: number;
  /**
   * The R bit: this process is the restart of one that closed for a restart. Default false.
   * Announce the whole table before `addPeer`: End-of-RIB follows what the table holds when
   * the session comes up, and the router flushes every stale route it does not cover.
   */
  readonly restarting?: boolean;
  /** The F bit for every family: forwarding continues across a restart (VIPs stay on lo). Default true. */
  readonly forwardingPreserved?: boolean;
  /**
   * The N bit (RFC 8538): a NOTIFICATION other than Hard Reset also keeps our routes
   * as stale. Default false: with it, FRR's own Cease / BFD Down keeps a failed
   * node's routes for the restart time. When negotiated, `close`, `removePeer` and a
   * BFD failure send their Cease inside a Hard Reset, so those still withdraw at once.
   */
  readonly notification?: boolean;
}

/** A maximum-prefix limit (RFC 4486 §4): one more route than `limit` triggers `action`. */
export interface MaxPrefixOptions {
  readonly limit: number;
  /** `warn`: an event and a log line; `stop`: Cease / Maximum Number of Prefixes Reached, then restart after IdleHold. */
  readonly action: 'warn' | 'stop';
  /** Count one family only; all together by default. */
  readonly family?: FamilyName;
}

/** What `speaker.addPeer(…)` takes. */
export interface AddPeerOptions {
  /** The peer's IPv4 or IPv6 address. */
  readonly address: string;
  readonly remoteAsn: number;
  /** The peer's TCP port when we connect. Default 179. */
  readonly port?: number;
  /** Source address to connect from. */
  readonly localAddress?: string;
  /** Never connect; wait for the peer on a listener (RFC 4271 §8.1.1 PassiveTcpEstablishment). */
  readonly passive?: boolean;
  /** Hold Time we offer, in seconds: 0 or 3 to 65535. Default 90. */
  readonly holdTimeSec?: number;
  /**
   * KeepaliveTime in seconds (RFC 4271 §4.4, §10), 1 to `holdTimeSec - 1`; needs a
   * non-zero Hold Time. Default: a third of the negotiated Hold Time. The interval used
   * is min(this, negotiated Hold Time / 3), as FRR and BIRD do, so a peer offering a
   * smaller Hold Time than ours still gets three KEEPALIVEs per Hold Time; a negotiated
   * Hold Time of 0 sends none. Out of range: ANYVIP_INVALID_PEER_CONFIG.
   */
  readonly keepaliveTimeSec?: number;
  /** Smallest Hold Time we accept from the peer. Default 3. */
  readonly minHoldTimeSec?: number;
  /** Families to offer. Default: the family of `address`. */
  readonly families?: readonly FamilyName[];
  /** ConnectRetry time in seconds (RFC 4271 §10), doubled per failure up to 120 s. Default 5. */
  readonly connectRetryTimeSec?: number;
  /** IdleHold time in seconds before an automatic restart after an error. Default 5. */
  readonly idleHoldTimeSec?: number;
  /** Double IdleHold per failure (RFC 4271 §8.1.1 DampPeerOscillations). */
  readonly dampPeerOscillations?: boolean;
  /** TTL for the session's packets; see `Transport` (the default transport cannot set it). */
  readonly ttl?: number;
  /** eBGP multihop: `true` asks for TTL 255, a number for that TTL. */
  readonly multihop?: boolean | number;
  /** Maximum prefixes accepted from the peer. */
  readonly maxPrefixes?: MaxPrefixOptions | readonly MaxPrefixOptions[];
  /**
   * eBGP: how often our own AS may appear in a received AS_PATH before the route is
   * refused as a loop (RFC 4271 §9.1.2), like FRR's `allowas-in`. Default 0.
   */
  readonly allowAsIn?: number;
  /** ADD-PATH (RFC 7911) for every family: `true` is receive only (we originate one path per prefix). */
  readonly addPath?: boolean | { readonly send?: boolean; readonly receive?: boolean };
  /** Next hop self per family, for routes of the family the session address is not of. */
  readonly nextHopSelf?: { readonly ipv4?: string; readonly ipv6?: string };
  /** Offer Enhanced Route Refresh (RFC 7313). Default true. */
  readonly enhancedRouteRefresh?: boolean;
  /** Offer Extended Messages (RFC 8654). Default false. */
  readonly extendedMessage?: boolean;
  /** RFC 4271 §8.1.1 CollisionDetectEstablishedState. Default false. */
  readonly collisionDetectEstablishedState?: boolean;
  /** DelayOpen time in seconds (RFC 4271 §8.1.1); 0, the default, disables it. */
  readonly delayOpenTimeSec?: number;
  /**
   * TCP MD5 signature key (RFC 2385), 1 to 80 octets, on connections to and from the
   * peer. Prefer {@link passwordFile}; the key is never logged. Needs the
   * `@anyvip/tcp-auth` addon (else ANYVIP_TCP_AUTH_UNAVAILABLE).
   */
  readonly password?: string;
  /** A file holding the TCP-MD5 key (read once, at `addPeer`; one trailing newline is dropped). */
  readonly passwordFile?: string;
  /**
   * GTSM (RFC 5082): send TTL 255 and drop packets from the peer with a TTL below
   * 255 (`true`, a directly connected peer) or below 256 − hops. Needs the
   * `@anyvip/tcp-auth` addon (else ANYVIP_TCP_AUTH_UNAVAILABLE).
   */
  readonly ttlSecurity?: boolean | { readonly hops: number };
  /** BFD to the peer: `true` for the defaults. Off by default. */
  readonly bfd?: boolean | BfdPeerOptions;
  /**
   * Advertise Graceful Restart (RFC 4724): `true` for the defaults of
   * {@link GracefulRestartOptions}. Off by default. The N bit (RFC 8538) is opt-in
   * through `notification: true`; `true` here does not set it.
   */
  readonly gracefulRestart?: boolean | GracefulRestartOptions;
  /**
   * Whether the speaker-wide routes (`speaker.announce`) go to this peer. Default
   * true. With false, the peer gets only its own routes ({@link Peer.announce}), as
   * with an export policy that denies everything but what is set per peer.
   */
  readonly exportSpeakerRoutes?: boolean;
}

/** A locally originated route as `speaker.routes()` reports it. */
export interface AnnouncedRoute {
  readonly prefix: string;
  /** Undefined: next-hop self. */
  readonly nextHop: string | undefined;
  readonly origin: OriginName;
  readonly med: number | undefined;
  readonly localPref: number | undefined;
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly extendedCommunities: readonly string[];
  readonly asPathPrepend: number;
}

/** A handle on one configured peer. */
export interface Peer {
  readonly address: string;
  readonly state: SessionState;
  /** State and counters (O(1)). */
  info(): PeerInfo;
  /**
   * Routes received from the peer in the current session, as the RIB holds them:
   * each `attributes` is an interned, reference-counted set owned by the speaker
   * (never `release()` it). Prefer {@link Peer.received}.
   */
  receivedRoutes(family?: FamilyName): Route[];
  /** Routes received from the peer in the current session, decoded and frozen ({@link ReceivedRoute}). */
  received(family?: FamilyName): ReceivedRoute[];
  /**
   * Resolves when the session is Established (at once if it is). Rejects with
   * `signal.reason` when `signal` aborts, or with `ANYVIP_UNKNOWN_PEER` if the peer is removed.
   */
  established(options?: { readonly signal?: AbortSignal }): Promise<void>;
  /**
   * Resolves once everything announced or withdrawn so far is on the wire to this
   * peer: the session is Established, the Adj-RIB-Out has no pending change and the
   * socket has handed every octet to the kernel (`info().pendingRoutes` and
   * `info().outputQueueOctets` both 0). Polled every few milliseconds on the speaker's
   * clock. Rejects with `signal.reason` when `signal` aborts.
   */
  routesSent(options?: { readonly signal?: AbortSignal }): Promise<void>;
  /** Sends ROUTE-REFRESH (RFC 2918) for one family or all negotiated ones; throws LocalProtocolError if not possible. */
  requestRefresh(family?: FamilyName): void;
  /**
   * Originates a route for this peer only (or changes its attributes). It overrides
   * the speaker-wide route of the same prefix for this peer: `speaker.announce` and
   * `speaker.withdraw` of that prefix then do not reach this peer. The route lives
   * until {@link Peer.withdraw} or `removePeer`, across session restarts, and is sent
   * whenever the session is Established. Validation and error codes are those of
   * `speaker.announce`; a removed peer's handle throws `ANYVIP_UNKNOWN_PEER`.
   */
  announce(options: AnnounceOptions): void;
  /**
   * Originates many routes for this peer only, with one set of attributes (see
   * {@link Peer.announce}). Every prefix is checked before any is applied: a bad one
   * throws `LocalProtocolError` and nothing is announced. Returns how many were given.
   */
  announceMany(prefixes: Iterable<string | Prefix>, attributes?: RouteAttributesInput): number;
  /**
   * Removes this peer's own route of `prefix`. If the speaker announces `prefix`
   * (and `exportSpeakerRoutes` is on), the peer gets that route instead, sent as one
   * replacement (an implicit withdraw, RFC 4271 §3.1), never a withdrawal followed by
   * an announcement; otherwise the route is withdrawn. Returns false if the peer had
   * no own route of `prefix`. Throws LocalProtocolError for a bad prefix.
   */
  withdraw(prefix: string | Prefix): boolean;
  /**
   * Removes many of this peer's own routes (see {@link Peer.withdraw}). Every prefix
   * is checked first (a bad one throws `LocalProtocolError` with nothing withdrawn);
   * returns how many the peer had.
   */
  withdrawMany(prefixes: Iterable<string | Prefix>): number;
  /** This peer's own routes (those of {@link Peer.announce}); the speaker-wide ones are `speaker.routes()`. */
  routes(): AnnouncedRoute[];
  /** The BFD session's state, or undefined without BFD (or before its socket is bound). */
  readonly bfdState: BfdState | undefined;
}

const ORIGIN_NAMES: readonly OriginName[] = ['igp', 'egp', 'incomplete'];
/** How often `established()` and `routesSent()` look again. */
const PEER_POLL_MS = 5;

function misuse(code: LocalProtocolErrorCode, message: string): never {
  throw new LocalProtocolError(code, message);
}

/**
 * A BGP-4 speaker (RFC 4271): peers, the routes it originates, and typed events.
 *
 * - `addPeer` configures a peer and starts its session at once (connecting, or
 *   waiting on a listener when passive); `removePeer` stops it with Cease / Peer
 *   De-configured.
 * - `announce`/`withdraw` change the originated routes; every Established peer gets
 *   the difference as UPDATEs within milliseconds, many prefixes with one attribute
 *   set per UPDATE. A peer coming up gets the whole table, then End-of-RIB per family.
 * - `close` ends every session with Cease / Administrative Shutdown and the reason
 *   as an RFC 9003 shutdown communication, and resolves once the sockets are closed.
 *
 * API misuse (a bad prefix, a wrong-family next hop, an unknown peer) throws
 * {@link LocalProtocolError} at once. A misbehaving peer never makes a call throw: it
 * gets a NOTIFICATION, and the speaker an event.
 */
export class BgpSpeaker {
  readonly localAsn: number;
  readonly routerId: string;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #transport: Transport;
  readonly #lingerMs: number | undefined;
  readonly #events = new SpeakerEvents();
  readonly #table = new AttributeSetTable();
  readonly #routes = new RouteTable();
  /** Templates in use, by key, so that equal attributes share one template. */
  readonly #templates = new Map<string, RouteTemplate>();
  readonly #peers = new Map<string, PeerSession>();
  /** The peers as an array. */
  #peerList: PeerSession[] = [];
  /** The peers the speaker-wide routes go to (`exportSpeakerRoutes`), for the per-route loops. */
  #speakerPeers: PeerSession[] = [];
  readonly #handles = new Map<string, Peer>();
  readonly #servers = new Set<TransportServer>();
  /** What each configured peer asks of its sockets (TTL, TCP-MD5, GTSM), for the listeners. */
  readonly #socketSecurity = new Map<string, TcpSecurity | undefined>();
  readonly #bfdPorts: BgpSpeakerOptions['bfdPorts'];
  #bfd: BfdEndpoint | undefined;
  /** BFD sessions by peer address; a promise while the socket binds. */
  readonly #bfdSessions = new Map<string, Promise<BfdSession | undefined>>();
  readonly #bfdReady = new Map<string, BfdSession>();
  #closing: Promise<void> | undefined;
  /** End-of-RIB held back on every session ({@link BgpSpeaker.holdEndOfRib}). */
  #endOfRibHeld = false;
  readonly #isEndOfRibHeld = (): boolean => this.#endOfRibHeld;

  constructor(options: BgpSpeakerOptions) {
    const asn = options.localAsn;
    if (!Number.isInteger(asn) || asn < 1 || asn > 0xffffffff) {
      misuse('ANYVIP_INVALID_SPEAKER_CONFIG', `localAsn must be an integer in [1, 4294967295], got ${asn}`);
    }
    const id = parseNextHopOrUndefined(options.routerId);
    if (id === undefined || id.afi !== 1) {
      misuse(
        'ANYVIP_INVALID_SPEAKER_CONFIG',
        `routerId must be a non-zero dotted quad, got ${options.routerId}`,
      );
    }
    this.localAsn = asn;
    this.routerId = id.text;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#transport = options.transport ?? nodeTransport;
    this.#lingerMs = options.lingerMs;
    this.#bfdPorts = options.bfdPorts;
  }

  // ---- events ----------------------------------------------------------------------------

  on<K extends SpeakerEventKind>(kind: K, listener: SpeakerListener<K>): this;
  on(kind: '*', listener: AnySpeakerListener): this;
  on(kind: SpeakerEventKind | '*', listener: (event: never) => void): this {
    this.#events.on(kind as '*', listener as AnySpeakerListener);
    return this;
  }

  off<K extends SpeakerEventKind>(kind: K, listener: SpeakerListener<K>): this;
  off(kind: '*', listener: AnySpeakerListener): this;
  off(kind: SpeakerEventKind | '*', listener: (event: never) => void): this {
    this.#events.off(kind as '*', listener as AnySpeakerListener);
    return this;
  }

  /**
   * Calls `listener` for the next event of `kind` only. With `addListener` and
   * `removeListener`, Node's `events.once(speaker, 'peerUp', { signal })` and
   * `events.on(speaker, 'routesReceived', { signal })` work (and, as for any
   * EventEmitter, reject / end on an `error` event).
   */
  once<K extends SpeakerEventKind>(kind: K, listener: SpeakerListener<K>): this;
  once(kind: '*', listener: AnySpeakerListener): this;
  once(kind: SpeakerEventKind | '*', listener: (event: never) => void): this {
    this.#events.once(kind as '*', listener as AnySpeakerListener);
    return this;
  }

  /** Same as `on`. */
  addListener<K extends SpeakerEventKind>(kind: K, listener: SpeakerListener<K>): this;
  addListener(kind: '*', listener: AnySpeakerListener): this;
  addListener(kind: SpeakerEventKind | '*', listener: (event: never) => void): this {
    this.#events.on(kind as '*', listener as AnySpeakerListener);
    return this;
  }

  /** Same as `off`. */
  removeListener<K extends SpeakerEventKind>(kind: K, listener: SpeakerListener<K>): this;
  removeListener(kind: '*', listener: AnySpeakerListener): this;
  removeListener(kind: SpeakerEventKind | '*', listener: (event: never) => void): this {
    this.#events.off(kind as '*', listener as AnySpeakerListener);
    return this;
  }

  /**
   * Resolves with the next event of `kind` for which `predicate` (if given) holds;
   * rejects with `signal.reason` when `signal` aborts (`AbortSignal.timeout(ms)` for a
   * deadline). Example: `await speaker.waitFor('peerUp', (e) => e.peer === '10.0.0.1')`.
   */
  waitFor<K extends SpeakerEventKind>(
    kind: K,
    predicate?: (event: SpeakerEventOf<K>) => boolean,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<SpeakerEventOf<K>> {
    return this.#events.waitFor(kind, predicate, options);
  }

  /** Polls `done` on the speaker's clock until it holds, the peer is removed, or `signal` aborts. */
  #waitPeer(address: string, done: () => boolean, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const finish = (error?: unknown): void => {
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = (): void => finish(signal?.reason);
      const check = (): void => {
        timer = undefined;
        if (this.#handles.get(address) === undefined) {
          finish(new LocalProtocolError('ANYVIP_UNKNOWN_PEER', `peer ${address} was removed`));
        } else if (done()) finish();
        else timer = this.#clock.setTimeout(check, PEER_POLL_MS);
      };
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  // ---- peers -------------------------------------------------------------------------------

  /**
   * Configures a peer and starts its session. Throws {@link LocalProtocolError} for
   * an invalid option or an address already configured.
   */
  addPeer(options: AddPeerOptions): Peer {
    this.#checkOpen();
    const transport = this.#transport;
    const { address, port, localAddress, fsm, maxPrefixes, allowAsIn, nextHopSelf, security, bfd } =
      resolvePeerConfig(options, {
        localAsn: this.localAsn,
        routerId: this.routerId,
        isConfigured: (a) => this.#peers.has(a),
        tcpSecurityUnavailable: () =>
          'tcpSecurityUnavailable' in transport
            ? transport.tcpSecurityUnavailable
            : 'the transport cannot set socket options',
      });
    const session = new PeerSession({
      address,
      port,
      ...(localAddress !== undefined ? { localAddress } : {}),
      ...(security?.ttl !== undefined ? { ttl: security.ttl } : {}),
      ...(security !== undefined && needsTcpAuth(security) ? { security } : {}),
      fsm,
      maxPrefixes,
      allowAsIn,
      nextHopSelf,
      clock: this.#clock,
      logger: this.#logger,
      transport: this.#transport,
      table: this.#table,
      routes: this.#routes,
      exportSpeakerRoutes: options.exportSpeakerRoutes ?? true,
      emit: (event) => this.#emit(event),
      listening: (kind) => this.#events.listening(kind),
      seed: (Math.random() * 0x100000000) | 0,
      ...(this.#lingerMs !== undefined ? { lingerMs: this.#lingerMs } : {}),
      endOfRibHeld: this.#isEndOfRibHeld,
    });
    // Last of the checks, once nothing else can refuse the peer: its key goes on the listeners.
    this.#socketSecurity.set(address, security);
    try {
      this.#applySocketSecurity();
    } catch (e) {
      this.#socketSecurity.delete(address);
      try {
        this.#applySocketSecurity();
      } catch {
        // The listener keeps what it had; the error below is the one to report.
      }
      misuse(
        'ANYVIP_TCP_AUTH_FAILED',
        `peer ${address}: the listening socket refused its TCP-MD5/GTSM options: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    this.#peers.set(address, session);
    this.#listPeers();
    const bfdReady = this.#bfdReady;
    const handle: Peer = {
      address,
      get state() {
        return session.state;
      },
      info: () => session.info(),
      receivedRoutes: (family) => [
        ...session.receivedRoutes(family === undefined ? undefined : afiOfFamilyName(family)),
      ],
      received: (family) => {
        const ctx = session.info().negotiated?.receiveContext;
        if (ctx === undefined) return [];
        const out: ReceivedRoute[] = [];
        for (const r of session.receivedRoutes(family === undefined ? undefined : afiOfFamilyName(family))) {
          out.push(viewReceivedRoute(r, ctx));
        }
        return out;
      },
      established: (o = {}) => this.#waitPeer(address, () => session.state === 'established', o.signal),
      routesSent: (o = {}) =>
        this.#waitPeer(
          address,
          () => {
            if (session.state !== 'established') return false;
            const i = session.info();
            return i.pendingRoutes === 0 && i.outputQueueOctets === 0;
          },
          o.signal,
        ),
      requestRefresh: (family) =>
        session.requestRefresh(family === undefined ? undefined : unicastFamilies[family]),
      announce: (o) => {
        this.#checkPeer(session);
        const prefix = checkPrefix(o.prefix);
        this.#setOwn(session, prefix, this.#intern(buildRouteTemplate(o), prefix.afi));
      },
      announceMany: (prefixes, attributes = {}) => {
        this.#checkPeer(session);
        return this.#announceAll(prefixes, attributes, (p, t) => this.#setOwn(session, p, t));
      },
      withdraw: (prefix) => {
        this.#checkPeer(session);
        return this.#withdrawOwn(session, checkPrefix(prefix));
      },
      withdrawMany: (prefixes) => {
        this.#checkPeer(session);
        const checked = [...prefixes].map(checkPrefix);
        let n = 0;
        for (const p of checked) if (this.#withdrawOwn(session, p)) n++;
        return n;
      },
      routes: () => [...session.ownRoutes()].map(([p, t]) => describeRoute(p, t)),
      get bfdState() {
        return bfdReady.get(address)?.state;
      },
    };
    this.#handles.set(address, handle);
    this.#logger.info('peer added', {
      peer: address,
      remoteAsn: options.remoteAsn,
      passive: options.passive ?? false,
      // Whether, never what: the key stays out of every log line.
      ...(security?.md5Key !== undefined ? { tcpMd5: true } : {}),
      ...(security?.minTtl !== undefined ? { ttlSecurityMinTtl: security.minTtl } : {}),
    });
    session.start();
    if (bfd !== undefined) this.#startBfd(address, localAddress, bfd);
    return handle;
  }

  #startBfd(address: string, localAddress: string | undefined, bfd: Required<BfdPeerOptions>): void {
    this.#bfd ??= new BfdEndpoint({
      clock: this.#clock,
      ...(this.#bfdPorts?.singleHop !== undefined ? { singleHopPort: this.#bfdPorts.singleHop } : {}),
      ...(this.#bfdPorts?.multihop !== undefined ? { multihopPort: this.#bfdPorts.multihop } : {}),
      hooks: {
        onStateChange: (change) => this.#onBfdChange(change),
        onError: (peer, context, error) => this.#emit({ kind: 'error', peer, context, error }),
        onDiscard: (peer, reason) => this.#logger.debug('bfd packet discarded', { peer, reason }),
      },
    });
    const pending = this.#bfd
      .add({
        peer: address,
        ...(localAddress !== undefined ? { localAddress } : {}),
        multihop: bfd.multihop,
        desiredMinTxIntervalMs: bfd.minTxMs,
        requiredMinRxIntervalMs: bfd.minRxMs,
        detectMult: bfd.multiplier,
      })
      .then(
        (s) => {
          if (this.#bfdSessions.get(address) !== pending) {
            // The peer was removed (or the speaker closed) while the socket bound.
            void s.close();
            return undefined;
          }
          this.#bfdReady.set(address, s);
          return s;
        },
        (error: unknown) => {
          this.#emit({
            kind: 'error',
            peer: address,
            context: 'BFD session',
            error: error instanceof Error ? error : new Error(String(error)),
          });
          return undefined;
        },
      );
    this.#bfdSessions.set(address, pending);
  }

  #onBfdChange(change: BfdStateChange): void {
    const session = this.#peers.get(change.peer);
    // RFC 5882 §3.2: a peer signalling AdminDown stopped BFD on purpose; that is not a path failure.
    const failure = change.from === 'up' && change.to === 'down' && change.remoteState !== 'adminDown';
    const bgpStopped = failure && session !== undefined && session.state !== 'idle';
    this.#emit({
      kind: 'bfdStateChange',
      peer: change.peer,
      from: change.from,
      to: change.to,
      diag: change.diag,
      diagName: bfdDiagName(change.diag),
      remoteState: change.remoteState,
      remoteDiag: change.remoteDiag,
      bgpStopped,
    });
    if (bgpStopped) session.bfdDown();
  }

  /** Closes a peer's BFD session; `adminDown` tells the peer first (RFC 5880 §6.8.16). */
  async #stopBfd(address: string, adminDown: boolean): Promise<void> {
    const pending = this.#bfdSessions.get(address);
    if (pending === undefined) return;
    this.#bfdSessions.delete(address);
    this.#bfdReady.delete(address);
    const s = await pending;
    await s?.close({ adminDown });
  }

  /**
   * Stops a peer's session with Cease / Peer De-configured (RFC 4486) and forgets
   * the peer; resolves once its connections are closed. Throws
   * {@link LocalProtocolError} for a peer that is not configured.
   */
  removePeer(address: string): Promise<void> {
    const key = canonicalAddress(address) ?? address;
    const session = this.#peers.get(key);
    if (session === undefined) misuse('ANYVIP_UNKNOWN_PEER', `peer ${address} is not configured`);
    this.#peers.delete(key);
    this.#listPeers();
    this.#handles.delete(key);
    // Templates only its own routes used are forgotten with it.
    const own = new Set<RouteTemplate>();
    for (const [, t] of session.ownRoutes()) own.add(t);
    for (const t of own) this.#dropIfUnused(t);
    this.#socketSecurity.delete(key);
    try {
      this.#applySocketSecurity();
    } catch (e) {
      this.#emit({
        kind: 'error',
        peer: key,
        context: 'listening socket options',
        error: e instanceof Error ? e : new Error(String(e)),
      });
    }
    this.#logger.info('peer removed', { peer: key });
    return Promise.all([this.#stopBfd(key, true), session.stop(CeaseSubcode.PEER_DE_CONFIGURED)]).then(
      () => undefined,
    );
  }

  /** The handle of a configured peer. */
  peer(address: string): Peer | undefined {
    return this.#handles.get(canonicalAddress(address) ?? address);
  }

  /** Every peer's state and counters. */
  peers(): PeerInfo[] {
    return [...this.#peers.values()].map((p) => p.info());
  }

  /** Routes received from a peer in its current session; throws LocalProtocolError for an unknown peer. */
  receivedRoutes(address: string, family?: FamilyName): Route[] {
    const handle = this.peer(address);
    if (handle === undefined) misuse('ANYVIP_UNKNOWN_PEER', `peer ${address} is not configured`);
    return handle.receivedRoutes(family);
  }

  /**
   * Listens for peers' connections (port 0 picks a free one). Only configured peers'
   * addresses are accepted; others are closed at once. Active peers accept incoming
   * connections too (RFC 4271 §6.8 resolves the collisions). Resolves with the bound
   * address and port. The default is port 179 on `::` (IPv6 and IPv4), which needs root
   * or CAP_NET_BIND_SERVICE. When the system refuses the socket (EADDRINUSE, EACCES, …)
   * it rejects with a {@link ListenError} (`code` `ANYVIP_LISTEN_FAILED`) that carries
   * the address, the port and the errno code.
   */
  async listen(
    options: { readonly port?: number; readonly host?: string } = {},
  ): Promise<{ address: string; port: number }> {
    this.#checkOpen();
    const port = options.port ?? 179;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      misuse('ANYVIP_INVALID_LISTEN', `port ${port} out of range`);
    let server: TransportServer;
    try {
      server = await this.#transport.listen(
        { port, ...(options.host !== undefined ? { host: options.host } : {}) },
        (c) => this.#accept(c),
        (error) => this.#emit({ kind: 'error', peer: undefined, context: 'listening socket', error }),
      );
    } catch (e) {
      throw new ListenError(options.host ?? '::', port, e);
    }
    if (this.#closing !== undefined) {
      await server.close();
      misuse('ANYVIP_SPEAKER_CLOSED', 'the speaker was closed');
    }
    try {
      server.applyPeerSecurity?.(this.#socketSecurity);
    } catch (e) {
      await server.close();
      misuse(
        'ANYVIP_TCP_AUTH_FAILED',
        `the listening socket refused TCP-MD5/GTSM options: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    this.#servers.add(server);
    this.#emit({ kind: 'listening', address: server.address, port: server.port });
    return { address: server.address, port: server.port };
  }

  /** Brings every listener's TCP-MD5 keys and GTSM/TTL settings in line with the peers. */
  #applySocketSecurity(): void {
    for (const server of this.#servers) server.applyPeerSecurity?.(this.#socketSecurity);
  }

  #accept(c: TransportConnection): void {
    const minTtl = this.#socketSecurity.get(c.remoteAddress)?.minTtl;
    if (this.#closing === undefined && minTtl !== undefined && c.synTtl !== undefined && c.synTtl < minTtl) {
      // RFC 5082 §3: from a GTSM peer, a packet below the minimum TTL is not from the peer.
      c.stream.destroy();
      this.#emit({
        kind: 'connectionRejected',
        remoteAddress: c.remoteAddress,
        remotePort: c.remotePort,
        reason: `GTSM: the SYN arrived with TTL ${c.synTtl}, below the minimum ${minTtl} (RFC 5082)`,
      });
      return;
    }
    const session = this.#closing === undefined ? this.#peers.get(c.remoteAddress) : undefined;
    if (session === undefined || !session.accept(c)) {
      c.stream.destroy();
      this.#emit({
        kind: 'connectionRejected',
        remoteAddress: c.remoteAddress,
        remotePort: c.remotePort,
        reason:
          this.#closing !== undefined
            ? 'speaker closing'
            : session === undefined
              ? 'no peer configured for this address'
              : `session cannot take a connection in state ${session.state}`,
      });
    }
  }

  // ---- routes ------------------------------------------------------------------------------

  /**
   * Originates a route (or changes its attributes) and sends it to every Established
   * peer, except peers added with `exportSpeakerRoutes: false` and peers with their
   * own route of the prefix ({@link Peer.announce}), which overrides it. Throws {@link LocalProtocolError} for a bad prefix, a next hop of the other
   * family, or a malformed attribute.
   */
  announce(options: AnnounceOptions): void {
    this.#checkOpen();
    const prefix = checkPrefix(options.prefix);
    const template = this.#intern(buildRouteTemplate(options), prefix.afi);
    this.#set(prefix, template);
  }

  /**
   * Originates many routes with one set of attributes: the fast path for large
   * tables (the attributes are checked once). All prefixes are checked before any is
   * applied, so a bad one throws `LocalProtocolError` and nothing is announced.
   * Returns how many prefixes were given.
   */
  announceMany(prefixes: Iterable<string | Prefix>, attributes: RouteAttributesInput = {}): number {
    this.#checkOpen();
    return this.#announceAll(prefixes, attributes, (p, t) => this.#set(p, t));
  }

  /** Checks every prefix, then sets each with one interned template per family through `set`. */
  #announceAll(
    prefixes: Iterable<string | Prefix>,
    attributes: RouteAttributesInput,
    set: (prefix: Prefix, template: RouteTemplate) => void,
  ): number {
    const template = buildRouteTemplate(attributes);
    // Every prefix is checked before any is applied: a bad one throws with nothing announced.
    // A checked IPv4 prefix waits as two numbers (address, length), not as its object: holding
    // 100,000 Prefix objects until the check ended raised the peak RSS of announcing 100k /32s
    // from 126 to 148 MB (bench:interop). An IPv6 prefix waits as itself: -1 and its index.
    const checked = new PendingPrefixes();
    for (const p of prefixes) checked.push(checkPrefix(p));
    if (checked.families & 1) checkNextHopFamily(template, 1);
    if (checked.families & 2) checkNextHopFamily(template, 2);
    let n = 0;
    let interned: [RouteTemplate | undefined, RouteTemplate | undefined] = [undefined, undefined];
    checked.forEach((prefix) => {
      const i = prefix.afi - 1;
      let t = interned[i];
      if (t === undefined) {
        t = this.#intern(template, prefix.afi);
        interned = i === 0 ? [t, interned[1]] : [interned[0], t];
      }
      set(prefix, t);
      n++;
    });
    // A template interned for no route (an empty list) is not kept.
    for (const t of interned) if (t !== undefined) this.#dropIfUnused(t);
    return n;
  }

  /** Stops originating a route; returns false if it was not announced. Throws LocalProtocolError for a bad prefix. */
  withdraw(prefix: string | Prefix): boolean {
    this.#checkOpen();
    const p = checkPrefix(prefix);
    const old = this.#routes.delete(p);
    if (old === undefined) return false;
    for (const peer of this.#speakerPeers) peer.withdraw(p);
    this.#dropIfUnused(old);
    return true;
  }

  /**
   * Stops originating many routes. Every prefix is checked first (a bad one throws
   * `LocalProtocolError` with nothing withdrawn); returns how many were announced
   * and are now withdrawn.
   */
  withdrawMany(prefixes: Iterable<string | Prefix>): number {
    this.#checkOpen();
    const checked = new PendingPrefixes();
    for (const p of prefixes) checked.push(checkPrefix(p));
    let n = 0;
    checked.forEach((p) => {
      if (this.withdraw(p)) n++;
    });
    return n;
  }

  /**
   * Holds End-of-RIB back on every session, those up now and those that come up later, until
   * {@link releaseEndOfRib}. Sessions still open and send the routes announced so far, and
   * routes announced meanwhile follow as usual; only the marker that says "this is the whole
   * table" (RFC 4724 §2) waits. For a caller that opens its sessions before its table is
   * complete (a controller announcing each route as its address gets bound): a router in
   * Graceful Restart flushes every stale route the table lacks at End-of-RIB (RFC 4724 §4.2),
   * and others may treat it as the end of the initial convergence. Idempotent.
   */
  holdEndOfRib(): void {
    this.#checkOpen();
    this.#endOfRibHeld = true;
  }

  /**
   * Ends {@link holdEndOfRib}: every Established session whose initial table has been sent
   * sends its End-of-RIB now; the others send it after their initial table, as without the
   * hold. Idempotent.
   */
  releaseEndOfRib(): void {
    if (!this.#endOfRibHeld) return;
    this.#endOfRibHeld = false;
    for (const peer of this.#peerList) peer.requestFlush();
  }

  /** Whether End-of-RIB is held back ({@link holdEndOfRib}). */
  get endOfRibHeld(): boolean {
    return this.#endOfRibHeld;
  }

  /** Routes originated now. */
  routes(): AnnouncedRoute[] {
    const out: AnnouncedRoute[] = [];
    for (const [prefix, t] of this.#routes.entries()) out.push(describeRoute(prefix, t));
    return out;
  }

  /** How many routes are originated. */
  get routeCount(): number {
    return this.#routes.size;
  }

  #intern(template: RouteTemplate, afi: UnicastAfi): RouteTemplate {
    checkNextHopFamily(template, afi);
    const found = this.#templates.get(template.key);
    if (found !== undefined) return found;
    this.#templates.set(template.key, template);
    return template;
  }

  #set(prefix: Prefix, template: RouteTemplate): void {
    const old = this.#routes.set(prefix, template);
    if (old === template) return;
    const peers = this.#speakerPeers;
    for (let i = 0; i < peers.length; i++) peers[i]!.announce(prefix, template);
    if (old !== undefined) this.#dropIfUnused(old);
  }

  /** Sets a peer's own route; a template it replaced may go. */
  #setOwn(session: PeerSession, prefix: Prefix, template: RouteTemplate): void {
    const old = session.announceOwn(prefix, template);
    if (old !== undefined && old !== template) this.#dropIfUnused(old);
  }

  /** Removes a peer's own route; false if it had none. */
  #withdrawOwn(session: PeerSession, prefix: Prefix): boolean {
    const old = session.withdrawOwn(prefix);
    if (old === undefined) return false;
    this.#dropIfUnused(old);
    return true;
  }

  /** Throws unless the speaker is open and `session` is still the configured peer of its address. */
  #checkPeer(session: PeerSession): void {
    this.#checkOpen();
    if (this.#peers.get(session.address) !== session) {
      misuse('ANYVIP_UNKNOWN_PEER', `peer ${session.address} was removed`);
    }
  }

  #listPeers(): void {
    this.#peerList = [...this.#peers.values()];
    this.#speakerPeers = this.#peerList.filter((p) => p.exportsSpeakerRoutes);
  }

  /**
   * A template no route uses any more, speaker-wide or a peer's own, is forgotten,
   * by the speaker and by every peer. (Own routes are looked at only once no
   * speaker-wide route uses the template, which is rare.)
   */
  #dropIfUnused(template: RouteTemplate): void {
    if (this.#routes.refs(template) > 0) return;
    for (const peer of this.#peerList) if (peer.ownRefs(template) > 0) return;
    if (this.#templates.get(template.key) === template) this.#templates.delete(template.key);
    for (const peer of this.#peerList) peer.forgetTemplate(template);
  }

  // ---- shutdown ----------------------------------------------------------------------------

  /**
   * Ends every session with Cease / Administrative Shutdown, `reason` as the RFC 9003
   * shutdown communication, closes the listeners and the sockets; resolves when
   * done. Later calls return the same promise; other methods then throw.
   */
  close(reason = 'BGP speaker shutting down'): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#logger.info('speaker closing', { reason });
    const peers = [...this.#peers.values()];
    const servers = [...this.#servers];
    this.#servers.clear();
    this.#closing = Promise.all([
      ...peers.map((p) => this.#stopBfd(p.address, true)),
      ...peers.map((p) => p.stop(CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, reason)),
      ...servers.map((s) => s.close()),
    ]).then(() => this.#closeBfdEndpoint());
    return this.#closing;
  }

  /**
   * Ends every session for a planned restart (RFC 4724 §4, RFC 8538). Each session
   * whose peer negotiated Graceful Restart is closed with no NOTIFICATION, so the
   * peer keeps our routes as stale until the restarted process re-announces them and
   * sends End-of-RIB; sessions without it get Cease / Administrative Shutdown as
   * with `close`. Only once the TCP sessions are closed (the peer has answered our
   * FIN, so it is in its restart procedure) does BFD go AdminDown (RFC 5880
   * §6.8.16; RFC 5882 §3.2: not a failure), and its last packets are sent before
   * the socket closes: a BFD session that merely fell silent would be a failure,
   * and BIRD then drops the routes in spite of Graceful Restart. Resolves
   * when done; later calls of `close` or `closeForRestart` return
   * the same promise.
   */
  closeForRestart(reason = 'BGP speaker restarting'): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#logger.info('speaker closing for a restart', { reason });
    const peers = [...this.#peers.values()];
    const servers = [...this.#servers];
    this.#servers.clear();
    this.#closing = Promise.all([
      ...peers.map((p) =>
        (p.negotiated?.peerGracefulRestart !== undefined && p.gracefulRestartConfigured
          ? p.abandon()
          : p.stop(CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, reason)
        ).then(() => this.#stopBfd(p.address, true)),
      ),
      ...servers.map((s) => s.close()),
    ]).then(() => this.#closeBfdEndpoint());
    return this.#closing;
  }

  async #closeBfdEndpoint(): Promise<void> {
    await Promise.all([...this.#bfdSessions.keys()].map((a) => this.#stopBfd(a, true)));
    const endpoint = this.#bfd;
    this.#bfd = undefined;
    await endpoint?.close();
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) misuse('ANYVIP_SPEAKER_CLOSED', 'the speaker was closed');
  }

  #emit(event: SpeakerEvent): void {
    logEvent(this.#logger, event);
    this.#events.emit(event);
  }
}

/** A route as `routes()` reports it. */
function describeRoute(prefix: Prefix, t: RouteTemplate): AnnouncedRoute {
  return {
    prefix: formatPrefix(prefix),
    nextHop: t.nextHop,
    origin: ORIGIN_NAMES[t.origin]!,
    med: t.med,
    localPref: t.localPref,
    communities: t.communities.map(formatCommunity),
    largeCommunities: t.largeCommunities.map(formatLargeCommunity),
    extendedCommunities: t.extendedCommunities.map(formatExtendedCommunity),
    asPathPrepend: t.asPathPrepend,
  };
}

function parseNextHopOrUndefined(text: string): { text: string; afi: UnicastAfi } | undefined {
  try {
    return parseNextHop(text);
  } catch {
    return undefined;
  }
}
