import type { Clock, TimerHandle } from '@anyvip/healthcheck';
import type { DesiredState } from '../desired/types.js';
import { describeError } from '../errors.js';
import type { Sink, SinkChange, SinkFailure, SinkResult } from './sink.js';

/** A change, with the sink that made it. */
export type AppliedChange = SinkChange & { readonly sink: string };
/** A failure, with the sink that met it. */
export type AppliedFailure = SinkFailure & { readonly sink: string };

/** What one pass did. */
export interface PassReport {
  /** Why the pass ran (`health`, `reload`, `resync`, `retry`, …), coalesced reasons joined by `,`. */
  readonly trigger: string;
  readonly changes: readonly AppliedChange[];
  readonly errors: readonly AppliedFailure[];
  /** What each sink holds after the pass, by sink name. */
  readonly applied: ReadonlyMap<string, readonly string[]>;
  readonly durationMs: number;
  /** When errors: the delay before the retry. */
  readonly retryInMs: number | undefined;
  /** The world the last sinks applied: with the `AppliedFeedback` taken in, if any. */
  readonly desired: DesiredState;
}

/**
 * Applied state fed back into the desired world within one pass. What one sink really holds
 * after its add phase is an observation like any other: `derive` (a pure function of
 * desired/) takes it in and gives the world every sink after it applies. The loopback sink's
 * bound addresses are the one use: a VIP whose address is not on lo is withheld from BGP and
 * the kernel table (desired/bind-gate.ts), and because lo binds before the routes are
 * announced in the same pass, a new VIP is bound and announced in one pass.
 */
export interface AppliedFeedback {
  /** The sink whose applied state feeds the world of the sinks with a higher `order`. */
  readonly sink: string;
  /**
   * The world for the later sinks, from the computed one, what `sink` holds and its failures
   * by key. Pure; returns `desired` itself when the applied state changes nothing.
   */
  readonly derive: (
    desired: DesiredState,
    held: ReadonlySet<string>,
    failures: ReadonlyMap<string, string>,
  ) => DesiredState;
}

/** Timing of the loop; can change on reload. */
export interface LoopTiming {
  /** Full pass this often even without a trigger (restores what someone removed). */
  readonly intervalMs: number;
  /** First retry delay after a failed pass; doubled per consecutive failure. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
}

export interface ReconcileLoopOptions extends LoopTiming {
  /** In any order; sorted by `order`. */
  readonly sinks: readonly Sink[];
  /** Computes the desired state; called at the start of every pass (level-triggered). */
  readonly desired: () => DesiredState;
  readonly clock: Clock;
  /** Called after every pass. */
  readonly onPass?: (report: PassReport) => void;
  /** What an earlier sink really holds, fed back into the world the later sinks apply. */
  readonly feedback?: AppliedFeedback;
}

/**
 * The reconcile loop, level-triggered as Cilium's BGP control plane is: any event raises one
 * coalesced trigger, and every pass recomputes the whole desired state and lets every sink
 * converge to it. One pass at a time: triggers during a pass run one more pass after it.
 * A pass with errors is retried after a back-off (doubling from `retryMinMs` to
 * `retryMaxMs`); a clean pass resets it. A periodic pass (`intervalMs`) catches changes
 * nobody told us about (an address removed by hand).
 *
 * Each pass has two phases (see {@link Phase}): removals in descending sink order, then
 * additions in ascending order. With `AppliedFeedback`, the sinks after the feeding one
 * get the world derived from what it really holds (lo's bound addresses: bind, then announce).
 */
export class ReconcileLoop {
  readonly #sinks: readonly Sink[];
  readonly #desired: () => DesiredState;
  readonly #clock: Clock;
  readonly #onPass: ((report: PassReport) => void) | undefined;
  readonly #feedback: AppliedFeedback | undefined;
  #timing: LoopTiming;
  /** Reasons waiting for the next pass; undefined when nothing is pending. */
  #pending: string[] | undefined;
  #running: Promise<void> | undefined;
  #retryTimer: TimerHandle | undefined;
  #resyncTimer: TimerHandle | undefined;
  #failures = 0;
  #started = false;
  #stopped = false;
  #passes = 0;
  #last: PassReport | undefined;

