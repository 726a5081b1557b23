/**
 * Retry pacing for the FSM, as pure functions: the random numbers come in as
 * arguments (or from {@link nextRandom}, a seeded generator whose state the session
 * keeps), so a step of the FSM stays a function of its inputs.
 */

/** Smallest jitter factor: RFC 4271 §10 asks for a random 75–100 % of the timer value. */
export const JITTER_MIN = 0.75;

/**
 * Applies RFC 4271 §10 jitter: `durationMs` times a factor in [0.75, 1], picked by
 * `random` in [0, 1) (0 gives 75 %). Rounded down to whole milliseconds, at least 1.
 */
export function jitter(durationMs: number, random: number): number {
  const r = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0;
  return Math.max(1, Math.floor(durationMs * (JITTER_MIN + (1 - JITTER_MIN) * r)));
}

/** Doubles `baseMs` `exponent` times, capped at `maxMs`. */
function exponential(exponent: number, baseMs: number, maxMs: number): number {
  // Past 2^31 the cap has long been reached; bounding the exponent keeps the product finite.
  const n = Math.min(Math.max(Math.floor(exponent), 0), 31);
  return Math.min(baseMs * 2 ** n, maxMs);
}

/**
 * ConnectRetry timer for the `attempt`-th try since the session started (0 first):
 * `baseMs · 2^attempt`, capped at `maxMs`, then jittered (RFC 4271 §10), so the
 * result lies in [0.75, 1] of the capped value.
 */
export function computeConnectRetryMs(
  attempt: number,
  random: number,
  options: { readonly baseMs: number; readonly maxMs: number },
): number {
  return jitter(exponential(attempt, options.baseMs, options.maxMs), random);
}

/**
 * IdleHold time before an automatic restart (RFC 4271 §8.1.1 DampPeerOscillations;
 * the RFC leaves the method open). With damping, `baseMs · 2^level` capped at
 * `maxMs`; without it, always `baseMs`.
 */
export function computeIdleHoldMs(
  level: number,
  options: { readonly baseMs: number; readonly maxMs: number; readonly damp: boolean },
): number {
  return options.damp ? exponential(level, options.baseMs, options.maxMs) : options.baseMs;
}

/**
 * One step of a small seeded generator (mulberry32): a number in [0, 1) and the next
 * state. Any 32-bit integer is a valid state. Not for cryptography; only to spread
 * retries of many sessions apart.
 */
export function nextRandom(state: number): { readonly value: number; readonly state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const value = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  return { value, state: next };
}
