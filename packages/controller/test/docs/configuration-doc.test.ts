/**
 * docs/configuration.md is checked against the code: every flag each command's `--help` lists
 * (what yargs defines) and every key the schema accepts (the key lists passed to `known()` in
 * src/config/) appears in it. Adding a flag or key without documenting it fails here.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';

const run = promisify(execFile);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const controller = here('../../');
let doc = '';
beforeAll(async () => {
  doc = await readFile(here('../../../../docs/configuration.md'), 'utf8');
});

/** Backticked spans of the doc, split at separators so `--a`, `--b` in one cell both count. */
function spans(): Set<string> {
  const out = new Set<string>();
  // Fenced blocks first: their ``` would pair the inline backticks wrongly.
  const prose = doc.replace(/```[\s\S]*?```/g, '');
  for (const m of prose.matchAll(/`([^`]+)`/g)) {
    const text = m[1] ?? '';
    for (const token of text.split(/[\s,/|=]+/)) out.add(token);
    for (const part of text.split(/[.[\]\s]+/)) out.add(part);
  }
  return out;
}

async function helpFlags(command: readonly string[]): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    ['--import', '../bgp/scripts/ts-resolve.mjs', 'src/main.ts', ...command, '--help'],
    { cwd: controller, timeout: 30_000 },
  );
  return [...new Set(stdout.match(/--[a-z][a-z-]*/g) ?? [])].filter(
    (f) => f !== '--help' && f !== '--version',
  );
}

/** String literals of the key lists the schema checks with `known()`. */
async function schemaKeys(): Promise<string[]> {
  const dir = here('../../src/config/');
  const keys = new Set<string>();
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.ts')) continue;
    const src = await readFile(`${dir}${file}`, 'utf8');
    const lists = [
      ...src.matchAll(/const \w+Keys = \[([^\]]*)\]/g),
      ...src.matchAll(/known\([^,]+,[^,]+,\s*\[([^\]]*)\]/g),
    ];
    for (const l of lists) for (const k of (l[1] ?? '').matchAll(/'([A-Za-z]+)'/g)) keys.add(k[1] ?? '');
  }
  return [...keys];
}

describe('docs/configuration.md', () => {
  it.each([['standalone'], ['validate'], ['run'], ['status'], ['doctor'], ['manifest', 'daemonset']])(
    'documents every flag of `anyvip %s`',
    async (...command) => {
      const flags = await helpFlags(command);
      expect(flags.length).toBeGreaterThan(0);
      const documented = spans();
      expect(flags.filter((f) => !documented.has(f) && !documented.has(f.replace(/^--no-/, '--')))).toEqual(
        [],
      );
    },
  );

  it('its example file is a valid configuration', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(yaml).toBeDefined();
    const config = parseConfigText(yaml ?? '', 'docs/configuration.md');
    expect(config.vips.map((v) => v.prefix)).toEqual(['10.250.255.1/32']);
  });

  it('documents every configuration key the schema accepts', async () => {
    const keys = await schemaKeys();
    expect(keys).toContain('keepWhenDown');
    const documented = spans();
    expect(keys.filter((k) => !documented.has(k))).toEqual([]);
  });
});

describe('docs/migrating-from-kube-vip.md', () => {
  it('names only flags that exist today (run, manifest, doctor, status)', async () => {
    const text = await readFile(here('../../../../docs/migrating-from-kube-vip.md'), 'utf8');
    const known = new Set<string>();
    for (const command of [['run'], ['manifest', 'daemonset'], ['doctor'], ['status']])
      for (const f of await helpFlags(command)) known.add(f);
    const named = [...new Set(text.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? [])];
    expect(named.length).toBeGreaterThan(10);
    // `--type` belongs to kubectl (the patch commands).
    expect(named.filter((f) => !known.has(f) && f !== '--type')).toEqual([]);
  });
});
