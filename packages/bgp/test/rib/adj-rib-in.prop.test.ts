import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdjRibIn } from '../../src/rib/adj-rib-in.js';
import { AttributeSetTable } from '../../src/rib/attribute-set.js';
import type { RouteChange } from '../../src/rib/route.js';
import type { PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import type { ErrorAction } from '../../src/wire/errors.js';
import { type Prefix, parsePrefix } from '../../src/wire/prefix.js';
import type { ParsedUpdate } from '../../src/wire/update.js';
import { routeName } from '../support/received-updates.js';

/**
 * The compact Adj-RIB-In (one path index per route, RFC 4724 stale marks by epoch)
 * against the plainest model: a Map from route name to { set, next hop, stale }.
 * A small universe of prefixes, ADD-PATH ids included, so that operations collide.
 */
const V4 = ['0.0.0.0/0', '10.250.0.0/16', '10.250.0.0/24', '10.250.0.1/32', '10.250.0.2/32'];
const V6 = ['::/0', 'fd00:250::/64', 'fd00:250::1/128'];
const PREFIXES: Prefix[] = [
  ...V4.map((t) => parsePrefix(t)),
  ...V4.slice(0, 2).map((t) => parsePrefix(t, 7)),
  ...V6.map((t) => parsePrefix(t)),
  parsePrefix('fd00:250::/64', 3),
];
const NEXT_HOPS = { 1: ['10.250.0.254', '10.250.0.253'], 2: ['fd00:250::1', 'fd00:250::2'] } as const;
const LOCAL_ASN = 65002;
const BASE: PathAttribute[] = [{ kind: 'origin', value: 0 }];
const SETS: PathAttribute[][] = [
  [...BASE, { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001] }] }],
  [...BASE, { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001] }] }, { kind: 'med', value: 5 }],
  [...BASE, { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001, LOCAL_ASN] }] }],
  [...BASE, { kind: 'asPath', segments: [{ type: 'set', asns: [LOCAL_ASN, 65001, LOCAL_ASN] }] }],
];
const FAMILIES = [
  { afi: 1, safi: 1 },
  { afi: 2, safi: 1 },
] as const;

type Op =
  | {
      kind: 'update';
      withdrawn: number[];
      announced: number[];
      set: number;
      nextHop: number;
      action: ErrorAction | undefined;
    }
  | { kind: 'markStale'; family: number }
  | { kind: 'sweepStale'; family: number }
  | { kind: 'clear'; family: number | undefined };

const indexes = fc.array(fc.nat(PREFIXES.length - 1), { maxLength: 6 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      withdrawn: indexes,
      announced: indexes,
      set: fc.nat(SETS.length - 1),
      nextHop: fc.nat(1),
      action: fc.constantFrom<ErrorAction | undefined>(undefined, undefined, undefined, 'treatAsWithdraw'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('markStale' as const), family: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sweepStale' as const), family: fc.nat(1) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('clear' as const),
      family: fc.option(fc.nat(1), { nil: undefined }),
    }),
  },
);

/** The UPDATE `op` stands for: IPv4 in the classic fields, IPv6 in MP_REACH / MP_UNREACH (RFC 4760). */
function toUpdate(op: Extract<Op, { kind: 'update' }>): ParsedUpdate {
  const w = op.withdrawn.map((i) => PREFIXES[i]!);
  const a = op.announced.map((i) => PREFIXES[i]!);
  const attributes: PathAttribute[] = [...SETS[op.set]!];
  const a4 = a.filter((p) => p.afi === 1);
  const a6 = a.filter((p) => p.afi === 2);
  const w6 = w.filter((p) => p.afi === 2);
  if (a4.length > 0) attributes.push({ kind: 'nextHop', address: NEXT_HOPS[1][op.nextHop]! });
  if (a6.length > 0)
    attributes.push({ kind: 'mpReach', afi: 2, safi: 1, nextHops: [NEXT_HOPS[2][op.nextHop]!], nlri: a6 });
  if (w6.length > 0) attributes.push({ kind: 'mpUnreach', afi: 2, safi: 1, withdrawn: w6 });
  return {
    withdrawn: w.filter((p) => p.afi === 1),
    attributes,
    nlri: a4,
    issues: [],
    action: op.action,
  };
}

interface ModelRoute {
  readonly set: number;
  readonly nextHop: string;
  stale: boolean;
}

/** Each set's canonical key, from a table of its own (kept referenced). */
const SET_KEYS = (() => {
  const t = new AttributeSetTable();
  return SETS.map((attributes) => t.intern(attributes).key);
})();

function setKey(set: number): string {
  return SET_KEYS[set]!;
}

function loops(set: number): boolean {
  // allowAsIn 1: refused when our AS appears twice or more (RFC 4271 §9.1.2).
  let n = 0;
  for (const a of SETS[set]!)
    if (a.kind === 'asPath') for (const s of a.segments) for (const x of s.asns) n += x === LOCAL_ASN ? 1 : 0;
  return n > 1;
}

