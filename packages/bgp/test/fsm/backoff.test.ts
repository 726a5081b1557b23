import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeConnectRetryMs, computeIdleHoldMs, jitter, nextRandom } from '../../src/fsm/backoff.js';

const retry = { baseMs: 5_000, maxMs: 120_000 };

describe('jitter (RFC 4271 §10: 75–100 % of the value)', () => {
  it('maps random 0 to 75 % and random near 1 to 100 %', () => {
    expect(jitter(1000, 0)).toBe(750);
    expect(jitter(1000, 0.5)).toBe(875);
    expect(jitter(1000, 0.999999)).toBe(999);
  });

  it('clamps random numbers outside [0, 1) and never returns less than 1 ms', () => {
    expect(jitter(1000, -5)).toBe(750);
    expect(jitter(1000, 7)).toBe(1000);
    expect(jitter(1000, Number.NaN)).toBe(750);
    expect(jitter(1, 0)).toBe(1);
  });

  it('stays within [0.75, 1] of the value for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 1e9 }),
        fc.double({ min: 0, max: 1, maxExcluded: true }),
        (ms, r) => {
          const j = jitter(ms, r);
          return j >= Math.floor(ms * 0.75) && j <= ms;
        },
      ),
    );
  });
});

describe('computeConnectRetryMs (exponential backoff, RFC 4271 §8 ConnectRetryTime)', () => {
  it('doubles per attempt from the base', () => {
    expect([0, 1, 2, 3].map((a) => computeConnectRetryMs(a, 0.999999, retry))).toEqual([
      4999, 9999, 19999, 39999,
    ]);
    expect([0, 1, 2, 3].map((a) => computeConnectRetryMs(a, 0, retry))).toEqual([3750, 7500, 15000, 30000]);
  });

  it('caps at the maximum, also for huge attempt counts', () => {
    expect(computeConnectRetryMs(5, 0.999999, retry)).toBe(119999);
    expect(computeConnectRetryMs(1e9, 0.999999, retry)).toBe(119999);
    expect(computeConnectRetryMs(Number.MAX_SAFE_INTEGER, 0, retry)).toBe(90000);
  });

  it('is monotonic in the attempt for a fixed random number and bounded by the cap', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 1, maxExcluded: true }), (a, r) => {
        const d = computeConnectRetryMs(a, r, retry);
        return (
          d <= computeConnectRetryMs(a + 1, r, retry) && d <= retry.maxMs && d >= 0.75 * retry.baseMs - 1
        );
      }),
    );
  });
});

describe('computeIdleHoldMs (RFC 4271 §8.1.1 DampPeerOscillations)', () => {
  it('doubles per level up to the cap with damping', () => {
    const o = { baseMs: 1000, maxMs: 10_000, damp: true };
    expect([0, 1, 2, 3, 4, 50].map((l) => computeIdleHoldMs(l, o))).toEqual([
      1000, 2000, 4000, 8000, 10000, 10000,
    ]);
  });

  it('stays at the base without damping', () => {
    expect(computeIdleHoldMs(7, { baseMs: 1000, maxMs: 10_000, damp: false })).toBe(1000);
  });
});

describe('nextRandom', () => {
  it('gives numbers in [0, 1) and is deterministic per state', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (seed) => {
        const a = nextRandom(seed);
        const b = nextRandom(seed);
        return a.value >= 0 && a.value < 1 && a.value === b.value && a.state === b.state;
      }),
    );
  });

  it('spreads values over the interval', () => {
    let state = 42;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const r = nextRandom(state);
      state = r.state;
      buckets[Math.floor(r.value * 10)]!++;
    }
    for (const b of buckets) expect(b).toBeGreaterThan(800);
  });
});
