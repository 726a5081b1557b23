import { describe, expect, it } from 'vitest';
import { checkAnyvipPool } from '../../../src/kubernetes/crds/index.js';

const pool = (spec: Record<string, unknown>) => ({
  apiVersion: 'anyvip.io/v1alpha1',
  kind: 'AnyvipPool',
  metadata: { name: 'public' },
  spec,
});

describe('checkAnyvipPool', () => {
  it('accepts CIDRs and ranges of both families, autoAssign defaulting to true', () => {
    const r = checkAnyvipPool(
      pool({ addresses: ['10.250.100.0/24', '10.250.101.10-10.250.101.20', 'fd00:250::/120'] }),
    );
    expect(r.ok && r.value.spec.autoAssign).toBe(true);
  });

  it('refuses what does not parse as a CIDR or range, with the reason', () => {
    const r = checkAnyvipPool(
      pool({ addresses: ['10.250.100.1/24', '10.0.0.9-10.0.0.1', '10.0.0.1-fd00::1'] }),
    );
    expect(r.ok ? [] : r.problems).toEqual([
      { path: 'spec.addresses[0]', message: '"10.250.100.1/24" has host bits set', reason: 'InvalidRange' },
      {
        path: 'spec.addresses[1]',
        message: '"10.0.0.9-10.0.0.1" ends before it starts',
        reason: 'InvalidRange',
      },
      {
        path: 'spec.addresses[2]',
        message: '"10.0.0.1-fd00::1" mixes IPv4 and IPv6',
        reason: 'InvalidRange',
      },
    ]);
  });

  it('needs at least one address', () => {
    const r = checkAnyvipPool(pool({ addresses: [] }));
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['spec.addresses']);
  });
});
