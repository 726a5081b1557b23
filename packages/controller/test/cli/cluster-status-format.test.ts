import { describe, expect, it } from 'vitest';
import { buildClusterStatus } from '../../src/cli/cluster-status.js';
import { formatAge, formatClusterStatus } from '../../src/cli/cluster-status-format.js';
import { readAtMs, sampleNodeStatuses } from '../support/node-statuses.js';

describe('anyvip status --cluster: every node status joined into one table of sessions and one of VIPs', () => {
  it('prints the sessions like cilium bgp peers, then each VIP with the nodes announcing it and their peers', () => {
    expect(formatClusterStatus(buildClusterStatus(sampleNodeStatuses(), readAtMs))).toBe(
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

  it('marks a node whose status is older than 3 refreshes plus slack as stale, in both tables', () => {
    const c = buildClusterStatus(sampleNodeStatuses(106_000), readAtMs);
    expect(c.staleAfterSeconds).toBe(105);
    expect(c.nodes.map((n) => [n.node, n.stale])).toEqual([
      ['node-a1', false],
      ['node-b1', true],
    ]);
    const text = formatClusterStatus(c);
    expect(text).toContain('node-b1 (stale)  tor-b');
    expect(text).toContain(
      '(stale): not updated for more than 105 s; anyvip on that node has stopped or cannot write its status: node-b1 (last 2026-12-04T21:58:14.000Z)',
    );
    expect(formatClusterStatus(buildClusterStatus(sampleNodeStatuses(104_000), readAtMs))).not.toContain(
      'stale',
    );
  });

  it('--json: the joined document, versioned', () => {
    const c = buildClusterStatus(sampleNodeStatuses(), readAtMs);
    expect(c.version).toBe(1);
    expect(c.nodes[0]).toEqual({
      node: 'node-a1',
      updatedAt: '2026-12-04T21:59:50.000Z',
      stale: false,
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
    const c = buildClusterStatus([{ ...bad, status: { sessions: [{ peer: 'x' }] } }], readAtMs);
    expect(c.nodes[0]?.ready).toBe('Unknown');
    expect(c.nodes[0]?.readyMessage).toMatch(/^status does not validate: /);
    expect(c.sessions).toEqual([]);
  });

  it('says what to check when no node has a status yet', () => {
    expect(formatClusterStatus(buildClusterStatus([], readAtMs))).toContain('No AnyvipNodeStatus objects');
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
