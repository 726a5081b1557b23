import { FakeClock } from '@anyvip/clock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeNextStartMs, Scheduler } from '../src/scheduler.js';

/** A run that takes `workMs` on the fake clock and asks for `nextMs`, recording its starts. */
function harness(clock: FakeClock, work: () => number, next: () => number) {
  const starts: number[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  let aborted = 0;
  const run = (signal: AbortSignal): Promise<number> => {
    starts.push(clock.now());
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        aborted++;
        clock.clearTimeout(t);
        concurrent--;
        resolve(next());
      };
      const t = clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        concurrent--;
        resolve(next());
      }, work());
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };
  return {
    run,
    starts,
    get maxConcurrent() {
      return maxConcurrent;
    },
    get aborted() {
      return aborted;
    },
  };
}

const noJitter = () => 0;

describe('Scheduler (fixed rate, one run in flight, injectable clock)', () => {
  it('starts runs one interval apart, measured from each start', async () => {
    const clock = new FakeClock();
    const h = harness(
      clock,
      () => 30,
      () => 100,
    );
    const s = new Scheduler(h.run, { clock, intervalMs: 100, jitterMs: 0, random: noJitter });
    s.start();
    await clock.advance(450);
    expect(h.starts).toEqual([0, 100, 200, 300, 400]);
    await s.stop();
  });

  it('never overlaps: a run longer than the interval delays the next one until it ends', async () => {
    const clock = new FakeClock();
    const h = harness(
      clock,
      () => 250,
      () => 100,
    );
    const s = new Scheduler(h.run, { clock, intervalMs: 100, jitterMs: 0, random: noJitter });
    s.start();
    await clock.advance(1000);
    expect(h.starts).toEqual([0, 250, 500, 750, 1000]);
    expect(h.maxConcurrent).toBe(1);
    await s.stop();
  });

  it('uses whatever base delay the run asks for (the fast interval while changing)', async () => {
    const clock = new FakeClock();
    const delays = [100, 20, 20, 20, 100];
    const h = harness(
      clock,
      () => 5,
      () => delays.shift() ?? 100,
    );
    const s = new Scheduler(h.run, { clock, intervalMs: 100, jitterMs: 0, random: noJitter });
    s.start();
    await clock.advance(400);
    expect(h.starts).toEqual([0, 100, 120, 140, 160, 260, 360]);
    await s.stop();
  });

  it('keeps every delay within [base, base + jitter), and spreads the first run over [0, spread)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 12,
          maxLength: 12,
        }),
        fc.integer({ min: 0, max: 50 }),
        async (us, jitterMs) => {
          const clock = new FakeClock();
          const randoms = [...us];
          const h = harness(
            clock,
            () => 10,
            () => 100,
          );
          const s = new Scheduler(h.run, {
            clock,
            intervalMs: 100,
            jitterMs,
            firstRunSpreadMs: 100,
            random: () => randoms.shift() ?? 0,
          });
          s.start();
          await clock.advance(1000);
          await s.stop();
          const [first, ...rest] = h.starts;
          expect(Math.abs((first ?? 0) - (us[0] ?? 0) * 100)).toBeLessThan(1e-6);
          expect(first).toBeLessThan(100);
          rest.forEach((start, i) => {
            const gap = start - (h.starts[i] ?? 0);
            expect(gap).toBeGreaterThanOrEqual(100 - 1e-9);
            // u < 1, so below base + jitter (up to float rounding of the clock sums).
            expect(gap).toBeLessThanOrEqual(100 + jitterMs + 1e-9);
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('computes the next start from the previous start, base delay and jitter', () => {
    expect(computeNextStartMs(1000, 100, 20, 0)).toBe(1100);
    expect(computeNextStartMs(1000, 100, 20, 0.5)).toBe(1110);
  });

  it('stop() aborts the run in flight, waits for it, and runs nothing more', async () => {
    const clock = new FakeClock();
    const h = harness(
      clock,
      () => 80,
      () => 100,
    );
    const s = new Scheduler(h.run, { clock, intervalMs: 100, jitterMs: 0, random: noJitter });
    s.start();
    await clock.advance(110);
    expect(s.inFlight).toBe(true);
    await s.stop();
    expect(h.aborted).toBe(1);
    expect(s.inFlight).toBe(false);
    await clock.advance(1000);
    expect(h.starts).toEqual([0, 100]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('can be started again after a stop, without overlapping a run left in flight', async () => {
    const clock = new FakeClock();
    const h = harness(
      clock,
      () => 50,
      () => 100,
    );
    const s = new Scheduler(h.run, { clock, intervalMs: 100, jitterMs: 0, random: noJitter });
    s.start();
    await clock.advance(10);
    void s.stop();
    s.start();
    await clock.advance(300);
    expect(h.maxConcurrent).toBe(1);
    expect(h.starts.length).toBeGreaterThanOrEqual(3);
    await s.stop();
  });

  it('keeps going at the interval after a run throws, reporting the error', async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    let n = 0;
    const s = new Scheduler(
      async () => {
        n++;
        if (n === 2) throw new Error('boom');
        return 50;
      },
      { clock, intervalMs: 100, jitterMs: 0, random: noJitter, onError: (e) => errors.push(e) },
    );
    s.start();
    await clock.advance(300);
    // Starts at 0, 50 (throws → interval), 150, 200, 250, 300.
    expect(n).toBe(6);
    expect(errors).toHaveLength(1);
    await s.stop();
  });
});
