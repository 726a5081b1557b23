import { describe, expect, it } from 'vitest';
import { PrefixMap } from '../../src/rib/prefix-map.js';
import { ipv4Prefix, parsePrefix } from '../../src/wire/prefix.js';
import { routeName } from '../support/received-updates.js';

describe('PrefixMap', () => {
  it('tells apart one address at different lengths, path ids and families', () => {
    const m = new PrefixMap<string>();
    const keys = [
      '10.0.0.0/8',
      '10.0.0.0/16',
      '0.0.0.0/0',
      '255.255.255.255/32',
      '200.1.0.0/16',
      '::/0',
      'fd00::/8',
    ];
    for (const k of keys) m.set(parsePrefix(k), k);
    m.set(parsePrefix('10.0.0.0/8', 1), '10.0.0.0/8#1');
    m.set(parsePrefix('10.0.0.0/8', 0), '10.0.0.0/8#0');
    for (const k of keys) expect(m.get(parsePrefix(k))).toBe(k);
    expect(m.get(parsePrefix('10.0.0.0/8', 1))).toBe('10.0.0.0/8#1');
    expect(m.get(parsePrefix('10.0.0.0/8', 0))).toBe('10.0.0.0/8#0');
    expect(m.get(parsePrefix('10.0.0.0/24'))).toBeUndefined();
    expect([m.size, m.count(1), m.count(2)]).toEqual([9, 7, 2]);
  });

  it('counts an existing prefix set again once', () => {
    const m = new PrefixMap<number>();
    m.set(parsePrefix('10.0.0.0/8'), 1).set(parsePrefix('10.0.0.0/8'), 2);
    m.set(parsePrefix('fd00::/8'), 1).set(parsePrefix('fd00::/8'), 2);
    expect([m.size, m.get(parsePrefix('10.0.0.0/8')), m.get(parsePrefix('fd00::/8'))]).toEqual([2, 2, 2]);
    expect(m.delete(parsePrefix('10.0.0.0/8'))).toBe(true);
    expect(m.delete(parsePrefix('10.0.0.0/8'))).toBe(false);
    expect([m.size, m.has(parsePrefix('fd00::/8')), m.has(parsePrefix('10.0.0.0/8'))]).toEqual([
      1,
      true,
      false,
    ]);
  });

  it('gives back equal prefixes when iterating, addresses with the top bit set included', () => {
    const m = new PrefixMap<number>();
    const ps = [
      ipv4Prefix(0xfffffffe, 31),
      ipv4Prefix(0x80000000, 1),
      parsePrefix('10.250.0.1/32', 7),
      parsePrefix('fd00:250::/64'),
    ];
    ps.forEach((p, i) => {
      m.set(p, i);
    });
    expect([...m.entries()].sort((a, b) => a[1] - b[1])).toEqual(ps.map((p, i) => [p, i]));
    expect([...m.entries(2)].map(([p]) => routeName(p))).toEqual(['fd00:250::/64']);
    expect([...m.values(1)].sort()).toEqual([0, 1, 2]);
  });

  it('allows deleting while iterating', () => {
    const m = new PrefixMap<number>();
    for (let i = 0; i < 100; i++) m.set(ipv4Prefix(0x0afa0000 + i, 32), i);
    for (const [p, v] of m.entries()) if (v % 2 === 0) m.delete(p);
    expect(m.size).toBe(50);
    m.clear();
    expect([m.size, [...m.values()]]).toEqual([0, []]);
  });
});
