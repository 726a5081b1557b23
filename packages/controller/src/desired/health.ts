import type { HealthState } from '@anyvip/healthcheck';

/**
 * Health as the desired world reads it: a snapshot the health observer (observe/health-gate.ts)
 * keeps. Types only, so desired/ never depends on the observer.
 */

/** What the gate knows about one check. */
export interface GateEntry {
  readonly state: HealthState;
  /** The check has been `up` at least once since the controller started (sticky). */
  readonly everUp: boolean;
}

/** How compute looks health up: undefined for a check that has reported nothing yet. */
export type HealthLookup = (check: string) => GateEntry | undefined;
