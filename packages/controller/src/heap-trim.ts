import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Clock, TimerHandle } from '@anyvip/healthcheck';

/** V8's `gc()` as `--expose-gc` installs it (Node 24 takes an options object). */
export type GcFunction = (options?: {
  readonly type?: 'major' | 'minor';
  readonly execution?: 'sync' | 'async';
  readonly flavor?: 'regular' | 'last-resort';
}) => void;

/** When a trim runs: some time after the last burst, and never more often than `minIntervalMs`. */
export interface HeapTrimTiming {
  /** Quiet time after the last burst before trimming. Default 2 s. */
  readonly delayMs: number;
  /** At most one trim this often. Default 30 s. */
  readonly minIntervalMs: number;
}

export const defaultHeapTrimTiming: HeapTrimTiming = { delayMs: 2000, minIntervalMs: 30_000 };

/**
 * Gives memory back to the OS once a burst of work is over (start-up, loading the Kubernetes
 * client, a pass that bound and announced thousands of VIPs).
 *
 * Why: V8 grows its young generation (up to 2 × 16 MB semi-spaces) while a burst keeps many
 * objects alive, and keeps it grown afterwards; its memory reducer, which would shrink it, does
 * not start while timers keep the process lightly busy (a check every second, BGP keepalives).
 * So an idle controller kept ~10 MB (standalone) to ~40 MB (10,000 Services) it no longer
 * needed, which is why the image used to start node with `--max-semi-space-size=2`, a flag
 * every user running anyvip elsewhere would have had to know. One full, memory-reducing
 * collection (`flavor: 'last-resort'`, what V8 runs on a low-memory notification) shrinks the
 * young generation to its minimum and compacts the old one; it costs a few tens of ms once, off
 * the hot path, `delayMs` after the last burst.
 *
 * `gc` is V8's own, reached by turning on `--expose-gc` from inside the process (the flag only
 * installs `gc` in contexts made after it, so nothing else changes); no user-set flag is needed.
 */
export class HeapTrim {
  readonly #clock: Clock;
  readonly #gc: GcFunction | undefined;
  readonly #timing: HeapTrimTiming;
  #timer: TimerHandle | undefined;
  #lastMs = Number.NEGATIVE_INFINITY;
  #trims = 0;

  constructor(options: {
    readonly clock: Clock;
    readonly gc?: GcFunction;
    readonly timing?: HeapTrimTiming;
  }) {
    this.#clock = options.clock;
    this.#gc = 'gc' in options ? options.gc : loadGc();
    this.#timing = options.timing ?? defaultHeapTrimTiming;
  }

  /** Trims done so far. */
  get trims(): number {
    return this.#trims;
  }

  /** Says a burst just ended: a trim follows after `delayMs` of quiet (a later burst moves it). */
  burst(): void {
    if (this.#gc === undefined) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    const at = Math.max(this.#clock.now() + this.#timing.delayMs, this.#lastMs + this.#timing.minIntervalMs);
    this.#timer = this.#clock.setTimeout(() => this.#trim(), at - this.#clock.now());
  }

  /** Cancels a pending trim (shutdown). */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #trim(): void {
    this.#timer = undefined;
    this.#lastMs = this.#clock.now();
    this.#trims++;
    this.#gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  }
}

/** V8's `gc`, or undefined where it cannot be reached (then no trim ever runs). */
function loadGc(): GcFunction | undefined {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as GcFunction;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as GcFunction) : undefined;
  } catch {
    return undefined;
  }
}
