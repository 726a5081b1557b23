import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/duration.js';
import { HealthError } from '../src/errors.js';

describe('durations in configuration ("100ms", "2s")', () => {
  it.each([
    ['100ms', 100],
    ['2s', 2000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['1s500ms', 1500],
    [' 3s ', 3000],
    ['0', 0],
  ] as const)('parses %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('takes a number as milliseconds', () => {
    expect(parseDuration(250)).toBe(250);
  });

  it.each(['', '100', '-1s', '2x', 's', '1 s', '1s2', 'NaN', '1e3ms'])(
    'refuses %j with ANYVIP_HEALTH_BAD_DURATION',
    (text) => {
      expect(() => parseDuration(text, 'check.interval')).toThrow(HealthError);
      try {
        parseDuration(text, 'check.interval');
      } catch (e) {
        expect((e as HealthError).code).toBe('ANYVIP_HEALTH_BAD_DURATION');
        expect((e as HealthError).path).toBe('check.interval');
      }
    },
  );

  it('refuses negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(HealthError);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(HealthError);
  });

  it('formats compactly', () => {
    expect([100, 1000, 1500, 60_000, 90_000, 0.25].map(formatDuration)).toEqual([
      '100ms',
      '1s',
      '1.5s',
      '1m',
      '90s',
      '0.25ms',
    ]);
  });
});
