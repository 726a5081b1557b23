import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../src/iso-timestamp.js';

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
const FIRST = -62_167_219_200_000;
const LAST = 253_402_300_799_999;

describe('isoTimestamp', () => {
  it('is toISOString for every instant of years 0000 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST, max: LAST }), (ms) => {
        expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
    for (const ms of [FIRST, LAST, 0, -1, 1_764_900_000_000])
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });

  it('is toISOString outside them too: six-digit signed years, and a RangeError for no date', () => {
    expect(isoTimestamp(FIRST - 1)).toBe('-000001-12-31T23:59:59.999Z');
    expect(isoTimestamp(LAST + 1)).toBe('+010000-01-01T00:00:00.000Z');
    expect(() => isoTimestamp(Number.NaN)).toThrow(RangeError);
  });
});
