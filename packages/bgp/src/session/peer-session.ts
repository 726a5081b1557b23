import type { DownReason } from '../fsm/actions.js';
import { resolveCollision } from '../fsm/collision.js';
import type { Family, FsmConfig } from '../fsm/config.js';
import { resolveFsmConfig } from '../fsm/config.js';
import { type FsmEvent, startEvent } from '../fsm/events.js';
import { type Negotiated, negotiate } from '../fsm/negotiate.js';
import type { SessionState } from '../fsm/state.js';
import { AdjRibIn, type MaxPrefixLimit } from '../rib/adj-rib-in.js';
import { AdjRibOut } from '../rib/adj-rib-out.js';
import type { AttributeSet, AttributeSetTable } from '../rib/attribute-set.js';
import type { Route, RouteChange } from '../rib/route.js';
import { CeaseSubcode, ErrorCode, familyKey, RouteRefreshSubtype, Safi } from '../wire/constants.js';
import { LocalProtocolError } from '../wire/errors.js';
import {
  decodeShutdownCommunication,
  hardResetData,
  type NotificationMessage,
  notificationName,
} from '../wire/notification.js';
import { type OpenMessage, openAsn } from '../wire/open.js';
import type { Prefix } from '../wire/prefix.js';
import { encodeRouteRefresh, type RouteRefreshMessage } from '../wire/route-refresh.js';
import type { ParsedUpdate } from '../wire/update.js';
import type { Clock } from './clock.js';
import { BgpConnection, type ConnectionOwner, type MessageCounters } from './connection.js';
import { computeExport, type ExportFacts } from './export-policy.js';
import type { Logger } from './logger.js';
import type { PeerEvent, RouteRefreshEvent } from './peer-events.js';
import type { RouteWalk } from './route-table.js';
import type { RouteTemplate } from './route-template.js';
import type { TcpSecurity } from './tcp-security.js';
import { canonicalAddress, type Transport, type TransportConnection } from './transport.js';

/** The locally originated routes, as the speaker holds them: a template per prefix. */
export interface OriginatedRoutes {
  /** A walk over the routes of `afis` that exist now, taken slice by slice (see `RouteTable`). */
  walk(afis: readonly (1 | 2)[]): RouteWalk;
}

/** Everything a {@link PeerSession} needs, resolved by the speaker. */
export interface PeerSessionOptions {
  /** The peer's address, canonical (see `canonicalAddress`). */
  readonly address: string;
  readonly port: number;
  readonly localAddress?: string;
  /** TTL wanted on the session's packets; applied only if the transport supports it. */
  readonly ttl?: number;
  /** TCP-MD5 key and GTSM minimum TTL for connections we open (the speaker checked the transport can). */
  readonly security?: TcpSecurity;
  readonly fsm: FsmConfig;
  readonly maxPrefixes?: readonly MaxPrefixLimit[];
  /** eBGP: occurrences of our AS allowed in a received AS_PATH (RFC 4271 §9.1.2); default 0. */
  readonly allowAsIn?: number;
  /** Next hop self for the family the session's own address is not of (or to override it). */
  readonly nextHopSelf?: { readonly ipv4?: string; readonly ipv6?: string };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly transport: Transport;
  /** Attribute sets, shared by all peers of a speaker. */
  readonly table: AttributeSetTable;
  readonly routes: OriginatedRoutes;
  readonly emit: (event: PeerEvent) => void;
  /** Whether anyone listens for events of `kind` (costly payloads are built only then). */
  readonly listening: (kind: PeerEvent['kind']) => boolean;
  /** Seed of the FSM's jitter generator (RFC 4271 §10). */
  readonly seed?: number;
  /** How long a closing connection may flush before it is destroyed. Default 3000 ms. */
  readonly lingerMs?: number;
}

/** A peer's state and counters; every field is O(1) to compute. */
export interface PeerInfo {
  readonly address: string;
  readonly port: number;
  readonly remoteAsn: number | undefined;
  readonly state: SessionState;
  /** The session's own address while Established. */
  readonly localAddress: string | undefined;
  /** Milliseconds since Established; 0 when not Established. */
  readonly uptimeMs: number;
  readonly negotiated: Negotiated | undefined;
  readonly updatesSent: number;
  readonly updatesReceived: number;
  readonly messagesSent: number;
  readonly messagesReceived: number;
  readonly notificationsSent: number;
  readonly notificationsReceived: number;
  /** Routes the peer has been sent and not withdrawn (current session). */
  readonly prefixesSent: number;
  /** Routes held from the peer (current session). */
  readonly prefixesReceived: number;
  /** Routes with a change not yet encoded (Adj-RIB-Out). */
  readonly pendingRoutes: number;
  /** Octets written to the socket that the kernel has not taken yet. */
  readonly outputQueueOctets: number;
  /** Times the session reached Established. */
  readonly establishedTransitions: number;
  readonly lastDownReason: DownReason | undefined;
}

