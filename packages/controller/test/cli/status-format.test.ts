import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../src/cli/status-format.js';
import { sampleReport } from '../support/status-report.js';

describe('formatStatus', () => {
  it('prints peers like birdc show protocols, then VIPs with health and announced/withdrawn, then checks', () => {
    expect(formatStatus(sampleReport)).toBe(
      [
        'anyvip bgp mode, ready; started 2026-12-02 19:40:00, 12 reconcile passes, last 2026-12-02 19:41:30',
        '',
        'Name         Proto  State  Since                Info',
        '10.250.0.1   BGP    up     2026-12-02 19:40:01  Established  AS65000, prefixes 2 sent, 0 received, BFD up',
        'fd00:250::1  BGP    start  2026-12-02 19:41:00  Active  AS65000, port 1179, prefixes 0 sent, 0 received, last down: received HOLD_TIMER_EXPIRED',
        '',
        'VIP              Health  Check  Route      Bound',
        '10.250.255.1/32  up      web    announced  yes',
        '10.250.255.2/32  down    db     withdrawn  yes',
        '',
        'Check  State  Since                Reason',
        'web    up     2026-12-02 19:40:02  http: 200',
        'db     down   -                    -',
        '',
      ].join('\n'),
    );
  });

  it('says why a node is not ready, and that table mode has no peers of its own', () => {
    const text = formatStatus({
      ...sampleReport,
      mode: 'table',
      ready: false,
      notReady: ['the first reconcile pass has not ended'],
      passes: 0,
      lastPassAt: undefined,
      peers: [],
      vips: [],
      checks: [],
    });
    expect(text).toBe(
      [
        'anyvip table mode, not ready (the first reconcile pass has not ended); started 2026-12-02 19:40:00, 0 reconcile passes, last -',
        '',
        'No BGP peers: mode table (BIRD or FRR on the node announces).',
        '',
        'No VIPs.',
        '',
      ].join('\n'),
    );
  });

  it('shows a refused VIP with the reason', () => {
    const text = formatStatus({
      ...sampleReport,
      vips: [{ ...sampleReport.vips[0]!, announced: false, bound: false, refused: 'outside allowedRanges' }],
    });
    expect(text).toContain('10.250.255.1/32  up      web    refused: outside allowedRanges  no');
  });
});
