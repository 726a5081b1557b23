import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouteTable } from '../../src/rib/route-table.js';
import { buildRouteTemplate, type RouteTemplate } from '../../src/rib/route-template.js';
import { formatPrefix, ipv4Prefix, type Prefix, parsePrefix } from '../../src/wire/prefix.js';

const templates: RouteTemplate[] = [0, 1, 2].map((med) => buildRouteTemplate({ med }));

function walkAll(table: RouteTable, afis: (1 | 2)[] = [1, 2], slice = 7): string[] {
  const seen: string[] = [];
  const walk = table.walk(afis);
  while (walk.next(slice, (p, t) => seen.push(`${formatPrefix(p)}=${t.med}`))) {
    // keep walking
  }
  return seen;
}

describe('RouteTable (originated routes)', () => {
  it('sets, replaces, gets and deletes IPv4 and IPv6 routes, with reference counts per template', () => {
    const t = new RouteTable();
    const [a, b] = templates as [RouteTemplate, RouteTemplate];
    expect(t.set(parsePrefix('10.0.0.0/8'), a)).toBeUndefined();
    expect(t.set(parsePrefix('2001:db8::/32'), a)).toBeUndefined();
    expect(t.set(parsePrefix('0.0.0.0/0'), b)).toBeUndefined();
    expect(t.refs(a)).toBe(2);
    expect(t.set(parsePrefix('10.0.0.0/8'), b)).toBe(a);
    expect(t.refs(a)).toBe(1);
    expect(t.refs(b)).toBe(2);
    expect(t.get(parsePrefix('10.0.0.0/8'))).toBe(b);
    expect(t.get(parsePrefix('10.0.0.0/9'))).toBeUndefined();
    expect([t.count(1), t.count(2), t.size]).toEqual([2, 1, 3]);
    expect(t.delete(parsePrefix('2001:db8::/32'))).toBe(a);
    expect(t.refs(a)).toBe(0);
    expect(t.delete(parsePrefix('2001:db8::/32'))).toBeUndefined();
    expect(walkAll(t).sort()).toEqual(['0.0.0.0/0=1', '10.0.0.0/8=1']);
  });

  it('behaves like a Map under random sets and deletes (model check)', () => {
    const op = fc.record({
      del: fc.boolean(),
      v4: fc.integer({ min: 0, max: 63 }).map((i) => (0x0a000000 + i * 256) >>> 0),
      length: fc.constantFrom(24, 32),
      template: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const t = new RouteTable();
        const model = new Map<string, RouteTemplate>();
        for (const o of ops) {
          const p = ipv4Prefix(o.v4, o.length);
          const key = formatPrefix(p);
          if (o.del) {
            expect(t.delete(p)).toBe(model.get(key));
            model.delete(key);
          } else {
            expect(t.set(p, templates[o.template]!)).toBe(model.get(key));
            model.set(key, templates[o.template]!);
          }
        }
        expect(t.size).toBe(model.size);
        for (const [k, v] of model) expect(t.get(parsePrefix(k))).toBe(v);
        expect(walkAll(t).sort()).toEqual([...model].map(([k, v]) => `${k}=${v.med}`).sort());
        for (const tpl of templates)
          expect(t.refs(tpl)).toBe([...model.values()].filter((v) => v === tpl).length);
      }),
    );
  });

  it('a walk visits every route that existed when it started, even when the table grows meanwhile', () => {
    const t = new RouteTable();
    const [a] = templates as [RouteTemplate];
    for (let i = 0; i < 1000; i++) t.set(ipv4Prefix(0x0a000000 + i, 32), a);
    const seen = new Set<string>();
    const walk = t.walk([1]);
    let added = 0;
    while (
      walk.next(50, (p: Prefix) => {
        seen.add(formatPrefix(p));
      })
    ) {
      // Grow the table while walking (its slots move), for a while.
      if (added < 4000) for (let k = 0; k < 200; k++) t.set(ipv4Prefix(0x0b000000 + added++, 32), a);
    }
    for (let i = 0; i < 1000; i++) expect(seen.has(formatPrefix(ipv4Prefix(0x0a000000 + i, 32)))).toBe(true);
  });

  it('spreads /24s (low octet always zero) and /32s alike', () => {
    const t = new RouteTable();
    const [a] = templates as [RouteTemplate];
    for (let i = 0; i < 50_000; i++) t.set(ipv4Prefix((0x01000000 + i * 256) >>> 0, 24), a);
    for (let i = 0; i < 50_000; i++) t.set(ipv4Prefix(0x0a000000 + i, 32), a);
    expect(t.count(1)).toBe(100_000);
    expect(t.get(ipv4Prefix(0x01000000 + 49_999 * 256, 24))).toBe(a);
  });
});
