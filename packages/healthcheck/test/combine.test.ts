import { describe, expect, it } from 'vitest';
import { type CombinePolicy, combineResults, type NamedResult, validateCombine } from '../src/combine.js';
import { HealthError } from '../src/errors.js';

const r = (probe: string, ok: boolean): NamedResult => ({ probe, ok, reason: ok ? 'HTTP 200' : 'HTTP 503' });

describe('combining probe results for one VIP', () => {
  it.each<[string, CombinePolicy, boolean[], boolean]>([
    ['all passes when every probe passes', { kind: 'all' }, [true, true, true], true],
    ['all fails when one probe fails', { kind: 'all' }, [true, false, true], false],
    ['any passes when one probe passes', { kind: 'any' }, [false, true, false], true],
    ['any fails when every probe fails', { kind: 'any' }, [false, false], false],
    ['quorum 2 of 3 passes with 2', { kind: 'quorum', min: 2 }, [true, false, true], true],
    ['quorum 2 of 3 fails with 1', { kind: 'quorum', min: 2 }, [false, false, true], false],
    ['quorum 3 of 3 is all', { kind: 'quorum', min: 3 }, [true, true, false], false],
    ['quorum 1 of 3 is any', { kind: 'quorum', min: 1 }, [false, false, true], true],
  ])('%s', (_name, policy, oks, expected) => {
    const verdict = combineResults(
      policy,
      oks.map((ok, i) => r(`p${i}`, ok)),
    );
    expect(verdict.ok).toBe(expected);
    expect(verdict.passed).toBe(oks.filter(Boolean).length);
    expect(verdict.total).toBe(oks.length);
  });

  it('gives the failing probes as reasons, with the quorum arithmetic first', () => {
    const v = combineResults({ kind: 'quorum', min: 2 }, [r('a', true), r('b', false), r('c', false)]);
    expect(v.reasons).toEqual(['1 of 3 probes passed, 2 needed', 'b: HTTP 503', 'c: HTTP 503']);
    expect(combineResults({ kind: 'all' }, [r('a', true), r('b', false)]).reasons).toEqual(['b: HTTP 503']);
  });

  it('gives the passing probes as reasons on success', () => {
    expect(combineResults({ kind: 'any' }, [r('a', false), r('b', true)]).reasons).toEqual(['b: HTTP 200']);
  });

  it('refuses a quorum outside 1..n and a check without probes (ANYVIP_HEALTH_BAD_CONFIG)', () => {
    for (const [policy, n] of [
      [{ kind: 'quorum', min: 0 }, 3],
      [{ kind: 'quorum', min: 4 }, 3],
      [{ kind: 'quorum', min: 1.5 }, 3],
      [{ kind: 'all' }, 0],
    ] as const) {
      expect(() => validateCombine(policy, n)).toThrow(HealthError);
    }
    try {
      validateCombine({ kind: 'quorum', min: 4 }, 3);
    } catch (e) {
      expect((e as HealthError).code).toBe('ANYVIP_HEALTH_BAD_CONFIG');
      expect((e as HealthError).path).toBe('combine');
    }
  });
});
