import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { ClusterNode, ClusterService } from '../../src/desired/cluster.js';
import { parsePools } from '../../src/desired/ipam.js';
import { initialServicesState, planServices } from '../../src/desired/services.js';

const dir = fileURLToPath(new URL('../../../../examples/kubernetes/', import.meta.url));
const node = (name: string): ClusterNode => ({
  metadata: { name },
  status: {
    conditions: [{ type: 'Ready', status: 'True' }],
    addresses: [{ type: 'InternalIP', address: '192.0.2.10' }],
  },
});

describe('shipped Kubernetes examples', () => {
  it('examples/kubernetes: the pools parse, and the Services get the addresses and nodes their comments promise', () => {
    const cm = parseYaml(readFileSync(`${dir}pools-configmap.yaml`, 'utf8')) as {
      data: Record<string, string>;
    };
    const { pools, errors } = parsePools(cm.data);
    expect(errors).toEqual([]);
    const services = parseAllDocuments(readFileSync(`${dir}services.yaml`, 'utf8')).map(
      (d) => d.toJS() as ClusterService,
    );
    const plan = planServices(initialServicesState, {
      services,
      endpointSlices: [],
      nodes: [node('node-a'), node('node-b')],
      pools,
      allowList: [],
      apiServerAddresses: [],
      loadBalancerClass: undefined,
      nodeName: 'node-b',
      singleAnnouncer: false,
      localGraceMs: 5000,
      nowMs: 0,
    });
    expect(plan.services.map((s) => [s.key, s.ingress, s.announcers, s.refused])).toEqual([
      ['default/dns-tcp', ['198.51.100.53'], 'all', []],
      ['default/dns-udp', ['198.51.100.53'], 'all', []],
      ['default/web', ['198.51.100.0', '2001:db8:100::'], [], []],
      ['payments/api', ['198.51.100.200'], ['node-b'], []],
    ]);
  });
});
