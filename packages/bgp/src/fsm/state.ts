import type { ResolvedFsmConfig } from './config.js';
import type { Negotiated } from './negotiate.js';

/** The six states of the BGP FSM (RFC 4271 §8.2.2). */
export type SessionState = 'idle' | 'connect' | 'active' | 'openSent' | 'openConfirm' | 'established';

/** Every {@link SessionState}, in RFC 4271 §8.2.2 order. */
export const sessionStates: readonly SessionState[] = Object.freeze([
  'idle',
  'connect',
  'active',
  'openSent',
  'openConfirm',
  'established',
]);

/**
 * The FSM's timers (RFC 4271 §8; IdleHold from the DampPeerOscillations attribute,
 * RFC 4271 §8.1.1). All are one-shot: the FSM re-arms a periodic one itself.
 */
export type TimerName = 'connectRetry' | 'hold' | 'keepalive' | 'delayOpen' | 'idleHold';

/** Every {@link TimerName}. */
export const timerNames: readonly TimerName[] = Object.freeze([
  'connectRetry',
  'hold',
  'keepalive',
  'delayOpen',
  'idleHold',
]);

/** Which timers the FSM has started and not yet seen stop or expire. */
export type RunningTimers = Readonly<Record<TimerName, boolean>>;

/**
 * The optional session attributes a start event set (RFC 4271 §8.1.1), kept so an
 * automatic restart after an error starts the session the same way.
 */
export interface StartAttributes {
  /** Started by an automatic start event (3, 5–7) rather than a manual one (1, 4). */
  readonly automatic: boolean;
  /** PassiveTcpEstablishment: wait in Active for the peer to connect. */
  readonly passiveTcpEstablishment: boolean;
  /** DampPeerOscillations: the IdleHold time grows with each failure. */
  readonly dampPeerOscillations: boolean;
}

/**
 * One peer's FSM, as immutable data (RFC 4271 §8). {@link step} returns a new one;
 * nothing here is ever mutated.
 */
export interface FsmSession {
  readonly config: ResolvedFsmConfig;
  readonly state: SessionState;
  /** ConnectRetryCounter (RFC 4271 §8): failures since the last manual start or stop. */
  readonly connectRetryCounter: number;
  /** ConnectRetry timers started since the session last started or reached Established: the backoff exponent. */
  readonly connectAttempt: number;
  /** Failures since the last stable Established period: the IdleHold (damping) exponent. */
  readonly idleHoldLevel: number;
  /** KeepaliveTimer expiries in the current Established period, our clock for "stable". */
  readonly establishedKeepalives: number;
  readonly timers: RunningTimers;
  /** Attributes of the start that is in force; undefined once stopped (then no automatic restart). */
  readonly start: StartAttributes | undefined;
  /** What the OPEN exchange agreed, in OpenConfirm and Established only. */
  readonly negotiated: Negotiated | undefined;
  /** State of the jitter PRNG (see `nextRandom` in backoff.ts). */
  readonly randomState: number;
}

/** No timer running. */
export const noTimers: RunningTimers = Object.freeze({
  connectRetry: false,
  hold: false,
  keepalive: false,
  delayOpen: false,
  idleHold: false,
});
