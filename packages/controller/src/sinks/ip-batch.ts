import type { IpRunner } from './ip-runner.js';

/**
 * How long a batch of `lines` commands may take before `ip` is killed: the runner's 10 s for
 * a few lines, plus 10 ms a line. The kernel's own time grows with the addresses already on the
 * device: one batch of 10,000 /32s took 2.75 s on an idle 2-core machine and 19 s on the same
 * machine under load 27 (bench:services), so a fixed 10 s killed `ip` halfway through a large
 * first pass, every line was reported failed, and the pass was retried from the start.
 */
export function batchTimeoutMs(lines: number): number {
  return 10_000 + 10 * lines;
}

/** What {@link runIpBatch} may do with the lines beyond running them in order. */
export interface IpBatchOptions {
  /**
   * The lines are independent of each other (one command per distinct address, none undoing
   * another), so they may be split into up to this many `ip` processes running at once.
   * Default 1: one process, in order.
   */
  readonly parallel?: number;
}

/**
 * A batch is split only from this many lines a process: below it the batch is over in tens of
 * milliseconds and a second fork costs more than it saves.
 */
const LINES_PER_SPLIT = 512;

/**
 * Runs several `ip` commands in one process: `ip -force -batch -`, one command per line on
 * stdin. `-force` carries on after a failure, and `ip` reports each failure as its message
 * followed by `Command failed -:N`, so each error is attributed to its own line. Returns the
 * reason for every line that failed, by index (0-based); an empty map means all succeeded.
 *
 * With `options.parallel` (independent lines only), a long batch is split into contiguous
 * parts run by that many `ip` processes at once. Measured on the 2-core machine, 10,000 /32s
 * on lo: one `ip -batch` is on a CPU only a little over half its wall time (0.85-0.97 s of
 * system time in 1.6-1.74 s; it waits in the kernel between commands), so two halves at once
 * finished in ~1.2-1.3 s where one batch took ~1.6-1.8 s; four parts gained nothing more.
 * Each command is still its own netlink request, so every line keeps its own outcome.
 */
export async function runIpBatch(
  runner: IpRunner,
  lines: readonly string[],
  options: IpBatchOptions = {},
): Promise<ReadonlyMap<number, string>> {
  const parts = Math.max(
    1,
    Math.min(Math.floor(options.parallel ?? 1), Math.floor(lines.length / LINES_PER_SPLIT)),
  );
  if (parts <= 1) return runOne(runner, lines);
  const size = Math.ceil(lines.length / parts);
  const results = await Promise.all(
    Array.from({ length: parts }, (_, i) => runOne(runner, lines.slice(i * size, (i + 1) * size))),
  );
  const failed = new Map<number, string>();
  results.forEach((part, i) => {
    for (const [index, reason] of part) failed.set(i * size + index, reason);
  });
  return failed;
}

async function runOne(runner: IpRunner, lines: readonly string[]): Promise<ReadonlyMap<number, string>> {
  const failed = new Map<number, string>();
  if (lines.length === 0) return failed;
  const result = await runner.run(['-force', '-batch', '-'], `${lines.join('\n')}\n`, {
    timeoutMs: batchTimeoutMs(lines.length),
  });
  if (result.code === 0) return failed;
  let pending: string[] = [];
  for (const raw of result.stderr.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const m = /^Command failed \S*:(\d+)$/.exec(line);
    if (m === null) {
      pending.push(line);
      continue;
    }
    const index = Number(m[1]) - 1;
    if (index >= 0 && index < lines.length) failed.set(index, pending.join('; ') || 'failed');
    pending = [];
  }
  if (failed.size === 0) {
    // No per-line report: `ip` itself failed (not found, killed). Every line is in doubt.
    const reason = result.stderr.trim() || `ip exited with ${result.code}`;
    for (let i = 0; i < lines.length; i++) failed.set(i, reason);
  }
  return failed;
}
