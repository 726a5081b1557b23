import type { Clock, TimerHandle } from '@anyvip/clock';
import type { DownReason, FsmAction } from '../fsm/actions.js';
import type { ConnectionInitiator } from '../fsm/collision.js';
import type { FsmConfig } from '../fsm/config.js';
import { type FsmEvent, notificationEvent } from '../fsm/events.js';
import type { Negotiated } from '../fsm/negotiate.js';
import { createFsmSession, step } from '../fsm/session-fsm.js';
import type { FsmSession, SessionState, TimerName } from '../fsm/state.js';
import { parseIpv4 } from '../wire/address.js';
import { assertNever } from '../wire/assert-never.js';
import { effectiveAsPath } from '../wire/attributes/as-path.js';
import { ErrorCode, familyKey, MessageType } from '../wire/constants.js';
import { defaultContext, maxMessageLength } from '../wire/context.js';
import { type ErrorAction, strongerAction, WireError } from '../wire/errors.js';
import { encodeKeepalive } from '../wire/keepalive.js';
import { decodeMessage, messageTypeOf } from '../wire/message.js';
import { encodeNotification, type NotificationMessage } from '../wire/notification.js';
import { encodeOpen, type OpenMessage } from '../wire/open.js';
import type { RouteRefreshMessage } from '../wire/route-refresh.js';
import { type ParsedUpdate, parseUpdate, type UpdateMessage } from '../wire/update.js';
import { checkPeerAsPath, nextHopSemanticError, scopeUpdateToSession } from '../wire/validate.js';
import { Framer } from './framer.js';
import type { Logger } from './logger.js';
import { SessionTimers, timerExpiryEvent } from './timers.js';
import type { TransportConnection } from './transport.js';

/** Message counters of a peer, shared by its connections; plain numbers, O(1) to read. */
export interface MessageCounters {
  messagesSent: number;
  messagesReceived: number;
  updatesSent: number;
  updatesReceived: number;
  notificationsSent: number;
  notificationsReceived: number;
}

/**
 * What a {@link BgpConnection} reports to the peer session that owns it. The
 * connection turns bytes and timers into FSM events and carries out the FSM's
 * I/O actions itself; everything that concerns the peer as a whole (collisions,
 * RIBs, events) goes through these calls.
 */
export interface ConnectionOwner {
  readonly peer: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly counters: MessageCounters;
  /** How long a closing connection may take to flush its last messages before it is destroyed. */
  readonly lingerMs: number;
  /** Opens the TCP connection for a `connect` action. */
  connect(signal: AbortSignal): Promise<TransportConnection>;
  /** An OPEN arrived: the owner resolves collisions, then steps `bgpOpen` or `openCollisionDump`. */
  onOpen(c: BgpConnection, open: OpenMessage): void;
  onStateChange(c: BgpConnection, from: SessionState, to: SessionState): void;
  onEstablished(c: BgpConnection, negotiated: Negotiated): void;
  onDown(c: BgpConnection, reason: DownReason): void;
  /** A well-formed UPDATE, or one whose RFC 7606 faults (in `issues`) leave the session up. */
  onUpdate(c: BgpConnection, update: ParsedUpdate): void;
  onMalformed(c: BgpConnection, update: ParsedUpdate): void;
  onRouteRefresh(c: BgpConnection, message: RouteRefreshMessage): void;
  onNotificationSent(c: BgpConnection, message: NotificationMessage): void;
  onNotificationReceived(c: BgpConnection, message: NotificationMessage): void;
  /** The socket took everything after refusing a write. */
  onDrain(c: BgpConnection): void;
  /** A fault that is not the peer's: the connection is reset with Cease / Out of Resources. */
  onInternalError(c: BgpConnection, error: Error, context: string): void;
}

const KEEPALIVE = encodeKeepalive();

