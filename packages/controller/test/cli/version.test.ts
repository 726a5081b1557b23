import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/cli/package-version.js';
import { ANYVIP_BUNDLE } from '../support/anyvip-cli.js';

describe('anyvip --version', () => {
  it("prints package.json's version, wherever the process runs", async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(packageVersion).toBe(pkg.version);
    // The shipped bundle (yargs exits the process after --version, so not in-process), from a
    // directory with no package.json above it (the image runs in /tmp).
    const { stdout } = await promisify(execFile)(process.execPath, [ANYVIP_BUNDLE, '--version'], {
      cwd: tmpdir(),
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe(pkg.version);
  });
});
