/**
 * Flake hunt: runs interop test files N times and prints each test's pass rate.
 *
 * CLI (as root, like the interop project): `pnpm test:interop:repeat [N] [FILE...]`, or
 * `node scripts/interop-repeat.ts [N] [FILE...]`. N defaults to 20 (the bar a test must
 * meet: every run green); FILE defaults to every `*.interop.test.ts` under packages/.
 * Each pass is one `vitest run --project interop --retry=0` over all the files (as CI runs
 * them, serially), reported through vitest's JSON reporter. A pass that overruns
 * `--pass-timeout-min` (default 30) is killed and counts as a failure of everything in it;
 * with `--budget-min M` no pass starts after M minutes (the table then says how many ran).
 * Nothing is retried. The table lists `file › test`, passed/runs, and the runs in which
 * a test failed; each pass's JSON report and the load average before and after it stay in
 * `--out DIR` (default a new directory under the system temp dir). Exits 1 when any test
 * is below 100 %.
 *
 * Counting is honest about what did not run: a test that ran in some pass but was
 * skipped or never reached in another (its file failed to load, a hook failed) counts as
 * a failed run there (a flake that hides as "skipped" is still a flake); a test skipped
 * in every pass says `skipped`; a file that failed outside any test gets a `(file)` row.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of vitest's JSON report (Jest's format) this script reads. */
export interface JsonReport {
  readonly testResults: readonly {
    readonly name: string;
    readonly status: string;
    readonly message?: string;
    readonly assertionResults: readonly {
      readonly ancestorTitles: readonly string[];
      readonly title: string;
      readonly status: string;
    }[];
  }[];
}

/** What one pass produced: its report, or why there is none. */
export type PassOutcome =
  | { readonly kind: 'report'; readonly report: JsonReport }
  | { readonly kind: 'noReport'; readonly reason: string };

/** One row of the table. */
export interface PassRate {
  /** `file › describe › test`, file relative to the repository root. */
  readonly key: string;
  readonly passed: number;
  /** Passes counted: all of them, or 0 for a test that no pass ran (skipped by design). */
  readonly runs: number;
  /** 1-based passes in which this test did not pass. */
  readonly failedIn: readonly number[];
}

const FILE_ROW = '(file)';

/**
 * Pass rates per test over `passes`. A test that some pass ran (passed or failed) is
 * expected in every pass: failed, skipped or absent counts as not passed there. A test
 * that no pass ran (skipped every time, e.g. `it.skip`) gets runs 0. A pass without a
 * report fails every test. A file that failed while none of its tests did (a load error,
 * a failing hook) gets a `(file)` row, which fails in that pass and passes in the others.
 */
export function passRates(passes: readonly PassOutcome[], root: string): PassRate[] {
  const keyOf = (file: string, titles: readonly string[]): string =>
    [relative(root, file), ...titles].join(' › ');
  const seen = new Set<string>();
  const ran = new Set<string>();
  const passedIn = new Map<string, Set<number>>();
  const fileFailedIn = new Map<string, number[]>();
  passes.forEach((p, i) => {
    if (p.kind !== 'report') return;
    for (const f of p.report.testResults) {
      let anyFailed = false;
      for (const a of f.assertionResults) {
        const key = keyOf(f.name, [...a.ancestorTitles, a.title]);
        seen.add(key);
        if (a.status === 'passed' || a.status === 'failed') ran.add(key);
        if (a.status === 'failed') anyFailed = true;
        if (a.status === 'passed') {
          const set = passedIn.get(key) ?? new Set<number>();
          set.add(i + 1);
          passedIn.set(key, set);
        }
      }
      if (f.status === 'failed' && !anyFailed) {
        const key = keyOf(f.name, [FILE_ROW]);
        fileFailedIn.set(key, [...(fileFailedIn.get(key) ?? []), i + 1]);
      }
    }
  });
  const all = passes.map((_, i) => i + 1);
  const rows: PassRate[] = [];
  for (const key of seen) {
    if (!ran.has(key)) {
      rows.push({ key, passed: 0, runs: 0, failedIn: [] });
      continue;
    }
    const ok = passedIn.get(key) ?? new Set<number>();
    const failedIn = all.filter((n) => !ok.has(n));
    rows.push({ key, passed: passes.length - failedIn.length, runs: passes.length, failedIn });
  }
  // A file row: failed where the file failed, and in passes without a report.
  for (const [key, failed] of fileFailedIn) {
    const failedIn = all.filter((n) => failed.includes(n) || passes[n - 1]?.kind !== 'report');
    rows.push({ key, passed: passes.length - failedIn.length, runs: passes.length, failedIn });
  }
  const rate = (r: PassRate): number => (r.runs === 0 ? 2 : r.passed / r.runs);
  return rows.sort((a, b) => rate(a) - rate(b) || a.key.localeCompare(b.key));
}

