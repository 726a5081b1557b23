import { ErrorCode, OpenErrorSubcode } from '../wire/constants.js';
import type { WireError } from '../wire/errors.js';
import type { NotificationMessage } from '../wire/notification.js';
import type { OpenMessage } from '../wire/open.js';
import type { RouteRefreshMessage } from '../wire/route-refresh.js';
import type { UpdateMessage } from '../wire/update.js';

/**
 * What the FSM reacts to: the events of RFC 4271 §8.1, named after the RFC, with
 * the event number in each TSDoc, plus ROUTE-REFRESH (RFC 2918), which came later.
 *
 * Timer events mean "the timer you started fired". The FSM remembers which timers it
 * started, so an expiry of a timer it has stopped (a late tick) is stale and ignored.
 * Message events carry the decoded message; errors carry the `WireError` that
 * decoding raised. One FSM drives one TCP connection; see `index.ts` for collisions.
 */
export type FsmEvent =
  | ManualStart
  | ManualStop
  | AutomaticStart
  | ManualStartWithPassiveTcpEstablishment
  | AutomaticStartWithPassiveTcpEstablishment
  | AutomaticStartWithDampPeerOscillations
  | AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment
  | AutomaticStop
  | ConnectRetryTimerExpires
  | HoldTimerExpires
  | KeepaliveTimerExpires
  | DelayOpenTimerExpires
  | IdleHoldTimerExpires
  | TcpConnectionValid
  | TcpCrInvalid
  | TcpCrAcked
  | TcpConnectionConfirmed
  | TcpConnectionFails
  | BgpOpen
  | BgpHeaderErr
  | BgpOpenMsgErr
  | OpenCollisionDump
  | NotifMsgVerErr
  | NotifMsg
  | KeepAliveMsg
  | UpdateMsg
  | UpdateMsgErr
  | RouteRefreshMsg;

/** Event 1: the operator starts the session. */
export interface ManualStart {
  readonly kind: 'manualStart';
}

/**
 * Event 2: the operator stops the session. From OpenSent on, a Cease is sent with
 * `ceaseSubcode` (default 2, Administrative Shutdown, RFC 4486) and, for subcodes 2
 * and 4, `shutdownMessage` as an RFC 9003 shutdown communication. No automatic
 * restart follows.
 */
export interface ManualStop {
  readonly kind: 'manualStop';
  readonly ceaseSubcode?: number;
  readonly shutdownMessage?: string;
  /**
   * Send the Cease inside a Hard Reset (RFC 8538 §3), so that a peer which
   * negotiated the N bit flushes our routes rather than keeping them as stale.
   */
  readonly hardReset?: boolean;
}

/** Event 3: the local system starts the session. */
export interface AutomaticStart {
  readonly kind: 'automaticStart';
}

/** Event 4: manual start that waits for the peer to connect (PassiveTcpEstablishment). */
export interface ManualStartWithPassiveTcpEstablishment {
  readonly kind: 'manualStartWithPassiveTcpEstablishment';
}

/** Event 5: automatic start that waits for the peer to connect. */
export interface AutomaticStartWithPassiveTcpEstablishment {
  readonly kind: 'automaticStartWithPassiveTcpEstablishment';
}

/** Event 6: automatic start with DampPeerOscillations; ignored while IdleHold runs. */
export interface AutomaticStartWithDampPeerOscillations {
  readonly kind: 'automaticStartWithDampPeerOscillations';
}

/** Event 7: events 5 and 6 together. */
export interface AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment {
  readonly kind: 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment';
}

/**
 * Event 8: the local system stops the session (maximum prefixes, BFD down, …). From
 * OpenSent on, a Cease with `ceaseSubcode` and `data` is sent (RFC 4486, RFC 9384).
 * Counts as a failure: an automatic restart follows after IdleHold.
 */
export interface AutomaticStop {
  readonly kind: 'automaticStop';
  readonly ceaseSubcode: number;
  readonly data?: Uint8Array;
}

/** Event 9: the ConnectRetry timer fired. */
export interface ConnectRetryTimerExpires {
  readonly kind: 'connectRetryTimerExpires';
}

/** Event 10: the Hold timer fired: the peer was silent too long. */
export interface HoldTimerExpires {
  readonly kind: 'holdTimerExpires';
}

/** Event 11: the Keepalive timer fired: time to send a KEEPALIVE. */
export interface KeepaliveTimerExpires {
  readonly kind: 'keepaliveTimerExpires';
}

/** Event 12: the DelayOpen timer fired: send our OPEN now. */
export interface DelayOpenTimerExpires {
  readonly kind: 'delayOpenTimerExpires';
}

/** Event 13: the IdleHold timer fired: an automatic restart may begin. */
export interface IdleHoldTimerExpires {
  readonly kind: 'idleHoldTimerExpires';
}

/** Event 14: a TCP connection request with a valid source and destination arrived. */
export interface TcpConnectionValid {
  readonly kind: 'tcpConnectionValid';
}

/** Event 15: a TCP connection request from an unexpected source or port; ignored in every state. */
export interface TcpCrInvalid {
  readonly kind: 'tcpCrInvalid';
}

/** Event 16: our outgoing connection succeeded (SYN-ACK received, ACK sent). */
export interface TcpCrAcked {
  readonly kind: 'tcpCrAcked';
}

