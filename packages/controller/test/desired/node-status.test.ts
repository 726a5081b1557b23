import { describe, expect, it } from 'vitest';
import { computeAnnouncedBy } from '../../src/desired/announced-by.js';
import { gateOnBinding } from '../../src/desired/bind-gate.js';
import {
  computeNodeStatus,
  MAX_VIP_ROWS,
  NODE_STATUS_STALE_MS,
  peerNameOf,
} from '../../src/desired/node-status.js';
import type { SessionObservation } from '../../src/desired/session-observation.js';
import { config, established, nodes, world } from '../support/node-status-world.js';

describe('computeNodeStatus: what the node status says, from the world the pass applied', () => {
  it('lists every configured session with the speaker facts, idle with BFD down where it has none yet', () => {
    const status = computeNodeStatus(world([established]));
    expect(status?.nodeName).toBe('node1');
    expect(status?.asn).toBe(65001);
    expect(status?.routerID).toBe('10.250.1.2');
    expect(status?.sessions).toEqual([
      {
        peer: 'flags',
        peerAddress: '10.250.1.1',
        peerASN: 65000,
        localAddress: '10.250.1.2',
        state: 'established',
        since: '2026-12-04T21:00:00.000Z',
        prefixesSent: 2,
        prefixesReceived: 0,
        holdTimeSeconds: 90,
        bfd: 'off',
      },
      {
        peer: 'flags',
        peerAddress: '10.250.1.3',
        peerASN: 65000,
        state: 'idle',
        prefixesSent: 0,
        prefixesReceived: 0,
        bfd: 'down',
      },
    ]);
    expect(status?.ready).toEqual({
      status: 'False',
      reason: 'SessionsNotEstablished',
      message: '1 of 2 sessions not Established: 10.250.1.3 (idle)',
    });
  });

  it('says for each VIP whether it is announced, to which peers, or why not, with its Service', () => {
    const status = computeNodeStatus(world([established]));
    expect(status?.vips).toEqual([
      {
        address: '10.250.1.10',
        prefix: '10.250.1.10/32',
        service: 'prod/web',
        announced: true,
        reason: 'healthy',
        peers: ['10.250.1.1', '10.250.1.3'],
        communities: [],
        largeCommunities: [],
        asPathPrepend: 0,
      },
      {
        address: '10.250.1.11',
        prefix: '10.250.1.11/32',
        service: 'prod/local',
        announced: false,
        reason: 'announced by node2, not this node',
        peers: [],
        communities: [],
        largeCommunities: [],
        asPathPrepend: 0,
      },
      {
        address: '10.250.9.9',
        prefix: '10.250.9.9/32',
        service: 'prod/outside',
        announced: false,
        reason: 'ANYVIP_VIP_OUTSIDE_POOL: 10.250.9.9 is outside the allowed ranges (10.250.1.0/24)',
        peers: [],
        communities: [],
        largeCommunities: [],
        asPathPrepend: 0,
      },
    ]);
  });

  it('a VIP the bind gate withholds reads as not announced, with the reason, and Ready says so', () => {
    const both: SessionObservation = { ...established, peerAddress: '10.250.1.3', bfd: 'up' };
    const gated = gateOnBinding(
      world([established, both]),
      new Set(),
      new Map([['10.250.1.10/32', 'denied']]),
    );
    const status = computeNodeStatus(gated);
    expect(status?.vips[0]).toMatchObject({
      address: '10.250.1.10',
      announced: false,
      reason: 'address not bound to lo: denied',
      peers: [],
    });
    expect(status?.sessions[1]?.bfd).toBe('up');
    expect(status?.ready).toMatchObject({ status: 'False', reason: 'VipsWithheld' });
  });

  it('is Ready when every session is Established and nothing is withheld; stable for an unchanged world', () => {
    const both: SessionObservation = { ...established, peerAddress: '10.250.1.3', bfd: 'up' };
    const a = computeNodeStatus(world([established, both]));
    expect(a?.ready).toEqual({ status: 'True', reason: 'Established', message: '2 sessions Established' });
    expect(computeNodeStatus(world([established, both]))).toEqual(a);
  });

  it('per-peer export: the VIP goes only to the peers whose export holds it, with those attributes', () => {
    const d = world([established]);
    const bgp = d.bgp;
    if (bgp === undefined) throw new Error('no bgp');
    const route = bgp.routes.get('10.250.1.10/32');
    if (route === undefined) throw new Error('no route');
    const tagged = {
      ...route,
      attributes: { ...route.attributes, communities: ['65000:100'], localPref: 200 },
    };
    const routesByPeer = new Map([
      ['10.250.1.1', new Map([['10.250.1.10/32', tagged]])],
      ['10.250.1.3', new Map()],
    ]);
    const status = computeNodeStatus({ ...d, bgp: { ...bgp, routesByPeer } as typeof bgp });
    expect(status?.vips[0]).toMatchObject({
      announced: true,
      peers: ['10.250.1.1'],
      communities: ['65000:100'],
      localPref: 200,
    });
  });

  it('stays under the object size limit: at most MAX_VIP_ROWS rows, those announced here first, and says so', () => {
    const many = Array.from({ length: MAX_VIP_ROWS + 2 }, (_, i) => ({
      metadata: { name: `s${i}`, namespace: 'bulk', uid: `u${i}` },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' },
      status: { loadBalancer: { ingress: [{ ip: `10.251.${i >> 8}.${i & 255}` }] } },
    }));
    const web = {
      metadata: { name: 'web', namespace: 'prod', uid: 'u-web' },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' },
      status: { loadBalancer: { ingress: [{ ip: '10.250.1.10' }] } },
    };
    const status = computeNodeStatus(world([established], { services: [...many, web] }));
    expect(status?.vips).toHaveLength(MAX_VIP_ROWS);
    expect(status?.vips.find((v) => v.service === 'prod/web')?.announced).toBe(true);
    expect(status?.ready.message).toMatch(/; 3 more VIPs not listed \(object size limit\)$/);
  });

  it('no Kubernetes part (standalone, shutting down): no status', () => {
    expect(computeNodeStatus({ ...world([]), kubernetes: undefined })).toBeUndefined();
  });

  it("names the session's peer after its source: the AnyvipPeer, node-annotation, or flags", () => {
    const p = config.bgp?.peers[0];
    if (p === undefined) throw new Error('no peer');
    expect(peerNameOf(p)).toBe('flags');
    expect(peerNameOf({ ...p, source: 'AnyvipPeer/tor-a' } as typeof p)).toBe('tor-a');
    expect(peerNameOf({ ...p, source: 'node-annotation' } as typeof p)).toBe('node-annotation');
  });
});

