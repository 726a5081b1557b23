import { assertNever } from '../wire/assert-never.js';
import { CeaseSubcode, ErrorCode, FsmErrorSubcode, MessageType } from '../wire/constants.js';
import type { WireError } from '../wire/errors.js';
import { hardResetData, type NotificationMessage, shutdownCommunication } from '../wire/notification.js';
import type { OpenMessage } from '../wire/open.js';
import type { DownReason, FsmAction } from './actions.js';
import { computeConnectRetryMs, computeIdleHoldMs, jitter, nextRandom } from './backoff.js';
import { type FsmConfig, type ResolvedFsmConfig, resolveFsmConfig } from './config.js';
import type { FsmEvent } from './events.js';
import { computeLocalOpen, type Negotiated, negotiate } from './negotiate.js';
import {
  type FsmSession,
  noTimers,
  type RunningTimers,
  type SessionState,
  type StartAttributes,
  type TimerName,
  timerNames,
} from './state.js';

/** The Hold timer while waiting for the peer's OPEN: "a large value", 4 minutes (RFC 4271 §8.2.2). */
export const OPEN_SENT_HOLD_TIME_SEC = 240;

/** What {@link step} returns: the next session and what the caller must do, in order. */
export interface StepResult {
  readonly session: FsmSession;
  readonly actions: readonly FsmAction[];
}

/**
 * A new session in Idle. Throws LocalProtocolError for an invalid configuration
 * (see `resolveFsmConfig`). `seed` starts the jitter generator: pass a random 32-bit
 * integer so that peers restarting together spread their retries (RFC 4271 §10).
 */
export function createFsmSession(config: FsmConfig, options: { readonly seed?: number } = {}): FsmSession {
  return Object.freeze({
    config: resolveFsmConfig(config),
    state: 'idle',
    connectRetryCounter: 0,
    connectAttempt: 0,
    idleHoldLevel: 0,
    establishedKeepalives: 0,
    timers: noTimers,
    start: undefined,
    negotiated: undefined,
    randomState: (options.seed ?? 0x5eed) | 0,
  });
}

/**
 * One step of the BGP FSM (RFC 4271 §8.2.2): the next session and the actions to carry
 * out. Pure and total: it never throws, never reads a clock, and answers every
 * (state, event) pair, illegal ones with the RFC's FSM Error (RFC 6608) or by
 * ignoring them where the RFC says so.
 *
 * Choices where the RFC leaves room, or where we depart from its table:
 * - A timer event for a timer this FSM does not have running is stale (a race in the
 *   driver) and ignored, with the same session handed back.
 * - Connect + TcpConnectionFails (no DelayOpen) goes to Active and lets the running
 *   ConnectRetry timer pace the next try, as BIRD, FRR and GoBGP do; the RFC's
 *   table goes to Idle, which would need an outside start to try again.
 * - PassiveTcpEstablishment never connects: no ConnectRetry timer in Active.
 * - A NOTIFICATION in OpenSent is not answered with an FSM Error (RFC 6608 lists
 *   KEEPALIVE, UPDATE and ROUTE-REFRESH as the unexpected messages; the peer is
 *   closing anyway): the session goes to Idle as in OpenConfirm.
 * - An OPEN on this connection in OpenConfirm or Established is an unexpected
 *   message (5/2, 5/3, data = message type 1, RFC 6608 §4); an OPEN on a second
 *   connection goes to that connection's FSM, and collision.ts decides.
 * - A header error (and a ROUTE-REFRESH body error) is answered with its own
 *   NOTIFICATION in every state with a connection (RFC 4271 §6.1), also in
 *   Established, where the table says FSM Error.
 * - An UPDATE error whose RFC 7606 action is weaker than session reset keeps the
 *   session; ROUTE-REFRESH restarts the Hold timer like UPDATE and KEEPALIVE.
 * - After a failure or an automatic stop (not a manual stop), with
 *   AllowAutomaticStart, the IdleHold timer starts in Idle and its expiry (event 13)
 *   restarts the session with the same attributes; a manual stop in Idle cancels
 *   it. With DampPeerOscillations the IdleHold time doubles per failure and resets
 *   once Established lasts `stableTimeMs` (counted in KeepaliveTimer expiries, so
 *   never with a Hold Time of 0; a manual start resets it too).
 */
