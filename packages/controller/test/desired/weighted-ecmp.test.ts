import { describe, expect, it } from 'vitest';
import { defaultLinkBandwidthConfig } from '../../src/config/link-bandwidth.js';
import type { ClusterEndpointSlice, ClusterService } from '../../src/desired/cluster.js';
import { computeLinkBandwidthCommunity, linkBandwidthAsn } from '../../src/desired/link-bandwidth.js';
import { dampWeights, initialDampingState } from '../../src/desired/weight-damping.js';
import {
  computeLocalWeights,
  countReadyEndpoints,
  isWeightedService,
  weightedEcmpAnnotation,
} from '../../src/desired/weighted-ecmp.js';

const svc = (name: string, etp: 'Local' | 'Cluster', annotation?: string): ClusterService => ({
  metadata: {
    name,
    namespace: 'default',
    ...(annotation !== undefined ? { annotations: { [weightedEcmpAnnotation]: annotation } } : {}),
  },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: etp },
});

type Endpoint = NonNullable<ClusterEndpointSlice['endpoints']>[number];
const slice = (service: string, family: 'IPv4' | 'IPv6', endpoints: Endpoint[]): ClusterEndpointSlice => ({
  metadata: {
    name: `${service}-${family}`,
    namespace: 'default',
    labels: { 'kubernetes.io/service-name': service },
  },
  endpoints,
});
const pod = (name: string, node: string, ready?: boolean, serving?: boolean): Endpoint => ({
  nodeName: node,
  addresses: ['10.244.0.1'],
  targetRef: { name, namespace: 'default' },
  ...(ready !== undefined ? { conditions: { ready, ...(serving !== undefined ? { serving } : {}) } } : {}),
});

describe('weighted ECMP opt-in (annotation anyvip.io/weighted-ecmp, flag --weighted-ecmp)', () => {
  it('weights Local Services by annotation or flag; "false" opts out; Cluster Services never', () => {
    expect(isWeightedService(svc('a', 'Local', 'true'), false)).toBe(true);
    expect(isWeightedService(svc('a', 'Local'), false)).toBe(false);
    expect(isWeightedService(svc('a', 'Local'), true)).toBe(true);
    expect(isWeightedService(svc('a', 'Local', 'false'), true)).toBe(false);
    expect(isWeightedService(svc('a', 'Local', 'yes'), true)).toBe(true);
    expect(isWeightedService(svc('a', 'Cluster', 'true'), true)).toBe(false);
  });
});

describe('countReadyEndpoints', () => {
  it('counts ready (or unset) endpoints on this node, a dual-stack Pod once, terminating ones not while one is ready', () => {
    const counts = countReadyEndpoints(
      [
        slice('web', 'IPv4', [
          pod('p1', 'node1'),
          pod('p2', 'node1', true),
          pod('p3', 'node1', false, true),
          pod('p4', 'node2', true),
        ]),
        slice('web', 'IPv6', [pod('p1', 'node1'), pod('p2', 'node1', true)]),
        slice('db', 'IPv4', [pod('d1', 'node1', false)]),
      ],
      'node1',
    );
    expect([...counts]).toEqual([['default/web', 2]]);
  });

  it('counts serving terminating endpoints when none is ready (KEP-1669), so the node keeps its share', () => {
    const counts = countReadyEndpoints(
      [
        slice('web', 'IPv4', [
          pod('p1', 'node1', false, true),
          pod('p2', 'node1', false, true),
          pod('p3', 'node1', false),
        ]),
      ],
      'node1',
    );
    expect([...counts]).toEqual([['default/web', 2]]);
  });
});