/**
 * One TCP connection to a peer, driven by its own FSM (RFC 4271 §8: "one FSM per
 * connection"). It owns the socket, the framer and the timers; it feeds received
 * messages, decode errors, socket events and timer expiries to the FSM as events,
 * and carries out the resulting actions in order.
 *
 * Steps never nest: an event raised while the actions of another are carried out
 * (a maximum-prefix stop decided while an UPDATE is delivered, a listener calling
 * back into the speaker) is queued and stepped right after.
 */
export class BgpConnection {
  readonly #owner: ConnectionOwner;
  #fsm: FsmSession;
  #initiator: ConnectionInitiator;
  #socket: TransportConnection | undefined;
  #framer = new Framer();
  readonly #timers: SessionTimers;
  readonly #queue: FsmEvent[] = [];
  #stepping = false;
  #attempt: AbortController | undefined;
  #suppressConnect = false;
  #disposed = false;
  #writeBlocked = false;
  /** The parsed form of the UPDATE being stepped, for its `deliverUpdate` action. */
  #pendingUpdate: ParsedUpdate | undefined;
  #lingering = 0;
  #closedWaiters: (() => void)[] = [];

  constructor(
    owner: ConnectionOwner,
    config: FsmConfig,
    seed: number,
    initiator: ConnectionInitiator = 'local',
  ) {
    this.#owner = owner;
    this.#fsm = createFsmSession(config, { seed });
    this.#initiator = initiator;
    this.#timers = new SessionTimers(owner.clock, (timer: TimerName) => this.step(timerExpiryEvent(timer)));
  }

  get state(): SessionState {
    return this.#fsm.state;
  }

  get fsm(): FsmSession {
    return this.#fsm;
  }

  get negotiated(): Negotiated | undefined {
    return this.#fsm.negotiated;
  }

  /** Which side opened the TCP connection (RFC 4271 §6.8). */
  get initiator(): ConnectionInitiator {
    return this.#initiator;
  }

  /** The open TCP connection, if any. */
  get transport(): TransportConnection | undefined {
    return this.#socket;
  }

  /** Whether a connect attempt is in flight. */
  get connecting(): boolean {
    return this.#attempt !== undefined;
  }

  /** The socket refused the last write and has not drained yet. */
  get writeBlocked(): boolean {
    return this.#writeBlocked;
  }

  /** Octets the socket holds that the kernel has not taken yet. */
  get writableLength(): number {
    return this.#socket?.stream.writableLength ?? 0;
  }

  /** Timers armed, for tests. */
  get timersRunning(): number {
    return this.#timers.size;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Starts this FSM on a connection the peer opened to us: the same start event as
   * the peer's main FSM (so that, promoted after a collision, it restarts the same
   * way), without the `connect` it asks for, then TcpConnectionConfirmed (event 17).
   */
  adopt(connection: TransportConnection, start: FsmEvent): void {
    this.#suppressConnect = true;
    this.step(start);
    this.#suppressConnect = false;
    this.attach(connection, 'remote');
    this.step({ kind: 'tcpConnectionConfirmed' });
  }

