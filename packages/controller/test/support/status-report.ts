import type { StatusReport } from '../../src/admin/status-report.js';

/** A status document with one peer up and one down, one VIP announced and one withdrawn. */
export const sampleReport: StatusReport = {
  version: 1,
  mode: 'bgp',
  startedAt: '2026-12-02T19:40:00.000Z',
  ready: true,
  notReady: [],
  passes: 12,
  lastPassAt: '2026-12-02T19:41:30.250Z',
  peers: [
    {
      address: '10.250.0.1',
      asn: 65000,
      port: 179,
      state: 'established',
      since: '2026-12-02T19:40:01.000Z',
      prefixesSent: 2,
      prefixesReceived: 0,
      updatesSent: 3,
      updatesReceived: 1,
      lastDown: undefined,
      bfd: 'up',
    },
    {
      address: 'fd00:250::1',
      asn: 65000,
      port: 1179,
      state: 'active',
      since: '2026-12-02T19:41:00.000Z',
      prefixesSent: 0,
      prefixesReceived: 0,
      updatesSent: 0,
      updatesReceived: 0,
      lastDown: 'received HOLD_TIMER_EXPIRED',
      bfd: undefined,
    },
  ],
  vips: [
    {
      prefix: '10.250.255.1/32',
      healthcheck: 'web',
      health: 'up',
      announced: true,
      bound: true,
      refused: undefined,
    },
    {
      prefix: '10.250.255.2/32',
      healthcheck: 'db',
      health: 'down',
      announced: false,
      bound: true,
      refused: undefined,
    },
  ],
  checks: [
    { name: 'web', state: 'up', since: '2026-12-02T19:40:02.000Z', reasons: ['http: 200'] },
    { name: 'db', state: 'down', since: undefined, reasons: [] },
  ],
};
