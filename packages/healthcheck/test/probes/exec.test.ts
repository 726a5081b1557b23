import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthError } from '../../src/errors.js';
import { createExecProbe } from '../../src/probes/exec.js';
import { deadline, never } from '../support/deadline.js';
import { diesWithin, isAlive } from '../support/processes.js';

let dir: string;
const leftovers: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'anyvip-hc-exec-'));
});
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Waits for a pid file written by the command and remembers the pid for cleanup. */
function pidFrom(file: string): number {
  const pid = Number(readFileSync(file, 'utf8').trim());
  leftovers.push(pid);
  return pid;
}

describe('exec probe', () => {
  it('passes on exit 0 (shell command line)', async () => {
    expect(await createExecProbe({ command: 'exit 0' }).run(never())).toMatchObject({
      ok: true,
      reason: 'exit 0',
    });
  });

  it('fails on a non-zero exit and quotes the end of the output', async () => {
    const r = await createExecProbe({ command: 'echo starting; echo "db unreachable" >&2; exit 3' }).run(
      never(),
    );
    expect(r).toMatchObject({ ok: false, reason: 'exit 3: starting db unreachable' });
  });

  it.each([
    [['/bin/true'], true, 'exit 0'],
    [['/bin/false'], false, 'exit 1'],
    [['/bin/sh', '-c', 'exit 42'], false, 'exit 42'],
  ] as const)('runs argv %j without a shell', async (command, ok, reason) => {
    expect(await createExecProbe({ command }).run(never())).toMatchObject({ ok, reason });
  });

  it('reports a command killed by a signal', async () => {
    const r = await createExecProbe({ command: 'kill -TERM $$' }).run(never());
    expect(r).toMatchObject({ ok: false, reason: 'killed by SIGTERM' });
  });

  it('fails when the command does not exist', async () => {
    const r = await createExecProbe({ command: ['/nonexistent/anyvip-check'] }).run(never());
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(
      /^cannot run \/nonexistent\/anyvip-check: spawn \/nonexistent\/anyvip-check ENOENT/,
    );
  });

  it('on timeout kills the whole process group, grandchildren included', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const probe = createExecProbe({ command: `sleep 30 & echo $! > ${pidFile}; wait` });
    const started = Date.now();
    const r = await probe.run(deadline(300));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^timeout after 300ms; process group \d+ killed$/);
    const grandchild = pidFrom(pidFile);
    expect(await diesWithin(grandchild, 2000)).toBe(true);
  });

  it('kills what a passing command left behind in its group', async () => {
    const pidFile = join(dir, 'leftover.pid');
    const r = await createExecProbe({ command: `sleep 30 & echo $! > ${pidFile}; exit 0` }).run(never());
    expect(r).toMatchObject({ ok: true, reason: 'exit 0' });
    expect(await diesWithin(pidFrom(pidFile), 2000)).toBe(true);
  });

  it('does not start a command when already aborted', async () => {
    const c = new AbortController();
    c.abort();
    const r = await createExecProbe({ command: `touch ${join(dir, 'ran')}` }).run(c.signal);
    expect(r).toMatchObject({ ok: false, reason: 'aborted before the command started' });
    expect(() => readFileSync(join(dir, 'ran'))).toThrow();
  });

  it('passes env (over the parent environment) and cwd', async () => {
    const r = await createExecProbe({
      command: 'test "$ANYVIP_PROBE" = yes && test "$(pwd)" = "$EXPECT_DIR" && test -n "$PATH"',
      env: { ANYVIP_PROBE: 'yes', EXPECT_DIR: dir },
      cwd: dir,
    }).run(never());
    expect(r).toMatchObject({ ok: true });
  });

  it('keeps only the last maxOutputBytes of output for the reason', async () => {
    const r = await createExecProbe({
      command: 'printf "%0500d" 0; printf TAIL; exit 1',
      maxOutputBytes: 8,
    }).run(never());
    expect(r.reason).toBe('exit 1: 0000TAIL');
  });

  it('refuses an empty command (ANYVIP_HEALTH_BAD_CONFIG)', () => {
    for (const command of ['', '   ', []]) {
      expect(() => createExecProbe({ command })).toThrow(HealthError);
    }
  });

  it('leaves nothing running after a timeout of a process that ignores SIGTERM', async () => {
    const pidFile = join(dir, 'stubborn.pid');
    const r = await createExecProbe({ command: `trap '' TERM; echo $$ > ${pidFile}; sleep 30` }).run(
      deadline(200),
    );
    expect(r.ok).toBe(false);
    const pid = pidFrom(pidFile);
    expect(await diesWithin(pid, 2000)).toBe(true);
    expect(isAlive(pid)).toBe(false);
  });
});