export function step(session: FsmSession, event: FsmEvent): StepResult {
  const t = new Transition(session);
  if (isTimerEvent(event)) {
    const timer = timerOf(event);
    // A timer we stopped (or never started) firing late is a race in the driver, not a protocol event.
    if (!t.timers[timer]) return { session, actions: [] };
    t.timers[timer] = false;
  }
  switch (session.state) {
    case 'idle':
      onIdle(t, event);
      break;
    case 'connect':
    case 'active':
      onConnectOrActive(t, event);
      break;
    case 'openSent':
      onOpenSent(t, event);
      break;
    case 'openConfirm':
      onOpenConfirm(t, event);
      break;
    case 'established':
      onEstablished(t, event);
      break;
    default:
      assertNever(session.state);
  }
  return t.finish();
}

type TimerEvent = Extract<
  FsmEvent,
  {
    kind:
      | 'connectRetryTimerExpires'
      | 'holdTimerExpires'
      | 'keepaliveTimerExpires'
      | 'delayOpenTimerExpires'
      | 'idleHoldTimerExpires';
  }
>;

function isTimerEvent(event: FsmEvent): event is TimerEvent {
  return (
    event.kind === 'connectRetryTimerExpires' ||
    event.kind === 'holdTimerExpires' ||
    event.kind === 'keepaliveTimerExpires' ||
    event.kind === 'delayOpenTimerExpires' ||
    event.kind === 'idleHoldTimerExpires'
  );
}

function timerOf(event: TimerEvent): TimerName {
  switch (event.kind) {
    case 'connectRetryTimerExpires':
      return 'connectRetry';
    case 'holdTimerExpires':
      return 'hold';
    case 'keepaliveTimerExpires':
      return 'keepalive';
    case 'delayOpenTimerExpires':
      return 'delayOpen';
    case 'idleHoldTimerExpires':
      return 'idleHold';
    default:
      return assertNever(event);
  }
}

/** The working copy of one step: a draft of the next session plus the actions so far. */
class Transition {
  readonly config: ResolvedFsmConfig;
  readonly from: FsmSession;
  state: SessionState;
  connectRetryCounter: number;
  connectAttempt: number;
  idleHoldLevel: number;
  establishedKeepalives: number;
  timers: Record<TimerName, boolean>;
  start: StartAttributes | undefined;
  negotiated: Negotiated | undefined;
  randomState: number;
  readonly actions: FsmAction[] = [];

  constructor(s: FsmSession) {
    this.from = s;
    this.config = s.config;
    this.state = s.state;
    this.connectRetryCounter = s.connectRetryCounter;
    this.connectAttempt = s.connectAttempt;
    this.idleHoldLevel = s.idleHoldLevel;
    this.establishedKeepalives = s.establishedKeepalives;
    this.timers = { ...s.timers };
    this.start = s.start;
    this.negotiated = s.negotiated;
    this.randomState = s.randomState;
  }

  random(): number {
    const r = nextRandom(this.randomState);
    this.randomState = r.state;
    return r.value;
  }

  startTimer(timer: TimerName, durationMs: number): void {
    this.timers[timer] = true;
    this.actions.push({ kind: 'startTimer', timer, durationMs });
  }

  stopTimer(timer: TimerName): void {
    if (!this.timers[timer]) return;
    this.timers[timer] = false;
    this.actions.push({ kind: 'stopTimer', timer });
  }

  stopAllTimers(): void {
    for (const timer of timerNames) this.stopTimer(timer);
  }

