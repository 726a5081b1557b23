/**
 * The only source of time for the BGP session floor, BFD, the health checks and the
 * controller: one clock can drive them all. Production uses {@link systemClock}, which is
 * monotonic (`performance.now()`), so wall-clock steps (NTP, a VM resume) never stretch or
 * shrink a timer; tests pass a `FakeClock` whose time moves only when the test says so.
 */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `fn` after `ms`; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** An opaque timer handle. */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

/** The real, monotonic clock. Its timers are unref'd: protocol timers and checks alone never keep a process alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
};
