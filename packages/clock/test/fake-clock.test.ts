import { describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from '../src/index.js';

describe('FakeClock', () => {
  it('stands still until advanced, then fires due timers in time order, ties in the order set', () => {
    const clock = new FakeClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@30'), 30);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@30'), 30);
    expect([clock.now(), clock.pendingTimers, clock.nextDueMs]).toEqual([100, 3, 110]);
    clock.advanceSync(29);
    expect(fired).toEqual(['a@10']);
    expect(clock.now()).toBe(129);
    clock.advanceSync(1);
    expect(fired).toEqual(['a@10', 'b@30', 'c@30']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('advanceSync fires a timer set by a timer when it falls due within the same call, at its own time', () => {
    const clock = new FakeClock();
    const at: number[] = [];
    clock.setTimeout(() => {
      at.push(clock.now());
      clock.setTimeout(() => at.push(clock.now()), 5);
    }, 10);
    clock.advanceSync(20);
    expect(at).toEqual([10, 15]);
    expect(clock.now()).toBe(20);
  });

  it('clearTimeout cancels a timer', () => {
    const clock = new FakeClock();
    let fired = false;
    const h = clock.setTimeout(() => {
      fired = true;
    }, 1);
    clock.clearTimeout(h);
    clock.advanceSync(10);
    expect(fired).toBe(false);
  });

  it('advance lets promise callbacks a timer starts run before time moves on', async () => {
    const clock = new FakeClock();
    const at: number[] = [];
    clock.setTimeout(() => {
      void Promise.resolve().then(() => clock.setTimeout(() => at.push(clock.now()), 5));
    }, 10);
    await clock.advance(20);
    expect(at).toEqual([15]);
  });
});

describe('systemClock', () => {
  it('is monotonic, and a timer can be set and cleared', () => {
    const a = systemClock.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(a);
    let fired = false;
    const h = systemClock.setTimeout(() => {
      fired = true;
    }, 60_000);
    systemClock.clearTimeout(h);
    expect(fired).toBe(false);
  });
});