  finish(): StepResult {
    const from = this.from;
    if (this.state !== from.state) {
      const change: FsmAction = { kind: 'stateChange', from: from.state, to: this.state };
      // Report Established before acting on it, so a peerUp listener already sees the new state.
      const established = this.actions.findIndex((a) => a.kind === 'established');
      if (established >= 0) this.actions.splice(established, 0, change);
      else this.actions.push(change);
    }
    // An ignored event hands back the very same session, so callers can compare by identity.
    if (
      this.actions.length === 0 &&
      this.connectRetryCounter === from.connectRetryCounter &&
      this.connectAttempt === from.connectAttempt &&
      this.idleHoldLevel === from.idleHoldLevel &&
      this.establishedKeepalives === from.establishedKeepalives &&
      timerNames.every((timer) => this.timers[timer] === from.timers[timer]) &&
      this.start === from.start &&
      this.negotiated === from.negotiated &&
      this.randomState === from.randomState
    ) {
      return { session: from, actions: this.actions };
    }
    const session: FsmSession = Object.freeze({
      config: this.config,
      state: this.state,
      connectRetryCounter: this.connectRetryCounter,
      connectAttempt: this.connectAttempt,
      idleHoldLevel: this.idleHoldLevel,
      establishedKeepalives: this.establishedKeepalives,
      timers: Object.freeze(this.timers) as RunningTimers,
      start: this.start,
      negotiated: this.negotiated,
      randomState: this.randomState,
    });
    return { session, actions: this.actions };
  }
}

// ---- shared procedures -------------------------------------------------------

function notification(
  code: number,
  subcode: number,
  data: Uint8Array = new Uint8Array(0),
): NotificationMessage {
  return { kind: 'notification', code, subcode, data };
}

function notificationOf(error: WireError): NotificationMessage {
  return notification(error.code, error.subcode, error.data);
}

/** Cease for a stop event (RFC 4486), with an RFC 9003 shutdown communication for subcodes 2 and 4. */
function ceaseFor(event: Extract<FsmEvent, { kind: 'manualStop' | 'automaticStop' }>): NotificationMessage {
  if (event.kind === 'automaticStop') return notification(ErrorCode.CEASE, event.ceaseSubcode, event.data);
  const subcode = event.ceaseSubcode ?? CeaseSubcode.ADMINISTRATIVE_SHUTDOWN;
  const communicates =
    subcode === CeaseSubcode.ADMINISTRATIVE_SHUTDOWN || subcode === CeaseSubcode.ADMINISTRATIVE_RESET;
  const data =
    communicates && event.shutdownMessage !== undefined
      ? shutdownCommunication(event.shutdownMessage)
      : undefined;
  if (event.hardReset === true) {
    return notification(
      ErrorCode.CEASE,
      CeaseSubcode.HARD_RESET,
      hardResetData({ code: ErrorCode.CEASE, subcode, data: data ?? new Uint8Array(0) }),
    );
  }
  return notification(ErrorCode.CEASE, subcode, data);
}

/** FSM Error for an unexpected message, with the message type as data (RFC 6608 §4). */
function unexpectedMessage(
  state: 'openSent' | 'openConfirm' | 'established',
  type: number,
): NotificationMessage {
  const subcode =
    state === 'openSent'
      ? FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_OPENSENT
      : state === 'openConfirm'
        ? FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_OPENCONFIRM
        : FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_ESTABLISHED;
  return notification(ErrorCode.FSM_ERROR, subcode, Uint8Array.of(type));
}

/** Starts the ConnectRetry timer with backoff and jitter; a passive session has none. */
function startConnectRetry(t: Transition): void {
  if (t.start?.passiveTcpEstablishment ?? t.config.passiveTcpEstablishment) return;
  const ms = computeConnectRetryMs(t.connectAttempt, t.random(), {
    baseMs: t.config.connectRetryTimeMs,
    maxMs: t.config.connectRetryMaxMs,
  });
  t.connectAttempt++;
  t.startTimer('connectRetry', ms);
}

/** Leaves Idle (RFC 4271 §8.2.2 Idle, events 1 and 3–7): Connect, or Active when passive. */
function beginSession(t: Transition, attributes: StartAttributes): void {
  t.start = attributes;
  t.connectAttempt = 0;
  t.stopTimer('idleHold');
  startConnectRetry(t);
  if (attributes.passiveTcpEstablishment) {
    t.state = 'active';
  } else {
    t.actions.push({ kind: 'connect' });
    t.state = 'connect';
  }
}

/** Sends our OPEN and waits for the peer's under the large initial Hold timer (RFC 4271 §8.2.2). */
function sendOpen(t: Transition): void {
  t.stopTimer('connectRetry');
  t.stopTimer('delayOpen');
  t.actions.push({ kind: 'sendOpen', message: computeLocalOpen(t.config) });
  t.startTimer('hold', OPEN_SENT_HOLD_TIME_SEC * 1000);
  t.state = 'openSent';
}