describe('computeLocalWeights', () => {
  const slices = [
    slice('web', 'IPv4', [pod('p1', 'node1'), pod('p2', 'node1'), pod('p3', 'node1'), pod('p4', 'node2')]),
    slice('api', 'IPv4', [pod('a1', 'node1')]),
  ];
  it('gives each announced address of a weighted Service its ready endpoints here', () => {
    const w = computeLocalWeights({
      services: [svc('web', 'Local', 'true'), svc('api', 'Local')],
      endpointSlices: slices,
      nodeName: 'node1',
      globalDefault: false,
      announcedHere: new Map([
        ['default/web', ['10.250.255.1', 'fd00:250::1']],
        ['default/api', ['10.250.255.2']],
      ]),
    });
    expect([...w]).toEqual([
      ['10.250.255.1', 3],
      ['fd00:250::1', 3],
    ]);
  });

  it('sums Services sharing an address, and drops the weight when one of them is unweighted', () => {
    const both = (api: ClusterService) =>
      computeLocalWeights({
        services: [svc('web', 'Local', 'true'), api],
        endpointSlices: slices,
        nodeName: 'node1',
        globalDefault: false,
        announcedHere: new Map([
          ['default/web', ['10.250.255.1']],
          ['default/api', ['10.250.255.1']],
        ]),
      });
    expect([...both(svc('api', 'Local', 'true'))]).toEqual([['10.250.255.1', 4]]);
    expect([...both(svc('api', 'Local'))]).toEqual([]);
  });

  it('gives weight 0 to a VIP still announced in the Local grace period after its last endpoint left', () => {
    const w = computeLocalWeights({
      services: [svc('web', 'Local', 'true')],
      endpointSlices: [],
      nodeName: 'node1',
      globalDefault: false,
      announcedHere: new Map([['default/web', ['10.250.255.1']]]),
    });
    expect([...w]).toEqual([['10.250.255.1', 0]]);
  });
});

describe('dampWeights (one weight change per VIP per interval, RFC 4271 §9.2.1.1 in spirit)', () => {
  it('publishes a new VIP at once, then holds changes until the interval since the last publish ends', () => {
    let r = dampWeights(initialDampingState, new Map([['v', 1]]), 0, 5000);
    expect([[...r.weights], r.nextWakeMs]).toEqual([[['v', 1]], undefined]);
    // A rolling update: endpoints 1 → 2 → 3 → 2 within the interval: nothing published, one wake.
    for (const [t, w] of [
      [1000, 2],
      [2000, 3],
      [3000, 2],
    ] as const) {
      r = dampWeights(r.state, new Map([['v', w]]), t, 5000);
      expect([[...r.weights], r.nextWakeMs]).toEqual([[['v', 1]], 5000]);
    }
    r = dampWeights(r.state, new Map([['v', 2]]), 5000, 5000);
    expect([[...r.weights], r.nextWakeMs]).toEqual([[['v', 2]], undefined]);
    // Quiet since: the next change goes out at once.
    r = dampWeights(r.state, new Map([['v', 5]]), 20_000, 5000);
    expect([...r.weights]).toEqual([['v', 5]]);
  });

  it('a change that returns to the published value before the interval ends sends nothing', () => {
    let r = dampWeights(initialDampingState, new Map([['v', 3]]), 0, 5000);
    r = dampWeights(r.state, new Map([['v', 4]]), 100, 5000);
    r = dampWeights(r.state, new Map([['v', 3]]), 200, 5000);
    expect([[...r.weights], r.nextWakeMs]).toEqual([[['v', 3]], undefined]);
  });

  it('forgets a VIP no longer weighted, so that it starts afresh', () => {
    let r = dampWeights(initialDampingState, new Map([['v', 3]]), 0, 5000);
    r = dampWeights(r.state, new Map(), 100, 5000);
    expect(r.state.size).toBe(0);
    r = dampWeights(r.state, new Map([['v', 7]]), 200, 5000);
    expect([...r.weights]).toEqual([['v', 7]]);
  });
});

describe('computeLinkBandwidthCommunity (the scale: weight × 1 Gbit/s in bytes per second)', () => {
  it('writes weight × unit with our AS, or AS_TRANS for a 4-octet AS', () => {
    expect(computeLinkBandwidthCommunity(1, 65001, defaultLinkBandwidthConfig)).toBe(
      'link-bandwidth:65001:125000000',
    );
    expect(computeLinkBandwidthCommunity(5, 65001, defaultLinkBandwidthConfig)).toBe(
      'link-bandwidth:65001:625000000',
    );
    expect(computeLinkBandwidthCommunity(0, 4_200_000_000, { unitBytesPerSec: 1000, transitive: true })).toBe(
      'link-bandwidth-transitive:23456:0',
    );
    expect(linkBandwidthAsn(65535)).toBe(65535);
  });

  it('rounds a bandwidth beyond 24 bits of mantissa to the binary32 that goes on the wire', () => {
    expect(computeLinkBandwidthCommunity(9, 65001, defaultLinkBandwidthConfig)).toBe(
      `link-bandwidth:65001:${Math.fround(9 * 125_000_000)}`,
    );
  });
});
