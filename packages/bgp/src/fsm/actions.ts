import type { NotificationMessage } from '../wire/notification.js';
import type { OpenMessage } from '../wire/open.js';
import type { RouteRefreshMessage } from '../wire/route-refresh.js';
import type { UpdateMessage } from '../wire/update.js';
import type { Negotiated } from './negotiate.js';
import type { SessionState, TimerName } from './state.js';

/**
 * What the caller (the session driver, which owns the socket and the clock) must do
 * after a step, in order. Rules it can rely on:
 * - `stateChange`, when present, is the last action, and there is at most one.
 * - `sendNotification` is always followed, in the same step, by `close`.
 * - `startTimer` on a running timer restarts it; `stopTimer` is only emitted for a
 *   timer that runs. Timers are one-shot: the FSM re-arms periodic ones itself.
 * - `close` is idempotent and also aborts a connect attempt in progress.
 */
export type FsmAction =
  | SendOpen
  | SendKeepalive
  | SendNotification
  | StartTimer
  | StopTimer
  | Connect
  | Close
  | Established
  | Down
  | DeliverUpdate
  | DeliverRouteRefresh
  | StateChange;

/** Send our OPEN (RFC 4271 §4.2), built from the configuration. */
export interface SendOpen {
  readonly kind: 'sendOpen';
  readonly message: OpenMessage;
}

/** Send a KEEPALIVE (RFC 4271 §4.4). */
export interface SendKeepalive {
  readonly kind: 'sendKeepalive';
}

/** Send this NOTIFICATION (RFC 4271 §4.5); a `close` follows. */
export interface SendNotification {
  readonly kind: 'sendNotification';
  readonly message: NotificationMessage;
}

/** Arm (or re-arm) a one-shot timer; when it fires, step the matching `…TimerExpires` event. */
export interface StartTimer {
  readonly kind: 'startTimer';
  readonly timer: TimerName;
  readonly durationMs: number;
}

/** Cancel a timer. */
export interface StopTimer {
  readonly kind: 'stopTimer';
  readonly timer: TimerName;
}

/** Initiate a TCP connection to the peer; report `tcpCrAcked` or `tcpConnectionFails`. */
export interface Connect {
  readonly kind: 'connect';
}

/** Drop the TCP connection (after flushing what was sent), or abort the connect attempt. */
export interface Close {
  readonly kind: 'close';
}

/** The session reached Established: start exchanging routes with these parameters. */
export interface Established {
  readonly kind: 'established';
  readonly negotiated: Negotiated;
}

/** The session left Established: withdraw the peer's routes (or keep them stale under GR). */
export interface Down {
  readonly kind: 'down';
  readonly reason: DownReason;
}

/** Why an Established session went down. */
export type DownReason =
  /** We sent this NOTIFICATION: hold timer, error, Cease for a stop or a collision. */
  | { readonly kind: 'notificationSent'; readonly notification: NotificationMessage }
  /** The peer sent this NOTIFICATION. */
  | { readonly kind: 'notificationReceived'; readonly notification: NotificationMessage }
  /** The TCP connection failed without a NOTIFICATION. */
  | { readonly kind: 'connectionLost' };

/** An UPDATE to hand to the RIB (parse it with `negotiated.receiveContext`). */
export interface DeliverUpdate {
  readonly kind: 'deliverUpdate';
  readonly message: UpdateMessage;
}

/** A ROUTE-REFRESH request (or BoRR/EoRR marker, RFC 7313) for a negotiated family. */
export interface DeliverRouteRefresh {
  readonly kind: 'deliverRouteRefresh';
  readonly message: RouteRefreshMessage;
}

/** The FSM moved from one state to another. */
export interface StateChange {
  readonly kind: 'stateChange';
  readonly from: SessionState;
  readonly to: SessionState;
}