/** A connection is up (events 16, 17 in Connect or Active): DelayOpen, or our OPEN now. */
function connectionUp(t: Transition): void {
  t.stopTimer('connectRetry');
  if (t.config.delayOpenTimeMs > 0) t.startTimer('delayOpen', t.config.delayOpenTimeMs);
  else sendOpen(t);
}

/** Starts the Keepalive timer, jittered (RFC 4271 §10). */
function startKeepalive(t: Transition, negotiated: Negotiated): void {
  t.startTimer('keepalive', jitter(negotiated.keepaliveTimeSec * 1000, t.random()));
}

/** Restarts the Hold timer on traffic from the peer, unless the Hold Time is 0 (RFC 4271 §4.4). */
function restartHold(t: Transition): void {
  const holdTimeSec = t.negotiated?.holdTimeSec ?? 0;
  if (holdTimeSec > 0) t.startTimer('hold', holdTimeSec * 1000);
}

/** The peer's OPEN was accepted: KEEPALIVE, negotiated timers, OpenConfirm (RFC 4271 §8.2.2). */
function openAccepted(t: Transition, negotiated: Negotiated): void {
  t.negotiated = negotiated;
  t.actions.push({ kind: 'sendKeepalive' });
  if (negotiated.holdTimeSec > 0) {
    startKeepalive(t, negotiated);
    t.startTimer('hold', negotiated.holdTimeSec * 1000);
  } else {
    t.stopTimer('keepalive');
    t.stopTimer('hold');
  }
  t.state = 'openConfirm';
}

interface IdleOptions {
  /** NOTIFICATION to send before closing. */
  readonly notification?: NotificationMessage;
  /** What happens to the ConnectRetryCounter. */
  readonly counter: 'increment' | 'reset' | 'keep';
  /** Manual stop: no automatic restart. */
  readonly manual?: boolean;
  /** Why, when leaving Established (defaults to the NOTIFICATION sent). */
  readonly down?: DownReason;
}

/**
 * Back to Idle, releasing everything (RFC 4271 §8.2.2 "releases all BGP resources"):
 * NOTIFICATION if any, close, every timer stopped, `down` when leaving Established.
 * After a failure, with AllowAutomaticStart, the IdleHold timer is started for the
 * automatic restart, growing with DampPeerOscillations.
 */
function enterIdle(t: Transition, options: IdleOptions): void {
  if (options.notification !== undefined)
    t.actions.push({ kind: 'sendNotification', message: options.notification });
  t.actions.push({ kind: 'close' });
  t.stopAllTimers();
  if (t.state === 'established') {
    const reason: DownReason =
      options.down ??
      (options.notification !== undefined
        ? { kind: 'notificationSent', notification: options.notification }
        : { kind: 'connectionLost' });
    t.actions.push({ kind: 'down', reason });
  }
  if (options.counter === 'increment') t.connectRetryCounter++;
  else if (options.counter === 'reset') t.connectRetryCounter = 0;
  t.negotiated = undefined;
  t.establishedKeepalives = 0;
  t.state = 'idle';
  if (options.manual === true) {
    t.start = undefined;
    return;
  }
  if (t.start !== undefined && t.config.allowAutomaticStart) {
    const damp = t.start.dampPeerOscillations;
    t.startTimer(
      'idleHold',
      computeIdleHoldMs(t.idleHoldLevel, {
        baseMs: t.config.idleHoldTimeMs,
        maxMs: t.config.idleHoldMaxMs,
        damp,
      }),
    );
    if (damp) t.idleHoldLevel++;
  }
}

/** "In response to any other event": a failure without NOTIFICATION (Connect, Active). */
function failSilently(t: Transition): void {
  enterIdle(t, { counter: 'increment' });
}

/** The peer's OPEN was refused: NOTIFICATION when allowed, Idle (RFC 4271 §8.2.2 event 22). */
function openRefused(t: Transition, note: NotificationMessage, openSent: boolean): void {
  const send = openSent || t.config.sendNotificationWithoutOpen;
  enterIdle(t, { notification: send ? note : undefined, counter: 'increment' });
}

