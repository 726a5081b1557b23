import type { Check, CheckEvent, CheckOptions, Clock } from '@anyvip/healthcheck';
import type { ControllerConfig } from '../config/schema.js';
import type { GateEntry, HealthLookup } from '../desired/health.js';
import type { ControllerEvent } from '../events.js';
import { canonicalJson } from '../reconcile/diff.js';
import { HealthGate } from './health-gate.js';

/** A running check and what it was built from. */
interface RunningCheck {
  readonly check: Check;
  readonly key: string;
  readonly unsubscribe: () => void;
}

export interface HealthObserverOptions {
  /** Builds a health check (a real `Check` in production). */
  readonly makeCheck: (options: CheckOptions, clock: Clock) => Check;
  readonly clock: Clock;
  /** A check's state changed: the desired world may differ now. */
  readonly changed: () => void;
  /** Probe results and health transitions, for logs and metrics. */
  readonly report: (event: ControllerEvent) => void;
}

/**
 * The health observer: runs the checks the configuration's VIPs use and keeps their last
 * state in a {@link HealthGate}, which the desired world reads as a snapshot. It decides
 * nothing (whether a VIP is announced is computed in desired/) and writes nothing.
 *
 * `sync(config)` keeps checks by name: an unchanged check keeps running, a redefined one is
 * replaced (its gate entry kept until the new check decides), an unused one is stopped.
 */
export class HealthObserver {
  readonly #o: HealthObserverOptions;
  readonly #gate = new HealthGate();
  readonly #checks = new Map<string, RunningCheck>();
  #config: ControllerConfig | undefined;

  constructor(options: HealthObserverOptions) {
    this.#o = options;
  }

  /** The snapshot the desired world reads. */
  readonly lookup: HealthLookup = (check) => this.#gate.get(check);

  /** Every check's entry, for status and metrics. */
  entries(): ReadonlyMap<string, GateEntry> {
    return this.#gate.entries();
  }

  /** Starts checks VIPs use, replaces redefined ones, stops those no VIP uses any more. */
  sync(config: ControllerConfig): void {
    this.#config = config;
    const used = new Set<string>();
    for (const v of config.vips) if (v.healthcheck !== undefined) used.add(v.healthcheck);
    for (const [name, running] of [...this.#checks]) {
      const options = config.healthchecks.get(name);
      if (used.has(name) && options !== undefined && canonicalJson(options) === running.key) continue;
      this.#checks.delete(name);
      void stopCheck(running);
      // A redefined check keeps its gate entry until the new one decides (see HealthGate).
      if (!used.has(name)) this.#gate.forget(name);
    }
    for (const name of used) {
      if (this.#checks.has(name)) continue;
      const options = config.healthchecks.get(name);
      if (options === undefined) continue; // The schema guarantees it exists.
      const check = this.#o.makeCheck(options, this.#o.clock);
      const unsubscribe = check.subscribe((e) => this.#onCheckEvent(name, check, e));
      this.#checks.set(name, { check, key: canonicalJson(options), unsubscribe });
      check.start();
    }
  }

  /** Stops every check; the gate keeps its last states (the shutdown passes read them). */
  async stop(): Promise<void> {
    const all = [...this.#checks.values()];
    this.#checks.clear();
    await Promise.all(all.map(stopCheck));
  }

  #onCheckEvent(name: string, check: Check, e: CheckEvent): void {
    if (this.#checks.get(name)?.check !== check) return;
    if (e.kind === 'result') {
      this.#o.report({
        kind: 'probeResult',
        check: name,
        probe: e.probe,
        ok: e.ok,
        latencyMs: e.latencyMs,
        reason: e.reason,
      });
      return;
    }
    const from = this.#gate.get(name)?.state ?? 'unknown';
    if (!this.#gate.observe(name, e.kind)) return;
    this.#o.report({
      kind: 'healthChanged',
      check: name,
      from,
      to: e.kind,
      cause: e.kind === 'up' ? 'rise' : e.cause,
      reasons: e.reasons,
      vips: (this.#config?.vips ?? []).filter((v) => v.healthcheck === name).map((v) => v.prefix),
    });
    this.#o.changed();
  }
}

async function stopCheck(running: RunningCheck): Promise<void> {
  running.unsubscribe();
  await running.check.stop();
}
