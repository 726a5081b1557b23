import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ipv4SlotTable } from '../../src/rib/ipv4-slot-table.js';
import { PrefixIndex } from '../../src/rib/prefix-index.js';
import { ipv4Prefix, type Prefix, parsePrefix } from '../../src/wire/prefix.js';
import { routeName } from '../support/received-updates.js';

/**
 * PrefixIndex (open addressing per IPv4 prefix length, tombstones, rebuilds) against
 * a Map. Keys collide on purpose: a few hundred /32s and /24s in two nearby blocks, so
 * tables grow, fill with tombstones and are rebuilt; plus ADD-PATH and IPv6 entries.
 */
const keyArb: fc.Arbitrary<Prefix> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(255).map((i) => ipv4Prefix(0x0afa0000 + i, 32)) },
  { weight: 2, arbitrary: fc.nat(63).map((i) => ipv4Prefix(0x0afa0000 + (i << 8), 24)) },
  { weight: 1, arbitrary: fc.constantFrom(ipv4Prefix(0, 0), ipv4Prefix(0x0a000000, 8)) },
  { weight: 1, arbitrary: fc.nat(3).map((id) => parsePrefix('10.250.0.0/24', id)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...['fd00:250::/64', 'fd00:250::1/128', '::/0'].map((t) => parsePrefix(t))),
  },
);

type Op =
  | { kind: 'set'; key: Prefix; value: number }
  | { kind: 'delete'; key: Prefix }
  | { kind: 'clear'; afi: 1 | 2 | undefined };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({ kind: fc.constant('set' as const), key: keyArb, value: fc.nat(1000) }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('clear' as const),
      afi: fc.constantFrom<1 | 2 | undefined>(1, 2, undefined),
    }),
  },
);

describe('PrefixIndex against a Map', () => {
  it('gets, sets (returning the value replaced), deletes, clears and iterates like a Map', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const index = new PrefixIndex();
        const model = new Map<string, { prefix: Prefix; value: number }>();
        for (const op of ops) {
          const name = op.kind === 'clear' ? '' : routeName(op.key);
          switch (op.kind) {
            case 'set':
              expect(index.set(op.key, op.value)).toBe(model.get(name)?.value ?? -1);
              model.set(name, { prefix: op.key, value: op.value });
              break;
            case 'delete':
              expect(index.delete(op.key)).toBe(model.get(name)?.value ?? -1);
              model.delete(name);
              break;
            case 'clear':
              index.clear(op.afi);
              for (const [k, e] of model)
                if (op.afi === undefined || e.prefix.afi === op.afi) model.delete(k);
              break;
          }
          if (op.kind !== 'clear') expect(index.get(op.key)).toBe(model.get(name)?.value ?? -1);
        }
        const count = (afi: number) => [...model.values()].filter((e) => e.prefix.afi === afi).length;
        expect([index.count(1), index.count(2), index.size]).toEqual([count(1), count(2), model.size]);
        const held = [...index.entries()].map(([p, v]) => `${routeName(p)}=${v}`);
        expect(held.sort()).toEqual([...model].map(([k, e]) => `${k}=${e.value}`).sort());
        for (const afi of [1, 2] as const) {
          expect([...index.entries(afi)].every(([p]) => p.afi === afi)).toBe(true);
        }
        for (const e of model.values()) expect(index.get(e.prefix)).toBe(e.value);
      }),
      { numRuns: 100 },
    );
  });

  it('allows deleting entries while iterating, as a sweep does', () => {
    const index = new PrefixIndex();
    for (let i = 0; i < 5000; i++) index.set(ipv4Prefix(0x64400000 + i, 32), i);
    for (const [p, v] of index.entries()) if (v % 2 === 0) index.delete(p);
    expect(index.size).toBe(2500);
    expect([...index.entries()].every(([, v]) => v % 2 === 1)).toBe(true);
  });

  it('keeps 50,000 /32s through growth, deletion of half and reinsertion', () => {
    const index = new PrefixIndex();
    const n = 50_000;
    let fresh = 0;
    for (let i = 0; i < n; i++) if (index.set(ipv4Prefix(0x64400000 + i, 32), i & 0xffff) === -1) fresh++;
    expect(fresh).toBe(n);
    for (let i = 0; i < n; i += 2) index.delete(ipv4Prefix(0x64400000 + i, 32));
    for (let i = 0; i < n; i += 4) index.set(ipv4Prefix(0x64400000 + i, 32), 7);
    expect(index.count(1)).toBe(n / 2 + n / 4);
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const want = i % 4 === 0 ? 7 : i % 2 === 0 ? -1 : i & 0xffff;
      if (index.get(ipv4Prefix(0x64400000 + i, 32)) !== want) bad++;
    }
    expect(bad).toBe(0);
  });

  it('reserve presizes per prefix length: a table of that size loads without a rebuild, and nothing is lost', () => {
    const t = new Ipv4SlotTable(32);
    expect(t.reserve(10_000)).toBe(true);
    expect(t.reserve(10_000)).toBe(false);
    const rebuilds = t.rebuilds;
    for (let i = 0; i < 10_000; i++) t.set(0x64400000 + i, i + 1);
    expect(t.rebuilds).toBe(rebuilds);

    const index = new PrefixIndex();
    for (let i = 0; i < 100; i++) index.set(ipv4Prefix(0x0a000000 + i, 32), i);
    index.set(ipv4Prefix(0x0a000000, 24), 500);
    const counts = index.ipv4Lengths();
    expect(counts[32]).toBe(100);
    expect(counts[24]).toBe(1);
    // Growing a table that holds entries keeps them, and a walk taken before starts again rather than missing any.
    const walk = index.walk([1]);
    const seen = new Set<string>();
    walk.next(10, (p) => seen.add(routeName(p)));
    index.reserve(Array.from({ length: 33 }, (_, length) => (length === 32 ? 50_000 : 0)));
    while (walk.next(10, (p) => seen.add(routeName(p)))) {}
    expect(seen.size).toBe(101);
    for (let i = 0; i < 100; i++) expect(index.get(ipv4Prefix(0x0a000000 + i, 32))).toBe(i);
    expect(index.get(ipv4Prefix(0x0a000000, 24))).toBe(500);
    expect(index.size).toBe(101);
  });
});