/** UPDATEs encoded per flush call: about 256 KB of 4096-octet messages. */
const FLUSH_BUDGET = 64;
/** With RFC 8654 extended messages of up to 64 KB, fewer per call. */
const FLUSH_BUDGET_EXTENDED = 8;
/** Flush rounds per macrotask before yielding to I/O (reading goes on while we send). */
const PUMP_ROUNDS = 16;
/**
 * Milliseconds of pump work per macrotask: when the kernel takes every write at once
 * (loopback, a fast peer), the socket never pushes back, and without this bound a
 * large table would keep received messages waiting for a second or more.
 */
const PUMP_SLICE_MS = 8;
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

/** A template as one peer receives it: its interned attribute set and its next hop. */
interface ExportedPath {
  readonly set: AttributeSet;
  readonly nextHop: string;
}

/**
 * One peer: its connections and their FSMs, its Adj-RIBs while Established, and the
 * pump that moves Adj-RIB-Out changes onto the wire.
 *
 * Connections (RFC 4271 §6.8): the main FSM is the peer's session; it connects (or
 * waits, when passive) and restarts itself after failures. A connection the peer
 * opens while the main FSM already has one, or is connecting, gets a second FSM
 * (the contender), started the same way. When an OPEN arrives on either while the
 * other holds a connection, `resolveCollision` picks the one to close with Cease /
 * Connection Collision Resolution; if that is the main FSM, the contender takes its
 * place. A contender whose OPEN arrives while the main FSM has no connection takes
 * over at once.
 *
 * Sending: announcements and withdrawals go into the Adj-RIB-Out at once and a flush
 * is scheduled with `setImmediate`, so a burst of changes becomes few UPDATEs within
 * a millisecond. The pump flushes a bounded number of UPDATEs per round and stops
 * when the socket refuses a write, until 'drain'; reading goes on meanwhile. A slow
 * peer therefore holds at most one flush of encoded UPDATEs in the socket beyond
 * its high-water mark, plus at most one pending change per prefix in the
 * Adj-RIB-Out: memory does not grow with the rate of changes.
 */
