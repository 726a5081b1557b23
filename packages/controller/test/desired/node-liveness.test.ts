import { describe, expect, it } from 'vitest';
import { type IpRange, parseRange } from '../../src/address/ip-range.js';
import { computeLiveNodes, sameNodes } from '../../src/desired/node-liveness.js';
import { initialServicesState, planServices, type ServicesInput } from '../../src/desired/services.js';

const range = parseRange('10.250.255.0/24') as IpRange;

describe('computeLiveNodes: node leases, judged by our own clock', () => {
  it('a lease unchanged for more than staleAfter behind the newest change is not live', () => {
    const seen = new Map([
      ['node1', 10_000],
      ['node2', 3_000],
      ['node3', 9_000],
    ]);
    expect([...computeLiveNodes(seen, 6000, 'node1')].sort()).toEqual(['node1', 'node3']);
  });

  it('an API outage (no lease changes at all) ages nothing: every node stays live', () => {
    const seen = new Map([
      ['node1', 1000],
      ['node2', 1000],
    ]);
    expect([...computeLiveNodes(seen, 6000, 'node1')].sort()).toEqual(['node1', 'node2']);
  });

  it('this node is always live in its own view, even before its lease comes back through the watch', () => {
    expect([...computeLiveNodes(new Map([['node2', 5]]), 6000, 'node1')].sort()).toEqual(['node1', 'node2']);
  });

  it('sameNodes compares sets', () => {
    expect(sameNodes(new Set(['a', 'b']), new Set(['b', 'a']))).toBe(true);
    expect(sameNodes(undefined, new Set())).toBe(false);
    expect(sameNodes(new Set(['a']), new Set(['b']))).toBe(false);
  });
});

const node = (name: string) => ({
  metadata: { name },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});
const svc = (name: string, ip: string) => ({
  metadata: { name, namespace: 'default', uid: name, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' },
  status: { loadBalancer: { ingress: [{ ip }] } },
});

describe('single-announcer placement with node leases', () => {
  const services = Array.from({ length: 12 }, (_, i) => svc(`s${i}`, `10.250.255.${i + 1}`));
  const input = (nodeName: string, live: string[] | undefined, nowMs: number): ServicesInput => ({
    services,
    endpointSlices: [],
    nodes: ['node1', 'node2', 'node3'].map(node),
    pools: [],
    allowList: [range],
    apiServerAddresses: [],
    loadBalancerClass: undefined,
    nodeName,
    singleAnnouncer: true,
    localGraceMs: 0,
    nowMs,
    ...(live !== undefined ? { liveNodes: new Set(live) } : {}),
    handoverMs: 2000,
  });

  it('a Ready node whose anyvip stopped renewing gets nothing; its VIPs go to live nodes', () => {
    const all = planServices(initialServicesState, input('node1', ['node1', 'node2', 'node3'], 0));
    const onNode2 = all.services.filter((s) => s.announcers[0] === 'node2').map((s) => s.key);
    expect(onNode2.length).toBeGreaterThan(0);
    const after = planServices(initialServicesState, input('node1', ['node1', 'node3'], 0));
    for (const s of after.services) expect(s.announcers).not.toContain('node2');
    // Only node2's Services moved (rendezvous): the others kept their node.
    for (const s of after.services)
      if (!onNode2.includes(s.key))
        expect(s.announcers).toEqual(all.services.find((x) => x.key === s.key)?.announcers);
  });

  it('fail-back is make-before-break: the old node keeps announcing for the hand-over, then stops', () => {
    // node2 is away: node1 holds some of its VIPs.
    const away = planServices(initialServicesState, input('node1', ['node1', 'node3'], 0));
    const back = planServices(away.state, input('node1', ['node1', 'node2', 'node3'], 10_000));
    const movedBack = back.services.filter(
      (s) =>
        s.announcers[0] === 'node2' && away.services.find((a) => a.key === s.key)?.announcers[0] === 'node1',
    );
    expect(movedBack.length).toBeGreaterThan(0);
    for (const s of movedBack) expect(s.announcedHere.length).toBe(1); // still announced here
    expect(back.nextWakeMs).toBe(12_000);
    const later = planServices(back.state, input('node1', ['node1', 'node2', 'node3'], 12_000));
    for (const s of movedBack) expect(later.services.find((x) => x.key === s.key)?.announcedHere).toEqual([]);
  });
});