function startAttributes(t: Transition, kind: FsmEvent['kind']): StartAttributes | undefined {
  const passive = t.config.passiveTcpEstablishment;
  const damp = t.config.dampPeerOscillations;
  switch (kind) {
    case 'manualStart':
      return { automatic: false, passiveTcpEstablishment: passive, dampPeerOscillations: damp };
    case 'manualStartWithPassiveTcpEstablishment':
      return { automatic: false, passiveTcpEstablishment: true, dampPeerOscillations: damp };
    case 'automaticStart':
      return { automatic: true, passiveTcpEstablishment: passive, dampPeerOscillations: damp };
    case 'automaticStartWithPassiveTcpEstablishment':
      return { automatic: true, passiveTcpEstablishment: true, dampPeerOscillations: damp };
    case 'automaticStartWithDampPeerOscillations':
      return { automatic: true, passiveTcpEstablishment: passive, dampPeerOscillations: true };
    case 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment':
      return { automatic: true, passiveTcpEstablishment: true, dampPeerOscillations: true };
    default:
      return undefined;
  }
}

// ---- per-state handlers (RFC 4271 §8.2.2) ------------------------------------

function onIdle(t: Transition, event: FsmEvent): void {
  switch (event.kind) {
    case 'manualStart':
    case 'manualStartWithPassiveTcpEstablishment': {
      // A manual start overrides any damping in progress.
      t.connectRetryCounter = 0;
      t.idleHoldLevel = 0;
      beginSession(t, startAttributes(t, event.kind)!);
      return;
    }
    case 'automaticStart':
    case 'automaticStartWithPassiveTcpEstablishment':
      t.connectRetryCounter = 0;
      beginSession(t, startAttributes(t, event.kind)!);
      return;
    case 'automaticStartWithDampPeerOscillations':
    case 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment':
      // Events 6 and 7 wait out a running IdleHold: that is the damping.
      if (t.timers.idleHold) return;
      t.connectRetryCounter = 0;
      beginSession(t, startAttributes(t, event.kind)!);
      return;
    case 'idleHoldTimerExpires':
      // Event 13: the automatic restart, with the attributes of the last start.
      if (t.start !== undefined) beginSession(t, { ...t.start, automatic: true });
      return;
    case 'manualStop':
      // Ignored by the RFC; here it also cancels a pending automatic restart.
      t.stopTimer('idleHold');
      t.start = undefined;
      t.connectRetryCounter = 0;
      return;
    case 'automaticStop':
    case 'connectRetryTimerExpires':
    case 'holdTimerExpires':
    case 'keepaliveTimerExpires':
    case 'delayOpenTimerExpires':
    case 'tcpConnectionValid':
    case 'tcpCrInvalid':
    case 'tcpCrAcked':
    case 'tcpConnectionConfirmed':
    case 'tcpConnectionFails':
    case 'bgpOpen':
    case 'bgpHeaderErr':
    case 'bgpOpenMsgErr':
    case 'openCollisionDump':
    case 'notifMsgVerErr':
    case 'notifMsg':
    case 'keepAliveMsg':
    case 'updateMsg':
    case 'updateMsgErr':
    case 'routeRefreshMsg':
      // "Any other event ... is ignored in the Idle state."
      return;
    default:
      assertNever(event);
  }
}

