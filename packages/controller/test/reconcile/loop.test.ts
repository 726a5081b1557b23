import { FakeClock } from '@anyvip/healthcheck';
import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/desired/types.js';
import { type PassReport, ReconcileLoop } from '../../src/reconcile/loop.js';
import type { Phase, Sink, SinkChange, SinkFailure, SinkResult } from '../../src/reconcile/sink.js';
import { loopbackWorld } from '../support/loopback-world.js';

const desiredOf = loopbackWorld;

/** A sink that holds the desired loopback prefixes, records calls, and can be told to fail. */
class RecordingSink implements Sink {
  readonly held = new Set<string>();
  readonly calls: string[];
  /** Prefixes whose add fails while listed. */
  readonly failing = new Set<string>();
  /** Called in the middle of apply, to trigger from within a pass. */
  during: (() => void) | undefined;
  readonly name: string;
  readonly order: number;
  constructor(name: string, order: number, calls: string[]) {
    this.name = name;
    this.order = order;
    this.calls = calls;
  }
  async apply(desired: DesiredState, phase: Phase): Promise<SinkResult> {
    this.calls.push(`${this.name}:${phase}`);
    this.during?.();
    await Promise.resolve();
    const changes: SinkChange[] = [];
    const errors: SinkFailure[] = [];
    const want = desired.loopback.addresses;
    if (phase === 'remove') {
      for (const p of [...this.held]) {
        if (!want.has(p)) {
          this.held.delete(p);
          changes.push({ action: 'remove', key: p, vip: p, what: 'removed' });
        }
      }
    } else {
      for (const p of want.keys()) {
        if (this.held.has(p)) continue;
        if (this.failing.has(p)) {
          errors.push({ key: p, vip: p, reason: 'scripted failure' });
          continue;
        }
        this.held.add(p);
        changes.push({ action: 'add', key: p, vip: p, what: 'added' });
      }
    }
    return { changes, errors, applied: [...this.held].sort() };
  }
}

function setup(initial: readonly string[] = ['10.250.255.1/32']) {
  const clock = new FakeClock();
  const calls: string[] = [];
  const a = new RecordingSink('a', 10, calls);
  const b = new RecordingSink('b', 20, calls);
  let desired = desiredOf(initial);
  const reports: PassReport[] = [];
  const loop = new ReconcileLoop({
    sinks: [b, a],
    desired: () => desired,
    clock,
    intervalMs: 10_000,
    retryMinMs: 200,
    retryMaxMs: 1000,
    onPass: (r) => reports.push(r),
  });
  return {
    clock,
    calls,
    a,
    b,
    loop,
    reports,
    set: (prefixes: readonly string[]) => {
      desired = desiredOf(prefixes);
    },
  };
}

