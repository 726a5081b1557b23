import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ControllerMetrics } from '../../src/observability/metrics.js';

/**
 * docs/configuration.md's metrics table names each metric's labels; a label added in code (as
 * `namespace` and `service` on the VIP metrics) must show there, in the code's order.
 */
describe('docs/configuration.md: metric labels, against the code', () => {
  it('each metric row lists exactly the labels the metric is registered with', async () => {
    const doc = await readFile(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
    const rows = doc.split('\n').filter((l) => l.startsWith('| `anyvip_'));
    const wrong: string[] = [];
    for (const metric of new ControllerMetrics().registry.getMetricsAsArray()) {
      const row = rows.find((l) => l.includes(`\`${metric.name}\``));
      const documented = row?.split('|')[3]?.trim();
      const labels = (metric as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
      const expected = labels.length === 0 ? '—' : labels.map((l) => `\`${l}\``).join(', ');
      if (documented !== expected)
        wrong.push(`${metric.name}: documented ${documented}, registered ${expected}`);
    }
    expect(wrong).toEqual([]);
    expect(rows.find((l) => l.includes('`anyvip_vip_announced`'))).toContain('`vip`, `namespace`, `service`');
  });
});
