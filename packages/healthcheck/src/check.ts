import { type Clock, systemClock, type TimerHandle } from '@anyvip/clock';
import { type CombinePolicy, combineResults, validateCombine } from './combine.js';
import { formatDuration } from './duration.js';
import { badConfig, HealthError } from './errors.js';
import {
  type CheckEvent,
  type CheckListener,
  EventHub,
  type ResultEvent,
  type Unsubscribe,
} from './events.js';
import { describeAbort, describeError, type Probe, type ProbeResult, ProbeTimeout } from './probes/probe.js';
import { createProbe, type ProbeSpec } from './probes/probe-spec.js';
import {
  type HealthState,
  initialRiseFallState,
  type RiseFallInput,
  type RiseFallState,
  stepRiseFall,
} from './rise-fall.js';
import { Scheduler } from './scheduler.js';

/** Everything that decides one VIP's health. Durations are milliseconds; see {@link parseDuration}. */
export interface CheckOptions {
  /** Names the check in events (usually the VIP or service). */
  readonly name: string;
  /** Built probes, or specs to build them from. Names must be unique within the check. */
  readonly probes: readonly (Probe | ProbeSpec)[];
  /** Defaults to `all`. */
  readonly combine?: CombinePolicy;
  /** Time between round starts while the state is steady. Defaults to 1 s. */
  readonly intervalMs?: number;
  /**
   * Time between round starts while a rise or fall is under way (after a round that disagreed
   * with the current state, until `rise`/`fall` is reached), as ExaBGP's `fast-interval`.
   * At most `intervalMs`; defaults to it (no acceleration).
   */
  readonly fastIntervalMs?: number;
  /**
   * How long a round's probes may take; must be less than `fastIntervalMs` (and so than
   * `intervalMs`). Defaults to 80 % of `fastIntervalMs`, at most 2 s.
   */
  readonly timeoutMs?: number;
  /** Consecutive passing rounds to go up. Defaults to 3. */
  readonly rise?: number;
  /** Consecutive failing rounds to go down. Defaults to 3. */
  readonly fall?: number;
  /** Each delay is lengthened by a random amount in [0, jitterMs); must be < `intervalMs`. Defaults to 0. */
  readonly jitterMs?: number;
  /** While this file exists the check is down (planned maintenance); looked at every round. */
  readonly disableFile?: string;
}

/** What a check needs from its environment; all injectable for tests. */
export interface CheckDeps {
  /** Defaults to {@link systemClock} (monotonic). */
  readonly clock?: Clock;
  /** Uniform in [0, 1), for jitter. Defaults to `Math.random`. */
  readonly random?: () => number;
  /** Defaults to `fs.existsSync` (one `stat`, cheaper than a thread-pool round trip). */
  readonly fileExists?: (path: string) => boolean;
}

/** {@link CheckOptions} with every default filled in and validated. */
export interface CheckSettings {
  readonly name: string;
  readonly combine: CombinePolicy;
  readonly intervalMs: number;
  readonly fastIntervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  readonly jitterMs: number;
  readonly disableFile: string | undefined;
}

/** A snapshot of a check for status displays. */
export interface CheckStatus {
  readonly name: string;
  readonly health: HealthState;
  readonly disabled: boolean;
  /** Consecutive passing and failing rounds. */
  readonly successes: number;
  readonly failures: number;
  readonly started: boolean;
  /** Rounds started so far. */
  readonly rounds: number;
  /** The probe results of the last completed round. */
  readonly lastResults: readonly ResultEvent[];
  /** When `health` last changed (monotonic ms), if it ever did. */
  readonly lastChangeMs: number | undefined;
}

/** How long a probe gets, after its abort, to settle before the round gives up on it. */
export const abortGraceMs = 100;

/**
 * Fills in defaults and validates. Pure.
 *
 * @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG`, with the offending field as `path`
 */
