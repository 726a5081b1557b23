import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodeUnits } from '../../src/desired/code-unit-order.js';
import { canonicalJson } from '../../src/reconcile/diff.js';

describe('compareCodeUnits: one string order on every node, whatever its locale', () => {
  it('orders by UTF-16 code units, not by collation: capitals first, digits as characters, accents after z', () => {
    const names = ['b', 'a10', 'é', 'B', 'a9', 'z', 'A', '_x', 'Z'];
    expect([...names].sort(compareCodeUnits)).toEqual(['A', 'B', 'Z', '_x', 'a10', 'a9', 'b', 'z', 'é']);
  });

  it('agrees with Array#sort() without a comparator (the order used elsewhere in the controller)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (xs) => {
        expect([...xs].sort(compareCodeUnits)).toEqual([...xs].sort());
      }),
    );
  });

  it('is a total order: antisymmetric, zero only for equal strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(compareCodeUnits(a, b)) + Math.sign(compareCodeUnits(b, a))).toBe(0);
        expect(compareCodeUnits(a, b) === 0).toBe(a === b);
      }),
    );
  });

  it('sorts an absent value as the empty string', () => {
    expect(compareCodeUnits(undefined, '')).toBe(0);
    expect(compareCodeUnits(undefined, 'a')).toBeLessThan(0);
    expect(compareCodeUnits('a', undefined)).toBeGreaterThan(0);
  });

  it('canonicalJson writes Map entries in the same order', () => {
    const m = new Map([
      ['b', 1],
      ['B', 2],
      ['a', 3],
    ]);
    expect(canonicalJson(m)).toBe('[["B",2],["a",3],["b",1]]');
  });
});
