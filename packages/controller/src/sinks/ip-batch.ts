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

/**
 * Runs several `ip` commands in one process: `ip -force -batch -`, one command per line on
 * stdin. `-force` carries on after a failure, and `ip` reports each failure as its message
 * followed by `Command failed -:N`, so each error is attributed to its own line. Returns the
 * reason for every line that failed, by index (0-based); an empty map means all succeeded.
 */
export async function runIpBatch(
  runner: IpRunner,
  lines: readonly string[],
): Promise<ReadonlyMap<number, string>> {
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
