import { describe, expect, it } from 'vitest';
import type { FabricObject, PoolSpec } from '../../src/desired/fabric.js';
import { mergePools, withPoolUsage } from '../../src/desired/fabric-pools.js';
import { parsePools } from '../../src/desired/ipam.js';
import { type LabelSelector, matchesSelector } from '../../src/desired/label-selector.js';

function pool(name: string, spec: PoolSpec): FabricObject<PoolSpec> {
  return { name, uid: `u-${name}`, generation: 3, labels: {}, spec };
}

describe('mergePools: AnyvipPool objects beside the pools ConfigMap', () => {
  const configMap = parsePools({ blue: '10.250.255.0/30', green: '10.250.254.0/30' }).pools;

  it('merges by name; a name in both: the AnyvipPool wins, with a warning on its condition', () => {
    const merged = mergePools(
      configMap,
      [
        pool('blue', { addresses: ['10.250.253.0/30'] }),
        pool('red', { addresses: ['10.250.252.1-10.250.252.4', 'fd00:250::/126'], autoAssign: false }),
      ],
      new Map(),
    );
    expect(merged.pools.map((p) => `${p.name} ${p.ranges.map((r) => r.text).join(',')}`)).toEqual([
      'blue 10.250.253.0/30',
      'green 10.250.254.0/30',
      'red 10.250.252.1-10.250.252.4,fd00:250::/126',
    ]);
    expect(merged.pools.find((p) => p.name === 'red')?.autoAssign).toBe(false);
    expect(merged.conditions[0]).toMatchObject({ name: 'blue', accepted: true });
    expect(merged.conditions[0]?.warning).toContain('AnyvipPool wins');
  });

  it('refuses a pool with one bad range whole (never half of it), with observedGeneration', () => {
    const merged = mergePools(
      configMap,
      [pool('bad', { addresses: ['10.250.251.0/30', '10.250.300.0/24'] })],
      new Map(),
    );
    expect(merged.pools.map((p) => p.name)).toEqual(['blue', 'green']);
    expect(merged.conditions[0]).toMatchObject({ accepted: false, reason: 'InvalidAddress', generation: 3 });
  });

  it('counts each accepted AnyvipPool’s assigned and available addresses (IPv6 sizes as text)', () => {
    const merged = mergePools(
      [],
      [pool('v4', { addresses: ['10.250.250.0/30'] }), pool('v6', { addresses: ['fd00:250::/64'] })],
      new Map(),
    );
    const usage = withPoolUsage(merged.conditions, merged.pools, () => [
      '10.250.250.1',
      '10.250.250.1',
      'fd00:250::5',
    ]);
    expect(usage.map((c) => [c.name, c.usage])).toEqual([
      ['v4', { assigned: 1, available: '3' }],
      ['v6', { assigned: 1, available: '18446744073709551615' }],
    ]);
  });

  it('carries serviceAllocation into the pool', () => {
    const merged = mergePools(
      [],
      [
        pool('team', {
          addresses: ['10.250.250.0/30'],
          serviceAllocation: { namespaces: ['prod'], serviceSelector: { matchLabels: { tier: 'edge' } } },
        }),
      ],
      new Map(),
    );
    expect(merged.pools[0]).toMatchObject({
      namespaces: ['prod'],
      serviceSelector: { matchLabels: { tier: 'edge' } },
    });
  });
});

describe('matchesSelector (meta/v1 LabelSelector)', () => {
  it('absent and empty select everything; terms are ANDed; an unknown operator selects nothing', () => {
    expect(matchesSelector(undefined, {})).toBe(true);
    expect(matchesSelector({}, { a: '1' })).toBe(true);
    const s: LabelSelector = {
      matchLabels: { rack: 'a' },
      matchExpressions: [
        { key: 'zone', operator: 'In', values: ['z1', 'z2'] },
        { key: 'drain', operator: 'DoesNotExist' },
      ],
    };
    expect(matchesSelector(s, { rack: 'a', zone: 'z2' })).toBe(true);
    expect(matchesSelector(s, { rack: 'a', zone: 'z3' })).toBe(false);
    expect(matchesSelector(s, { rack: 'a', zone: 'z1', drain: '' })).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['1'] }] }, {})).toBe(
      true,
    );
    // An operator the schema refuses, should one get through anyway.
    const gt = {
      matchExpressions: [{ key: 'x', operator: 'Gt', values: ['1'] }],
    } as unknown as LabelSelector;
    expect(matchesSelector(gt, { x: '2' })).toBe(false);
  });
});