/** The table as text: one line per test, worst first; tests no pass ran say so. */
export function formatTable(rates: readonly PassRate[]): string {
  const width = Math.max(4, ...rates.map((r) => r.key.length));
  const lines = [`${'test'.padEnd(width)}  passed/runs  failed in pass`];
  for (const r of rates) {
    const frac = (r.runs === 0 ? 'skipped' : `${r.passed}/${r.runs}`).padStart(11);
    lines.push(`${r.key.padEnd(width)}  ${frac}  ${r.failedIn.join(',')}`.trimEnd());
  }
  return lines.join('\n');
}

/** Every `*.interop.test.ts` under `dir`, sorted. */
function interopFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...interopFiles(path));
    else if (name.endsWith('.interop.test.ts')) out.push(path);
  }
  return out.sort();
}

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** One vitest pass; resolves with its report, or why there is none. Never retried. */
function runPass(
  root: string,
  files: readonly string[],
  outputFile: string,
  timeoutMs: number,
): Promise<PassOutcome> {
  return new Promise((done) => {
    const vitest = join(root, 'node_modules', '.bin', 'vitest');
    const args = [
      'run',
      '--project',
      'interop',
      '--retry=0',
      '--reporter=json',
      `--outputFile=${outputFile}`,
    ];
    // Its own process group, so that a pass that overruns is killed with all it started.
    const child = spawn(vitest, [...args, ...files], { cwd: root, stdio: 'ignore', detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return done({ kind: 'noReport', reason: `killed after ${timeoutMs / 60_000} min` });
      try {
        done({ kind: 'report', report: JSON.parse(readFileSync(outputFile, 'utf8')) as JsonReport });
      } catch {
        done({ kind: 'noReport', reason: `vitest exited ${code ?? signal} without a JSON report` });
      }
    });
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  let out: string | undefined;
  let timeoutMin = 30;
  let budgetMin = Number.POSITIVE_INFINITY;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--out') out = argv[++i];
    else if (a === '--pass-timeout-min') timeoutMin = Number(argv[++i]);
    else if (a === '--budget-min') budgetMin = Number(argv[++i]);
    else if (a === '--') continue;
    else positional.push(a);
  }
  const first = positional[0];
  const n = first !== undefined && /^\d+$/.test(first) ? Number(positional.shift()) : 20;
  if (!Number.isInteger(n) || n < 1) throw new Error(`N must be a positive integer, got ${first}`);
  if (!(timeoutMin > 0)) throw new Error('--pass-timeout-min must be a positive number');
  if (!(budgetMin > 0)) throw new Error('--budget-min must be a positive number');
  const files =
    positional.length > 0 ? positional.map((f) => resolve(f)) : interopFiles(join(root, 'packages'));
  const dir = out ?? mkdtempSync(join(tmpdir(), 'anyvip-interop-repeat-'));
  mkdirSync(dir, { recursive: true });
  console.log(`${n} passes of ${files.length} interop file(s); reports in ${dir}`);
  const passes: PassOutcome[] = [];
  const log: string[] = [];
  const started = Date.now();
  for (let i = 1; i <= n; i++) {
    if (Date.now() - started >= budgetMin * 60_000) {
      const line = `budget of ${budgetMin} min spent: stopping after ${i - 1} of ${n} passes`;
      console.log(line);
      log.push(line);
      break;
    }
    const before = load();
    const t0 = Date.now();
    const outcome = await runPass(root, files, join(dir, `pass-${i}.json`), timeoutMin * 60_000);
    passes.push(outcome);
    const failed =
      outcome.kind === 'report'
        ? outcome.report.testResults.flatMap((f) =>
            f.assertionResults
              .filter((a) => a.status === 'failed')
              .map((a) => `${relative(root, f.name)} › ${[...a.ancestorTitles, a.title].join(' › ')}`)
              .concat(
                f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')
                  ? [`${relative(root, f.name)} (file): ${(f.message ?? '').split('\n')[0]}`]
                  : [],
              ),
          )
        : [`no report: ${outcome.reason}`];
    const line = `pass ${i}/${n}: ${((Date.now() - t0) / 1000).toFixed(0)} s, load ${before} -> ${load()}, ${
      failed.length === 0 ? 'all passed' : `FAILED ${failed.join('; ')}`
    }`;
    console.log(line);
    log.push(line);
    writeFileSync(join(dir, 'passes.log'), `${log.join('\n')}\n`);
  }
  const rates = passRates(passes, root);
  const table = formatTable(rates);
  writeFileSync(join(dir, 'table.txt'), `${table}\n`);
  console.log(`\n${table}`);
  return rates.every((r) => r.passed === r.runs) && passes.every((p) => p.kind === 'report') ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(2);
    },
  );
}
