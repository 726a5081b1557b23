import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBound, pickNode, placeBalanced } from '../../src/desired/placement.js';

const services = (n: number, prefix = 'default/svc-'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const nodeName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const request = (keys: readonly string[], nodes: readonly string[]) =>
  keys.map((key) => ({ key, eligible: nodes }));
const counts = (m: Map<string, string>): number[] => {
  const c = new Map<string, number>();
  for (const n of m.values()) c.set(n, (c.get(n) ?? 0) + 1);
  return [...c.values()];
};

describe('rendezvous placement (single announcer)', () => {
  it('300 Services over 3 nodes: the busiest node holds at most 1.2 × the average, whatever the names', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(nodeName, { minLength: 3, maxLength: 3 }),
        fc.string({ maxLength: 8 }),
        (nodes, ns) => {
          const placed = placeBalanced(request(services(300, `${ns}/svc-`), nodes), nodes.length);
          expect(placed.size).toBe(300);
          expect(Math.max(...counts(placed))).toBeLessThanOrEqual(120);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('plain rendezvous hashing: when a node leaves, only the Services it held move', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(nodeName, { minLength: 2, maxLength: 6 }),
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 200 }),
        fc.nat(),
        (nodes, keys, pick) => {
          const gone = nodes[pick % nodes.length] as string;
          const rest = nodes.filter((n) => n !== gone);
          for (const k of keys) {
            const before = pickNode(k, nodes);
            if (before !== gone) expect(pickNode(k, rest)).toBe(before);
          }
        },
      ),
    );
  });

  it('balanced placement: when a node leaves and the load bound binds neither before nor after, only its Services move', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(nodeName, { minLength: 3, maxLength: 5 }),
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        (nodes, n, pick) => {
          const keys = services(n);
          const gone = nodes[pick % nodes.length] as string;
          const rest = nodes.filter((x) => x !== gone);
          const before = placeBalanced(request(keys, nodes), nodes.length);
          const after = placeBalanced(request(keys, rest), rest.length);
          // The bound binds when some Service is off its plain rendezvous winner.
          fc.pre(
            keys.every((k) => before.get(k) === pickNode(k, nodes) && after.get(k) === pickNode(k, rest)),
          );
          for (const k of keys) if (before.get(k) !== gone) expect(after.get(k)).toBe(before.get(k));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('300 Services over 3 nodes, one leaves: the moved Services are (nearly all) the ones it held', () => {
    const nodes = ['node1', 'node2', 'node3'];
    const keys = services(300);
    const before = placeBalanced(request(keys, nodes), 3);
    const after = placeBalanced(request(keys, ['node1', 'node2']), 2);
    const moved = keys.filter((k) => before.get(k) !== after.get(k));
    const held = keys.filter((k) => before.get(k) === 'node3');
    expect(moved).toEqual(held);
  });

  it('the same set of requests in any order gives the same placement', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(services(50), { minLength: 50 }), (keys) => {
        const nodes = ['a', 'b', 'c'];
        expect(placeBalanced(request(keys, nodes), 3)).toEqual(
          placeBalanced(request(services(50), nodes), 3),
        );
      }),
      { numRuns: 20 },
    );
  });

  it('a preferred node takes the Service while eligible; otherwise rendezvous decides (fail-back is the next pass)', () => {
    const r = { key: 'default/web', eligible: ['a', 'b', 'c'], preferred: 'c' };
    expect(placeBalanced([r], 3).get('default/web')).toBe('c');
    const without = placeBalanced([{ ...r, eligible: ['a', 'b'] }], 2).get('default/web');
    expect(['a', 'b']).toContain(without);
    expect(placeBalanced([r], 3).get('default/web')).toBe('c');
  });

  it('a Service only lands on its eligible nodes, even over the bound; none eligible, none placed', () => {
    const placed = placeBalanced([...request(services(10), ['a']), { key: 'x/none', eligible: [] }], 3);
    expect(new Set(placed.values())).toEqual(new Set(['a']));
    expect(placed.has('x/none')).toBe(false);
  });

  it('the bound is ⌊1.2 × average⌋ but never below ⌈average⌉', () => {
    expect(loadBound(300, 3)).toBe(120);
    expect(loadBound(1, 3)).toBe(1);
    expect(loadBound(5, 2)).toBe(3);
    expect(loadBound(5, 0)).toBe(0);
  });
});
