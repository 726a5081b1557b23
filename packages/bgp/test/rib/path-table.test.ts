import { describe, expect, it } from 'vitest';
import { AttributeSetTable } from '../../src/rib/attribute-set.js';
import { PathTable } from '../../src/rib/path-table.js';

const ORIGIN = { kind: 'origin', value: 0 } as const;

describe('PathTable (Adj-RIB-In paths, RFC 4271 §4.3, RFC 4724 §4.2)', () => {
  it('gives one path per (family, attribute set, next hop) and holds one reference to the set', () => {
    const table = new AttributeSetTable();
    const set = table.intern([ORIGIN]);
    const paths = new PathTable();
    const a = paths.intern(1, set, '10.250.0.254');
    expect(paths.intern(1, set, '10.250.0.254')).toBe(a);
    expect(paths.intern(1, set, '10.250.0.253')).not.toBe(a);
    expect(paths.intern(2, set, '10.250.0.254')).not.toBe(a);
    expect(set.refCount).toBe(4); // ours + three paths
    expect([paths.attributes(a), paths.nextHop(a)]).toEqual([set, '10.250.0.254']);
  });

  it('frees a path with its last route, reusing its index and releasing its set', () => {
    const table = new AttributeSetTable();
    const set = table.intern([ORIGIN]);
    const paths = new PathTable();
    const a = paths.intern(1, set, '10.250.0.254');
    paths.use(a);
    paths.use(a);
    set.release();
    paths.drop(a);
    expect(table.size).toBe(1);
    paths.drop(a);
    expect([paths.size, table.size]).toEqual([0, 0]);
    const other = table.intern([ORIGIN, { kind: 'med', value: 1 }]);
    expect(paths.intern(1, other, '10.250.0.254')).toBe(a);
  });

  it('frees a path interned for an UPDATE that added no route', () => {
    const table = new AttributeSetTable();
    const set = table.intern([ORIGIN]);
    const paths = new PathTable();
    paths.unused(paths.intern(1, set, '10.250.0.254'));
    expect(paths.size).toBe(0);
    expect(set.refCount).toBe(1);
  });

  it('starts a new epoch per family: old paths are stale, the same attributes get a fresh path', () => {
    const set = new AttributeSetTable().intern([ORIGIN]);
    const paths = new PathTable();
    const v4 = paths.intern(1, set, '10.250.0.254');
    const v6 = paths.intern(2, set, 'fd00:250::1');
    paths.use(v4);
    paths.use(v6);
    paths.newEpoch(1);
    expect([paths.isStale(v4), paths.isStale(v6)]).toEqual([true, false]);
    const again = paths.intern(1, set, '10.250.0.254');
    expect(again).not.toBe(v4);
    expect(paths.isStale(again)).toBe(false);
    expect(paths.sameRoute(v4, again)).toBe(true);
  });
});
