/**
 * The repository stands on its own (issue 12 §1): a clone with nothing beside it runs
 * every test, benchmark and script, and every package says under which licence, from
 * which repository, and where to report bugs, with the licence text in its tarball.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../../..');
const REPOSITORY = 'https://github.com/anyvip/anyvip';

/** Folders that are built, installed or generated, never sources. */
const generated = new Set(['node_modules', 'dist', '.git', '.lab', 'coverage', 'build', 'tmp']);

/** The files a clone holds: git's list (tracked and new, not ignored), else a walk of the tree. */
function sourceFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\0').filter((f) => f !== '' && existsSync(join(root, f)));
  } catch {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (generated.has(name)) continue;
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(relative(root, p));
      }
    };
    walk(root);
    return files;
  }
}

/** Text that names a place beside the repository: the sibling folder, or its absolute path on our machines. */
const outside = new RegExp(`\\.\\./${'shared'}\\b|/work/${'shared'}\\b`);

describe('nothing in the repository reads beside it', () => {
  it('no test, benchmark, script or config names the folder beside the repository (markdown excepted)', () => {
    const offenders = sourceFiles()
      .filter((f) => !f.endsWith('.md'))
      // The corpus is data; its provenance text is markdown and its script takes paths as arguments.
      .filter((f) => !f.startsWith('packages/bgp/test/corpus/') || f.endsWith('.py'))
      .filter((f) =>
        /\.(ts|mts|mjs|cjs|js|json|sh|py|ya?ml|toml|txt|conf|cfg)$|(^|\/)(run|Dockerfile)$/.test(f),
      )
      .filter((f) => outside.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the BGP corpus is in the repository with its README, attributions and checksums', () => {
    const corpus = join(root, 'packages/bgp/test/corpus');
    for (const f of ['README.md', 'SHA256SUMS', 'subset-mrt.py'])
      expect(existsSync(join(corpus, f)), f).toBe(true);
    const sums = readFileSync(join(corpus, 'SHA256SUMS'), 'utf8').trim().split('\n');
    const listed = new Set(sums.map((l) => l.slice(66)));
    for (const dir of readdirSync(corpus).filter((d) => statSync(join(corpus, d)).isDirectory())) {
      expect(existsSync(join(corpus, dir, 'ATTRIBUTION.md')), `${dir}/ATTRIBUTION.md`).toBe(true);
    }
    const onDisk = sourceFiles()
      .filter((f) => f.startsWith('packages/bgp/test/corpus/'))
      .map((f) => f.slice('packages/bgp/test/corpus/'.length))
      .filter((f) => f !== 'README.md' && f !== 'SHA256SUMS');
    expect(onDisk.filter((f) => !listed.has(f))).toEqual([]);
    expect([...listed].filter((f) => !onDisk.includes(f))).toEqual([]);
  });
});

describe('licence and package metadata', () => {
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  const packages = readdirSync(join(root, 'packages')).filter((p) =>
    existsSync(join(root, 'packages', p, 'package.json')),
  );

  it('the root LICENSE is the Apache License 2.0 the packages claim', () => {
    expect(license).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  it.each(packages)('packages/%s: license, repository with directory, homepage, bugs', (p) => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8')) as {
      license?: string;
      repository?: { type?: string; url?: string; directory?: string };
      homepage?: string;
      bugs?: { url?: string };
      files?: string[];
    };
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${p}` });
    expect(pkg.homepage).toBe(`${REPOSITORY}/tree/main/packages/${p}#readme`);
    expect(pkg.bugs).toEqual({ url: `${REPOSITORY}/issues` });
    // The tarball carries the licence: LICENSE is in `files` and is the root text (a symlink pnpm pack follows).
    expect(pkg.files).toContain('LICENSE');
    expect(readFileSync(join(root, 'packages', p, 'LICENSE'), 'utf8')).toBe(license);
  });
});
