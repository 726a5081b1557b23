import { describe, expect, it } from 'vitest';
import { computeApiServerAddresses } from '../../src/desired/api-server-addresses.js';

const kubernetes = {
  metadata: { name: 'kubernetes', namespace: 'default' },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1', 'fd00:96::1'] },
};
const slice = (namespace: string, service: string, addresses: string[][]) => ({
  metadata: { name: `${service}-x`, namespace, labels: { 'kubernetes.io/service-name': service } },
  endpoints: addresses.map((a, i) => ({ addresses: a, conditions: { ready: i % 2 === 0 } })),
});

describe('computeApiServerAddresses: the refusal set every node shares', () => {
  it('is every endpoint address of default/kubernetes (ready or not) and its ClusterIPs, canonical and sorted', () => {
    expect(
      computeApiServerAddresses(
        [kubernetes],
        [slice('default', 'kubernetes', [['10.250.1.11'], ['10.250.1.12'], ['fd00:250:0:0::13']])],
      ),
    ).toEqual(['10.250.1.11', '10.250.1.12', '10.96.0.1', 'fd00:250::13', 'fd00:96::1']);
  });

  it('ignores a kubernetes Service or slice in another namespace, and other Services of default', () => {
    expect(
      computeApiServerAddresses(
        [{ ...kubernetes, metadata: { name: 'kubernetes', namespace: 'other' } }],
        [slice('other', 'kubernetes', [['10.250.1.11']]), slice('default', 'web', [['10.250.1.12']])],
      ),
    ).toEqual([]);
  });

  it('does not depend on who asks: the same objects give the same set on every node', () => {
    const a = computeApiServerAddresses(
      [kubernetes],
      [slice('default', 'kubernetes', [['10.250.1.12'], ['10.250.1.11']])],
    );
    const b = computeApiServerAddresses(
      [kubernetes],
      [slice('default', 'kubernetes', [['10.250.1.11'], ['10.250.1.12']])],
    );
    expect(a).toEqual(b);
  });
});
