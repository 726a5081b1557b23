import { getHeapStatistics, setFlagsFromString } from 'node:v8';
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
  /**
   * How often the heap's slack (committed minus used) is looked at, so bursts nobody reports
   * (Kubernetes Event writes, a relist) are trimmed too. Default 30 s.
   */
  readonly checkIntervalMs: number;
}

export const defaultHeapTrimTiming: HeapTrimTiming = {
  delayMs: 2000,
  minIntervalMs: 30_000,
  checkIntervalMs: 30_000,
};

/** Committed and used bytes of the V8 heap. */
export interface HeapFigures {
  readonly committedBytes: number;
  readonly usedBytes: number;
}

/** Slack worth a trim: 8 MB, and a quarter of what is in use (a big heap needs some room). */
export function worthTrimming(h: HeapFigures): boolean {
  const slack = h.committedBytes - h.usedBytes;
  return slack >= 8 * 1024 * 1024 && slack >= h.usedBytes / 4;
}

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
  readonly #heap: () => HeapFigures;
  #timer: TimerHandle | undefined;
  #checkTimer: TimerHandle | undefined;
  #lastMs = Number.NEGATIVE_INFINITY;
  #trims = 0;

  constructor(options: {
    readonly clock: Clock;
    readonly gc?: GcFunction;
    readonly timing?: HeapTrimTiming;
    readonly heap?: () => HeapFigures;
  }) {
    this.#clock = options.clock;
    this.#heap = options.heap ?? v8HeapFigures;
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

  /** Starts looking at the heap's slack every `checkIntervalMs`. */
  start(): void {
    if (this.#gc === undefined || this.#checkTimer !== undefined) return;
    this.#checkTimer = this.#clock.setTimeout(() => {
      this.#checkTimer = undefined;
      if (this.#timer === undefined && worthTrimming(this.#heap())) this.burst();
      this.start();
    }, this.#timing.checkIntervalMs);
  }

  /** Cancels a pending trim and the slack checks (shutdown). */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    if (this.#checkTimer !== undefined) this.#clock.clearTimeout(this.#checkTimer);
    this.#timer = undefined;
    this.#checkTimer = undefined;
  }

  #trim(): void {
    this.#timer = undefined;
    this.#lastMs = this.#clock.now();
    this.#trims++;
    this.#gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  }
}

function v8HeapFigures(): HeapFigures {
  const h = getHeapStatistics();
  return { committedBytes: h.total_physical_size, usedBytes: h.used_heap_size };
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
