import { FakeClock } from '@anyvip/healthcheck';
import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/desired/types.js';
import { type AppliedFeedback, ReconcileLoop } from '../../src/reconcile/loop.js';
import type { Phase, Sink, SinkChange, SinkResult } from '../../src/reconcile/sink.js';
import { loopbackWorld } from '../support/loopback-world.js';

const VIPS = ['10.250.255.1/32', '10.250.255.2/32', '10.250.255.3/32'];

const world = loopbackWorld;

/** The later sinks see only what the feeding sink holds (a bind gate in miniature). */
const feedback: AppliedFeedback = {
  sink: 'lo',
  derive: (d, held) => world([...d.loopback.addresses.keys()].filter((p) => held.has(p))),
};

/**
 * A feeding sink whose add phase binds one address per step and reports what it holds after
 * each (as the loopback sink does from the kernel's address events), then returns them all.
 */
class BindingSink implements Sink {
  readonly name = 'lo';
  readonly order = 10;
  /** Resolves the next step of the add phase. */
  step: (() => void) | undefined;
  async apply(
    d: DesiredState,
    phase: Phase,
    progress?: (held: ReadonlySet<string>) => void,
  ): Promise<SinkResult> {
    const all = [...d.loopback.addresses.keys()];
    if (phase === 'remove') return { changes: [], errors: [], applied: [] };
    const held = new Set<string>();
    progress?.(new Set(held));
    for (const p of all) {
      await new Promise<void>((r) => {
        this.step = r;
      });
      held.add(p);
      progress?.(new Set(held));
    }
    return { changes: all.map((p) => ({ action: 'add', key: p, what: 'bound' })), errors: [], applied: all };
  }
}

/** A later sink: records every key each call was given; `progress` only when `early`. */
class AnnouncingSink implements Sink {
  readonly name: string;
  readonly order = 20;
  readonly announced = new Set<string>();
  readonly seen: string[] = [];
  progress?: (d: DesiredState) => Promise<readonly SinkChange[]>;
  constructor(name: string, early: boolean) {
    this.name = name;
    if (early)
      this.progress = async (d) => {
        this.seen.push(`early ${[...d.loopback.addresses.keys()].join(',')}`);
        return this.#announce(d);
      };
  }
  async apply(d: DesiredState, phase: Phase): Promise<SinkResult> {
    if (phase === 'add') this.seen.push(`add ${[...d.loopback.addresses.keys()].join(',')}`);
    const changes = phase === 'add' ? this.#announce(d) : [];
    return { changes, errors: [], applied: [...this.announced] };
  }
  #announce(d: DesiredState): SinkChange[] {
    const out: SinkChange[] = [];
    for (const p of d.loopback.addresses.keys())
      if (!this.announced.has(p)) {
        this.announced.add(p);
        out.push({ action: 'add', key: p, what: 'announced' });
      }
    return out;
  }
}

function setup() {
  const lo = new BindingSink();
  const bgp = new AnnouncingSink('bgp', true);
  const table = new AnnouncingSink('table', false);
  const loop = new ReconcileLoop({
    sinks: [lo, bgp, table],
    desired: () => world(VIPS),
    clock: new FakeClock(),
    intervalMs: 60_000,
    retryMinMs: 1000,
    retryMaxMs: 1000,
    feedback,
  });
  return { lo, bgp, table, loop };
}

/** Lets the loop's early applies run (they are chained on promises). */
const flush = () => new Promise<void>((r) => setImmediate(r));

describe('ReconcileLoop early applies (Sink.progress) while the feeding sink binds', () => {
  it('gives a progressive sink each address as soon as it is held, never before', async () => {
    const t = setup();
    const pass = t.loop.runPass(world(VIPS), 'start');
    await flush();
    expect(t.bgp.seen).toEqual(['early ']); // At once, with nothing held: the sink may start (a session opens).
    expect(t.bgp.announced.size).toBe(0);
    t.lo.step?.();
    await flush();
    expect([...t.bgp.announced]).toEqual([VIPS[0]]);
    t.lo.step?.();
    await flush();
    expect([...t.bgp.announced]).toEqual(VIPS.slice(0, 2));
    t.lo.step?.();
    const report = await pass;
    expect([...t.bgp.announced]).toEqual(VIPS);
    // The early changes are the pass's, with the sink's name; nothing is announced twice.
    expect(report.changes.filter((c) => c.sink === 'bgp').map((c) => c.key)).toEqual(VIPS);
    expect(t.bgp.seen.at(-1)).toBe(`add ${VIPS.join(',')}`);
  });

  it('a sink without progress waits for the pass', async () => {
    const t = setup();
    const pass = t.loop.runPass(world(VIPS), 'start');
    for (let i = 0; i < 3; i++) {
      await flush();
      expect(t.table.seen).toEqual([]);
      t.lo.step?.();
    }
    await pass;
    expect(t.table.seen).toEqual([`add ${VIPS.join(',')}`]);
  });

  it('coalesces reports that come during an early apply into the next one (only the latest counts)', async () => {
    const t = setup();
    let release: (() => void) | undefined;
    const bgp = t.bgp;
    const inner = bgp.progress;
    bgp.progress = async (d) => {
      await new Promise<void>((r) => {
        release = r;
      });
      return inner?.(d) ?? [];
    };
    const pass = t.loop.runPass(world(VIPS), 'start');
    await flush(); // The first early apply (nothing held) is waiting.
    t.lo.step?.();
    await flush();
    t.lo.step?.();
    await flush();
    release?.(); // First one ends; the two reports since become one early apply.
    await flush();
    release?.();
    await flush();
    t.lo.step?.(); // The last report starts one more early apply, which the pass waits for.
    await flush();
    release?.();
    await pass;
    expect(bgp.seen).toEqual([
      'early ',
      `early ${VIPS.slice(0, 2).join(',')}`,
      `early ${VIPS.join(',')}`,
      `add ${VIPS.join(',')}`,
    ]);
  });
});
