import { FakeClock } from '@anyvip/healthcheck';
import { describe, expect, it } from 'vitest';
import { type GcFunction, type HeapFigures, HeapTrim, worthTrimming } from '../src/heap-trim.js';

const MB = 1024 * 1024;

function setup(heap: HeapFigures = { committedBytes: 14 * MB, usedBytes: 12 * MB }) {
  const clock = new FakeClock();
  const figures = { ...heap };
  const calls: Parameters<GcFunction>[0][] = [];
  const trim = new HeapTrim({
    clock,
    gc: (o) => {
      calls.push(o);
    },
    timing: { delayMs: 2000, minIntervalMs: 30_000, checkIntervalMs: 30_000 },
    heap: () => figures,
  });
  return { clock, calls, trim, figures };
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

  it('trims a burst nobody reported once the heap holds 8 MB and a quarter more than it uses', async () => {
    const { clock, calls, trim, figures } = setup();
    trim.start();
    await clock.advance(60_000);
    expect(calls).toEqual([]);
    figures.committedBytes = 40 * MB; // e.g. a thousand Event writes grew the young generation
    await clock.advance(32_000);
    expect(calls.length).toBe(1);
    trim.stop();
  });

  it('leaves a big heap its working room', () => {
    expect(worthTrimming({ committedBytes: 20 * MB, usedBytes: 12 * MB })).toBe(true);
    expect(worthTrimming({ committedBytes: 18 * MB, usedBytes: 12 * MB })).toBe(false);
    expect(worthTrimming({ committedBytes: 120 * MB, usedBytes: 100 * MB })).toBe(false);
  });
});
