import type { Clock, TimerHandle } from './clock.js';

interface FakeTimer {
  readonly id: number;
  readonly atMs: number;
  readonly fn: () => void;
}

/** Lets queued promise callbacks (and whatever they chain) run before time moves on. */
function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A {@link Clock} for tests: time stands still until {@link FakeClock.advance} (or
 * {@link FakeClock.advanceSync}) moves it. Timers due at the same instant fire in the order
 * they were set. Shipped with the package (as undici ships its mocks) so that users' tests
 * can drive checks and sessions deterministically.
 */
export class FakeClock implements Clock {
  #nowMs: number;
  #nextId = 1;
  #timers: FakeTimer[] = [];

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { id: this.#nextId++, atMs: this.#nowMs + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return timer.id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const id = handle as unknown as number;
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }

  /** Timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** When the earliest pending timer is due, or `undefined` if none is. */
  get nextDueMs(): number | undefined {
    return this.#earliest()?.atMs;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, in order. After
   * each timer (and once at the start) it lets pending promise callbacks run, so async work
   * that a timer starts (a fake probe resolving, the next timer being set) happens at the
   * instant it would on a real clock.
   */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms;
    await flushPromises();
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.atMs > targetMs) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#nowMs = Math.max(this.#nowMs, next.atMs);
      next.fn();
      await flushPromises();
    }
    this.#nowMs = targetMs;
    await flushPromises();
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (also those set
   * by a timer on the way), in order, within this call: nothing else runs in between. For
   * code whose timers do all their work synchronously, as the BGP session floor's do.
   */
  advanceSync(ms: number): void {
    const targetMs = this.#nowMs + ms;
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.atMs > targetMs) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#nowMs = Math.max(this.#nowMs, next.atMs);
      next.fn();
    }
    this.#nowMs = targetMs;
  }

  #earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.#timers) {
      if (best === undefined || t.atMs < best.atMs || (t.atMs === best.atMs && t.id < best.id)) best = t;
    }
    return best;
  }
}
