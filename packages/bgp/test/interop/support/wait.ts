/**
 * Bounded waiting for interop tests. Every wait has a deadline and says what it waited
 * for, so a failure reads "timed out after 8000 ms waiting for bird n_10_250_1_2
 * established (last: active)" instead of a bare vitest timeout.
 */

/** Options for {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts; default 100 ms. */
  intervalMs?: number;
  /** What is awaited, for the error message. */
  what: string;
  /**
   * Checked before every attempt; an error returned here ends the wait at once (e.g.
   * the daemon being waited on has exited, so waiting longer cannot help).
   */
  abort?: () => Error | undefined;
}

/** Raised when a {@link waitFor} deadline passes. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  readonly code = 'ANYVIP_INTEROP_TIMEOUT';
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `fn` until it returns a value other than `undefined`, `null` or `false`, and
 * returns that value. A throw counts as "not yet" and is kept for the error message.
 * The last attempt starts no later than the deadline; an attempt is not interrupted.
 */
export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions,
): Promise<T> {
  const intervalMs = options.intervalMs ?? 100;
  const deadline = performance.now() + options.timeoutMs;
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    const fatal = options.abort?.();
    if (fatal !== undefined) throw fatal;
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - performance.now();
    if (left <= 0) break;
    await sleep(Math.min(intervalMs, left));
  }
  const detail =
    lastError !== undefined
      ? `last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`
      : `last value: ${JSON.stringify(last)}`;
  throw new WaitTimeoutError(
    `timed out after ${options.timeoutMs} ms waiting for ${options.what} (${detail})`,
  );
}

/**
 * Polls `fn` like {@link waitFor} and succeeds when `check` holds for its result; the
 * error message shows the last result. For "until this list looks like that" waits.
 */
export async function waitUntil<T>(
  fn: () => T | Promise<T>,
  check: (value: T) => boolean,
  options: WaitOptions,
): Promise<T> {
  let last: T | undefined;
  let seen = false;
  try {
    return await waitFor(async () => {
      const v = await fn();
      last = v;
      seen = true;
      return check(v) ? { v } : undefined;
    }, options).then((box) => box.v);
  } catch (err) {
    if (err instanceof WaitTimeoutError && seen) {
      throw new WaitTimeoutError(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what} (last value: ${JSON.stringify(last)})`,
      );
    }
    throw err;
  }
}
