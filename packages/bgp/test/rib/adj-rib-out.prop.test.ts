import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdjRibIn } from '../../src/rib/adj-rib-in.js';
import { AdjRibOut } from '../../src/rib/adj-rib-out.js';
import { AttributeSetTable } from '../../src/rib/attribute-set.js';
import type { PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import { type CodecContext, makeContext } from '../../src/wire/context.js';
import { decodeMessage } from '../../src/wire/message.js';
import { type Prefix, parsePrefix } from '../../src/wire/prefix.js';
import { parseUpdate } from '../../src/wire/update.js';
import { routeName } from '../support/received-updates.js';

/** A small universe, so that random operations hit the same routes often. */
const V4 = [
  '0.0.0.0/0',
  '10.0.0.0/8',
  '10.250.0.0/16',
  '10.250.0.0/24',
  '10.250.1.0/24',
  '10.250.0.1/32',
  '10.250.0.2/32',
  '10.250.255.255/32',
];
const V6 = ['::/0', 'fd00:250::/64', 'fd00:250:0:1::/64', 'fd00:250::1/128', 'fd00:250::2/128'];
const NEXT_HOPS = { 1: ['10.250.0.254', '10.250.0.253'], 2: ['fd00:250::1', 'fd00:250::2'] } as const;

const BASE: PathAttribute[] = [
  { kind: 'origin', value: 0 },
  { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001, 4200000000] }] },
];
const SETS: PathAttribute[][] = [
  BASE,
  [...BASE, { kind: 'med', value: 100 }],
  [...BASE, { kind: 'communities', values: [0xfde80001] }],
];

type Op =
  | { kind: 'set'; route: number; set: number; nextHop: number }
  | { kind: 'withdraw'; route: number }
  | { kind: 'flush'; budget: number }
  | { kind: 'resendAll' };

const ROUTES = V4.length + V6.length;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      route: fc.nat(ROUTES * 2 - 1),
      set: fc.nat(SETS.length - 1),
      nextHop: fc.nat(1),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('withdraw' as const), route: fc.nat(ROUTES * 2 - 1) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('flush' as const),
      budget: fc.constantFrom(1, 2, 5, Number.POSITIVE_INFINITY),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'resendAll' as const }) },
);

/** Route `i`: a prefix of the universe, with path id 1 or 2 when ADD-PATH is on (else the two halves repeat). */
function routeOf(i: number, addPath: boolean): Prefix {
  const j = i % ROUTES;
  const text = j < V4.length ? V4[j]! : V6[j - V4.length]!;
  return parsePrefix(text, addPath ? 1 + Math.floor(i / ROUTES) : undefined);
}

function desired(rib: AdjRibOut): Map<string, string> {
  return new Map([...rib.routes()].map((r) => [routeName(r.prefix), `${r.nextHop} ${r.attributes.key}`]));
}

function received(rib: AdjRibIn): Map<string, string> {
  return new Map([...rib.routes()].map((r) => [routeName(r.prefix), `${r.nextHop} ${r.attributes.key}`]));
}

describe('AdjRibOut → UPDATEs → AdjRibIn (property)', () => {
  it('a receiver applying every flushed UPDATE ends with exactly the desired routes', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 80 }),
        fc.boolean(),
        fc.boolean(),
        (ops, addPath, useMpForIpv4) => {
          const ctx: CodecContext = makeContext({
            addPath: addPath
              ? [
                  [1, 1],
                  [2, 1],
                ]
              : [],
          });
          const table = new AttributeSetTable();
          const sets = SETS.map((attrs) => table.intern(attrs));
          const out = new AdjRibOut({
            ctx,
            families: [
              { afi: 1, safi: 1 },
              { afi: 2, safi: 1 },
            ],
            useMpForIpv4,
          });
          const peer = new AdjRibIn();
          // The desired state, kept independently of the RIB under test.
          const model = new Map<string, string>();
          const deliver = (msgs: Uint8Array[]): void => {
            for (const m of msgs) {
              const msg = decodeMessage(m, ctx);
              if (msg.kind !== 'update') throw new Error('not an UPDATE');
              const u = parseUpdate(msg, ctx);
              expect(u.issues).toEqual([]);
              peer.apply(u);
            }
          };
          for (const op of ops) {
            switch (op.kind) {
              case 'set': {
                const p = routeOf(op.route, addPath);
                const nextHop = NEXT_HOPS[p.afi][op.nextHop]!;
                out.set(p, sets[op.set]!, nextHop);
                model.set(routeName(p), `${nextHop} ${sets[op.set]!.key}`);
                break;
              }
              case 'withdraw':
                out.withdraw(routeOf(op.route, addPath));
                model.delete(routeName(routeOf(op.route, addPath)));
                break;
              case 'flush': {
                const msgs = out.flush(op.budget);
                expect(msgs.length).toBeLessThanOrEqual(op.budget);
                deliver(msgs);
                break;
              }
              case 'resendAll':
                out.resendAll();
                break;
            }
            expect(out.size).toBe(model.size);
          }
          expect(desired(out)).toEqual(model);
          while (out.hasPending) deliver(out.flush(3));
          expect(out.flush()).toEqual([]);
          expect(received(peer)).toEqual(model);
          expect(out.advertisedCount).toBe(out.size);
          expect(out.pendingCount).toBe(0);
          // Once every route is withdrawn, the RIB holds no attribute set: only the caller does.
          for (let i = 0; i < ROUTES * 2; i++) out.withdraw(routeOf(i, addPath));
          while (out.hasPending) deliver(out.flush(4));
          expect([out.size, out.advertisedCount, peer.count()]).toEqual([0, 0, 0]);
          for (const s of sets) expect(s.refCount).toBe(1);
          out.clear();
        },
      ),
      { numRuns: 300 },
    );
  });
});
