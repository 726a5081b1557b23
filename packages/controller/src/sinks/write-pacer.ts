/** What {@link WritePacer.decide} says. */
export type PaceDecision =
  /** Write now. */
  | { readonly kind: 'write' }
  /** Not yet: ask again in `inMs` (a change held back, a refresh or a retry due then). */
  | { readonly kind: 'wait'; readonly inMs: number };

export interface WritePacerOptions {
  /** At most one write per this interval; the changes in between are coalesced into the next. */
  readonly minIntervalMs: number;
  /** An unchanged object is rewritten this often (a refresh readers may judge staleness by); 0: never. */
  readonly refreshMs: number;
  /** Longest wait after consecutive failures (the wait doubles from `minIntervalMs`). */
  readonly backoffMaxMs: number;
}

/**
 * When a periodically rewritten object (a status kept current from a loop that runs on every
 * change) may be written, so that the API server sees few writes whatever the loop does:
 *
 * - a change is written at once if the last write is `minIntervalMs` old, else when it is
 *   (everything that changed meanwhile goes in that one write);
 * - nothing changed: no write until `refreshMs` after the last one (a refresh);
 * - after a failed write the next waits `minIntervalMs`, doubling per consecutive failure up
 *   to `backoffMaxMs` (no write storm while the API server is away or refuses), whatever
 *   changed meanwhile; a success resets it.
 *
 * Time is a number argument (monotonic ms): the pacer owns no clock or timer, the caller does.
 */
export class WritePacer {
  readonly #o: WritePacerOptions;
  #lastWriteMs: number | undefined;
  #failures = 0;
  #retryAtMs = 0;

  constructor(options: WritePacerOptions) {
    this.#o = options;
  }

  /** Consecutive failed writes (0 after a success). */
  get failures(): number {
    return this.#failures;
  }

  /** Whether to write at `nowMs`, given whether the content differs from the last written. */
  decide(nowMs: number, changed: boolean): PaceDecision {
    if (this.#failures > 0 && nowMs < this.#retryAtMs) return { kind: 'wait', inMs: this.#retryAtMs - nowMs };
    const last = this.#lastWriteMs;
    if (last === undefined || this.#failures > 0) return { kind: 'write' };
    if (changed) {
      const due = last + this.#o.minIntervalMs;
      return nowMs >= due ? { kind: 'write' } : { kind: 'wait', inMs: due - nowMs };
    }
    if (this.#o.refreshMs <= 0) return { kind: 'wait', inMs: Number.POSITIVE_INFINITY };
    const due = last + this.#o.refreshMs;
    return nowMs >= due ? { kind: 'write' } : { kind: 'wait', inMs: due - nowMs };
  }

  /** A write succeeded at `nowMs`. */
  written(nowMs: number): void {
    this.#lastWriteMs = nowMs;
    this.#failures = 0;
    this.#retryAtMs = 0;
  }

  /** A write failed at `nowMs`; returns how long until the next may be tried. */
  failed(nowMs: number): number {
    const delay = Math.min(this.#o.backoffMaxMs, this.#o.minIntervalMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    this.#retryAtMs = nowMs + delay;
    return delay;
  }
}
