import type { DownReason } from '../fsm/actions.js';
import { resolveCollision } from '../fsm/collision.js';
import type { FsmConfig } from '../fsm/config.js';
import { resolveFsmConfig } from '../fsm/config.js';
import { type FsmEvent, startEvent } from '../fsm/events.js';
import { type Negotiated, negotiate } from '../fsm/negotiate.js';
import type { SessionState } from '../fsm/state.js';
import type { Route } from '../rib/route.js';
import type { RouteTemplate } from '../rib/route-template.js';
import { CeaseSubcode, ErrorCode } from '../wire/constants.js';
import { LocalProtocolError } from '../wire/errors.js';
import type { Family, UnicastAfi } from '../wire/family.js';
import {
  decodeShutdownCommunication,
  hardResetData,
  type NotificationMessage,
  notificationName,
} from '../wire/notification.js';
import { type OpenMessage, openAsn } from '../wire/open.js';
import type { Prefix } from '../wire/prefix.js';
import type { RouteRefreshMessage } from '../wire/route-refresh.js';
import type { ParsedUpdate } from '../wire/update.js';
import { BgpConnection, type ConnectionOwner, type MessageCounters } from './connection.js';
import { EstablishedSession } from './established-session.js';
import { PeerRoutes } from './peer-routes.js';
import type { PeerSessionOptions } from './peer-session-options.js';
import type { TransportConnection } from './transport.js';

export type { OriginatedRoutes, PeerSessionOptions } from './peer-session-options.js';

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

/** Flush rounds per macrotask before yielding to I/O (reading goes on while we send). */
const PUMP_ROUNDS = 16;
/**
 * Milliseconds of pump work per macrotask: when the kernel takes every write at once
 * (loopback, a fast peer), the socket never pushes back, and without this bound a
 * large table would keep received messages waiting for a second or more.
 */
const PUMP_SLICE_MS = 8;
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
  /** What this peer is sent: its own routes over the speaker-wide ones; they live until the peer is removed. */
  readonly #routes: PeerRoutes;
  /** `#opts` with `routes` as this peer sees them, for each Established session. */
  readonly #sessionOpts: PeerSessionOptions;
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
    this.#routes = new PeerRoutes(opts.routes, opts.exportSpeakerRoutes ?? true);
    this.#sessionOpts = { ...opts, routes: this.#routes };
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

  /** Whether speaker-wide routes go to this peer (`exportSpeakerRoutes`). */
  get exportsSpeakerRoutes(): boolean {
    return this.#routes.exportSpeakerRoutes;
  }

  /**
   * A speaker-wide route: makes `prefix` reach the peer with `template` (if
   * Established and the family was negotiated), unless the peer has its own route
   * for `prefix`.
   */
  announce(prefix: Prefix, template: RouteTemplate): void {
    const s = this.#session;
    if (s === undefined || this.#routes.shadows(prefix)) return;
    s.export(prefix, template);
    this.#scheduleFlush();
  }

  /** Asks for a pump round now (End-of-RIB released: a session waiting only for that sends it). */
  requestFlush(): void {
    this.#scheduleFlush();
  }

  /** A speaker-wide withdrawal: withdraws `prefix` from the peer, unless the peer has its own route for it. */
  withdraw(prefix: Prefix): void {
    const s = this.#session;
    if (s === undefined || this.#routes.shadows(prefix)) return;
    s.withdraw(prefix);
    this.#scheduleFlush();
  }

  /** Sets the peer's own route of `prefix`, which overrides the speaker-wide one; returns the own template it replaces. */
  announceOwn(prefix: Prefix, template: RouteTemplate): RouteTemplate | undefined {
    const old = this.#routes.setOwn(prefix, template);
    const s = this.#session;
    if (s !== undefined && old !== template) {
      s.export(prefix, template);
      this.#scheduleFlush();
    }
    return old;
  }

  /**
   * Removes the peer's own route of `prefix`; the peer then gets the speaker-wide
   * route of `prefix` if there is one (the Adj-RIB-Out sends the difference: one
   * replacement, no withdraw first), else a withdrawal. Returns the own template
   * removed, undefined if there was none.
   */
  withdrawOwn(prefix: Prefix): RouteTemplate | undefined {
    const old = this.#routes.deleteOwn(prefix);
    const s = this.#session;
    if (old === undefined || s === undefined) return old;
    const fallback = this.#routes.fallback(prefix);
    if (fallback === undefined || !s.export(prefix, fallback)) s.withdraw(prefix);
    this.#scheduleFlush();
    return old;
  }

  /** The peer's own routes. */
  ownRoutes(): Generator<[Prefix, RouteTemplate]> {
    return this.#routes.ownEntries();
  }

  /** Own routes using `template`. */
  ownRefs(template: RouteTemplate): number {
    return this.#routes.ownRefs(template);
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
    s.requestRefresh(family);
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
  *receivedRoutes(afi?: UnicastAfi): Generator<Route> {
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
    const session = new EstablishedSession(
      this.#sessionOpts,
      c,
      negotiated,
      localAddress,
      this.#counters,
      () => this.#scheduleFlush(),
    );
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
    s.onUpdate(update);
  }

  #onMalformed(update: ParsedUpdate): void {
    const action = update.action;
    if (action === undefined) return;
    const error = update.issues.find((i) => i.action === action) ?? update.issues[0];
    if (error === undefined) return;
    this.#opts.emit({ kind: 'malformed', peer: this.address, action, error, issues: update.issues });
  }

  #onRouteRefresh(c: BgpConnection, message: RouteRefreshMessage): void {
    const s = this.#session;
    if (s === undefined || s.connection !== c) return;
    s.onRouteRefresh(message);
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
