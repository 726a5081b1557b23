import { FakeClock } from '@anyvip/clock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Check, type CheckOptions } from '../src/check.js';
import { HealthError } from '../src/errors.js';
import type { CheckEvent } from '../src/events.js';
import { failing, pass, type ScriptedProbe, scriptedProbe } from './support/scripted-probe.js';

interface Rig {
  readonly clock: FakeClock;
  readonly check: Check;
  readonly events: CheckEvent[];
  /** `up@400`, `down@2600`, … */
  transitions(): string[];
  resultsOf(probe: string): CheckEvent[];
}

function rig(
  probes: ScriptedProbe[] | ((clock: FakeClock) => ScriptedProbe[]),
  options: Partial<CheckOptions> = {},
  deps: { fileExists?: (path: string) => boolean; random?: () => number } = {},
  clock = new FakeClock(),
): Rig {
  const list = typeof probes === 'function' ? probes(clock) : probes;
  const check = new Check(
    {
      name: 'vip',
      probes: list,
      intervalMs: 1000,
      fastIntervalMs: 200,
      timeoutMs: 100,
      rise: 3,
      fall: 3,
      ...options,
    },
    { clock, random: () => 0, ...deps },
  );
  const events: CheckEvent[] = [];
  check.subscribe((e) => events.push(e));
  return {
    clock,
    check,
    events,
    transitions: () => events.filter((e) => e.kind !== 'result').map((e) => `${e.kind}@${e.atMs}`),
    resultsOf: (probe) => events.filter((e) => e.kind === 'result' && e.probe === probe),
  };
}