export class PeerSession {
  readonly address: string;
  readonly #opts: PeerSessionOptions;
  readonly #fsmConfig: FsmConfig;
  readonly #owner: ConnectionOwner;
  readonly #counters: MessageCounters = {
    messagesSent: 0,
    messagesReceived: 0,
    updatesSent: 0,
    updatesReceived: 0,
    notificationsSent: 0,
    notificationsReceived: 0,
  };
  #main: BgpConnection;
  #contender: BgpConnection | undefined;
  readonly #retired = new Set<BgpConnection>();
  #seed: number;
  #stopping = false;
  #reportedState: SessionState = 'idle';
  #session: EstablishedSession | undefined;
  #flushScheduled = false;
  #establishedTransitions = 0;
  #lastDownReason: DownReason | undefined;
  #securedConnectWarned = false;
  readonly #pump = (): void => this.#runPump();

  constructor(opts: PeerSessionOptions) {
    this.address = opts.address;
    this.#opts = opts;
    this.#fsmConfig = opts.fsm;
    // Checks the configuration at once: a mistake throws LocalProtocolError here.
    resolveFsmConfig(opts.fsm);
    this.#seed = opts.seed ?? 0x5eed;
    const lingerMs = opts.lingerMs ?? 3000;
    this.#owner = {
      peer: opts.address,
      clock: opts.clock,
      logger: opts.logger,
      counters: this.#counters,
      lingerMs,
      connect: (signal) => {
        const attempt = opts.transport.connect({
          host: opts.address,
          port: opts.port,
          ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
          ...(opts.ttl !== undefined && opts.transport.supportsTtl ? { ttl: opts.ttl } : {}),
          ...(opts.security !== undefined ? { security: opts.security } : {}),
          signal,
        });
        if (opts.security !== undefined) attempt.catch((e: unknown) => this.#onSecuredConnectFailed(e));
        return attempt;
      },
      onOpen: (c, open) => this.#onOpen(c, open),
      onStateChange: (c, from, to) => this.#onStateChange(c, from, to),
      onEstablished: (c, negotiated) => this.#onEstablished(c, negotiated),
      onDown: (c, reason) => this.#onDown(c, reason),
      onUpdate: (c, update) => this.#onUpdate(c, update),
      onMalformed: (_c, update) => this.#onMalformed(update),
      onRouteRefresh: (c, message) => this.#onRouteRefresh(c, message),
      onNotificationSent: (_c, message) => this.#emitNotification('notificationSent', message),
      onNotificationReceived: (_c, message) => this.#emitNotification('notificationReceived', message),
      onDrain: (c) => {
        if (c === this.#main) this.#scheduleFlush();
      },
      onInternalError: (c, error, context) => {
        opts.emit({ kind: 'error', peer: this.address, context, error });
        c.step({ kind: 'automaticStop', ceaseSubcode: CeaseSubcode.OUT_OF_RESOURCES });
      },
    };
    this.#main = this.#newConnection();
    if (opts.ttl !== undefined && !opts.transport.supportsTtl) {
      opts.logger.warn('ttl not applied: the transport cannot set it; the kernel default TTL is used', {
        peer: this.address,
        ttl: opts.ttl,
      });
    }
  }

  /**
   * A wrong TCP-MD5 key or a GTSM peer too far away is silent on the wire: the
   * peer's kernel drops our SYNs (RFC 2385 §2, RFC 5082 §3), or ours drops its
   * SYN-ACK, and the attempt ends when ConnectRetry aborts it. Said once per run of
   * failures (until Established), with the likely causes, so it is not a mystery.
   */
  #onSecuredConnectFailed(e: unknown): void {
    if (this.#stopping || this.#securedConnectWarned) return;
    if (!(e instanceof Error) || e.name !== 'AbortError') return;
    this.#securedConnectWarned = true;
    this.#opts.logger.warn('connect attempt unanswered', {
      peer: this.address,
      reason:
        'no SYN-ACK before ConnectRetry: with TCP-MD5 a key mismatch, with GTSM a peer further away than allowed, look like this',
      ...(this.#opts.security?.md5Key !== undefined ? { tcpMd5: true } : {}),
      ...(this.#opts.security?.minTtl !== undefined ? { ttlSecurityMinTtl: this.#opts.security.minTtl } : {}),
    });
  }

  /** The peer's state: its main FSM's. */
  get state(): SessionState {
    return this.#main.state;
  }

  /** Whether we advertise Graceful Restart to this peer (RFC 4724). */
  get gracefulRestartConfigured(): boolean {
    return this.#fsmConfig.gracefulRestart !== undefined;
  }

  /** The negotiated parameters while Established. */
  get negotiated(): Negotiated | undefined {
    return this.#session?.negotiated;
  }

  /** Starts the session: connect, or wait for the peer when passive (RFC 4271 §8.1.1). */
  start(): void {
    this.#main.step(this.#startEvent());
  }

  /**
   * Takes a connection the peer opened to our listener. Returns false when the
   * session cannot use it (stopped, Idle, or already holding two connections); the
   * caller then closes it.
   */
  accept(connection: TransportConnection): boolean {
    if (this.#stopping) return false;
    const main = this.#main;
    switch (main.state) {
      case 'idle':
        return false;
      case 'active':
        if (main.transport !== undefined || main.connecting) break;
        main.attach(connection, 'remote');
        main.step({ kind: 'tcpConnectionConfirmed' });
        return true;
      case 'connect':
      case 'openSent':
      case 'openConfirm':
      case 'established':
        break;
    }
    if (this.#contender !== undefined) return false;
    const c = this.#newConnection('remote');
    this.#contender = c;
    c.adopt(connection, this.#startEvent());
    return true;
  }

  /** Makes `prefix` reach the peer with `template` (if Established and the family was negotiated). */
  announce(prefix: Prefix, template: RouteTemplate): void {
    const s = this.#session;
    if (s === undefined) return;
    s.export(prefix, template);
    this.#scheduleFlush();
  }

  /** Withdraws `prefix` from the peer. */
  withdraw(prefix: Prefix): void {
    const s = this.#session;
    if (s === undefined) return;
    s.withdraw(prefix);
    this.#scheduleFlush();
  }

  /** Drops what this peer cached for a template no route uses any more. */
  forgetTemplate(template: RouteTemplate): void {
    this.#session?.forget(template);
  }

  /**
   * Asks the peer to re-send its routes (RFC 2918 §3), for one family or every
   * negotiated one. Throws {@link LocalProtocolError} when not Established or when
   * the peer did not advertise Route Refresh.
   */
  requestRefresh(family?: Family): void {
    const s = this.#session;
    if (s === undefined)
      throw new LocalProtocolError('ANYVIP_PEER_NOT_ESTABLISHED', `peer ${this.address} is not Established`);
    if (!s.negotiated.routeRefresh) {
      throw new LocalProtocolError(
        'ANYVIP_ROUTE_REFRESH_NOT_NEGOTIATED',
        `peer ${this.address} did not advertise Route Refresh`,
      );
    }
    const families = family === undefined ? s.negotiated.families : [family];
    for (const f of families) {
      if (!s.negotiated.families.some((n) => n.afi === f.afi && n.safi === f.safi)) {
        throw new LocalProtocolError(
          'ANYVIP_FAMILY_NOT_NEGOTIATED',
          `family ${f.afi}/${f.safi} was not negotiated`,
        );
      }
      s.connection.send(encodeRouteRefresh({ kind: 'routeRefresh', afi: f.afi, safi: f.safi, subtype: 0 }));
      this.#counters.messagesSent++;
      this.#emitRefresh('sent', f.afi, f.safi, 0);
    }
  }

  /**
   * Stops the session for good: Cease with `ceaseSubcode` (RFC 4486) and, for
   * Administrative Shutdown or Reset, `shutdownMessage` as its RFC 9003 shutdown
   * communication; then closes every connection. Resolves once all are closed (a
   * peer that does not read is cut off after the linger time).
   */
  async stop(ceaseSubcode: number, shutdownMessage?: string): Promise<void> {
    this.#stopping = true;
    const stop: FsmEvent = {
      kind: 'manualStop',
      ceaseSubcode,
      ...(shutdownMessage !== undefined ? { shutdownMessage } : {}),
      // RFC 8538 §3: with the N bit, only a Hard Reset makes the peer drop our routes now.
      ...(this.#notificationNegotiated ? { hardReset: true } : {}),
    };
    const contender = this.#contender;
    this.#contender = undefined;
    if (contender !== undefined) {
      contender.step(stop);
      this.#retire(contender);
    }
    this.#main.step(stop);
    const all = [this.#main, ...this.#retired];
    for (const c of all) c.dispose();
    await Promise.all(all.map((c) => c.whenClosed()));
  }

  /**
   * BFD declared the path to the peer dead (RFC 5880 §6.8.4): stops the session with
   * Cease / BFD Down (RFC 9384); it restarts after IdleHold like any automatic stop.
   */
  bfdDown(): void {
    if (this.#stopping) return;
    // With the N bit (RFC 8538 §3), a plain Cease would let the peer keep our routes as stale.
    const stop: FsmEvent = this.#notificationNegotiated
      ? {
          kind: 'automaticStop',
          ceaseSubcode: CeaseSubcode.HARD_RESET,
          data: hardResetData({
            code: ErrorCode.CEASE,
            subcode: CeaseSubcode.BFD_DOWN,
            data: new Uint8Array(0),
          }),
        }
      : { kind: 'automaticStop', ceaseSubcode: CeaseSubcode.BFD_DOWN };
    for (const c of [this.#contender, this.#main]) {
      if (c !== undefined && c.state !== 'idle') c.step(stop);
    }
  }

  /** Both sides sent the Graceful Restart N bit (RFC 8538 §2). */
  get #notificationNegotiated(): boolean {
    return (
      this.#fsmConfig.gracefulRestart?.notification === true &&
      this.#session?.negotiated.peerGracefulRestart?.notification === true
    );
  }

  /**
   * Ends the session for a planned restart (RFC 4724 §4): the connections are
   * closed with FIN and no NOTIFICATION, so a peer that negotiated Graceful Restart
   * keeps our routes as stale until we are back. Resolves once all are closed.
   */
  async abandon(): Promise<void> {
    this.#stopping = true;
    const contender = this.#contender;
    this.#contender = undefined;
    if (contender !== undefined) this.#retire(contender);
    const all = [this.#main, ...this.#retired];
    for (const c of all) c.dispose();
    await Promise.all(all.map((c) => c.whenClosed()));
  }

  /** State and counters. */
  info(): PeerInfo {
    const s = this.#session;
    const c = this.#counters;
    return {
      address: this.address,
      port: this.#opts.port,
      remoteAsn: this.#fsmConfig.remoteAsn,
      state: this.#main.state,
      localAddress: s?.localAddress,
      uptimeMs: s === undefined ? 0 : Math.round(this.#opts.clock.now() - s.establishedAt),
      negotiated: s?.negotiated,
      updatesSent: c.updatesSent,
      updatesReceived: c.updatesReceived,
      messagesSent: c.messagesSent,
      messagesReceived: c.messagesReceived,
      notificationsSent: c.notificationsSent,
      notificationsReceived: c.notificationsReceived,
      prefixesSent: s?.ribOut.advertisedCount ?? 0,
      prefixesReceived: s?.ribIn.count() ?? 0,
      pendingRoutes: s?.ribOut.pendingCount ?? 0,
      outputQueueOctets: this.#main.writableLength,
      establishedTransitions: this.#establishedTransitions,
      lastDownReason: this.#lastDownReason,
    };
  }

  /** Routes received from the peer in the current session, of one AFI or all. */
  *receivedRoutes(afi?: 1 | 2): Generator<Route> {
    const s = this.#session;
    if (s !== undefined) yield* s.ribIn.routes(afi);
  }

  /** The main FSM's connection, for tests and diagnostics. */
  get connection(): BgpConnection {
    return this.#main;
  }

  /** Octets queued in the session socket that the kernel has not taken. */
  get writableLength(): number {
    return this.#main.writableLength;
  }

  /** Changes waiting in the Adj-RIB-Out. */
  get pendingCount(): number {
    return this.#session?.ribOut.pendingCount ?? 0;
  }

  // ---- connections and collisions (RFC 4271 §6.8) ------------------------------------

  #newConnection(initiator: 'local' | 'remote' = 'local'): BgpConnection {
    this.#seed = (this.#seed + 0x9e3779b9) | 0;
    return new BgpConnection(this.#owner, this.#fsmConfig, this.#seed, initiator);
  }

  #startEvent(): FsmEvent {
    return startEvent({
      automatic: true,
      passiveTcpEstablishment: this.#fsmConfig.passiveTcpEstablishment ?? false,
      dampPeerOscillations: this.#fsmConfig.dampPeerOscillations ?? false,
    });
  }

  #onOpen(received: BgpConnection, open: OpenMessage): void {
    const other = received === this.#main ? this.#contender : this.#main;
    const holdsConnection = (c: BgpConnection): boolean =>
      c.state === 'openSent' || c.state === 'openConfirm' || c.state === 'established';
    if (other === undefined || !holdsConnection(other)) {
      // The other FSM has no BGP connection: nothing collides, and a contender takes over.
      if (other !== undefined && received === this.#contender) this.#promote(received);
      received.step({ kind: 'bgpOpen', message: open });
      return;
    }
    // An OPEN we would refuse anyway says nothing reliable about the peer: let the FSM refuse it.
    if (negotiate(received.fsm.config, open).kind === 'rejected') {
      received.step({ kind: 'bgpOpen', message: open });
      return;
    }
    const decision = resolveCollision({
      localBgpIdentifier: this.#fsmConfig.bgpIdentifier,
      remoteBgpIdentifier: open.bgpIdentifier,
      localAsn: this.#fsmConfig.localAsn,
      remoteAsn: openAsn(open),
      received: { initiator: received.initiator },
      other: { initiator: other.initiator, state: other.state },
      collisionDetectEstablishedState: this.#fsmConfig.collisionDetectEstablishedState ?? false,
    });
    this.#opts.logger.debug('connection collision', {
      peer: this.address,
      decision,
      received: received.initiator,
      other: other.initiator,
      otherState: other.state,
    });
    switch (decision) {
      case 'noCollision':
        received.step({ kind: 'bgpOpen', message: open });
        return;
      case 'closeReceived':
        this.#dump(received);
        return;
      case 'closeOther':
        this.#dump(other);
        received.step({ kind: 'bgpOpen', message: open });
        return;
    }
  }

  /** Closes `loser` with Cease / Connection Collision Resolution; the other FSM becomes the main one. */
  #dump(loser: BgpConnection): void {
    if (loser === this.#main) {
      const winner = this.#contender;
      if (winner === undefined) {
        loser.step({ kind: 'openCollisionDump' });
        return;
      }
      this.#promote(winner, false);
    } else {
      this.#contender = undefined;
    }
    loser.step({ kind: 'openCollisionDump' });
    this.#retire(loser);
  }

  /** Makes `c` (the contender) the main FSM; the old main one is retired unless the caller does it. */
  #promote(c: BgpConnection, retireOld = true): void {
    const old = this.#main;
    if (old === c) return;
    this.#main = c;
    this.#contender = undefined;
    if (retireOld) this.#retire(old);
    if (this.#reportedState !== c.state) {
      const from = this.#reportedState;
      this.#reportedState = c.state;
      this.#opts.emit({ kind: 'stateChange', peer: this.address, from, to: c.state });
    }
  }

  #retire(c: BgpConnection): void {
    c.dispose();
    this.#retired.add(c);
    void c.whenClosed().then(() => this.#retired.delete(c));
  }

  #onStateChange(c: BgpConnection, from: SessionState, to: SessionState): void {
    if (c !== this.#main) {
      this.#opts.logger.debug('second connection state', { peer: this.address, from, to });
      if (to === 'idle' && c === this.#contender) {
        this.#contender = undefined;
        this.#retire(c);
      }
      return;
    }
    this.#reportedState = to;
    this.#opts.emit({ kind: 'stateChange', peer: this.address, from, to });
    // The main FSM failed while a contender still negotiates: let the contender carry on as the session.
    const contender = this.#contender;
    if (to === 'idle' && contender !== undefined && !this.#stopping) {
      if (contender.state === 'openSent' || contender.state === 'openConfirm') this.#promote(contender);
    }
  }

  // ---- Established ---------------------------------------------------------------------

  #onEstablished(c: BgpConnection, negotiated: Negotiated): void {
    if (c !== this.#main) this.#promote(c);
    const transport = c.transport;
    const localAddress = transport?.localAddress ?? '';
    const session = new EstablishedSession(this.#opts, c, negotiated, localAddress, this.#counters);
    this.#session = session;
    this.#establishedTransitions++;
    this.#securedConnectWarned = false;
    const offered = this.#fsmConfig.families ?? [];
    const missing = offered.filter(
      (f) => !negotiated.families.some((n) => n.afi === f.afi && n.safi === f.safi),
    );
    if (missing.length > 0) {
      this.#opts.logger.warn('families not negotiated', {
        peer: this.address,
        families: missing.map((f) => `${f.afi}/${f.safi}`),
      });
    }
    this.#opts.emit({
      kind: 'peerUp',
      peer: this.address,
      negotiated,
      localAddress,
      localPort: transport?.localPort ?? 0,
      remotePort: transport?.remotePort ?? 0,
    });
    this.#scheduleFlush();
  }

  #onDown(c: BgpConnection, reason: DownReason): void {
    const s = this.#session;
    if (s === undefined || s.connection !== c) return;
    this.#session = undefined;
    this.#lastDownReason = reason;
    const uptimeMs = Math.round(this.#opts.clock.now() - s.establishedAt);
    const routesWithdrawn = s.teardown();
    this.#opts.emit({ kind: 'peerDown', peer: this.address, reason, routesWithdrawn, uptimeMs });
  }

  #onUpdate(c: BgpConnection, update: ParsedUpdate): void {
    const s = this.#session;
    if (s === undefined || s.connection !== c) return;
    const opts = this.#opts;
    const result = s.ribIn.apply(update, opts.listening('routesReceived'));
    if (result.endOfRib !== undefined) {
      const { afi, safi } = result.endOfRib;
      opts.emit({
        kind: 'eorReceived',
        peer: this.address,
        afi,
        safi,
        count: afi === 1 || afi === 2 ? s.ribIn.count(afi) : 0,
        msSinceEstablished: Math.round(opts.clock.now() - s.establishedAt),
      });
    }
    if (result.changes.length > 0) this.#emitChanges(result.changes);
    const rejected = result.rejected;
    if (rejected !== undefined) {
      opts.emit({
        kind: 'routesRejected',
        peer: this.address,
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
        peer: this.address,
        action: max.action,
        limit: max.limit,
        count: max.count,
        afi: max.afi,
        safi: max.safi,
      });
      if (max.action === 'stop') {
        c.step({
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
    this.#opts.emit({ kind: 'routesReceived', peer: this.address, announced, withdrawn });
  }

  #onMalformed(update: ParsedUpdate): void {
    const action = update.action;
    if (action === undefined) return;
    const error = update.issues.find((i) => i.action === action) ?? update.issues[0];
    if (error === undefined) return;
    this.#opts.emit({ kind: 'malformed', peer: this.address, action, error, issues: update.issues });
  }

  /**
   * ROUTE-REFRESH from the peer (RFC 2918 §4): the whole table is re-sent, between
   * BoRR and EoRR markers when Enhanced Route Refresh was negotiated (RFC 7313 §4).
   * BoRR/EoRR from the peer frame its own re-advertisement: routes not re-sent
   * between them are removed (RFC 7313 §4.2).
   */
  #onRouteRefresh(c: BgpConnection, message: RouteRefreshMessage): void {
    const s = this.#session;
    if (s === undefined || s.connection !== c) return;
    const { afi, safi, subtype } = message;
    this.#emitRefresh('received', afi, safi, subtype);
    const family = { afi, safi };
    switch (subtype) {
      case RouteRefreshSubtype.NORMAL:
        if (s.negotiated.enhancedRouteRefresh) {
          s.connection.send(
            encodeRouteRefresh({ kind: 'routeRefresh', afi, safi, subtype: RouteRefreshSubtype.BORR }),
          );
          this.#counters.messagesSent++;
          this.#emitRefresh('sent', afi, safi, RouteRefreshSubtype.BORR);
          s.eorrPending.add(familyKey(afi, safi));
        }
        s.ribOut.resendAll();
        this.#scheduleFlush();
        return;
      case RouteRefreshSubtype.BORR:
        s.ribIn.markStale(family);
        return;
      case RouteRefreshSubtype.EORR: {
        const removed = s.ribIn.sweepStale(family);
        if (removed.length > 0 && this.#opts.listening('routesReceived')) this.#emitChanges(removed);
        return;
      }
      default:
        return;
    }
  }

  #emitRefresh(direction: 'sent' | 'received', afi: number, safi: number, subtype: number): void {
    const name: RouteRefreshEvent['subtype'] = subtype === 1 ? 'borr' : subtype === 2 ? 'eorr' : 'request';
    this.#opts.emit({ kind: 'routeRefresh', peer: this.address, direction, afi, safi, subtype: name });
  }

  #emitNotification(kind: 'notificationSent' | 'notificationReceived', m: NotificationMessage): void {
    // The FSM builds Cease data itself; read the RFC 9003 communication back for the event.
    const shutdownMessage =
      m.shutdownMessage ??
      (m.code === ErrorCode.CEASE &&
      (m.subcode === CeaseSubcode.ADMINISTRATIVE_SHUTDOWN || m.subcode === CeaseSubcode.ADMINISTRATIVE_RESET)
        ? decodeShutdownCommunication(m.data)
        : undefined);
    this.#opts.emit({
      kind,
      peer: this.address,
      code: m.code,
      subcode: m.subcode,
      name: notificationName(m.code, m.subcode),
      data: m.data,
      ...(shutdownMessage !== undefined ? { shutdownMessage } : {}),
    });
  }

  // ---- the pump ------------------------------------------------------------------------

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#session === undefined) return;
    this.#flushScheduled = true;
    setImmediate(this.#pump);
  }

  #runPump(): void {
    this.#flushScheduled = false;
    const s = this.#session;
    if (s === undefined || s.connection !== this.#main) return;
    const clock = this.#opts.clock;
    const started = clock.now();
    try {
      for (let round = 0; round < PUMP_ROUNDS && clock.now() - started < PUMP_SLICE_MS; round++) {
        if (this.#session !== s || s.connection.writeBlocked) return;
        if (!s.pumpOnce()) return;
      }
      this.#scheduleFlush();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.#owner.onInternalError(s.connection, error, 'sending UPDATEs');
    }
  }
}