  /** Makes `connection` this FSM's connection (the caller then steps the matching event). */
  attach(connection: TransportConnection, initiator: ConnectionInitiator): void {
    if (this.#socket !== undefined) this.#closeSocket();
    this.#socket = connection;
    this.#initiator = initiator;
    this.#framer = new Framer();
    this.#writeBlocked = false;
    const { stream } = connection;
    stream.on('data', (chunk: Uint8Array) => {
      if (this.#socket === connection) this.#onData(chunk);
    });
    stream.on('end', () => {
      if (this.#socket === connection) this.#onLost('peer closed the connection');
    });
    stream.on('close', () => {
      if (this.#socket === connection) this.#onLost('connection closed');
    });
    stream.on('error', (err: Error) => {
      this.#owner.logger.debug('socket error', { peer: this.#owner.peer, reason: err.message });
    });
    stream.on('drain', () => {
      if (this.#socket !== connection || !this.#writeBlocked) return;
      this.#writeBlocked = false;
      this.#owner.onDrain(this);
    });
  }

  /** Steps the FSM with `event` and carries out the actions (queued if a step is under way). */
  step(event: FsmEvent): void {
    if (this.#disposed) return;
    this.#queue.push(event);
    if (this.#stepping) return;
    this.#stepping = true;
    try {
      for (let e = this.#queue.shift(); e !== undefined; e = this.#queue.shift()) {
        const result = step(this.#fsm, e);
        this.#fsm = result.session;
        for (const action of result.actions) {
          if (this.#disposed) break;
          this.#carryOut(action);
        }
        if (this.#disposed) break;
      }
    } finally {
      this.#stepping = false;
      if (this.#disposed) this.#queue.length = 0;
    }
  }

  /** Writes bytes; false when the socket asks to wait for 'drain' (the bytes are still queued). */
  send(bytes: Uint8Array, done?: (error?: Error | null) => void): boolean {
    const s = this.#socket;
    if (s === undefined) return false;
    const ok = s.stream.write(bytes, done);
    if (!ok) this.#writeBlocked = true;
    return ok;
  }

  /**
   * Stops this FSM for good: timers, connect attempt, and the connection (closed
   * gracefully, as by a `close` action). Used for the loser of a collision and for
   * an FSM replaced by another; the caller has sent what had to be sent.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#queue.length = 0;
    this.#timers.stopAll();
    this.#abortConnect();
    this.#closeSocket();
  }

  /** Resolves once no socket of this connection is open or closing. */
  whenClosed(): Promise<void> {
    if (this.#socket === undefined && this.#lingering === 0) return Promise.resolve();
    return new Promise((resolve) => this.#closedWaiters.push(resolve));
  }

  #carryOut(action: FsmAction): void {
    const owner = this.#owner;
    switch (action.kind) {
      case 'sendOpen':
        this.#sendMessage(encodeOpen(action.message));
        return;
      case 'sendKeepalive':
        this.#sendMessage(KEEPALIVE);
        return;
      case 'sendNotification':
        this.#sendMessage(encodeNotification(action.message));
        owner.counters.notificationsSent++;
        owner.onNotificationSent(this, action.message);
        return;
      case 'startTimer':
        this.#timers.start(action.timer, action.durationMs);
        return;
      case 'stopTimer':
        this.#timers.stop(action.timer);
        return;
      case 'connect':
        if (this.#suppressConnect) return;
        this.#startConnect();
        return;
      case 'close':
        this.#abortConnect();
        this.#closeSocket();
        return;
      case 'established':
        owner.onEstablished(this, action.negotiated);
        return;
      case 'down':
        owner.onDown(this, action.reason);
        return;
      case 'deliverUpdate': {
        const update = this.#pendingUpdate;
        this.#pendingUpdate = undefined;
        if (update !== undefined) owner.onUpdate(this, update);
        return;
      }
      case 'deliverRouteRefresh':
        owner.onRouteRefresh(this, action.message);
        return;
      case 'stateChange':
        owner.onStateChange(this, action.from, action.to);
        return;
      default:
        assertNever(action);
    }
  }

  #sendMessage(bytes: Uint8Array): void {
    if (this.#socket === undefined) return;
    this.#owner.counters.messagesSent++;
    this.send(bytes);
  }

  #startConnect(): void {
    this.#abortConnect();
    const attempt = new AbortController();
    this.#attempt = attempt;
    this.#owner.connect(attempt.signal).then(
      (connection) => {
        if (
          this.#attempt !== attempt ||
          this.#disposed ||
          this.#socket !== undefined ||
          this.state !== 'connect'
        ) {
          connection.stream.destroy();
          return;
        }
        this.#attempt = undefined;
        this.attach(connection, 'local');
        this.step({ kind: 'tcpCrAcked' });
      },
      (err: unknown) => {
        if (this.#attempt !== attempt) return;
        this.#attempt = undefined;
        this.#owner.logger.debug('connect failed', {
          peer: this.#owner.peer,
          reason: err instanceof Error ? err.message : String(err),
        });
        this.step({ kind: 'tcpConnectionFails' });
      },
    );
  }

  #abortConnect(): void {
    const attempt = this.#attempt;
    this.#attempt = undefined;
    attempt?.abort();
  }

  /**
   * Ends the connection: what was written is flushed and FIN sent; the socket is
   * destroyed when the peer closes its side too, or after `lingerMs` (a peer that
   * stopped reading must not hold the socket open).
   */
  #closeSocket(): void {
    const s = this.#socket;
    if (s === undefined) return;
    this.#socket = undefined;
    this.#writeBlocked = false;
    const { stream } = s;
    if (stream.destroyed) {
      this.#notifyClosed();
      return;
    }
    this.#lingering++;
    let timer: TimerHandle | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) this.#owner.clock.clearTimeout(timer);
      stream.destroy();
      this.#lingering--;
      this.#notifyClosed();
    };
    stream.once('close', finish);
    stream.once('end', finish);
    timer = this.#owner.clock.setTimeout(finish, this.#owner.lingerMs);
    stream.end();
  }

  #notifyClosed(): void {
    if (this.#socket !== undefined || this.#lingering > 0) return;
    const waiters = this.#closedWaiters;
    this.#closedWaiters = [];
    for (const w of waiters) w();
  }

  /** The peer closed or reset the connection (RFC 4271 §8.1.4 event 18). */
  #onLost(reason: string): void {
    const s = this.#socket;
    if (s === undefined) return;
    this.#socket = undefined;
    this.#writeBlocked = false;
    s.stream.destroy();
    this.#owner.logger.debug('connection lost', { peer: this.#owner.peer, reason });
    this.#notifyClosed();
    this.step({ kind: 'tcpConnectionFails' });
  }

  #onData(chunk: Uint8Array): void {
    const s = this.#socket;
    try {
      this.#framer.maxLength = maxMessageLength(this.#fsm.negotiated?.receiveContext ?? defaultContext);
      this.#framer.push(chunk);
      while (this.#socket === s && !this.#disposed) {
        let message: Uint8Array | undefined;
        try {
          message = this.#framer.next();
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          this.step({ kind: 'bgpHeaderErr', error: e });
          return;
        }
        if (message === undefined) return;
        this.#receive(message);
      }
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.#owner.onInternalError(this, error, 'processing received data');
    }
  }

  #receive(bytes: Uint8Array): void {
    const owner = this.#owner;
    owner.counters.messagesReceived++;
    const ctx = this.#fsm.negotiated?.receiveContext ?? defaultContext;
    let message: ReturnType<typeof decodeMessage>;
    try {
      message = decodeMessage(bytes, ctx);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.step(decodeErrorEvent(bytes, e));
      return;
    }
    switch (message.kind) {
      case 'open':
        owner.onOpen(this, message);
        return;
      case 'update':
        owner.counters.updatesReceived++;
        this.#receiveUpdate(message);
        return;
      case 'notification':
        owner.counters.notificationsReceived++;
        owner.onNotificationReceived(this, message);
        this.step(notificationEvent(message));
        return;
      case 'keepalive':
        this.step({ kind: 'keepAliveMsg' });
        return;
      case 'routeRefresh':
        this.step({ kind: 'routeRefreshMsg', message });
        return;
      default:
        assertNever(message);
    }
  }

  /**
   * UPDATE in Established: the second decoding stage with the negotiated context,
   * then the checks that need the session (RFC 4271 §6.3: the peer's AS leftmost
   * in AS_PATH on eBGP, a NEXT_HOP that is not ours, loopback, multicast or 0).
   * Session-reset faults become UpdateMsgErr (the FSM answers with NOTIFICATION);
   * weaker RFC 7606 faults keep the session and are applied to the routes.
   */
  #receiveUpdate(message: UpdateMessage): void {
    const negotiated = this.#fsm.negotiated;
    if (this.#fsm.state !== 'established' || negotiated === undefined) {
      this.step({ kind: 'updateMsg', message });
      return;
    }
    let update: ParsedUpdate;
    try {
      update = parseUpdate(message, negotiated.receiveContext);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.step({ kind: 'updateMsgErr', error: e });
      return;
    }
    update = scopeUpdateToSession(update, {
      external: !negotiated.ibgp,
      families: negotiatedFamilies(negotiated),
    });
    update = this.#checkSemantics(update, negotiated);
    if (update.action === undefined) {
      this.#pendingUpdate = update;
      this.step({ kind: 'updateMsg', message });
      return;
    }
    const action: ErrorAction = update.action;
    this.#owner.onMalformed(this, update);
    const error = update.issues.find((i) => i.action === action) ?? update.issues[0]!;
    this.step({ kind: 'updateMsgErr', error });
    if (!this.#disposed && this.#fsm.state === 'established') this.#owner.onUpdate(this, update);
  }

  #checkSemantics(update: ParsedUpdate, negotiated: Negotiated): ParsedUpdate {
    if (update.endOfRib !== undefined || update.action === 'treatAsWithdraw') return update;
    const announces =
      update.nlri.length > 0 ||
      update.attributes.some((a) => a.kind === 'mpReach' && (a.nlri?.length ?? 0) > 0);
    if (!announces) return update;
    const found: WireError[] = [];
    if (!negotiated.ibgp && update.attributes.some((a) => a.kind === 'asPath')) {
      const segments = effectiveAsPath(update.attributes, negotiated.receiveContext);
      const e = checkPeerAsPath(segments, { external: true, peerAsn: negotiated.peerAsn });
      if (e !== undefined) found.push(e);
    }
    if (update.nlri.length > 0) {
      for (const a of update.attributes) {
        if (a.kind !== 'nextHop') continue;
        const nextHop = parseIpv4(a.address);
        const own = parseIpv4(this.#socket?.localAddress ?? '');
        if (nextHop === undefined) continue;
        const e = nextHopSemanticError(nextHop, own === undefined ? [] : [own]);
        if (e !== undefined) found.push(e);
      }
    }
    if (found.length === 0) return update;
    let action = update.action ?? found[0]!.action;
    for (const e of found) action = strongerAction(action, e.action);
    return { ...update, issues: [...update.issues, ...found], action };
  }
}

const familySets = new WeakMap<Negotiated, ReadonlySet<number>>();

/** The negotiated families as {@link familyKey} values, computed once per session. */
function negotiatedFamilies(negotiated: Negotiated): ReadonlySet<number> {
  let set = familySets.get(negotiated);
  if (set === undefined) {
    set = new Set(negotiated.families.map((f) => familyKey(f.afi, f.safi)));
    familySets.set(negotiated, set);
  }
  return set;
}

/**
 * The FSM event for a message that failed to decode (RFC 4271 §6): header faults are
 * BgpHeaderErr (event 21), OPEN faults BgpOpenMsgErr (22), UPDATE faults UpdateMsgErr
 * (28), and a ROUTE-REFRESH of bad length BgpHeaderErr with its own code (RFC 7313 §5).
 * A NOTIFICATION is never answered (RFC 4271 §6.4): a malformed one still ends the
 * session as NotifMsg.
 */
function decodeErrorEvent(bytes: Uint8Array, error: WireError): FsmEvent {
  if (error.code === ErrorCode.MESSAGE_HEADER_ERROR && messageTypeOf(bytes) !== MessageType.NOTIFICATION) {
    return { kind: 'bgpHeaderErr', error };
  }
  switch (messageTypeOf(bytes)) {
    case MessageType.OPEN:
      return { kind: 'bgpOpenMsgErr', error };
    case MessageType.UPDATE:
      return { kind: 'updateMsgErr', error };
    case MessageType.NOTIFICATION:
      return {
        kind: 'notifMsg',
        message: {
          kind: 'notification',
          code: bytes[19] ?? 0,
          subcode: bytes[20] ?? 0,
          data: new Uint8Array(0),
        },
      };
    default:
      return { kind: 'bgpHeaderErr', error };
  }
}
