/**
 * The route-reflector example configurations parse with the daemons they are for: BIRD 2
 * (`bird -p`) and FRR 8 (`vtysh --dryrun`). examples/routers is run end to end by the bgp
 * package's interop suite; these only need to be valid.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const example = (p: string) => fileURLToPath(new URL(`../../../../examples/${p}`, import.meta.url));

describe('examples/route-reflectors', () => {
  it('bird.conf parses with BIRD 2', async () => {
    await expect(
      run('bird', ['-p', '-c', example('route-reflectors/bird.conf')], { timeout: 10_000 }),
    ).resolves.toBeDefined();
  });
  it('frr.conf parses with FRR 8', async () => {
    const { stdout, stderr } = await run('vtysh', ['--dryrun', '-f', example('route-reflectors/frr.conf')], {
      timeout: 10_000,
    });
    expect(`${stdout}${stderr}`).not.toMatch(/Unknown command|error/i);
  });
});