/** Connect and Active share most of their table (RFC 4271 §8.2.2). */
function onConnectOrActive(t: Transition, event: FsmEvent): void {
  const connect = t.state === 'connect';
  switch (event.kind) {
    case 'manualStart':
    case 'automaticStart':
    case 'manualStartWithPassiveTcpEstablishment':
    case 'automaticStartWithPassiveTcpEstablishment':
    case 'automaticStartWithDampPeerOscillations':
    case 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment':
    case 'tcpConnectionValid':
    case 'tcpCrInvalid':
      return;
    case 'manualStop': {
      // Active with DelayOpen running: an OPEN-less Cease only with SendNOTIFICATIONwithoutOPEN.
      const cease = !connect && t.timers.delayOpen && t.config.sendNotificationWithoutOpen;
      enterIdle(t, { notification: cease ? ceaseFor(event) : undefined, counter: 'reset', manual: true });
      return;
    }
    case 'connectRetryTimerExpires':
      if (connect) {
        // Give up on this attempt and try again.
        t.actions.push({ kind: 'close' });
        t.stopTimer('delayOpen');
      }
      startConnectRetry(t);
      t.actions.push({ kind: 'connect' });
      t.state = 'connect';
      return;
    case 'delayOpenTimerExpires':
      sendOpen(t);
      return;
    case 'tcpCrAcked':
    case 'tcpConnectionConfirmed':
      connectionUp(t);
      return;
    case 'tcpConnectionFails':
      if (!connect) {
        failSilently(t);
      } else if (t.timers.delayOpen) {
        t.stopTimer('delayOpen');
        startConnectRetry(t);
        t.state = 'active';
      } else {
        // Our choice (see step): wait in Active for the ConnectRetry timer already running.
        if (!t.timers.connectRetry) startConnectRetry(t);
        t.state = 'active';
      }
      return;
    case 'bgpOpen':
      if (!t.timers.delayOpen) {
        failSilently(t);
        return;
      }
      openDuringDelayOpen(t, event.message);
      return;
    case 'bgpHeaderErr':
    case 'bgpOpenMsgErr':
      openRefused(t, notificationOf(event.error), false);
      return;
    case 'notifMsgVerErr':
      // Without DelayOpen running the RFC counts it as a failure; with it, not.
      enterIdle(t, { counter: t.timers.delayOpen ? 'keep' : 'increment' });
      return;
    case 'automaticStop':
    case 'holdTimerExpires':
    case 'keepaliveTimerExpires':
    case 'idleHoldTimerExpires':
    case 'openCollisionDump':
    case 'notifMsg':
    case 'keepAliveMsg':
    case 'updateMsg':
    case 'updateMsgErr':
    case 'routeRefreshMsg':
      failSilently(t);
      return;
    default:
      assertNever(event);
  }
}

/** Event 20: an OPEN while DelayOpen runs; answer with OPEN and KEEPALIVE (RFC 4271 §8.2.2). */
function openDuringDelayOpen(t: Transition, open: OpenMessage): void {
  const result = negotiate(t.config, open);
  if (result.kind === 'rejected') {
    openRefused(t, result.notification, false);
    return;
  }
  t.stopTimer('connectRetry');
  t.stopTimer('delayOpen');
  t.actions.push({ kind: 'sendOpen', message: computeLocalOpen(t.config) });
  openAccepted(t, result.negotiated);
}

function onOpenSent(t: Transition, event: FsmEvent): void {
  switch (event.kind) {
    case 'manualStart':
    case 'automaticStart':
    case 'manualStartWithPassiveTcpEstablishment':
    case 'automaticStartWithPassiveTcpEstablishment':
    case 'automaticStartWithDampPeerOscillations':
    case 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment':
    case 'tcpConnectionValid':
    case 'tcpCrInvalid':
    case 'tcpCrAcked':
    case 'tcpConnectionConfirmed':
      // Starts are ignored; a second connection is tracked by its own FSM (RFC 4271 §6.8).
      return;
    case 'manualStop':
      enterIdle(t, { notification: ceaseFor(event), counter: 'reset', manual: true });
      return;
    case 'automaticStop':
      enterIdle(t, { notification: ceaseFor(event), counter: 'increment' });
      return;
    case 'holdTimerExpires':
      enterIdle(t, { notification: notification(ErrorCode.HOLD_TIMER_EXPIRED, 0), counter: 'increment' });
      return;
    case 'tcpConnectionFails':
      // Close, and listen (and retry) from Active; the counter is unchanged.
      t.actions.push({ kind: 'close' });
      t.stopTimer('hold');
      startConnectRetry(t);
      t.state = 'active';
      return;
    case 'bgpOpen': {
      const result = negotiate(t.config, event.message);
      if (result.kind === 'rejected') openRefused(t, result.notification, true);
      else openAccepted(t, result.negotiated);
      return;
    }
    case 'bgpHeaderErr':
    case 'bgpOpenMsgErr':
      enterIdle(t, { notification: notificationOf(event.error), counter: 'increment' });
      return;
    case 'openCollisionDump':
      enterIdle(t, {
        notification: notification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION),
        counter: 'increment',
      });
      return;
    case 'notifMsgVerErr':
      enterIdle(t, { counter: 'keep' });
      return;
    case 'notifMsg':
      enterIdle(t, { counter: 'increment' });
      return;
    case 'keepAliveMsg':
      enterIdle(t, {
        notification: unexpectedMessage('openSent', MessageType.KEEPALIVE),
        counter: 'increment',
      });
      return;
    case 'updateMsg':
    case 'updateMsgErr':
      enterIdle(t, { notification: unexpectedMessage('openSent', MessageType.UPDATE), counter: 'increment' });
      return;
    case 'routeRefreshMsg':
      enterIdle(t, {
        notification: unexpectedMessage('openSent', MessageType.ROUTE_REFRESH),
        counter: 'increment',
      });
      return;
    case 'connectRetryTimerExpires':
    case 'keepaliveTimerExpires':
    case 'delayOpenTimerExpires':
    case 'idleHoldTimerExpires':
      // Only reachable if the timer runs, and in OpenSent none of these does.
      enterIdle(t, {
        notification: notification(ErrorCode.FSM_ERROR, FsmErrorSubcode.UNSPECIFIED),
        counter: 'increment',
      });
      return;
    default:
      assertNever(event);
  }
}

