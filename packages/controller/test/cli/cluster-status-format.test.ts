import { describe, expect, it } from 'vitest';
import { buildClusterStatus } from '../../src/cli/cluster-status.js';
import { formatAge, formatClusterStatus } from '../../src/cli/cluster-status-format.js';
import {
  leasesUnreadable,
  readAtMs,
  readLeases,
  sampleNodeLeases,
  sampleNodeStatuses,
} from '../support/node-statuses.js';

/** Both sample nodes' leases live. */
const live = readLeases(sampleNodeLeases());

describe('anyvip status --cluster: every node status joined into one table of sessions and one of VIPs', () => {
  it('prints the sessions like cilium bgp peers, then each VIP with the nodes announcing it and their peers', () => {
    expect(formatClusterStatus(buildClusterStatus(sampleNodeStatuses(), live, readAtMs))).toBe(
      [
        'anyvip cluster: 2 nodes, 2 sessions (1 Established), 2 VIPs; read 2026-12-04T22:00:00Z',
        '',
        'NODE     PEER   ADDRESS     ASN    STATE        SINCE  SENT  RECV  BFD',
        'node-a1  tor-a  10.250.1.1  65010  Established  3h12m  1     3     up',
        'node-b1  tor-b  10.250.2.1  65020  Active       1m35s  0     0     down',
        'node-b1 10.250.2.1: last error: received HOLD_TIMER_EXPIRED',
        '',
        'VIP           SERVICE   ANNOUNCED-BY  PEERS',
        '10.250.255.1  prod/web  node-a1       10.250.1.1',
        '10.250.255.2  prod/db   -             -',
        '10.250.255.2 prod/db: node-a1, node-b1: no node is eligible (externalTrafficPolicy Local without ready endpoints, or no live node to place it on)',
        '',
      ].join('\n'),
    );
  });

  it('judges liveness by the node leases: an expired lease marks the node down at once, in both tables', () => {
    // node-b1's anyvip last renewed 12 s ago (lease 6 s + 5 s of clock skew allowed): it died.
    const c = buildClusterStatus(sampleNodeStatuses(), readLeases(sampleNodeLeases(12_000)), readAtMs);
    expect(c.liveness).toEqual({ source: 'leases', namespace: 'kube-system' });
    expect(c.nodes.map((n) => [n.node, n.stale, n.liveness])).toEqual([
      ['node-a1', false, 'live'],
      ['node-b1', true, 'expired'],
    ]);
    const text = formatClusterStatus(c);
    expect(text.split('\n')[0]).toBe(
      'anyvip cluster: 2 nodes (1 down), 2 sessions (1 Established), 2 VIPs; read 2026-12-04T22:00:00Z',
    );
    expect(text).toContain('node-b1 (down)  tor-b');
    expect(text).toContain(
      '(down): no live anyvip node lease in kube-system; its anyvip died, stopped or cannot reach the API server: node-b1 (lease last renewed 2026-12-04T21:59:48.000Z)',
    );
    // 10 s ago is within the lease and the skew allowance: live.
    expect(
      buildClusterStatus(sampleNodeStatuses(), readLeases(sampleNodeLeases(10_000)), readAtMs).nodes.map(
        (n) => n.stale,
      ),
    ).toEqual([false, false]);
  });

  it('a cleanly stopped anyvip (its lease deleted) is down at once, however fresh its status', () => {
    const c = buildClusterStatus(sampleNodeStatuses(1000), readLeases(sampleNodeLeases('deleted')), readAtMs);
    expect(c.nodes.map((n) => [n.node, n.liveness])).toEqual([
      ['node-a1', 'live'],
      ['node-b1', 'absent'],
    ]);
    expect(formatClusterStatus(c)).toContain('node-b1 (no lease: stopped)');
  });

  it('a live lease keeps a node up however old its status (an unchanged status is rewritten only every 5 min)', () => {
    const c = buildClusterStatus(sampleNodeStatuses(20 * 60_000), live, readAtMs);
    expect(c.nodes.map((n) => [n.node, n.stale])).toEqual([
      ['node-a1', false],
      ['node-b1', false],
    ]);
    expect(formatClusterStatus(c)).not.toMatch(/\((stale|down)\)/);
  });

  it('a node whose anyvip runs (live lease) but has written no status yet is listed, Ready Unknown', () => {
    const [b1] = sampleNodeStatuses();
    const c = buildClusterStatus([b1], live, readAtMs);
    expect(c.nodes.map((n) => [n.node, n.stale, n.ready, n.readyMessage])).toEqual([
      ['node-a1', false, 'Unknown', 'no AnyvipNodeStatus yet (its anyvip runs: live lease)'],
      ['node-b1', false, 'False', '1 of 1 sessions not Established: 10.250.2.1 (active)'],
    ]);
  });

  it('leases unreadable: falls back to the status age (older than 3 refreshes of 5 min plus slack is stale) and says so', () => {
    const c = buildClusterStatus(sampleNodeStatuses(916_000), leasesUnreadable, readAtMs);
    expect(c.staleAfterSeconds).toBe(915);
    expect(c.nodes.map((n) => [n.node, n.stale, n.liveness])).toEqual([
      ['node-a1', false, 'fresh'],
      ['node-b1', true, 'old'],
    ]);
    const text = formatClusterStatus(c);
    expect(text).toContain('node-b1 (stale)  tor-b');
    expect(text).toContain(
      'liveness from status age (cannot read node leases in kube-system: HTTP 403 Forbidden)',
    );
    expect(text).toContain(
      '(stale): not updated for more than 915 s; anyvip on that node has stopped or cannot write its status: node-b1 (last 2026-12-04T21:44:44.000Z)',
    );
    expect(
      formatClusterStatus(buildClusterStatus(sampleNodeStatuses(914_000), leasesUnreadable, readAtMs)),
    ).not.toContain('(stale)');
  });

  it('--json: the joined document, versioned', () => {
    const c = buildClusterStatus(sampleNodeStatuses(), live, readAtMs);
    expect(c.version).toBe(1);
    expect(c.nodes[0]).toEqual({
      node: 'node-a1',
      updatedAt: '2026-12-04T21:59:50.000Z',
      stale: false,
      liveness: 'live',
      leaseRenewTime: '2026-12-04T21:59:59.000Z',
      asn: 65011,
      routerID: '10.250.1.11',
      ready: 'True',
      readyMessage: '1 sessions Established',
    });
    expect(c.vips[0]).toEqual({
      address: '10.250.255.1',
      prefix: '10.250.255.1/32',
      service: 'prod/web',
      announcedBy: ['node-a1'],
      staleNodes: [],
      peers: ['10.250.1.1'],
      reasons: [],
    });
    expect(c.sessions.map((s) => `${s.node} ${s.peerAddress} ${s.state}`)).toEqual([
      'node-a1 10.250.1.1 established',
      'node-b1 10.250.2.1 active',
    ]);
  });

  it('an object that does not validate is listed with why, not dropped and not trusted', () => {
    const [bad] = sampleNodeStatuses();
    const c = buildClusterStatus(
      [{ ...bad, status: { sessions: [{ peer: 'x' }] } }],
      readLeases(sampleNodeLeases().slice(1)),
      readAtMs,
    );
    expect(c.nodes[0]?.ready).toBe('Unknown');
    expect(c.nodes[0]?.readyMessage).toMatch(/^status does not validate: /);
    expect(c.sessions).toEqual([]);
  });

  it('says what to check when no node has a status yet', () => {
    expect(formatClusterStatus(buildClusterStatus([], readLeases([]), readAtMs))).toContain(
      'No AnyvipNodeStatus objects',
    );
  });

  it('ages read as kubectl prints them', () => {
    expect([0, 42_000, 312_000, 11_520_000, 183_600_000].map(formatAge)).toEqual([
      '0s',
      '42s',
      '5m12s',
      '3h12m',
      '2d3h',
    ]);
  });
});
