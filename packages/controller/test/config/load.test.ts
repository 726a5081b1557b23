import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../src/config/load.js';
import { AnyvipError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'anyvip-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<AnyvipError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AnyvipError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('loadConfigFile', () => {
  it('reads and validates a YAML file', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'mode: table\nvips: [10.250.255.1, "fd00:250::1"]\n');
    const c = await loadConfigFile(file);
    expect(c.vips.map((v) => v.prefix)).toEqual(['10.250.255.1/32', 'fd00:250::1/128']);
  });

  it('names the file, line and column of a YAML syntax error', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'mode: table\nvips:\n  - { address: 10.250.255.1\n');
    const err = await rejection(loadConfigFile(file));
    expect(err.code).toBe('ANYVIP_CONFIG_SYNTAX');
    expect(err.message).toMatch(new RegExp(`^${file.replaceAll('.', '\\.')}:\\d+:\\d+: `));
  });

  it('refuses duplicate keys rather than keeping the last one', () => {
    expect(() => parseConfigText('mode: table\nmode: bgp\n', 'x.yaml')).toThrow(
      /x\.yaml:2:1: Map keys must be unique/,
    );
  });

  it('reports a missing file as ANYVIP_CONFIG_UNREADABLE', async () => {
    const err = await rejection(loadConfigFile(join(dir, 'missing.yaml')));
    expect(err.code).toBe('ANYVIP_CONFIG_UNREADABLE');
    expect(err.message).toMatch(/ENOENT/);
  });

  it('treats an empty file as an empty configuration: bgp mode then needs bgp', () => {
    expect(() => parseConfigText('')).toThrow('bgp: is required when mode is bgp');
  });

  it('reports schema errors with the key path', () => {
    expect(() => parseConfigText('mode: table\nvips: [{ address: 10.250.255.1, comunities: [] }]\n')).toThrow(
      /^vips\[0\]\.comunities: unknown field/,
    );
  });
});
