import type { Clock, TimerHandle } from '@anyvip/clock';
import type { FsmEvent } from '../fsm/events.js';
import type { TimerName } from '../fsm/state.js';
import { assertNever } from '../wire/assert-never.js';

/**
 * The protocol timers of one FSM (RFC 4271 §8: ConnectRetry, Hold, Keepalive,
 * DelayOpen, and IdleHold), run on an injected {@link Clock}. The FSM says when to
 * start and stop each one-shot timer; this class arms it and, when it fires, hands
 * back the timer's name so the caller can step the matching `…TimerExpires` event.
 *
 * A timer stopped or restarted after its callback was queued cannot fire late: each
 * arming has a generation, and a callback of an older generation does nothing. (The
 * FSM would ignore a stale expiry anyway; this keeps it from ever seeing one.)
 */
export class SessionTimers {
  readonly #clock: Clock;
  readonly #onExpire: (timer: TimerName) => void;
  readonly #handles = new Map<TimerName, TimerHandle>();
  readonly #generation = new Map<TimerName, number>();

  constructor(clock: Clock, onExpire: (timer: TimerName) => void) {
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  /** Arms `timer` for `durationMs`, replacing a running one. */
  start(timer: TimerName, durationMs: number): void {
    this.stop(timer);
    const generation = (this.#generation.get(timer) ?? 0) + 1;
    this.#generation.set(timer, generation);
    const handle = this.#clock.setTimeout(() => {
      if (this.#generation.get(timer) !== generation) return;
      this.#handles.delete(timer);
      this.#onExpire(timer);
    }, durationMs);
    this.#handles.set(timer, handle);
  }

  /** Cancels `timer` if it runs. */
  stop(timer: TimerName): void {
    const handle = this.#handles.get(timer);
    if (handle === undefined) return;
    this.#handles.delete(timer);
    this.#generation.set(timer, (this.#generation.get(timer) ?? 0) + 1);
    this.#clock.clearTimeout(handle);
  }

  /** Cancels every timer. */
  stopAll(): void {
    for (const timer of [...this.#handles.keys()]) this.stop(timer);
  }

  /** Whether `timer` is armed. */
  running(timer: TimerName): boolean {
    return this.#handles.has(timer);
  }

  /** How many timers are armed. */
  get size(): number {
    return this.#handles.size;
  }
}

/** The FSM event for a fired timer (RFC 4271 §8.1.3, events 9–13). */
export function timerExpiryEvent(timer: TimerName): FsmEvent {
  switch (timer) {
    case 'connectRetry':
      return { kind: 'connectRetryTimerExpires' };
    case 'hold':
      return { kind: 'holdTimerExpires' };
    case 'keepalive':
      return { kind: 'keepaliveTimerExpires' };
    case 'delayOpen':
      return { kind: 'delayOpenTimerExpires' };
    case 'idleHold':
      return { kind: 'idleHoldTimerExpires' };
    default:
      return assertNever(timer);
  }
}
