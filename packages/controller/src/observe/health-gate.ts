import type { HealthState } from '@anyvip/healthcheck';
import type { GateEntry, HealthLookup } from '../desired/health.js';

export type { GateEntry, HealthLookup } from '../desired/health.js';

/**
 * Ties check transitions to announcements: it records each check's last state (only `up`
 * announces) and whether it was ever up (which keeps a VIP's loopback address once bound, see
 * `loopback.keepWhenDown`). A check that has reported nothing is `unknown`: its VIPs wait for
 * `rise` successes.
 *
 * When a check is redefined on reload, its entry is kept: the new check starts `unknown`
 * without an event, so the VIP stays as it was until the new check decides (its first `up`
 * or `down`). Changing a check's interval must not withdraw a healthy VIP. Pure state, no I/O.
 */
export class HealthGate {
  readonly #entries = new Map<string, GateEntry>();

  /** Records a transition; returns whether anything changed (a reconcile is then due). */
  observe(check: string, state: HealthState): boolean {
    const old = this.#entries.get(check);
    const next: GateEntry = { state, everUp: (old?.everUp ?? false) || state === 'up' };
    if (old !== undefined && old.state === next.state && old.everUp === next.everUp) return false;
    this.#entries.set(check, next);
    return true;
  }

  /** Forgets a check that was removed from the configuration. */
  forget(check: string): void {
    this.#entries.delete(check);
  }

  get(check: string): GateEntry | undefined {
    return this.#entries.get(check);
  }

  /** The lookup compute takes. */
  readonly lookup: HealthLookup = (check) => this.#entries.get(check);

  /** Every check's entry, for status and metrics. */
  entries(): ReadonlyMap<string, GateEntry> {
    return this.#entries;
  }
}
