import { describe, expect, it } from 'vitest';
import { checkAnyvipNodeStatus } from '../../../src/kubernetes/crds/index.js';

const status = (name: string, nodeName: string, s?: Record<string, unknown>) => ({
  apiVersion: 'anyvip.io/v1alpha1',
  kind: 'AnyvipNodeStatus',
  metadata: { name },
  spec: { nodeName },
  ...(s !== undefined ? { status: s } : {}),
});

describe('checkAnyvipNodeStatus', () => {
  it('accepts a node report with sessions, VIPs and a Ready condition', () => {
    const r = checkAnyvipNodeStatus(
      status('node-a1', 'node-a1', {
        nodeName: 'node-a1',
        asn: 65001,
        routerID: '10.250.1.11',
        updatedAt: '2026-12-04T21:00:00Z',
        sessions: [
          {
            peer: 'tor-a',
            peerAddress: '10.250.1.1',
            peerASN: 65010,
            state: 'established',
            since: '2026-12-04T20:59:00Z',
            prefixesSent: 2,
            prefixesReceived: 0,
            holdTimeSeconds: 90,
            bfd: 'off',
          },
        ],
        vips: [
          {
            address: '10.250.100.1',
            prefix: '10.250.100.1/32',
            service: 'prod/web',
            announced: true,
            reason: 'healthy',
            peers: ['10.250.1.1'],
          },
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Reporting',
            message: '',
            lastTransitionTime: '2026-12-04T20:59:00Z',
          },
        ],
      }),
    );
    expect(r.ok).toBe(true);
  });

  it('refuses a status named after another node, a bad state, and a bad timestamp', () => {
    expect(checkAnyvipNodeStatus(status('node-a1', 'node-a2')).ok).toBe(false);
    const r = checkAnyvipNodeStatus(
      status('n', 'n', {
        updatedAt: 'yesterday',
        sessions: [{ peer: 'p', peerAddress: '10.0.0.1', state: 'up' }],
      }),
    );
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual([
      'status.updatedAt',
      'status.sessions[0].state',
    ]);
  });
});
