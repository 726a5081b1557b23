import type { DownReason } from '../fsm/actions.js';
import type { Negotiated } from '../fsm/negotiate.js';
import type { SessionState } from '../fsm/state.js';
import type { Route } from '../rib/route.js';
import type { ErrorAction, WireError } from '../wire/errors.js';

/**
 * What one peer session reports, discriminated by `kind`. Every event names the
 * peer by its configured address. The speaker re-emits these as part of its
 * `SpeakerEvent` union and derives its log lines from them.
 */
export type PeerEvent =
  | StateChangeEvent
  | PeerUpEvent
  | PeerDownEvent
  | NotificationSentEvent
  | NotificationReceivedEvent
  | MalformedEvent
  | RoutesReceivedEvent
  | EorSentEvent
  | EorReceivedEvent
  | MaxPrefixEvent
  | RoutesRejectedEvent
  | RouteRefreshEvent
  | SpeakerErrorEvent;

/** The peer's FSM moved between RFC 4271 §8.2.2 states. */
export interface StateChangeEvent {
  readonly kind: 'stateChange';
  readonly peer: string;
  readonly from: SessionState;
  readonly to: SessionState;
}

/** The session reached Established with these negotiated parameters. */
export interface PeerUpEvent {
  readonly kind: 'peerUp';
  readonly peer: string;
  readonly negotiated: Negotiated;
  /** The session's own end: the default next hop for routes of its family. */
  readonly localAddress: string;
  readonly localPort: number;
  readonly remotePort: number;
}

/**
 * The session left Established. Every route received from the peer is gone with it
 * (RFC 4271 §3.2: the Adj-RIB-In is emptied); `routesWithdrawn` counts them, rather
 * than one event per route.
 */
export interface PeerDownEvent {
  readonly kind: 'peerDown';
  readonly peer: string;
  readonly reason: DownReason;
  readonly routesWithdrawn: number;
  readonly uptimeMs: number;
}

/** Fields shared by the two NOTIFICATION events (RFC 4271 §4.5). */
interface NotificationFields {
  readonly peer: string;
  readonly code: number;
  readonly subcode: number;
  /** Registry name, e.g. `CEASE/ADMINISTRATIVE_SHUTDOWN` or `HOLD_TIMER_EXPIRED`. */
  readonly name: string;
  readonly data: Uint8Array;
  /** The RFC 9003 shutdown communication, when the NOTIFICATION carries one. */
  readonly shutdownMessage?: string;
}

/** We sent a NOTIFICATION (and closed the connection). */
export interface NotificationSentEvent extends NotificationFields {
  readonly kind: 'notificationSent';
}

/** The peer sent a NOTIFICATION. */
export interface NotificationReceivedEvent extends NotificationFields {
  readonly kind: 'notificationReceived';
}

/**
 * An UPDATE had faults that RFC 7606 handles without a session reset: `action` is
 * the strongest (`treatAsWithdraw`, `attributeDiscard`, or `afiSafiDisable`, which
 * is applied as treat-as-withdraw), `error` the first fault with that action, and
 * `issues` all of them. Session-reset faults end in `notificationSent` instead.
 */
export interface MalformedEvent {
  readonly kind: 'malformed';
  readonly peer: string;
  readonly action: ErrorAction;
  readonly error: WireError;
  readonly issues: readonly WireError[];
}

/**
 * The routes one UPDATE changed in the peer's Adj-RIB-In: `announced` holds new and
 * replaced routes (implicit withdraw, RFC 4271 §3.1), `withdrawn` the routes removed.
 * Built only while someone listens for it.
 */
export interface RoutesReceivedEvent {
  readonly kind: 'routesReceived';
  readonly peer: string;
  readonly announced: readonly Route[];
  readonly withdrawn: readonly Route[];
}

/**
 * We sent End-of-RIB for a family (RFC 4724 §2) after the initial table, and the
 * socket took it. `count` is the routes of that family in the initial table.
 */
export interface EorSentEvent {
  readonly kind: 'eorSent';
  readonly peer: string;
  readonly afi: number;
  readonly safi: number;
  readonly count: number;
  readonly msSinceEstablished: number;
}

/** The peer sent End-of-RIB for a family; `count` is the routes now held for it. */
export interface EorReceivedEvent {
  readonly kind: 'eorReceived';
  readonly peer: string;
  readonly afi: number;
  readonly safi: number;
  readonly count: number;
  readonly msSinceEstablished: number;
}

/**
 * The peer crossed a maximum-prefix limit. With `stop`, a Cease / Maximum Number of
 * Prefixes Reached follows (RFC 4486 §4); with `warn`, only this event.
 */
export interface MaxPrefixEvent {
  readonly kind: 'maxPrefix';
  readonly peer: string;
  readonly action: 'warn' | 'stop';
  readonly limit: number;
  readonly count: number;
  readonly afi: number;
  readonly safi: number;
}

/**
 * The routes of one UPDATE were not accepted because our own AS is in their
 * AS_PATH more often than `allowAsIn` allows (RFC 4271 §9.1.2, on eBGP). They are
 * treated as withdrawn: a route held for one of the prefixes is removed.
 */
export interface RoutesRejectedEvent {
  readonly kind: 'routesRejected';
  readonly peer: string;
  readonly reason: 'asPathLoop';
  readonly localAsn: number;
  /** How often `localAsn` appears in the AS_PATH. */
  readonly occurrences: number;
  /** Prefixes the UPDATE announced, all refused. */
  readonly count: number;
}

/** A ROUTE-REFRESH went either way (RFC 2918; BoRR/EoRR markers, RFC 7313 §4). */
export interface RouteRefreshEvent {
  readonly kind: 'routeRefresh';
  readonly peer: string;
  readonly direction: 'sent' | 'received';
  readonly afi: number;
  readonly safi: number;
  readonly subtype: 'request' | 'borr' | 'eorr';
}

/**
 * Something failed that is neither the caller's mistake nor a protocol event: a
 * listening socket error, or an internal fault caught at the session edge (the
 * session is then reset with Cease / Out of Resources rather than left half-done).
 */
export interface SpeakerErrorEvent {
  readonly kind: 'error';
  readonly peer: string | undefined;
  readonly context: string;
  readonly error: Error;
}
