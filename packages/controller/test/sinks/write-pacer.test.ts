import { FakeClock } from '@anyvip/healthcheck';
import { describe, expect, it } from 'vitest';
import { NODE_STATUS_MIN_INTERVAL_MS, NODE_STATUS_REFRESH_MS } from '../../src/desired/node-status.js';
import { type PaceDecision, WritePacer } from '../../src/sinks/write-pacer.js';

/** The node status sink's timings: a change at most every 5 s, an unchanged status every 5 min. */
const options = {
  minIntervalMs: NODE_STATUS_MIN_INTERVAL_MS,
  refreshMs: NODE_STATUS_REFRESH_MS,
  backoffMaxMs: 300_000,
};

/**
 * Drives a pacer as the node status sink does: a pass every `passEveryMs` on a fake clock,
 * the content changing on each pass where `changedAt(now)` says so; each write succeeds
 * unless `fails(now)`. Returns when writes happened.
 */
function simulate(
  untilMs: number,
  passEveryMs: number,
  changedAt: (nowMs: number) => boolean,
  fails: (nowMs: number) => boolean = () => false,
): number[] {
  const clock = new FakeClock();
  const pacer = new WritePacer(options);
  const writes: number[] = [];
  let dirty = false;
  for (let t = 0; t <= untilMs; t += passEveryMs) {
    clock.advanceSync(t - clock.now());
    if (changedAt(clock.now())) dirty = true;
    const d: PaceDecision = pacer.decide(clock.now(), dirty);
    if (d.kind !== 'write') continue;
    writes.push(clock.now());
    if (fails(clock.now())) pacer.failed(clock.now());
    else {
      pacer.written(clock.now());
      dirty = false;
    }
  }
  return writes;
}

describe('WritePacer: at most one write per interval, a refresh when nothing changes, back-off on failure', () => {
  it('writes the first time at once, then a change no sooner than 5 s after the last write', () => {
    const pacer = new WritePacer(options);
    expect(pacer.decide(0, true)).toEqual({ kind: 'write' });
    pacer.written(0);
    expect(pacer.decide(1000, true)).toEqual({ kind: 'wait', inMs: 4000 });
    expect(pacer.decide(5000, true)).toEqual({ kind: 'write' });
  });

  it('coalesces a storm of changes (one every 100 ms for a minute) into one write per 5 s', () => {
    const writes = simulate(60_000, 100, () => true);
    expect(writes).toEqual(Array.from({ length: 13 }, (_, i) => i * 5000));
  });

  it('writes nothing while nothing changes, but for the backstop refresh every 5 min (liveness is the node lease)', () => {
    expect(options).toEqual({ minIntervalMs: 5000, refreshMs: 300_000, backoffMaxMs: 300_000 });
    const writes = simulate(1_000_000, 1000, (t) => t === 0);
    expect(writes).toEqual([0, 300_000, 600_000, 900_000]);
  });

  it('refreshMs 0: an unchanged object is never rewritten', () => {
    const pacer = new WritePacer({ ...options, refreshMs: 0 });
    pacer.written(0);
    expect(pacer.decide(10_000_000, false)).toEqual({ kind: 'wait', inMs: Number.POSITIVE_INFINITY });
  });

  it('a change after a quiet spell is written at once (the last write is old enough)', () => {
    const writes = simulate(20_000, 1000, (t) => t === 0 || t === 12_000);
    expect(writes).toEqual([0, 12_000]);
  });

  it('backs off while writes fail: 5, 10, 20, 40 s … up to 5 min, whatever changes meanwhile; a success resets', () => {
    const writes = simulate(
      700_000,
      100,
      () => true,
      (t) => t < 600_000,
    );
    // Fails at 0, then waits 5, 10, 20, 40, 80, 160, 300, 300 s; succeeds from 600 s on.
    expect(writes.slice(0, 9)).toEqual([0, 5000, 15_000, 35_000, 75_000, 155_000, 315_000, 615_000, 620_000]);
  });

  it('says how long to wait, so that the caller wakes up when the write falls due', () => {
    const pacer = new WritePacer(options);
    pacer.written(0);
    expect(pacer.decide(10_000, false)).toEqual({ kind: 'wait', inMs: 290_000 });
    expect(pacer.failed(10_000)).toBe(5000);
    expect(pacer.decide(11_000, false)).toEqual({ kind: 'wait', inMs: 4000 });
    expect(pacer.decide(15_000, false)).toEqual({ kind: 'write' });
    expect(pacer.failures).toBe(1);
  });
});
