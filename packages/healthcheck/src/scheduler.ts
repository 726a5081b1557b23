import type { Clock, TimerHandle } from '@anyvip/clock';
import { CheckStopped } from './probes/probe.js';

/**
 * One scheduled piece of work. It resolves with the base delay until the next run (the normal
 * or the fast interval, which only the work itself can know); `signal` aborts when the
 * scheduler is stopped.
 */
export type ScheduledRun = (signal: AbortSignal) => Promise<number>;

export interface SchedulerOptions {
  readonly clock: Clock;
  /** The base delay used when a run throws instead of naming one. */
  readonly intervalMs: number;
  /** Each delay is lengthened by a uniformly random amount in [0, jitterMs). */
  readonly jitterMs: number;
  /**
   * The first run starts after a uniformly random delay in [0, firstRunSpreadMs), so that many
   * schedulers started at once (a controller with 1,000 VIPs) do not fire in lockstep (Consul
   * staggers its checks the same way). Defaults to 0: start at once.
   */
  readonly firstRunSpreadMs?: number;
  /** Uniform in [0, 1); injectable so tests can pin the jitter. */
  readonly random: () => number;
  /**
   * Receives an error thrown by a run (the schedule goes on at `intervalMs`). Defaults to
   * rethrowing it on a fresh microtask, where it surfaces as an uncaught exception.
   */
  readonly onError?: (err: unknown) => void;
}

/**
 * When the next run starts: a fixed rate measured from the previous start (so an interval is a
 * period, not a pause after the work), plus jitter. The caller never starts before the
 * previous run has finished, so a run that overran starts the next one at once.
 */
export function computeNextStartMs(
  startedAtMs: number,
  baseDelayMs: number,
  jitterMs: number,
  u: number,
): number {
  return startedAtMs + baseDelayMs + u * jitterMs;
}

/**
 * Runs work repeatedly on an injectable clock with at most one run in flight: the next run is
 * armed only when the previous one has settled.
 */
export class Scheduler {
  readonly #run: ScheduledRun;
  readonly #options: SchedulerOptions;
  #stop: AbortController | undefined;
  #timer: TimerHandle | undefined;
  #inFlight: Promise<void> | undefined;
  #runs = 0;

  constructor(run: ScheduledRun, options: SchedulerOptions) {
    this.#run = run;
    this.#options = options;
  }

  /** Runs started so far. */
  get runs(): number {
    return this.#runs;
  }

  /** Between {@link Scheduler.start} and {@link Scheduler.stop}. */
  get started(): boolean {
    return this.#stop !== undefined;
  }

  /** A run is executing now. */
  get inFlight(): boolean {
    return this.#inFlight !== undefined;
  }

  start(): void {
    if (this.#stop !== undefined) return;
    const stop = new AbortController();
    this.#stop = stop;
    // A run left over from before a stop() that was not awaited still blocks the next one.
    const previous = this.#inFlight;
    const firstDelayMs = this.#options.random() * (this.#options.firstRunSpreadMs ?? 0);
    if (previous === undefined) this.#arm(stop, firstDelayMs);
    else void previous.then(() => this.#stop === stop && this.#arm(stop, firstDelayMs));
  }

  /** Cancels the next run, aborts the current one and resolves once it has settled. */
  async stop(): Promise<void> {
    const stop = this.#stop;
    if (stop === undefined) return this.#inFlight;
    this.#stop = undefined;
    if (this.#timer !== undefined) {
      this.#options.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    stop.abort(new CheckStopped());
    await this.#inFlight;
  }

  #arm(stop: AbortController, delayMs: number): void {
    this.#timer = this.#options.clock.setTimeout(() => this.#fire(stop), Math.max(0, delayMs));
  }

  #fire(stop: AbortController): void {
    this.#timer = undefined;
    if (this.#stop !== stop || this.#inFlight !== undefined) return;
    const { clock, intervalMs, jitterMs, random } = this.#options;
    const startedAtMs = clock.now();
    this.#runs++;
    const done = (async () => {
      let baseDelayMs = intervalMs;
      try {
        baseDelayMs = await this.#run(stop.signal);
      } catch (err) {
        // A bug in the work must not stop the schedule.
        (this.#options.onError ?? rethrowLater)(err);
      }
      this.#inFlight = undefined;
      if (this.#stop !== stop) return;
      const nextMs = computeNextStartMs(startedAtMs, baseDelayMs, jitterMs, random());
      this.#arm(stop, nextMs - clock.now());
    })();
    this.#inFlight = done;
  }
}

function rethrowLater(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}
