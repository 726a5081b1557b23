import type { HealthState } from './rise-fall.js';

/**
 * One probe run finished. Emitted for every probe of every round, before any transition that
 * the round causes.
 */
export interface ResultEvent {
  readonly kind: 'result';
  readonly check: string;
  readonly probe: string;
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly reason: string;
  /** When the round started, on the check's monotonic clock. */
  readonly atMs: number;
}

/** The check went `up`: announce the VIP. */
export interface UpEvent {
  readonly kind: 'up';
  readonly check: string;
  readonly from: HealthState;
  /** The passing probes of the round that completed the rise (`probe: reason`). */
  readonly reasons: readonly string[];
  readonly atMs: number;
}

/** The check went `down`: withdraw the VIP. */
export interface DownEvent {
  readonly kind: 'down';
  readonly check: string;
  readonly from: HealthState;
  /** `fall` failed rounds in a row, or the disable file appeared. */
  readonly cause: 'fall' | 'disabled';
  /** What failed in the round that completed the fall, or the disable file (`probe: reason`). */
  readonly reasons: readonly string[];
  readonly atMs: number;
}

/**
 * The check went back to `unknown`: the disable file was removed, and the check starts over
 * (the VIP stays withdrawn until `rise` successes).
 */
export interface UnknownEvent {
  readonly kind: 'unknown';
  readonly check: string;
  readonly from: HealthState;
  readonly cause: 'enabled';
  readonly reasons: readonly string[];
  readonly atMs: number;
}

/** Everything a check reports. Switch on `kind`. */
export type CheckEvent = ResultEvent | UpEvent | DownEvent | UnknownEvent;

/** Receives a check's events, synchronously, in order. */
export type CheckListener = (event: CheckEvent) => void;

/** Stops a subscription; calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * A minimal typed fan-out. A listener that throws does not stop the others or the check: its
 * error is rethrown on a fresh microtask, where it surfaces as an uncaught exception (a bug to
 * fix, not a health signal to swallow).
 */
export class EventHub<E> {
  #listeners: ReadonlyArray<(event: E) => void> = [];

  subscribe(listener: (event: E) => void): Unsubscribe {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  emit(event: E): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  get size(): number {
    return this.#listeners.length;
  }
}
