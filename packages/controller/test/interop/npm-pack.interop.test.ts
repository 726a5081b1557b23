/**
 * The published shape of the three packages: `pnpm pack` each, install the tarballs into an
 * empty project, type-check imports through their `exports` (types conditions), refuse a deep
 * import past the map, and run a short announce between two speakers over 127.0.0.1
 * (scripts/pack-smoke.sh). Needs the packages built (`./run test` builds first). Here, not in
 * `unit`, because it runs pnpm and tsc (~10 s).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../../../scripts/pack-smoke.sh', import.meta.url));

describe('npm packages', () => {
  it('packed tarballs install into an empty project, import by their exports, and announce a route', async () => {
    const { stdout } = await run('bash', [script], { timeout: 110_000, maxBuffer: 16 * 1024 * 1024 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result).toEqual({
      prefixes: ['10.250.255.1/32'],
      wire: '10.250.255.1/32',
      controller: true,
      healthcheck: true,
    });
  });
});