describe('Check on a fake clock', () => {
  it('starts unknown and is announced only after `rise` passing rounds, at the fast interval', async () => {
    const clock = new FakeClock();
    const p = scriptedProbe(clock, 'p', pass);
    const r = rig([p], {}, {}, clock);
    expect(r.check.health).toBe('unknown');
    r.check.start();
    await clock.advance(404);
    expect(r.transitions()).toEqual([]);
    await clock.advance(1);
    // Rounds at 0, 200 (rising: fast interval), 400 → up once its probe answers (5 ms).
    expect(p.starts).toEqual([0, 200, 400]);
    expect(r.transitions()).toEqual(['up@400']);
    expect(r.check.health).toBe('up');
    // Steady again: back to the normal interval.
    await clock.advance(2000);
    expect(p.starts).toEqual([0, 200, 400, 1400, 2400]);
    await r.check.stop();
  });

  it('withdraws after `fall` failing rounds, within fall × interval + timeout of the failure', async () => {
    const clock = new FakeClock();
    const p = scriptedProbe(clock, 'p', pass);
    const r = rig([p], {}, {}, clock);
    r.check.start();
    await clock.advance(1000); // up at 400; next round at 1400
    const failAt = 1401; // just after a round: the worst case
    await clock.advance(failAt - clock.now());
    p.behaviour = { kind: 'hang' };
    await clock.advance(5000);
    const down = r.events.find((e) => e.kind === 'down');
    expect(down).toMatchObject({ kind: 'down', from: 'up', cause: 'fall' });
    // Failing rounds start at 2400, 2600, 2800; each times out after 100 ms.
    expect(p.starts.filter((t) => t > failAt)).toEqual([2400, 2600, 2800, 3800, 4800, 5800]);
    expect(down?.atMs).toBe(2800);
    const detectionMs = 2800 + 100 - failAt;
    expect(detectionMs).toBeLessThanOrEqual(3 * 1000 + 100);
    expect(down?.kind === 'down' && down.reasons).toEqual(['p: timeout after 100ms']);
    await r.check.stop();
  });

  it('emits result events per probe with latency and reason, before the transition they cause', async () => {
    const clock = new FakeClock();
    const a = scriptedProbe(clock, 'a', { kind: 'answer', ok: true, latencyMs: 7, reason: 'HTTP 200' });
    const b = scriptedProbe(clock, 'b', { kind: 'answer', ok: true, latencyMs: 30, reason: 'exit 0' });
    const r = rig([a, b], { rise: 1 }, {}, clock);
    r.check.start();
    await clock.advance(50);
    expect(r.events).toEqual([
      { kind: 'result', check: 'vip', probe: 'a', ok: true, latencyMs: 7, reason: 'HTTP 200', atMs: 0 },
      { kind: 'result', check: 'vip', probe: 'b', ok: true, latencyMs: 30, reason: 'exit 0', atMs: 0 },
      { kind: 'up', check: 'vip', from: 'unknown', reasons: ['a: HTTP 200', 'b: exit 0'], atMs: 0 },
    ]);
    await r.check.stop();
  });

  it('uses the fast interval only while a change is under way', async () => {
    const clock = new FakeClock();
    const p = scriptedProbe(clock, 'p', pass);
    const r = rig([p], { rise: 2, fall: 2 }, {}, clock);
    r.check.start();
    await clock.advance(1300); // rounds 0, 200 (up), 1200
    p.behaviour = failing;
    await clock.advance(1200); // 2200 fails (falling), 2400 fails → down
    p.behaviour = pass;
    await clock.advance(4000); // 3400 passes (rising), 3600 → up, then 4600, 5600
    expect(p.starts).toEqual([0, 200, 1200, 2200, 2400, 3400, 3600, 4600, 5600]);
    expect(r.transitions()).toEqual(['up@200', 'down@2400', 'up@3600']);
    await r.check.stop();
  });

  it('does not flap for a target that alternates pass and fail (rise = fall = 2)', async () => {
    const clock = new FakeClock();
    const p = scriptedProbe(clock, 'p', pass);
    const r = rig([p], { rise: 2, fall: 2 }, {}, clock);
    r.check.start();
    await clock.advance(300);
    expect(r.check.health).toBe('up');
    for (let i = 0; i < 20; i++) {
      p.behaviour = i % 2 === 0 ? failing : pass;
      const seen = r.resultsOf('p').length;
      while (r.resultsOf('p').length === seen)
        await clock.advance((clock.nextDueMs ?? clock.now()) - clock.now());
    }
    expect(r.resultsOf('p').length).toBe(22);
    expect(r.transitions()).toEqual(['up@200']);
    await r.check.stop();
  });

  it('aborts a hanging probe at the timeout and reports it as a timeout', async () => {
    const clock = new FakeClock();
    const p = scriptedProbe(clock, 'p', { kind: 'hang' });
    const r = rig([p], { fall: 1 }, {}, clock);
    r.check.start();
    await clock.advance(100);
    expect(p.aborts).toBe(1);
    expect(r.resultsOf('p')).toEqual([
      {
        kind: 'result',
        check: 'vip',
        probe: 'p',
        ok: false,
        latencyMs: 100,
        reason: 'timeout after 100ms',
        atMs: 0,
      },
    ]);
    expect(r.transitions()).toEqual(['down@0']);
    await r.check.stop();
  });

  it('gives up on a probe that ignores its abort after a grace period, and never runs it twice at once', async () => {
    const clock = new FakeClock();
    const p = scriptedProbe(clock, 'p', { kind: 'deaf', latencyMs: 5000, ok: true });
    const r = rig([p], { fall: 2 }, {}, clock);
    r.check.start();
    await clock.advance(6000);
    const results = r.resultsOf('p');
    expect(results[0]).toMatchObject({
      ok: false,
      latencyMs: 200,
      reason: 'timeout after 100ms; probe did not stop',
    });
    // While the deaf run is pending the probe is not started again.
    expect(results[1]).toMatchObject({ ok: false, reason: 'still running from an earlier round' });
    expect(p.maxConcurrent).toBe(1);
    expect(r.transitions()).toEqual(['down@200']);
    await r.check.stop();
  });

  it('treats a probe that throws as a failure with the error as reason', async () => {
    const clock = new FakeClock();
    const p = scriptedProbe(clock, 'p', { kind: 'throw' });
    const r = rig([p], { fall: 1 }, {}, clock);
    r.check.start();
    await clock.advance(10);
    expect(r.resultsOf('p')[0]).toMatchObject({ ok: false, reason: 'probe threw: scripted failure' });
    await r.check.stop();
  });

  it('combines several probes with a quorum (k of n)', async () => {
    const clock = new FakeClock();
    const probes = [
      scriptedProbe(clock, 'a', pass),
      scriptedProbe(clock, 'b', failing),
      scriptedProbe(clock, 'c', pass),
    ];
    const r = rig(probes, { combine: { kind: 'quorum', min: 2 }, rise: 1, fall: 1 }, {}, clock);
    r.check.start();
    await clock.advance(10);
    expect(r.check.health).toBe('up');
    probes[2]!.behaviour = failing;
    await clock.advance(1000);
    expect(r.check.health).toBe('down');
    const down = r.events.find((e) => e.kind === 'down');
    expect(down?.kind === 'down' && down.reasons).toEqual([
      '1 of 3 probes passed, 2 needed',
      'b: failed',
      'c: failed',
    ]);
    await r.check.stop();
  });

  it('with `all`, one failing probe fails the round; with `any`, one passing probe is enough', async () => {
    const clock = new FakeClock();
    const mk = () => [scriptedProbe(clock, 'a', pass), scriptedProbe(clock, 'b', failing)];
    const all = rig(mk(), { combine: { kind: 'all' }, rise: 1, fall: 1 }, {}, clock);
    const any = rig(mk(), { combine: { kind: 'any' }, rise: 1, fall: 1 }, {}, clock);
    all.check.start();
    any.check.start();
    await clock.advance(10);
    expect(all.check.health).toBe('down');
    expect(any.check.health).toBe('up');
    await Promise.all([all.check.stop(), any.check.stop()]);
  });

  it('goes down at once while the disable file exists, runs no probe meanwhile, and starts over after', async () => {
    const clock = new FakeClock();
    let present = false;
    const p = scriptedProbe(clock, 'p', pass);
    const r = rig([p], { disableFile: '/run/anyvip/maintenance' }, { fileExists: () => present }, clock);
    r.check.start();
    await clock.advance(500); // up at 400
    present = true;
    await clock.advance(2000); // round at 1400 sees the file
    const runsWhileDisabled = p.starts.length;
    expect(r.transitions()).toEqual(['up@400', 'down@1400']);
    expect(r.events.find((e) => e.kind === 'down')).toMatchObject({
      cause: 'disabled',
      reasons: ['disable file /run/anyvip/maintenance is present'],
    });
    present = false;
    await clock.advance(3000); // 3400 enabled → unknown, then rises 3400, 3600, 3800
    expect(p.starts.slice(runsWhileDisabled - 0)).toEqual([3400, 3600, 3800, 4800]);
    expect(r.transitions()).toEqual(['up@400', 'down@1400', 'unknown@3400', 'up@3800']);
    await r.check.stop();
  });

  it('stop() aborts the probe in flight and emits nothing afterwards', async () => {
    const clock = new FakeClock();
    const p = scriptedProbe(clock, 'p', { kind: 'answer', ok: true, latencyMs: 50 });
    const r = rig([p], {}, {}, clock);
    r.check.start();
    await clock.advance(10);
    await r.check.stop();
    expect(p.aborts).toBe(1);
    await clock.advance(5000);
    expect(r.events).toEqual([]);
    expect(r.check.status()).toMatchObject({ started: false, rounds: 1, health: 'unknown' });
  });

  it('detects a failure within fall × interval + timeout for any timing (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          intervalMs: fc.integer({ min: 50, max: 2000 }),
          fastRatio: fc.double({ min: 0.1, max: 1, noNaN: true }),
          timeoutRatio: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
          fall: fc.integer({ min: 1, max: 5 }),
          rise: fc.integer({ min: 1, max: 5 }),
          failAfterMs: fc.integer({ min: 0, max: 3000 }),
          hang: fc.boolean(),
        }),
        async (t) => {
          const clock = new FakeClock();
          const fastIntervalMs = Math.max(2, Math.round(t.intervalMs * t.fastRatio));
          const timeoutMs = Math.max(1, Math.floor(fastIntervalMs * t.timeoutRatio));
          const p = scriptedProbe(clock, 'p', { kind: 'answer', ok: true, latencyMs: 0 });
          const r = rig(
            [p],
            { intervalMs: t.intervalMs, fastIntervalMs, timeoutMs, fall: t.fall, rise: t.rise },
            {},
            clock,
          );
          r.check.start();
          await clock.advance(t.rise * t.intervalMs + t.failAfterMs);
          expect(r.check.health).toBe('up');
          const failAt = clock.now();
          p.behaviour = t.hang ? { kind: 'hang' } : { kind: 'answer', ok: false, latencyMs: 0 };
          await clock.advance(t.fall * t.intervalMs + timeoutMs);
          expect(r.check.health).toBe('down');
          const down = r.events.find((e) => e.kind === 'down');
          const detectedAt = (down?.atMs ?? Number.NaN) + (t.hang ? timeoutMs : 0);
          expect(detectedAt - failAt).toBeLessThanOrEqual(t.fall * t.intervalMs + timeoutMs);
          await r.check.stop();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('Check options', () => {
  const clock = new FakeClock();
  const probe = scriptedProbe(clock, 'p');
  const invalid: [string, Partial<CheckOptions>, string][] = [
    [
      'a timeout equal to the interval',
      { intervalMs: 1000, fastIntervalMs: 1000, timeoutMs: 1000 },
      'timeoutMs',
    ],
    [
      'a timeout not below the fast interval',
      { intervalMs: 1000, fastIntervalMs: 100, timeoutMs: 150 },
      'timeoutMs',
    ],
    [
      'a fast interval above the interval',
      { intervalMs: 1000, fastIntervalMs: 2000, timeoutMs: 100 },
      'fastIntervalMs',
    ],
    ['rise 0', { rise: 0 }, 'rise'],
    ['fall 1.5', { fall: 1.5 }, 'fall'],
    ['a negative interval', { intervalMs: -1 }, 'intervalMs'],
    ['jitter not below the interval', { jitterMs: 1000 }, 'jitterMs'],
    ['a quorum above the probe count', { combine: { kind: 'quorum', min: 2 } }, 'combine'],
    ['an empty name', { name: '' }, 'name'],
    ['no probes', { probes: [] }, 'probes'],
  ];
  it.each(invalid)('refuses %s with ANYVIP_HEALTH_BAD_CONFIG', (_name, override, path) => {
    try {
      new Check({ name: 'vip', probes: [probe], intervalMs: 1000, timeoutMs: 100, ...override }, { clock });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HealthError);
      expect((e as HealthError).code).toBe('ANYVIP_HEALTH_BAD_CONFIG');
      expect((e as HealthError).path).toBe(path);
    }
  });

  it('says which probe spec is wrong', () => {
    try {
      new Check({ name: 'vip', probes: [probe, { kind: 'http', url: 'ftp://x' }] }, { clock });
      expect.unreachable();
    } catch (e) {
      expect((e as HealthError).path).toBe('probes[1].url');
    }
  });

  it('refuses two probes with the same name', () => {
    expect(() => new Check({ name: 'vip', probes: [probe, probe] }, { clock })).toThrow(
      /duplicate probe name/,
    );
  });

  it('fills in defaults: 1 s interval, no fast interval, 800 ms timeout, rise 3, fall 3, all', () => {
    const check = new Check({ name: 'vip', probes: [probe] }, { clock });
    expect(check.settings).toEqual({
      name: 'vip',
      combine: { kind: 'all' },
      intervalMs: 1000,
      fastIntervalMs: 1000,
      timeoutMs: 800,
      rise: 3,
      fall: 3,
      jitterMs: 0,
      disableFile: undefined,
    });
    expect(new Check({ name: 'v', probes: [probe], intervalMs: 10_000 }, { clock }).settings.timeoutMs).toBe(
      2000,
    );
  });
});