export function resolveCheckSettings(
  options: Omit<CheckOptions, 'probes'>,
  probeCount: number,
): CheckSettings {
  if (typeof options.name !== 'string' || options.name === '')
    throw badConfig('must be a non-empty string', 'name');
  const intervalMs = options.intervalMs ?? 1000;
  positive(intervalMs, 'intervalMs');
  const fastIntervalMs = options.fastIntervalMs ?? intervalMs;
  positive(fastIntervalMs, 'fastIntervalMs');
  if (fastIntervalMs > intervalMs) {
    throw badConfig(
      `fast interval (${formatDuration(fastIntervalMs)}) must not exceed interval (${formatDuration(intervalMs)})`,
      'fastIntervalMs',
    );
  }
  const timeoutMs = options.timeoutMs ?? Math.min(2000, Math.floor(fastIntervalMs * 0.8));
  positive(timeoutMs, 'timeoutMs');
  if (timeoutMs >= intervalMs) {
    throw badConfig(
      `timeout (${formatDuration(timeoutMs)}) must be less than interval (${formatDuration(intervalMs)})`,
      'timeoutMs',
    );
  }
  if (timeoutMs >= fastIntervalMs) {
    throw badConfig(
      `timeout (${formatDuration(timeoutMs)}) must be less than fast interval (${formatDuration(fastIntervalMs)})`,
      'timeoutMs',
    );
  }
  const rise = options.rise ?? 3;
  const fall = options.fall ?? 3;
  count(rise, 'rise');
  count(fall, 'fall');
  const jitterMs = options.jitterMs ?? 0;
  if (!Number.isFinite(jitterMs) || jitterMs < 0 || jitterMs >= intervalMs) {
    throw badConfig(`jitter must be ≥ 0 and less than interval (${formatDuration(intervalMs)})`, 'jitterMs');
  }
  const combine = options.combine ?? { kind: 'all' };
  validateCombine(combine, probeCount);
  if (options.disableFile !== undefined && options.disableFile === '') {
    throw badConfig('must not be empty', 'disableFile');
  }
  return {
    name: options.name,
    combine,
    intervalMs,
    fastIntervalMs,
    timeoutMs,
    rise,
    fall,
    jitterMs,
    disableFile: options.disableFile,
  };
}

function positive(value: number, path: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw badConfig(`must be a positive number of milliseconds, got ${value}`, path);
  }
}

function count(value: number, path: string): void {
  if (!Number.isInteger(value) || value < 1) throw badConfig(`must be an integer ≥ 1, got ${value}`, path);
}

interface ProbeSlot {
  readonly probe: Probe;
  /** The probe's last run has not settled yet (it ignored an abort). */
  running: boolean;
}

/**
 * One VIP's health: its probes run in rounds on a schedule, their results are combined, and
 * the rise/fall machine turns verdicts into `up` and `down`.
 *
 * A round runs every probe at once under one timeout, never overlaps the previous round, and
 * emits one `result` per probe, then at most one transition. The check starts `unknown` and
 * announces (`up`) only after `rise` passing rounds.
 *
 * ```ts
 * const check = new Check({ name: 'vip-web', probes: [{ kind: 'http', url: 'http://127.0.0.1:8080/healthz' }] });
 * check.subscribe((e) => { if (e.kind === 'down') withdraw(e.reasons); });
 * check.start();
 * ```
 */
export class Check {
  readonly name: string;
  readonly settings: CheckSettings;
  readonly probes: readonly Probe[];
  readonly #clock: Clock;
  readonly #fileExists: (path: string) => boolean;
  readonly #hub = new EventHub<CheckEvent>();
  readonly #scheduler: Scheduler;
  readonly #slots: ProbeSlot[];
  #state: RiseFallState = initialRiseFallState;
  #lastResults: readonly ResultEvent[] = [];
  #lastChangeMs: number | undefined;

