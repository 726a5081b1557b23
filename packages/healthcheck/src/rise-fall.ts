/**
 * The rise/fall state machine: probe verdicts in, health transitions out. Pure and total: no
 * timers, no clock, no I/O, so every sequence can be tested as a table.
 *
 * Vocabulary follows ExaBGP's healthcheck: a check starts `unknown` (ExaBGP's INIT), needs
 * `rise` consecutive successes to go `up` and `fall` consecutive failures to go `down`. While a
 * streak that disagrees with the current health is running (ExaBGP's RISING and FALLING), the
 * step reports `changing`, and the scheduler uses the fast interval. A disable file forces
 * `down` at once (ExaBGP's DISABLED); when it goes away the check starts over from `unknown`.
 */

import { assertNever } from './assert-never.js';

/** What a check currently says about its target. Only `up` means "announce the VIP". */
export type HealthState = 'unknown' | 'up' | 'down';

/** Thresholds, both ≥ 1. */
export interface RiseFallConfig {
  /** Consecutive successes that take `unknown` or `down` to `up`. */
  readonly rise: number;
  /** Consecutive failures that take `unknown` or `up` to `down`. */
  readonly fall: number;
}

export interface RiseFallState {
  readonly health: HealthState;
  /** The disable file was present at the last look; probe verdicts are ignored meanwhile. */
  readonly disabled: boolean;
  /** Consecutive successful verdicts (0 after any failure). */
  readonly successes: number;
  /** Consecutive failed verdicts (0 after any success). */
  readonly failures: number;
}

/** One input to the machine. */
export type RiseFallInput =
  | { readonly kind: 'success' }
  | { readonly kind: 'failure' }
  /** The disable file is present. */
  | { readonly kind: 'disabled' }
  /** The disable file is absent. */
  | { readonly kind: 'enabled' };

/** Why the health changed. */
export type TransitionCause = 'rise' | 'fall' | 'disabled' | 'enabled';

export interface RiseFallTransition {
  readonly from: HealthState;
  readonly to: HealthState;
  readonly cause: TransitionCause;
}

export interface RiseFallStep {
  readonly state: RiseFallState;
  /** Set when `health` changed on this input. */
  readonly transition: RiseFallTransition | undefined;
  /**
   * A streak that disagrees with `health` is under way (rising or falling): the next probe
   * should come after the fast interval rather than the normal one.
   */
  readonly changing: boolean;
}

/** The state every check starts in. */
export const initialRiseFallState: RiseFallState = {
  health: 'unknown',
  disabled: false,
  successes: 0,
  failures: 0,
};

/** Whether a streak against the current health is under way (ExaBGP RISING/FALLING). */
export function isChanging(state: RiseFallState): boolean {
  if (state.disabled) return false;
  switch (state.health) {
    case 'up':
      return state.failures > 0;
    case 'down':
      return state.successes > 0;
    case 'unknown':
      return state.successes > 0 || state.failures > 0;
    default:
      return assertNever(state.health);
  }
}

/** Applies one input. Total: every input is valid in every state. */
export function stepRiseFall(
  state: RiseFallState,
  input: RiseFallInput,
  config: RiseFallConfig,
): RiseFallStep {
  const next = computeNext(state, input, config);
  const transition: RiseFallTransition | undefined =
    next.health === state.health ? undefined : { from: state.health, to: next.health, cause: causeOf(input) };
  return { state: next, transition, changing: isChanging(next) };
}

function computeNext(state: RiseFallState, input: RiseFallInput, config: RiseFallConfig): RiseFallState {
  switch (input.kind) {
    case 'disabled':
      // Planned maintenance withdraws at once: waiting for `fall` would keep traffic coming.
      return state.disabled ? state : { health: 'down', disabled: true, successes: 0, failures: 0 };
    case 'enabled':
      // Start over, as ExaBGP does (DISABLED → INIT): only `rise` fresh successes announce again.
      return state.disabled ? initialRiseFallState : state;
    case 'success': {
      if (state.disabled) return state;
      const successes = state.successes + 1;
      const health = state.health !== 'up' && successes >= config.rise ? 'up' : state.health;
      return { health, disabled: false, successes, failures: 0 };
    }
    case 'failure': {
      if (state.disabled) return state;
      const failures = state.failures + 1;
      const health = state.health !== 'down' && failures >= config.fall ? 'down' : state.health;
      return { health, disabled: false, successes: 0, failures };
    }
    default:
      return assertNever(input);
  }
}

function causeOf(input: RiseFallInput): TransitionCause {
  switch (input.kind) {
    case 'success':
      return 'rise';
    case 'failure':
      return 'fall';
    case 'disabled':
      return 'disabled';
    case 'enabled':
      return 'enabled';
    default:
      return assertNever(input);
  }
}
