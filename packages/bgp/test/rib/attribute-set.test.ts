import { describe, expect, it } from 'vitest';
import { AttributeSetTable } from '../../src/rib/attribute-set.js';
import { attributeCode } from '../../src/wire/attributes/index.js';
import type { PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import { hex } from '../support/bytes.js';
import { codeOf } from '../support/error-code.js';

const origin: PathAttribute = { kind: 'origin', value: 0 };
const asPath: PathAttribute = { kind: 'asPath', segments: [{ type: 'sequence', asns: [65001, 65002] }] };
const med: PathAttribute = { kind: 'med', value: 50 };

describe('AttributeSetTable', () => {
  it('interns equal attribute lists to one set, whatever the attribute or property order', () => {
    const table = new AttributeSetTable();
    const a = table.intern([origin, asPath, med]);
    const b = table.intern([
      { value: 50, kind: 'med' },
      { segments: [{ asns: [65001, 65002], type: 'sequence' }], kind: 'asPath' },
      { kind: 'origin', value: 0 },
    ]);
    expect(b).toBe(a);
    expect(table.size).toBe(1);
    expect(a.refCount).toBe(2);
  });

  it('keeps attributes in ascending type-code order, as a sender SHOULD send them (RFC 4271 §5)', () => {
    const set = new AttributeSetTable().intern([
      { kind: 'largeCommunities', values: [[65000, 1, 2]] },
      med,
      origin,
      { kind: 'unknown', code: 99, flags: 0xc0, value: hex('01') },
      asPath,
    ]);
    expect(set.attributes.map(attributeCode)).toEqual([1, 2, 4, 32, 99]);
    expect(Object.isFrozen(set.attributes)).toBe(true);
  });

  it('tells sets apart by every value, and by explicit flags, which change the bytes sent', () => {
    const table = new AttributeSetTable();
    const keys = new Set(
      [
        [origin],
        [{ kind: 'origin', value: 2 }],
        [{ kind: 'origin', value: 0, flags: 0x50 }],
        [{ kind: 'origin', value: 0, flags: 0xc0 }],
        [{ kind: 'asPath', segments: [{ type: 'set', asns: [65001, 65002] }] }],
        [
          {
            kind: 'asPath',
            segments: [
              { type: 'sequence', asns: [65001] },
              { type: 'sequence', asns: [65002] },
            ],
          },
        ],
        [{ kind: 'communities', values: [1, 2] }],
        [{ kind: 'communities', values: [2, 1] }],
        [{ kind: 'extendedCommunities', values: [hex('0002fde800000001')] }],
        [{ kind: 'unknown', code: 99, flags: 0xc0, value: hex('01') }],
        [{ kind: 'unknown', code: 99, flags: 0xc0, value: hex('0100') }],
        [],
      ].map((attrs) => table.intern(attrs as PathAttribute[]).key),
    );
    expect(keys.size).toBe(12);
  });

  it('treats an attribute without flags as carrying its canonical ones (ORIGIN: well-known transitive, 0x40)', () => {
    const table = new AttributeSetTable();
    expect(table.intern([{ kind: 'origin', value: 0, flags: 0x40 }])).toBe(table.intern([origin]));
  });

  it('drops a set from its table when its last reference is released', () => {
    const table = new AttributeSetTable();
    const a = table.intern([origin]);
    a.retain();
    a.release();
    expect(table.get(a.key)).toBe(a);
    a.release();
    expect(a.refCount).toBe(0);
    expect(table.size).toBe(0);
    const b = table.intern([origin]);
    expect(b).not.toBe(a);
    expect(b.key).toBe(a.key);
  });

  it('refuses a release without a matching reference', () => {
    const a = new AttributeSetTable().intern([origin]);
    a.release();
    expect(codeOf(() => a.release())).toBe('ANYVIP_ATTRIBUTE_SET_RELEASED');
  });

  it('refuses NEXT_HOP, MP_REACH_NLRI and MP_UNREACH_NLRI, which belong to each route', () => {
    const table = new AttributeSetTable();
    expect(codeOf(() => table.intern([origin, { kind: 'nextHop', address: '10.250.0.1' }]))).toBe(
      'ANYVIP_ATTRIBUTE_NOT_IN_SET',
    );
    expect(
      codeOf(() => table.intern([{ kind: 'mpReach', afi: 2, safi: 1, nextHops: ['fd00:250::1'], nlri: [] }])),
    ).toBe('ANYVIP_ATTRIBUTE_NOT_IN_SET');
    expect(codeOf(() => table.intern([{ kind: 'mpUnreach', afi: 2, safi: 1, withdrawn: [] }]))).toBe(
      'ANYVIP_ATTRIBUTE_NOT_IN_SET',
    );
    expect(table.size).toBe(0);
  });

  it('refuses one attribute type twice (RFC 4271 §5: each attribute at most once)', () => {
    expect(codeOf(() => new AttributeSetTable().intern([med, { kind: 'med', value: 7 }]))).toBe(
      'ANYVIP_DUPLICATE_ATTRIBUTE',
    );
  });
});
