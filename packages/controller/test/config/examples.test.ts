import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';

const examples = fileURLToPath(new URL('../../../../examples/', import.meta.url));

describe('shipped anyvip configurations', () => {
  it('examples/table-mode/anyvip.yaml is valid: table 198, protocol 248, two gated VIPs', async () => {
    const c = await loadConfigFile(`${examples}table-mode/anyvip.yaml`);
    expect(c.mode).toBe('table');
    expect(c.table).toEqual({ id: 198, protocol: 248 });
    expect(c.vips.map((v) => [v.prefix, v.healthcheck])).toEqual([
      ['198.51.100.10/32', 'web'],
      ['2001:db8:100::10/128', 'web'],
    ]);
  });
});