describe('ReconcileLoop', () => {
  it('runs removals in descending sink order, then additions in ascending order', async () => {
    const t = setup();
    t.loop.start();
    await t.loop.idle();
    expect(t.calls).toEqual(['b:remove', 'a:remove', 'a:add', 'b:add']);
    expect(t.reports[0]?.trigger).toBe('start');
    expect(t.reports[0]?.changes.map((c) => `${c.sink} ${c.action} ${c.key}`)).toEqual([
      'a add 10.250.255.1/32',
      'b add 10.250.255.1/32',
    ]);
    expect(t.reports[0]?.applied.get('a')).toEqual(['10.250.255.1/32']);
  });

  it('reconcile again, nothing changes', async () => {
    const t = setup();
    t.loop.start();
    await t.loop.idle();
    t.loop.trigger('again');
    await t.loop.idle();
    expect(t.reports).toHaveLength(2);
    expect(t.reports[1]?.changes).toEqual([]);
    expect(t.reports[1]?.errors).toEqual([]);
  });

  it('coalesces triggers raised together into one pass, reasons joined', async () => {
    const t = setup();
    t.loop.trigger('health');
    t.loop.trigger('reload');
    t.loop.trigger('health');
    await t.loop.idle();
    expect(t.reports.map((r) => r.trigger)).toEqual(['health,reload']);
  });

  it('runs exactly one more pass for triggers raised during a pass, never two at once', async () => {
    const t = setup();
    let inside = 0;
    let maxInside = 0;
    t.a.during = () => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      if (t.reports.length === 0) {
        t.set(['10.250.255.1/32', '10.250.255.2/32']);
        t.loop.trigger('health');
        t.loop.trigger('health');
      }
      queueMicrotask(() => inside--);
    };
    t.loop.trigger('start');
    await t.loop.idle();
    expect(t.reports.map((r) => r.trigger)).toEqual(['start', 'health']);
    expect(maxInside).toBe(1);
    expect([...t.b.held]).toEqual(['10.250.255.1/32', '10.250.255.2/32']);
  });

  it('retries a failed pass with doubling back-off, and stops retrying once it succeeds', async () => {
    const t = setup(['10.250.255.1/32']);
    t.b.failing.add('10.250.255.1/32');
    t.loop.trigger('start');
    await t.loop.idle();
    expect(t.reports[0]?.errors.map((e) => `${e.sink} ${e.key}: ${e.reason}`)).toEqual([
      'b 10.250.255.1/32: scripted failure',
    ]);
    expect(t.reports[0]?.retryInMs).toBe(200);
    await t.clock.advance(199);
    expect(t.reports).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.reports.map((r) => r.trigger)).toEqual(['start', 'retry']);
    expect(t.reports[1]?.retryInMs).toBe(400);
    await t.clock.advance(400);
    expect(t.reports[2]?.retryInMs).toBe(800);
    await t.clock.advance(800);
    expect(t.reports[3]?.retryInMs).toBe(1000); // capped at retryMaxMs
    t.b.failing.clear();
    await t.clock.advance(1000);
    expect(t.reports[4]?.errors).toEqual([]);
    expect(t.reports[4]?.retryInMs).toBeUndefined();
    await t.clock.advance(5000);
    expect(t.reports).toHaveLength(5);
  });

  it('runs a periodic pass that restores what was removed behind its back', async () => {
    const t = setup();
    t.loop.start();
    await t.loop.idle();
    t.a.held.clear(); // someone removed it
    await t.clock.advance(10_000);
    expect(t.reports.at(-1)?.trigger).toBe('resync');
    expect(t.reports.at(-1)?.changes.map((c) => `${c.sink} ${c.action}`)).toEqual(['a add']);
    expect([...t.a.held]).toEqual(['10.250.255.1/32']);
  });

  it('runs the periodic pass an interval after the last pass ended, so passes never run back to back', async () => {
    const t = setup();
    t.loop.start();
    await t.loop.idle();
    await t.clock.advance(5_000);
    t.loop.trigger('health');
    await t.loop.idle();
    await t.clock.advance(9_999);
    expect(t.reports.map((r) => r.trigger)).toEqual(['start', 'health']);
    await t.clock.advance(1);
    expect(t.reports.map((r) => r.trigger)).toEqual(['start', 'health', 'resync']);
    await t.clock.advance(10_000);
    expect(t.reports.map((r) => r.trigger)).toEqual(['start', 'health', 'resync', 'resync']);
  });

  it('reports a sink that throws as an error of that sink and goes on with the others', async () => {
    const t = setup();
    t.a.apply = async () => {
      throw new Error('boom');
    };
    t.loop.trigger('start');
    await t.loop.idle();
    expect(t.reports[0]?.errors.map((e) => `${e.sink}: ${e.reason}`)).toEqual([
      'a: remove phase threw: boom',
      'a: add phase threw: boom',
    ]);
    expect([...t.b.held]).toEqual(['10.250.255.1/32']);
  });

  it('ignores triggers once stopped, but runs an explicit shutdown pass', async () => {
    const t = setup();
    t.loop.start();
    await t.loop.idle();
    await t.loop.stop();
    t.loop.trigger('health');
    await t.clock.advance(20_000);
    expect(t.reports).toHaveLength(1);
    const r = await t.loop.runPass(desiredOf([]), 'shutdown');
    expect(r.changes.map((c) => `${c.sink} ${c.action}`)).toEqual(['b remove', 'a remove']);
    expect(t.clock.pendingTimers).toBe(0);
  });
});
