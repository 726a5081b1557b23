import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export const pkg = resolve(import.meta.dirname, '../..');
export const repo = resolve(pkg, '../..');

/**
 * Runs `anyvip-bgp` from its TypeScript source, as `node` runs it after a build: it
 * imports @anyvip/bgp's build, and the repository's TypeScript loader resolves the
 * CLI's own `.js` imports to their `.ts` sources. Throws when the CLI exits non-zero.
 */
export function cli(args: readonly string[], input?: string | Uint8Array): string {
  return execFileSync(
    process.execPath,
    [
      '--no-warnings',
      '--import',
      resolve(repo, 'packages/bgp/scripts/ts-resolve.mjs'),
      resolve(pkg, 'src/main.ts'),
      ...args,
    ],
    { input, encoding: 'utf8', timeout: 20_000, stdio: ['pipe', 'pipe', 'pipe'] },
  );
}

/** JSON Lines output, parsed. */
export function lines(out: string): Record<string, unknown>[] {
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