function onOpenConfirm(t: Transition, event: FsmEvent): void {
  switch (event.kind) {
    case 'manualStart':
    case 'automaticStart':
    case 'manualStartWithPassiveTcpEstablishment':
    case 'automaticStartWithPassiveTcpEstablishment':
    case 'automaticStartWithDampPeerOscillations':
    case 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment':
    case 'tcpConnectionValid':
    case 'tcpCrInvalid':
    case 'tcpCrAcked':
    case 'tcpConnectionConfirmed':
      return;
    case 'manualStop':
      enterIdle(t, { notification: ceaseFor(event), counter: 'reset', manual: true });
      return;
    case 'automaticStop':
      enterIdle(t, { notification: ceaseFor(event), counter: 'increment' });
      return;
    case 'holdTimerExpires':
      enterIdle(t, { notification: notification(ErrorCode.HOLD_TIMER_EXPIRED, 0), counter: 'increment' });
      return;
    case 'keepaliveTimerExpires':
      t.actions.push({ kind: 'sendKeepalive' });
      if (t.negotiated !== undefined) startKeepalive(t, t.negotiated);
      return;
    case 'tcpConnectionFails':
    case 'notifMsg':
      enterIdle(t, { counter: 'increment' });
      return;
    case 'notifMsgVerErr':
      enterIdle(t, { counter: 'keep' });
      return;
    case 'bgpOpen':
      enterIdle(t, {
        notification: unexpectedMessage('openConfirm', MessageType.OPEN),
        counter: 'increment',
      });
      return;
    case 'bgpHeaderErr':
    case 'bgpOpenMsgErr':
      enterIdle(t, { notification: notificationOf(event.error), counter: 'increment' });
      return;
    case 'openCollisionDump':
      enterIdle(t, {
        notification: notification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION),
        counter: 'increment',
      });
      return;
    case 'keepAliveMsg': {
      const negotiated = t.negotiated;
      if (negotiated === undefined) {
        // Cannot happen: OpenConfirm is only entered with an accepted OPEN.
        enterIdle(t, {
          notification: notification(ErrorCode.FSM_ERROR, FsmErrorSubcode.UNSPECIFIED),
          counter: 'increment',
        });
        return;
      }
      restartHold(t);
      t.connectAttempt = 0;
      t.establishedKeepalives = 0;
      t.actions.push({ kind: 'established', negotiated });
      t.state = 'established';
      return;
    }
    case 'updateMsg':
    case 'updateMsgErr':
      enterIdle(t, {
        notification: unexpectedMessage('openConfirm', MessageType.UPDATE),
        counter: 'increment',
      });
      return;
    case 'routeRefreshMsg':
      enterIdle(t, {
        notification: unexpectedMessage('openConfirm', MessageType.ROUTE_REFRESH),
        counter: 'increment',
      });
      return;
    case 'connectRetryTimerExpires':
    case 'delayOpenTimerExpires':
    case 'idleHoldTimerExpires':
      enterIdle(t, {
        notification: notification(ErrorCode.FSM_ERROR, FsmErrorSubcode.UNSPECIFIED),
        counter: 'increment',
      });
      return;
    default:
      assertNever(event);
  }
}