  /** @throws HealthError on invalid options (see {@link resolveCheckSettings}) */
  constructor(options: CheckOptions, deps: CheckDeps = {}) {
    this.#clock = deps.clock ?? systemClock;
    // getBuiltinModule, not an ES module import of node:fs: that reads every export, and the
    // `promises` getter loads fs/promises with readline and the REPL history (~1.2 MB RSS).
    this.#fileExists = deps.fileExists ?? process.getBuiltinModule('node:fs').existsSync;
    this.settings = resolveCheckSettings(options, options.probes?.length ?? 0);
    this.name = this.settings.name;
    this.probes = options.probes.map((p, i) => {
      try {
        return isProbe(p) ? p : createProbe(p, this.#clock);
      } catch (err) {
        throw err instanceof HealthError ? err.under(`probes[${i}]`) : err;
      }
    });
    const seen = new Set<string>();
    this.probes.forEach((p, i) => {
      if (seen.has(p.name))
        throw badConfig(`duplicate probe name ${JSON.stringify(p.name)}; set name`, `probes[${i}]`);
      seen.add(p.name);
    });
    this.#slots = this.probes.map((probe) => ({ probe, running: false }));
    this.#scheduler = new Scheduler((signal) => this.#round(signal), {
      clock: this.#clock,
      intervalMs: this.settings.intervalMs,
      jitterMs: this.settings.jitterMs,
      firstRunSpreadMs: this.settings.intervalMs,
      random: deps.random ?? Math.random,
    });
  }

  /** The current health; only `up` means the VIP should be announced. */
  get health(): HealthState {
    return this.#state.health;
  }

  status(): CheckStatus {
    return {
      name: this.name,
      health: this.#state.health,
      disabled: this.#state.disabled,
      successes: this.#state.successes,
      failures: this.#state.failures,
      started: this.#scheduler.started,
      rounds: this.#scheduler.runs,
      lastResults: this.#lastResults,
      lastChangeMs: this.#lastChangeMs,
    };
  }

  /** Receives every event from now on, synchronously and in order. */
  subscribe(listener: CheckListener): Unsubscribe {
    return this.#hub.subscribe(listener);
  }

  /**
   * Starts the rounds. The first one comes after a random part of one interval, so that many
   * checks started together spread over the interval instead of probing in lockstep. Idempotent.
   */
  start(): void {
    this.#scheduler.start();
  }

  /**
   * Stops the rounds, aborting any probe in flight, and resolves once it has settled. The
   * state is kept: a later {@link Check.start} continues from it. Emits nothing.
   */
  stop(): Promise<void> {
    return this.#scheduler.stop();
  }

  async #round(stopSignal: AbortSignal): Promise<number> {
    const { disableFile, intervalMs, fastIntervalMs, timeoutMs, combine } = this.settings;
    const atMs = this.#clock.now();

    if (disableFile !== undefined) {
      if (this.#fileExists(disableFile)) {
        this.#apply({ kind: 'disabled' }, [`disable file ${disableFile} is present`], atMs);
        return intervalMs;
      }
      if (this.#state.disabled)
        this.#apply({ kind: 'enabled' }, [`disable file ${disableFile} was removed`], atMs);
    }

    const round = new AbortController();
    const onStop = (): void => round.abort(stopSignal.reason);
    stopSignal.addEventListener('abort', onStop, { once: true });
    // The abort waits for one more pass over pending I/O (setImmediate runs after the poll
    // phase): when a busy loop wakes up late, an answer that already arrived still counts,
    // instead of losing the race against a timer that expired meanwhile.
    const timer = this.#clock.setTimeout(
      () => setImmediate(() => round.abort(new ProbeTimeout(timeoutMs))),
      timeoutMs,
    );
    let results: ProbeResult[];
    try {
      results = await Promise.all(this.#slots.map((slot) => this.#runProbe(slot, round.signal)));
    } finally {
      this.#clock.clearTimeout(timer);
      stopSignal.removeEventListener('abort', onStop);
    }
    if (stopSignal.aborted) return intervalMs;

    const events: ResultEvent[] = results.map((r, i) => ({
      kind: 'result',
      check: this.name,
      probe: this.#slots[i]?.probe.name ?? '',
      ok: r.ok,
      latencyMs: r.latencyMs,
      reason: r.reason,
      atMs,
    }));
    this.#lastResults = events;
    for (const e of events) this.#hub.emit(e);
    const verdict = combineResults(combine, events);
    const changing = this.#apply({ kind: verdict.ok ? 'success' : 'failure' }, verdict.reasons, atMs);
    return changing ? fastIntervalMs : intervalMs;
  }

  /** Steps the machine, emits the transition if any; returns whether a change is under way. */
  #apply(input: RiseFallInput, reasons: readonly string[], atMs: number): boolean {
    const step = stepRiseFall(this.#state, input, this.settings);
    this.#state = step.state;
    const t = step.transition;
    if (t !== undefined) {
      this.#lastChangeMs = atMs;
      const base = { check: this.name, from: t.from, reasons, atMs };
      if (t.to === 'up') this.#hub.emit({ kind: 'up', ...base });
      else if (t.to === 'down')
        this.#hub.emit({ kind: 'down', cause: t.cause === 'disabled' ? 'disabled' : 'fall', ...base });
      else this.#hub.emit({ kind: 'unknown', cause: 'enabled', ...base });
    }
    return step.changing;
  }

  /**
   * Runs one probe under the round's signal. A probe that throws fails; a probe still running
   * from an earlier round is not started again (runs never overlap); a probe that does not
   * settle within {@link abortGraceMs} of its abort is reported as timed out without it.
   */
  #runProbe(slot: ProbeSlot, signal: AbortSignal): Promise<ProbeResult> {
    const clock = this.#clock;
    const startedMs = clock.now();
    if (slot.running) {
      return Promise.resolve({ ok: false, latencyMs: 0, reason: 'still running from an earlier round' });
    }
    slot.running = true;
    const run = (async (): Promise<ProbeResult> => {
      try {
        return await slot.probe.run(signal);
      } catch (err) {
        return {
          ok: false,
          latencyMs: clock.now() - startedMs,
          reason: `probe threw: ${describeError(err)}`,
        };
      } finally {
        slot.running = false;
      }
    })();
    return new Promise((resolve) => {
      let grace: TimerHandle | undefined;
      const onAbort = (): void => {
        grace = clock.setTimeout(
          () =>
            resolve({
              ok: false,
              latencyMs: clock.now() - startedMs,
              reason: `${describeAbort(signal)}; probe did not stop`,
            }),
          abortGraceMs,
        );
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      void run.then((result) => {
        signal.removeEventListener('abort', onAbort);
        if (grace !== undefined) clock.clearTimeout(grace);
        // An answer after the deadline is a timeout, whatever it says.
        if (signal.aborted && result.ok) {
          resolve({
            ok: false,
            latencyMs: result.latencyMs,
            reason: `${describeAbort(signal)} (answered late)`,
          });
        } else resolve(result);
      });
    });
  }
}

function isProbe(p: Probe | ProbeSpec): p is Probe {
  return typeof (p as Probe).run === 'function';
}
