import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const metrics = fileURLToPath(new URL('../../src/observability/metrics.ts', import.meta.url));
const resolver = fileURLToPath(new URL('../../../bgp/scripts/ts-resolve.mjs', import.meta.url));

/**
 * An idle process with the process metrics on: how many times its main thread blocked and woke
 * (voluntary context switches, /proc/self/status) over `windowMs`. Each timer expiry the event
 * loop sleeps for is one; machine load adds involuntary switches, not these.
 */
function idleWakeups(windowMs: number): number {
  const child = `
    import { readFileSync } from 'node:fs';
    import { ControllerMetrics } from ${JSON.stringify(metrics)};
    const switches = () => Number(/^voluntary_ctxt_switches:\\s+(\\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
    new ControllerMetrics().collectProcessMetrics();
    setTimeout(() => {
      const before = switches();
      setTimeout(() => { process.stdout.write(String(switches() - before)); process.exit(0); }, ${windowMs});
    }, 300);
  `;
  const r = spawnSync(process.execPath, ['--import', resolver, '--input-type=module', '-e', child], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return Number(r.stdout);
}

describe('process metrics at idle', () => {
  it('wake an idle process about ten times a second, not a hundred (event-loop monitor at 100 ms, not 10)', () => {
    // With prom-client's default 10 ms sampling this counted ~100 a second.
    expect(idleWakeups(1000)).toBeLessThan(40);
  });
});