function onEstablished(t: Transition, event: FsmEvent): void {
  switch (event.kind) {
    case 'manualStart':
    case 'automaticStart':
    case 'manualStartWithPassiveTcpEstablishment':
    case 'automaticStartWithPassiveTcpEstablishment':
    case 'automaticStartWithDampPeerOscillations':
    case 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment':
    case 'tcpConnectionValid':
    case 'tcpCrInvalid':
    case 'tcpCrAcked':
    case 'tcpConnectionConfirmed':
      return;
    case 'manualStop':
      enterIdle(t, { notification: ceaseFor(event), counter: 'reset', manual: true });
      return;
    case 'automaticStop':
      enterIdle(t, { notification: ceaseFor(event), counter: 'increment' });
      return;
    case 'holdTimerExpires':
      enterIdle(t, { notification: notification(ErrorCode.HOLD_TIMER_EXPIRED, 0), counter: 'increment' });
      return;
    case 'keepaliveTimerExpires': {
      t.actions.push({ kind: 'sendKeepalive' });
      const negotiated = t.negotiated;
      if (negotiated === undefined) return;
      startKeepalive(t, negotiated);
      // Established for stableTimeMs: forget past failures (DampPeerOscillations).
      t.establishedKeepalives++;
      if (t.establishedKeepalives * negotiated.keepaliveTimeSec * 1000 >= t.config.stableTimeMs)
        t.idleHoldLevel = 0;
      return;
    }
    case 'tcpConnectionFails':
      enterIdle(t, { counter: 'increment', down: { kind: 'connectionLost' } });
      return;
    case 'notifMsgVerErr':
    case 'notifMsg':
      enterIdle(t, {
        counter: 'increment',
        down: { kind: 'notificationReceived', notification: event.message },
      });
      return;
    case 'bgpOpen':
    case 'bgpOpenMsgErr':
      enterIdle(t, {
        notification: unexpectedMessage('established', MessageType.OPEN),
        counter: 'increment',
      });
      return;
    case 'bgpHeaderErr':
      // RFC 4271 §6.1: header errors are reported as such, in every state.
      enterIdle(t, { notification: notificationOf(event.error), counter: 'increment' });
      return;
    case 'openCollisionDump':
      enterIdle(t, {
        notification: notification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION),
        counter: 'increment',
      });
      return;
    case 'keepAliveMsg':
      restartHold(t);
      return;
    case 'updateMsg':
      restartHold(t);
      t.actions.push({ kind: 'deliverUpdate', message: event.message });
      return;
    case 'updateMsgErr':
      if (event.error.action === 'sessionReset') {
        enterIdle(t, { notification: notificationOf(event.error), counter: 'increment' });
      } else {
        // RFC 7606 §2: a weaker action keeps the session; the caller applies it to the routes.
        restartHold(t);
      }
      return;
    case 'routeRefreshMsg': {
      restartHold(t);
      const { afi, safi, subtype } = event.message;
      const negotiated = t.negotiated;
      const family = negotiated?.families.some((f) => f.afi === afi && f.safi === safi) ?? false;
      // RFC 2918 §4: ignore a family not negotiated. RFC 7313 §5: ignore an unknown subtype,
      // and BoRR/EoRR without Enhanced Route Refresh.
      const known = subtype === 0 || (subtype <= 2 && negotiated?.enhancedRouteRefresh === true);
      if (t.config.routeRefresh && family && known) {
        t.actions.push({ kind: 'deliverRouteRefresh', message: event.message });
      }
      return;
    }
    case 'connectRetryTimerExpires':
    case 'delayOpenTimerExpires':
    case 'idleHoldTimerExpires':
      enterIdle(t, {
        notification: notification(ErrorCode.FSM_ERROR, FsmErrorSubcode.UNSPECIFIED),
        counter: 'increment',
      });
      return;
    default:
      assertNever(event);
  }
}
