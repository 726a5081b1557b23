import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../../../scripts/dockerfile-lint.js';
import { shippedProcessEnv } from '../../src/manifest/process-env.js';

const root = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));

/** `KEY=value` pairs of the runtime stage's ENV instructions (values without spaces or quotes). */
function runtimeEnv(dockerfile: string): Record<string, string> {
  const ins = parseDockerfile(dockerfile);
  const runtime = ins.slice(ins.findLastIndex((i) => i.keyword === 'FROM'));
  const env: Record<string, string> = {};
  for (const i of runtime.filter((x) => x.keyword === 'ENV'))
    for (const pair of i.args.split(/\s+/)) {
      const at = pair.indexOf('=');
      if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
    }
  return env;
}

describe('the process environment we ship is one list (src/manifest/process-env.ts)', () => {
  it('the image sets every variable of it, with the same value', async () => {
    const env = runtimeEnv(await readFile(root('Dockerfile'), 'utf8'));
    for (const [name, value] of Object.entries(shippedProcessEnv)) expect(env[name], name).toBe(value);
  });

  it('caps the young generation (peak RSS under a full Service list)', () => {
    expect(shippedProcessEnv.NODE_OPTIONS).toContain('--max-semi-space-size=');
  });
});
