import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, diffKeyed, isEmptyDiff, sameData } from '../../src/reconcile/diff.js';

describe('diffKeyed', () => {
  it('adds what only desired has, removes what only applied has, changes what differs', () => {
    const desired = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const applied = new Map([
      ['b', 2],
      ['c', 30],
      ['d', 4],
    ]);
    const d = diffKeyed(desired, applied);
    expect([...d.add]).toEqual([['a', 1]]);
    expect([...d.remove]).toEqual([['d', 4]]);
    expect([...d.change]).toEqual([['c', { from: 30, to: 3 }]]);
    expect(d.unchanged).toBe(1);
    expect(isEmptyDiff(d)).toBe(false);
  });

  it('is empty when both sides are equal: reconcile again, nothing changes', () => {
    const m = new Map([['10.250.255.1/32', { communities: ['65000:100'] }]]);
    const copy = new Map([['10.250.255.1/32', { communities: ['65000:100'] }]]);
    expect(isEmptyDiff(diffKeyed(m, copy, sameData))).toBe(true);
  });
});

describe('sameData / canonicalJson', () => {
  it('ignores key order and undefined fields', () => {
    expect(sameData({ a: 1, b: undefined, c: [1, 2] }, { c: [1, 2], a: 1 })).toBe(true);
    expect(sameData({ a: 1 }, { a: 2 })).toBe(false);
  });

  it('compares regular expressions by source and flags, and maps by entries', () => {
    expect(sameData(/ok/i, /ok/i)).toBe(true);
    expect(sameData(/ok/i, /ok/)).toBe(false);
    expect(
      canonicalJson(
        new Map([
          ['b', 1],
          ['a', 2],
        ]),
      ),
    ).toBe('[["a",2],["b",1]]');
  });

  it('answers exactly as comparing canonical JSON does (its fast path for plain data included)', () => {
    const value = fc.anything({
      withNullPrototype: true,
      withSparseArray: true,
      withBoxedValues: true,
      withDate: true,
    });
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameData(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
        expect(sameData(a, a)).toBe(true);
      }),
    );
    // Equal plain data built apart (keys in another order, undefined fields added): the fast path.
    const reordered = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(reordered);
      if (v === null || typeof v !== 'object') return v;
      const out: Record<string, unknown> = { extra: undefined };
      for (const k of Object.keys(v).reverse()) out[k] = reordered((v as Record<string, unknown>)[k]);
      return out;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (a) => {
        expect(sameData(a, reordered(a))).toBe(true);
      }),
    );
  });
});
