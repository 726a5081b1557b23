/**
 * The health checks' only source of time. It has the same shape as `@anyvip/bgp`'s session
 * clock, so one clock can drive both. Production uses {@link systemClock}, which is monotonic
 * (`performance.now()`), so wall-clock steps (NTP, a VM resume) never stretch or shrink an
 * interval; tests pass a {@link FakeClock} whose time moves only when the test says so.
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

/** The real, monotonic clock. Its timers are unref'd: checks alone never keep a process alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
};
