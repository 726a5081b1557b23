import { type IpRange, parseAddress, parseRange, rangeContains } from '../address/ip-range.js';
import { compareCodeUnits } from './code-unit-order.js';
import type { FabricCondition, FabricObject, PoolSpec } from './fabric.js';
import type { Pool } from './ipam.js';
import { checkWithLastGood, type LastGood, lastGoodKey, refused, type Verdict } from './last-good.js';

/**
 * AnyvipPool objects merged with the pools ConfigMap into the one pool list IPAM and the
 * allowed-range rule read (pure). A name in both: the AnyvipPool wins (its condition carries a
 * warning, told as a Warning Event). A pool that does not check (a range that does not parse,
 * no addresses) is refused whole, never half used, so nothing in a bad object widens what may
 * be announced.
 */
export function mergePools(
  configMap: readonly Pool[],
  objects: readonly FabricObject<PoolSpec>[] | undefined,
  lastGood: ReadonlyMap<string, LastGood>,
): {
  readonly pools: readonly Pool[];
  readonly conditions: readonly FabricCondition[];
  readonly lastGood: ReadonlyMap<string, LastGood>;
} {
  if (objects === undefined || objects.length === 0)
    return { pools: configMap, conditions: [], lastGood: new Map() };
  const conditions: FabricCondition[] = [];
  const kept = new Map<string, LastGood>();
  const fromObjects = new Map<string, Pool>();
  for (const given of [...objects].sort((a, b) => compareCodeUnits(a.name, b.name))) {
    const checked = checkWithLastGood('AnyvipPool', given, lastGood, checkPool);
    const shadows = configMap.some((p) => p.name === given.name);
    conditions.push(
      shadows && checked.used !== undefined
        ? {
            ...checked.condition,
            warning: `pool ${given.name} is also a key of the pools ConfigMap; the AnyvipPool wins`,
          }
        : checked.condition,
    );
    if (checked.used === undefined) continue;
    const { o, verdict } = checked.used;
    kept.set(lastGoodKey('AnyvipPool', o), { generation: o.generation, spec: o.spec });
    const alloc = o.spec.serviceAllocation;
    fromObjects.set(o.name, {
      name: o.name,
      ranges: verdict.ranges,
      namespaces:
        alloc?.namespaces === undefined || alloc.namespaces.length === 0 ? undefined : alloc.namespaces,
      ...(alloc?.serviceSelector !== undefined ? { serviceSelector: alloc.serviceSelector } : {}),
      ...(o.spec.autoAssign === false ? { autoAssign: false } : {}),
    });
  }
  const pools = [...configMap.filter((p) => !fromObjects.has(p.name)), ...fromObjects.values()].sort((a, b) =>
    compareCodeUnits(a.name, b.name),
  );
  return { pools, conditions, lastGood: kept };
}

function checkPool(o: FabricObject<PoolSpec>): Verdict<{ readonly ranges: readonly IpRange[] }> {
  if (o.invalid !== undefined) return refused(o.invalidReason ?? 'InvalidSpec', o.invalid);
  const ranges: IpRange[] = [];
  const problems: string[] = [];
  for (const text of o.spec.addresses ?? []) {
    const r = parseRange(text.trim());
    if ('error' in r) problems.push(r.error);
    else ranges.push(r);
  }
  if (problems.length > 0) return refused('InvalidAddress', problems.join('; '));
  if (ranges.length === 0) return refused('InvalidSpec', 'addresses must list at least one CIDR or range');
  return { kind: 'ok', ranges };
}

/**
 * Each accepted AnyvipPool's usage for its status: how many distinct addresses Services hold in
 * its ranges, and how many are left. Pure.
 */
export function withPoolUsage(
  conditions: readonly FabricCondition[],
  pools: readonly Pool[],
  held: () => Iterable<string>,
): readonly FabricCondition[] {
  if (!conditions.some((c) => c.kind === 'AnyvipPool' && c.accepted)) return conditions;
  const addresses = [...new Set(held())].flatMap((t) => parseAddress(t) ?? []);
  return conditions.map((c) => {
    if (c.kind !== 'AnyvipPool' || !c.accepted) return c;
    const pool = pools.find((p) => p.name === c.name);
    if (pool === undefined) return c;
    let size = 0n;
    for (const r of pool.ranges) size += r.last - r.first + 1n;
    const assigned = addresses.filter((a) => pool.ranges.some((r) => rangeContains(r, a))).length;
    return { ...c, usage: { assigned, available: String(size - BigInt(assigned)) } };
  });
}