/**
 * What exists only while a session is Established: the negotiated parameters, the
 * two Adj-RIBs, the per-peer export cache, and the progress of the initial table
 * and of route refreshes.
 */
class EstablishedSession {
  readonly connection: BgpConnection;
  readonly negotiated: Negotiated;
  readonly localAddress: string;
  readonly establishedAt: number;
  readonly ribIn: AdjRibIn;
  readonly ribOut: AdjRibOut;
  /** Families (by key) whose EoRR is due once the re-sent table is flushed (RFC 7313 §4). */
  readonly eorrPending = new Set<number>();
  readonly #opts: PeerSessionOptions;
  readonly #counters: MessageCounters;
  readonly #facts: ExportFacts;
  readonly #families: readonly (1 | 2)[];
  readonly #enabled: [boolean, boolean] = [false, false];
  readonly #budget: number;
  readonly #routesPerUpdate: number;
  readonly #exports: [Map<RouteTemplate, ExportedPath | null>, Map<RouteTemplate, ExportedPath | null>] = [
    new Map(),
    new Map(),
  ];
  #lastTemplate: RouteTemplate | undefined;
  #lastAfi = 0;
  #lastPath: ExportedPath | null = null;
  /** The initial table still to be fed to the Adj-RIB-Out. */
  #sync: RouteWalk | undefined;
  readonly #feedOne = (prefix: Prefix, template: RouteTemplate): void => {
    if (this.export(prefix, template)) this.#initial[prefix.afi - 1]!++;
  };
  /** Routes of the initial table per AFI - 1, for End-of-RIB events. */
  readonly #initial: [number, number] = [0, 0];
  #eorSent = false;

  constructor(
    opts: PeerSessionOptions,
    connection: BgpConnection,
    negotiated: Negotiated,
    localAddress: string,
    counters: MessageCounters,
  ) {
    this.#opts = opts;
    this.#counters = counters;
    this.connection = connection;
    this.negotiated = negotiated;
    this.localAddress = localAddress;
    this.establishedAt = opts.clock.now();
    const unicast = negotiated.families.filter(
      (f): f is { afi: 1 | 2; safi: number } => (f.afi === 1 || f.afi === 2) && f.safi === Safi.UNICAST,
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
    this.#facts = {
      localAsn: opts.fsm.localAsn,
      ibgp: negotiated.ibgp,
      fourOctetAs: negotiated.fourOctetAs,
      nextHopSelf: {
        ipv4: opts.nextHopSelf?.ipv4 ?? (isV4 ? local : undefined),
        ipv6: opts.nextHopSelf?.ipv6 ?? (isV6Global ? local : undefined),
      },
    };
    this.#sync = opts.routes.walk(this.#families);
  }

  /** Puts `prefix` in the Adj-RIB-Out with this peer's form of `template`; false if not exported. */
  export(prefix: Prefix, template: RouteTemplate): boolean {
    const afi = prefix.afi;
    if (!this.#enabled[afi - 1]) return false;
    const path =
      template === this.#lastTemplate && afi === this.#lastAfi
        ? this.#lastPath
        : this.#resolve(template, afi);
    if (path === null) return false;
    try {
      this.ribOut.set(prefix, path.set, path.nextHop);
    } catch (e) {
      if (!(e instanceof LocalProtocolError)) throw e;
      this.#opts.logger.warn('route not exported', { peer: this.#opts.address, reason: e.message });
      return false;
    }
    return true;
  }

  withdraw(prefix: Prefix): void {
    if (this.#enabled[prefix.afi - 1]) this.ribOut.withdraw(prefix);
  }

  forget(template: RouteTemplate): void {
    for (const cache of this.#exports) {
      const path = cache.get(template);
      if (path === undefined) continue;
      cache.delete(template);
      path?.set.release();
    }
    if (this.#lastTemplate === template) this.#lastTemplate = undefined;
  }

  #resolve(template: RouteTemplate, afi: 1 | 2): ExportedPath | null {
    const cache = this.#exports[afi - 1]!;
    let path = cache.get(template);
    if (path === undefined) {
      const result = computeExport(template, afi, this.#facts);
      if (result.kind === 'refused') {
        this.#opts.logger.warn('route not exported', {
          peer: this.#opts.address,
          afi,
          reason: result.reason,
        });
        path = null;
      } else {
        path = { set: this.#opts.table.intern(result.attributes), nextHop: result.nextHop };
      }
      cache.set(template, path);
    }
    this.#lastTemplate = template;
    this.#lastAfi = afi;
    this.#lastPath = path;
    return path;
  }

  /**
   * One round of the pump: feed the initial table, flush a budget of UPDATEs, then
   * End-of-RIB and EoRR markers. Returns false when there is nothing left to do.
   */
  pumpOnce(): boolean {
    const out = this.ribOut;
    if (this.#sync !== undefined && out.pendingCount < SYNC_PENDING_TARGET) {
      this.#feed();
      // Flush only once enough is pending for full UPDATEs (or the table is all fed).
      if (this.#sync !== undefined && out.pendingCount < SYNC_PENDING_TARGET) return true;
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
    if (!this.#eorSent) {
      this.#eorSent = true;
      this.#sendEndOfRib();
      return true;
    }
    if (this.eorrPending.size > 0) {
      for (const key of this.eorrPending) {
        const afi = key >> 8;
        const safi = key & 0xff;
        this.connection.send(
          encodeRouteRefresh({ kind: 'routeRefresh', afi, safi, subtype: RouteRefreshSubtype.EORR }),
        );
        this.#counters.messagesSent++;
        this.#opts.emit({
          kind: 'routeRefresh',
          peer: this.#opts.address,
          direction: 'sent',
          afi,
          safi,
          subtype: 'eorr',
        });
      }
      this.eorrPending.clear();
      return true;
    }
    return false;
  }

  #feed(): void {
    const walk = this.#sync;
    if (walk === undefined) return;
    // One slice per round, so that refused routes (which add nothing pending) cannot make a round scan the whole table.
    const want = Math.min(SYNC_FEED_SLICE, SYNC_PENDING_TARGET - this.ribOut.pendingCount);
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
    for (const cache of this.#exports) {
      for (const path of cache.values()) path?.set.release();
      cache.clear();
    }
    this.#lastTemplate = undefined;
    this.#sync = undefined;
    return withdrawn;
  }
}