function summary(changes: readonly RouteChange[]): string[] {
  return changes.map((c) => `${c.kind} ${routeName(c.route.prefix)} ${c.route.nextHop}`);
}

describe('AdjRibIn against a Map model (RFC 4271 §3.2, RFC 4724 §4.2, RFC 7606 §2)', () => {
  it('holds the same routes, reports the same changes and frees every attribute set it no longer uses', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const table = new AttributeSetTable();
        const rib = new AdjRibIn({ table, asPathLoop: { localAsn: LOCAL_ASN, allowAsIn: 1 } });
        const model = new Map<string, ModelRoute>();
        const byName = new Map(PREFIXES.map((p) => [routeName(p), p]));
        const afiOf = (name: string): number => byName.get(name)!.afi;

        for (const op of ops) {
          const expected: string[] = [];
          const remove = (p: Prefix): void => {
            const name = routeName(p);
            const old = model.get(name);
            if (old === undefined) return;
            model.delete(name);
            expected.push(`removed ${name} ${old.nextHop}`);
          };
          switch (op.kind) {
            case 'update': {
              const u = toUpdate(op);
              const announced = op.announced.map((i) => PREFIXES[i]!);
              // Classic fields before MP_REACH / MP_UNREACH NLRI, as AdjRibIn applies them.
              const classicFirst = (ps: Prefix[]) => [
                ...ps.filter((p) => p.afi === 1),
                ...ps.filter((p) => p.afi === 2),
              ];
              for (const p of classicFirst(op.withdrawn.map((i) => PREFIXES[i]!))) remove(p);
              const refuse = op.action !== undefined || loops(op.set);
              // Classic NLRI are announced before MP_REACH_NLRI, as AdjRibIn applies them.
              const ordered = [
                ...announced.filter((p) => p.afi === 1),
                ...announced.filter((p) => p.afi === 2),
              ];
              for (const p of ordered) {
                if (refuse) {
                  remove(p);
                  continue;
                }
                const name = routeName(p);
                const nextHop = NEXT_HOPS[p.afi][op.nextHop]!;
                const old = model.get(name);
                model.set(name, { set: op.set, nextHop, stale: false });
                if (old === undefined) expected.push(`added ${name} ${nextHop}`);
                else if (setKey(old.set) !== setKey(op.set) || old.nextHop !== nextHop)
                  expected.push(`replaced ${name} ${nextHop}`);
              }
              const r = rib.apply(u);
              expect(summary(r.changes)).toEqual(expected);
              expect(r.rejected !== undefined).toBe(
                op.action === undefined && loops(op.set) && announced.length > 0,
              );
              break;
            }
            case 'markStale': {
              const f = FAMILIES[op.family]!;
              for (const [name, r] of model) if (afiOf(name) === f.afi) r.stale = true;
              rib.markStale(f);
              break;
            }
            case 'sweepStale': {
              const f = FAMILIES[op.family]!;
              for (const [name, r] of model) {
                if (afiOf(name) === f.afi && r.stale) {
                  model.delete(name);
                  expected.push(`removed ${name} ${r.nextHop}`);
                }
              }
              expect(summary(rib.sweepStale(f)).sort()).toEqual(expected.sort());
              break;
            }
            case 'clear': {
              const f = op.family === undefined ? undefined : FAMILIES[op.family]!;
              for (const [name, r] of model) {
                if (f === undefined || afiOf(name) === f.afi) {
                  model.delete(name);
                  expected.push(`removed ${name} ${r.nextHop}`);
                }
              }
              expect(summary(rib.clear(f)).sort()).toEqual(expected.sort());
              break;
            }
          }

          // The whole state, after every operation.
          const held = [...rib.routes()].map(
            (r) => `${routeName(r.prefix)} ${r.nextHop} ${r.attributes.key} ${rib.isStale(r.prefix)}`,
          );
          const want = [...model].map(([name, r]) => `${name} ${r.nextHop} ${SET_KEYS[r.set]} ${r.stale}`);
          expect(held.sort()).toEqual(want.sort());
          for (const [name, r] of model) expect(rib.get(byName.get(name)!)?.nextHop).toBe(r.nextHop);
          const count = (afi: number) => [...model.keys()].filter((n) => afiOf(n) === afi).length;
          expect([rib.count(1), rib.count(2), rib.count()]).toEqual([count(1), count(2), model.size]);
          for (const f of FAMILIES) {
            const stale = [...model].filter(([n, r]) => afiOf(n) === f.afi && r.stale).length;
            expect(rib.staleCount(f)).toBe(stale);
          }
          // Reference counts: the table holds exactly the sets some route uses.
          const used = new Set([...model.values()].map((r) => setKey(r.set)));
          expect(table.size).toBe(used.size);
          // Paths are freed with their last route.
          expect(rib.pathCount).toBeLessThanOrEqual(model.size);
          if (model.size === 0) expect(rib.pathCount).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
