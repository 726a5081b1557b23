import { FakeClock } from '@anyvip/healthcheck';
import { describe, expect, it } from 'vitest';
import { type GcFunction, HeapTrim } from '../src/heap-trim.js';

function setup() {
  const clock = new FakeClock();
  const calls: Parameters<GcFunction>[0][] = [];
  const trim = new HeapTrim({
    clock,
    gc: (o) => {
      calls.push(o);
    },
    timing: { delayMs: 2000, minIntervalMs: 30_000 },
  });
  return { clock, calls, trim };
}

describe('HeapTrim', () => {
  it('runs one memory-reducing full collection delayMs after the last burst', async () => {
    const { clock, calls, trim } = setup();
    trim.burst();
    await clock.advance(1500);
    trim.burst(); // a later burst moves the trim
    await clock.advance(1500);
    expect(calls).toEqual([]);
    await clock.advance(500);
    expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    expect(trim.trims).toBe(1);
  });

  it('trims at most once per minIntervalMs however many bursts come', async () => {
    const { clock, calls, trim } = setup();
    trim.burst();
    await clock.advance(2000);
    expect(calls.length).toBe(1);
    trim.burst();
    await clock.advance(10_000);
    expect(calls.length).toBe(1);
    await clock.advance(20_000);
    expect(calls.length).toBe(2);
  });

  it('does nothing after stop, and nothing at all without a gc', async () => {
    const { clock, calls, trim } = setup();
    trim.burst();
    trim.stop();
    await clock.advance(60_000);
    expect(calls).toEqual([]);
    const none = new HeapTrim({ clock, gc: undefined });
    none.burst();
    await clock.advance(60_000);
    expect(none.trims).toBe(0);
  });
});
