import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { readWithYaml, readYamlText } from '../../src/config/yaml-text.js';
import { AnyvipError } from '../../src/errors.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * A value spelled out with its types: -0, NaN and the infinities kept, each object's prototype
 * (plain or not) and its own keys in order. (toStrictEqual cannot compare `{ constructor: [] }`.)
 */
function canon(v: unknown): unknown {
  if (typeof v === 'number') return Object.is(v, -0) ? 'number -0' : `number ${v}`;
  if (v === null || typeof v !== 'object') return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return ['array', ...v.map(canon)];
  const plain = Object.getPrototypeOf(v) === Object.prototype;
  return [
    plain ? 'object' : `object of ${String(Object.getPrototypeOf(v)?.constructor?.name)}`,
    ...Object.keys(v).map((k) => [k, canon((v as Record<string, unknown>)[k])]),
  ];
}

/** The same value, or the same error, from the fast reading and the reading of record. */
function expectSameReading(text: string): void {
  const read = (f: (t: string, s: string) => unknown): unknown => {
    try {
      return { value: canon(f(text, 'x.yaml')) };
    } catch (err) {
      return { error: err instanceof AnyvipError ? `${err.code} ${err.message}` : String(err) };
    }
  };
  expect(read(readYamlText), JSON.stringify(text)).toEqual(read(readWithYaml));
}

/** Every YAML file under `dir` (no node_modules, no dist, no dot-directories). */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.') || name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

/** Each document of a file on its own (the configuration reader takes one document). */
function documents(text: string): string[] {
  return parseAllDocuments(text).map((d) => text.slice(d.range[0], d.range[2]));
}

describe('readYamlText: js-yaml only where it reads what `yaml` reads', () => {
  it('every YAML file in the repository, document by document', () => {
    const files = yamlFiles(root);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) for (const doc of documents(readFileSync(file, 'utf8'))) expectSameReading(doc);
  });

  it('every fenced YAML block in README.md and docs/', () => {
    const pages = [join(root, 'README.md')];
    for (const name of readdirSync(join(root, 'docs')))
      if (name.endsWith('.md')) pages.push(join(root, 'docs', name));
    let blocks = 0;
    for (const page of pages) {
      for (const m of readFileSync(page, 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
        for (const doc of documents(m[1] as string)) expectSameReading(doc);
        blocks++;
      }
    }
    expect(blocks).toBeGreaterThan(5);
  });

  it('the scalars where YAML 1.1, 1.2 and the two libraries could part ways', () => {
    const scalars = [
      '0b101',
      '0o17',
      '017',
      '0x1F',
      '1_000',
      '+12',
      '-0',
      '1e3',
      '1.5e+3',
      '.5',
      '5.',
      '.inf',
      '-.Inf',
      '.NaN',
      '~',
      'null',
      'Null',
      'NULL',
      'yes',
      'no',
      'on',
      'off',
      'y',
      'n',
      'True',
      'TRUE',
      'false',
      '2001-12-14',
      '12:30:45',
      '1:20',
      '+.5',
      '-.5e2',
      '0x_1',
      '00',
      '08',
      '0o8',
      '+0o7',
      '-0x1F',
      '1e',
      '.',
      '10.250.1.2',
      'fd00:250::1',
      '::1',
      '65000',
      '4294967295',
      '99999999999999999999',
      '9007199254740993',
      '1.0',
      '"a\\tb\\u00e9\\x41\\/"',
      "'it''s'",
      '""',
      "''",
      '!!str 12',
      '!!float 1',
      '!!binary aGk=',
      '!foo bar',
      '&a x',
      '*a',
      '|\n  x\n  y',
      '>-\n  p\n  q',
      '"multi\n  line"',
      'plain\n  continued',
      '[1, 2,]',
      '{x: 1, }',
      '-',
      '- a',
      '? x',
      'a # comment',
      'p%q',
      'x!y',
    ];
    for (const s of scalars) {
      expectSameReading(`v: ${s}\n`);
      expectSameReading(`- ${s}\n`);
    }
  });

  it('the keys and document shapes where they could part ways', () => {
    for (const text of [
      '',
      '# only a comment\n',
      'null: x\n',
      '~: x\n',
      ': x\n',
      '{null: 1}\n',
      '[a, b]: c\n',
      '{a: 1}: b\n',
      '1: a\n"1": b\n',
      'a: 1\na: 2\n',
      '__proto__: {a: 1}\nb: 2\n',
      'true: 1\n',
      '\uFEFFa: 1\n',
      'a: 1\r\nb: 2\r\n',
      'a:\n\t- 1\n',
      'a: b\n---\nc: d\n',
      '---\na: b\n...\n',
      '%YAML 1.1\n---\na: yes\n',
      '? a\n: b\n',
      'a:  \n  b: 1\n',
      'key with spaces : v\n',
      'x: {a: [b, {c: d}]}\n',
      'a: &x [1]\nb: *x\n',
      '12\n',
      '- 1\n- 2\n',
    ])
      expectSameReading(text);
  });

  it('generated configuration-shaped documents, block and flow', () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.constantFrom('10.250.1.2', 'fd00:250::1', '65000', 'true', 'null', '~', '0x10', '1e3', '.inf', ''),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const key = fc.oneof(
      fc.string({ minLength: 1 }),
      fc.constantFrom('vips', 'bgp', 'asn', 'peers', 'null', '~'),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
      list: fc.array(tie('node'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    })).node;
    fc.assert(
      fc.property(value, fc.boolean(), (v, flow) => {
        const text = stringify(v, { collectionStyle: flow ? 'flow' : 'block' });
        expectSameReading(text);
      }),
      { numRuns: 500 },
    );
  });

  it('reads a 10,000-VIP file as `yaml` does', () => {
    const lines = ['bgp:', '  asn: 65001', '  peers: [{ address: 10.250.1.1, asn: 65000 }]', 'vips:'];
    for (let i = 0; i < 10_000; i++) lines.push(`  - 10.250.${128 + (i >> 8)}.${i & 255}`);
    expectSameReading(`${lines.join('\n')}\n`);
  });
});
