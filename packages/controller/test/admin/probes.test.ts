import { describe, expect, it } from 'vitest';
import { computeLiveness, computeReadiness, type ReadinessInput } from '../../src/admin/probes.js';

describe('computeLiveness', () => {
  const base = { nowMs: 100_000, startedAtMs: 0, lastPassAtMs: 90_000, intervalMs: 10_000, stopping: false };

  it('is ok while a pass ended within max(3 intervals, 60 s)', () => {
    expect(computeLiveness(base).ok).toBe(true);
    expect(computeLiveness({ ...base, lastPassAtMs: 40_000 }).ok).toBe(true);
  });

  it('is not ok when no pass ended for longer, naming the time and the limit', () => {
    expect(computeLiveness({ ...base, lastPassAtMs: 39_000 })).toEqual({
      ok: false,
      reasons: ['no reconcile pass ended for 61 s (limit 60 s)'],
    });
  });

  it('scales the limit with a long reconcile interval', () => {
    // 60 s interval: the limit is 180 s.
    expect(computeLiveness({ ...base, intervalMs: 60_000, nowMs: 300_000, lastPassAtMs: 120_000 }).ok).toBe(
      true,
    );
    expect(computeLiveness({ ...base, intervalMs: 60_000, nowMs: 300_000, lastPassAtMs: 119_000 }).ok).toBe(
      false,
    );
  });

  it('counts from start while the first pass has not ended', () => {
    expect(computeLiveness({ ...base, lastPassAtMs: undefined, nowMs: 61_000 }).reasons).toEqual([
      'the first reconcile pass has not ended for 61 s (limit 60 s)',
    ]);
  });

  it('stays ok during shutdown, when no more passes are due', () => {
    expect(computeLiveness({ ...base, lastPassAtMs: 0, stopping: true }).ok).toBe(true);
  });
});

describe('computeReadiness', () => {
  const bgp: ReadinessInput = {
    mode: 'bgp',
    firstPassDone: true,
    stopping: false,
    peersConfigured: 2,
    speakerRunning: true,
    peerStates: ['active', 'established'],
  };

  it('is ready in mode bgp once one configured peer is Established', () => {
    expect(computeReadiness(bgp)).toEqual({ ok: true, reasons: [] });
  });

  it('is not ready with no Established session, or no speaker', () => {
    expect(computeReadiness({ ...bgp, peerStates: ['active', 'openSent'] }).reasons).toEqual([
      'no BGP session is Established (0 of 2)',
    ]);
    expect(computeReadiness({ ...bgp, speakerRunning: false, peerStates: [] }).reasons).toEqual([
      'the BGP speaker is not running',
    ]);
  });

  it('is not ready before the first pass or while shutting down', () => {
    expect(computeReadiness({ ...bgp, firstPassDone: false }).reasons).toEqual([
      'the first reconcile pass has not ended',
    ]);
    expect(computeReadiness({ ...bgp, stopping: true }).reasons).toEqual(['shutting down']);
  });

  it('needs only the first pass in table mode (BIRD or FRR announces)', () => {
    expect(
      computeReadiness({ ...bgp, mode: 'table', peersConfigured: 0, speakerRunning: false, peerStates: [] }),
    ).toEqual({ ok: true, reasons: [] });
  });
});