  constructor(options: ReconcileLoopOptions) {
    this.#sinks = [...options.sinks].sort((a, b) => a.order - b.order);
    this.#desired = options.desired;
    this.#clock = options.clock;
    this.#onPass = options.onPass;
    this.#feedback = options.feedback;
    this.#timing = {
      intervalMs: options.intervalMs,
      retryMinMs: options.retryMinMs,
      retryMaxMs: options.retryMaxMs,
    };
  }

  /** Passes run so far. */
  get passes(): number {
    return this.#passes;
  }

  /** The last pass's report. */
  get lastPass(): PassReport | undefined {
    return this.#last;
  }

  /** Arms the periodic pass and runs the first one. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.trigger('start');
  }

  /** New timing (on reload); takes effect from the next timer. */
  setTiming(timing: LoopTiming): void {
    this.#timing = timing;
  }

  /** Asks for a pass; coalesced with any other trigger not yet served. Ignored once stopped. */
  trigger(reason: string): void {
    if (this.#stopped) return;
    if (this.#pending === undefined) this.#pending = [reason];
    else if (!this.#pending.includes(reason)) this.#pending.push(reason);
    this.#kick();
  }

  /** Starts draining the pending triggers unless a drain is running (it will see them). */
  #kick(): void {
    if (this.#running !== undefined || this.#pending === undefined || this.#stopped) return;
    this.#running = Promise.resolve()
      .then(() => this.#drain())
      .finally(() => {
        this.#running = undefined;
        // A trigger that arrived after the drain's last look is served now.
        this.#kick();
      });
  }

  /** Resolves when no pass is running or pending. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  /**
   * Stops triggering (timers cleared, further triggers ignored) and waits for the pass in
   * progress. {@link runPass} still works afterwards, for the shutdown pass.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#pending = undefined;
    if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
    if (this.#resyncTimer !== undefined) this.#clock.clearTimeout(this.#resyncTimer);
    this.#retryTimer = undefined;
    this.#resyncTimer = undefined;
    await this.idle();
  }

  /**
   * Runs one pass towards `desired` now, outside the trigger queue (waits for a pass in
   * progress first). Used for the shutdown pass; no retry is scheduled from it.
   */
  async runPass(desired: DesiredState, trigger: string): Promise<PassReport> {
    await this.idle();
    return this.#pass(desired, trigger);
  }

  async #drain(): Promise<void> {
    while (this.#pending !== undefined && !this.#stopped) {
      const reasons = this.#pending;
      this.#pending = undefined;
      let desired: DesiredState;
      try {
        desired = this.#desired();
      } catch (err) {
        // A bug, not a runtime condition: surface it loudly, as an uncaught exception.
        queueMicrotask(() => {
          throw err;
        });
        return;
      }
      const report = await this.#pass(desired, reasons.join(','));
      if (this.#stopped) return;
      this.#scheduleRetry(report);
      this.#armResync();
    }
  }

  async #pass(desired: DesiredState, trigger: string): Promise<PassReport> {
    const startedMs = this.#clock.now();
    const changes: AppliedChange[] = [];
    const errors: AppliedFailure[] = [];
    const applied = new Map<string, readonly string[]>();
    const run = async (
      sink: Sink,
      phase: 'remove' | 'add',
      want: DesiredState,
      progress?: (held: ReadonlySet<string>) => void,
    ): Promise<SinkResult> => {
      try {
        const r = await sink.apply(want, phase, progress);
        for (const c of r.changes) changes.push({ ...c, sink: sink.name });
        for (const e of r.errors) errors.push({ ...e, sink: sink.name });
        applied.set(sink.name, r.applied);
        return r;
      } catch (err) {
        const failure = { key: sink.name, reason: `${phase} phase threw: ${describeError(err)}` };
        errors.push({ ...failure, sink: sink.name });
        return { changes: [], errors: [failure], applied: applied.get(sink.name) ?? [] };
      }
    };
    const fb = this.#feedback;
    const source = fb === undefined ? undefined : this.#sinks.find((s) => s.name === fb.sink);
    const fed = (s: Sink): boolean => source !== undefined && s.order > source.order;
    // Remove phase: the sinks after the feeding one converge to the world derived from what it
    // held after the last pass (nothing more can have been applied since).
    const before =
      fb === undefined
        ? desired
        : fb.derive(desired, new Set(this.#last?.applied.get(fb.sink) ?? []), new Map());
    for (const sink of [...this.#sinks].reverse()) await run(sink, 'remove', fed(sink) ? before : desired);
    let after = desired;
    for (const sink of this.#sinks) {
      if (!fed(sink)) {
        const early = fb !== undefined && sink === source ? this.#early(fb, desired, changes) : undefined;
        const r = await run(sink, 'add', desired, early?.progress);
        // Every early apply has ended before the later sinks' own phases start.
        await early?.done();
        if (fb !== undefined && sink === source) {
          const failures = new Map<string, string>();
          for (const e of r.errors) failures.set(e.vip ?? e.key, e.reason);
          after = fb.derive(desired, new Set(r.applied), failures);
        }
        continue;
      }
      // What the feeding sink could not do this pass is taken back here first (an address
      // removed by hand that cannot be restored): withdraw, then add.
      if (after !== desired) await run(sink, 'remove', after);
      await run(sink, 'add', after);
    }
    this.#passes++;
    const failed = errors.length > 0;
    const retryInMs = failed
      ? Math.min(this.#timing.retryMaxMs, this.#timing.retryMinMs * 2 ** Math.min(this.#failures, 30))
      : undefined;
    const report: PassReport = {
      trigger,
      changes,
      errors,
      applied,
      durationMs: this.#clock.now() - startedMs,
      retryInMs,
      desired: after,
    };
    this.#last = report;
    this.#onPass?.(report);
    return report;
  }

  /**
   * The early applies of one pass (see `Sink.progress`): the feeding sink reports what it holds
   * for certain while its add phase runs, and the sinks after it that have `progress` apply the
   * world derived from that. One early apply at a time; reports that come meanwhile are
   * coalesced into the next (only the latest counts: held keys only grow within an add phase).
   * Their changes join the pass's; their failures do not (the add phase that follows retries).
   */
  #early(
    fb: AppliedFeedback,
    desired: DesiredState,
    changes: AppliedChange[],
  ): { progress: (held: ReadonlySet<string>) => void; done: () => Promise<void> } | undefined {
    const source = this.#sinks.find((s) => s.name === fb.sink);
    const sinks = this.#sinks.filter((s) => source !== undefined && s.order > source.order && s.progress);
    if (sinks.length === 0) return undefined;
    let latest: ReadonlySet<string> | undefined;
    let running: Promise<void> | undefined;
    const drain = async (): Promise<void> => {
      while (latest !== undefined && !this.#stopped) {
        const held = latest;
        latest = undefined;
        const want = fb.derive(desired, held, new Map());
        for (const sink of sinks) {
          try {
            for (const c of (await sink.progress?.(want)) ?? []) changes.push({ ...c, sink: sink.name });
          } catch {
            // Left to the pass's own add phase, which reports what still fails.
          }
        }
      }
    };
    const kick = (): void => {
      if (running !== undefined || latest === undefined) return;
      running = drain().finally(() => {
        running = undefined;
        kick();
      });
    };
    return {
      progress: (held) => {
        latest = held;
        kick();
      },
      done: async () => {
        // What came after the last early apply is the add phase's to apply now.
        latest = undefined;
        while (running !== undefined) await running;
      },
    };
  }

  #scheduleRetry(report: PassReport): void {
    if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (report.retryInMs === undefined) {
      this.#failures = 0;
      return;
    }
    this.#failures++;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.trigger('retry');
    }, report.retryInMs);
  }

  /**
   * The periodic pass comes `intervalMs` after the last pass ended (every pass looks at the
   * whole world, so any pass is one), not on a fixed beat: on a loaded host a pass can take
   * longer than the interval (2 s at load 37 with a 1 s interval), and fixed-beat passes then
   * ran back to back, so a reload waiting for the loop to be idle waited for ever.
   */
  #armResync(): void {
    if (this.#resyncTimer !== undefined) this.#clock.clearTimeout(this.#resyncTimer);
    this.#resyncTimer = undefined;
    if (this.#stopped) return;
    this.#resyncTimer = this.#clock.setTimeout(() => {
      this.#resyncTimer = undefined;
      this.trigger('resync');
    }, this.#timing.intervalMs);
  }
}