describe('computeAnnouncedBy: which nodes announce each Service, from their statuses', () => {
  it('joins the fresh statuses of existing nodes, sorted; a stale status or a gone node does not count', () => {
    const by = computeAnnouncedBy(
      [
        { node: 'node2', changedAtMs: 1000, announcing: ['prod/web', 'prod/local'] },
        { node: 'node1', changedAtMs: 1000, announcing: ['prod/web'] },
        { node: 'node3', changedAtMs: 1000, announcing: ['prod/web'] },
      ],
      [...nodes, { metadata: { name: 'node4' } }],
      1000 + NODE_STATUS_STALE_MS,
    );
    expect(Object.fromEntries(by)).toEqual({ 'prod/web': ['node1', 'node2'], 'prod/local': ['node2'] });
    const later = computeAnnouncedBy(
      [{ node: 'node1', changedAtMs: 1000, announcing: ['prod/web'] }],
      nodes,
      1001 + NODE_STATUS_STALE_MS,
    );
    expect(later.size).toBe(0);
    // With node leases: a node whose anyvip is not live (stopped: lease deleted) drops out at once.
    const live = computeAnnouncedBy(
      [
        { node: 'node1', changedAtMs: 1000, announcing: ['prod/web'] },
        { node: 'node2', changedAtMs: 1000, announcing: ['prod/web'] },
      ],
      nodes,
      2000,
      new Set(['node1']),
    );
    expect(Object.fromEntries(live)).toEqual({ 'prod/web': ['node1'] });
  });

  it('the leader gets announcedBy on every Service it handles (empty when none announces); others none', () => {
    const statuses = [{ node: 'node2', changedAtMs: 0, announcing: ['prod/local', 'prod/web'] }];
    const leader = world([], { leader: true, nodeStatuses: statuses });
    expect(leader.kubernetes?.services.get('prod/local')?.announcedBy).toEqual(['node2']);
    expect(leader.kubernetes?.services.get('prod/outside')?.announcedBy).toEqual([]);
    const follower = world([], { leader: false, nodeStatuses: statuses });
    expect(follower.kubernetes?.services.get('prod/local')?.announcedBy).toBeUndefined();
  });
});