/** Event 17: the peer's incoming connection is now this FSM's connection. */
export interface TcpConnectionConfirmed {
  readonly kind: 'tcpConnectionConfirmed';
}

/** Event 18: the connection failed or was closed by the peer (or the connect attempt failed). */
export interface TcpConnectionFails {
  readonly kind: 'tcpConnectionFails';
}

/**
 * Events 19 and 20: a well-formed OPEN arrived. The FSM checks it (negotiate.ts)
 * and knows whether its DelayOpen timer runs, which makes it event 20.
 */
export interface BgpOpen {
  readonly kind: 'bgpOpen';
  readonly message: OpenMessage;
}

/**
 * Event 21: a message header failed its checks (RFC 4271 §6.1). Also used for a
 * ROUTE-REFRESH whose body fails RFC 7313 §5 (code 7): `error` is what decoding threw.
 */
export interface BgpHeaderErr {
  readonly kind: 'bgpHeaderErr';
  readonly error: WireError;
}

/** Event 22: an OPEN failed to decode (RFC 4271 §6.2). */
export interface BgpOpenMsgErr {
  readonly kind: 'bgpOpenMsgErr';
  readonly error: WireError;
}

/** Event 23: collision resolution (collision.ts, RFC 4271 §6.8) chose to drop this connection. */
export interface OpenCollisionDump {
  readonly kind: 'openCollisionDump';
}

/** Event 24: a NOTIFICATION with OPEN Message Error / Unsupported Version Number arrived. */
export interface NotifMsgVerErr {
  readonly kind: 'notifMsgVerErr';
  readonly message: NotificationMessage;
}

/** Event 25: any other NOTIFICATION arrived (a malformed one counts too: RFC 4271 §6.4 forbids answering it). */
export interface NotifMsg {
  readonly kind: 'notifMsg';
  readonly message: NotificationMessage;
}

/** Event 26: a KEEPALIVE arrived. */
export interface KeepAliveMsg {
  readonly kind: 'keepAliveMsg';
}

/** Event 27: an UPDATE arrived (first, raw stage; see `parseUpdate`). */
export interface UpdateMsg {
  readonly kind: 'updateMsg';
  readonly message: UpdateMessage;
}

/**
 * Event 28: an UPDATE is malformed. With `error.action` = `sessionReset` the session
 * is reset (RFC 4271 §6.3); with a weaker RFC 7606 action the session stays up and
 * the caller applies that action to the routes.
 */
export interface UpdateMsgErr {
  readonly kind: 'updateMsgErr';
  readonly error: WireError;
}

/** ROUTE-REFRESH arrived (RFC 2918 §3, RFC 7313). Not an RFC 4271 event: handled like UPDATE. */
export interface RouteRefreshMsg {
  readonly kind: 'routeRefreshMsg';
  readonly message: RouteRefreshMessage;
}

/** The start event for given RFC 4271 §8.1.1 attributes (events 1 and 3–7). */
export function startEvent(options: {
  readonly automatic: boolean;
  readonly passiveTcpEstablishment?: boolean;
  readonly dampPeerOscillations?: boolean;
}): FsmEvent {
  const passive = options.passiveTcpEstablishment ?? false;
  const damp = options.dampPeerOscillations ?? false;
  if (!options.automatic) {
    return passive ? { kind: 'manualStartWithPassiveTcpEstablishment' } : { kind: 'manualStart' };
  }
  if (damp) {
    return passive
      ? { kind: 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment' }
      : { kind: 'automaticStartWithDampPeerOscillations' };
  }
  return passive ? { kind: 'automaticStartWithPassiveTcpEstablishment' } : { kind: 'automaticStart' };
}

/** The event for a received NOTIFICATION: 24 for Unsupported Version Number (RFC 4271 §6.2), else 25. */
export function notificationEvent(message: NotificationMessage): NotifMsgVerErr | NotifMsg {
  return message.code === ErrorCode.OPEN_MESSAGE_ERROR &&
    message.subcode === OpenErrorSubcode.UNSUPPORTED_VERSION_NUMBER
    ? { kind: 'notifMsgVerErr', message }
    : { kind: 'notifMsg', message };
}

/** Every event kind, for tables and property tests. */
export const fsmEventKinds: readonly FsmEvent['kind'][] = Object.freeze([
  'manualStart',
  'manualStop',
  'automaticStart',
  'manualStartWithPassiveTcpEstablishment',
  'automaticStartWithPassiveTcpEstablishment',
  'automaticStartWithDampPeerOscillations',
  'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment',
  'automaticStop',
  'connectRetryTimerExpires',
  'holdTimerExpires',
  'keepaliveTimerExpires',
  'delayOpenTimerExpires',
  'idleHoldTimerExpires',
  'tcpConnectionValid',
  'tcpCrInvalid',
  'tcpCrAcked',
  'tcpConnectionConfirmed',
  'tcpConnectionFails',
  'bgpOpen',
  'bgpHeaderErr',
  'bgpOpenMsgErr',
  'openCollisionDump',
  'notifMsgVerErr',
  'notifMsg',
  'keepAliveMsg',
  'updateMsg',
  'updateMsgErr',
  'routeRefreshMsg',
]);
