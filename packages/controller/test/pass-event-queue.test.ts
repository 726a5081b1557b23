import { describe, expect, it } from 'vitest';
import { PassEventQueue } from '../src/pass-event-queue.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PassEventQueue: a big pass reports after the current macrotask, in pass order', () => {
  it('emits a small pass at once, and a deferred one only after this macrotask, in slices, in order', async () => {
    const seen: number[] = [];
    const q = new PassEventQueue<number>((e) => seen.push(e));
    q.push([1, 2], false);
    expect(seen).toEqual([1, 2]);
    const big = Array.from({ length: 2500 }, (_, i) => 100 + i);
    q.push(big, true);
    // A small pass behind a deferred one waits for it: the order stays that of the passes.
    q.push([9], false);
    expect(seen).toEqual([1, 2]);
    expect(q.pending).toBe(2501);
    await tick();
    expect(seen.length).toBe(2 + 1000);
    while (q.pending > 0) await tick();
    expect(seen).toEqual([1, 2, ...big, 9]);
  });

  it('flush emits what waits at once (shutdown reports after the pass it follows)', () => {
    const seen: string[] = [];
    const q = new PassEventQueue<string>((e) => seen.push(e));
    q.push(['a', 'b'], true);
    q.flush();
    expect(seen).toEqual(['a', 'b']);
    expect(q.pending).toBe(0);
  });
});
