import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Check, type CheckOptions } from '../src/check.js';
import type { CheckEvent } from '../src/events.js';
import { startHttp, startRaw, type TestServer } from './support/servers.js';

/**
 * Real clock, real sockets and processes. Timing is asserted only as upper bounds with generous
 * slack (a loaded 2-core machine); exact behaviour is asserted as counts of probe rounds.
 */
const timing = { intervalMs: 100, fastIntervalMs: 50, timeoutMs: 40, rise: 2, fall: 3 } as const;
/** fall × interval + timeout: the documented worst case between failure and `down`. */
const boundMs = timing.fall * timing.intervalMs + timing.timeoutMs;
const slackMs = 1500;

let dir: string;
const checks: Check[] = [];
const servers: TestServer[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'anyvip-hc-e2e-'));
});
afterEach(async () => {
  await Promise.all(checks.splice(0).map((c) => c.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function watch(options: Omit<CheckOptions, 'name'>) {
  const check = new Check({ name: 'vip', ...timing, ...options });
  checks.push(check);
  const events: CheckEvent[] = [];
  const waiters: { kind: CheckEvent['kind']; resolve: (e: CheckEvent) => void }[] = [];
  check.subscribe((e) => {
    events.push(e);
    for (const w of waiters.filter((w) => w.kind === e.kind)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  return {
    check,
    events,
    next<K extends CheckEvent['kind']>(kind: K, withinMs = 5000): Promise<Extract<CheckEvent, { kind: K }>> {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${kind} event within ${withinMs} ms`)), withinMs);
        waiters.push({
          kind,
          resolve: (e) => {
            clearTimeout(t);
            resolve(e as Extract<CheckEvent, { kind: K }>);
          },
        });
      });
    },
    /** Failed results between the failure and the `down` event. */
    failedRoundsSince(index: number): number {
      return events.slice(index).filter((e) => e.kind === 'result' && !e.ok).length;
    },
  };
}

describe('Check end to end (real clock, local targets)', () => {
  it('HTTP: up after rise, down within fall × interval + timeout of the server starting to answer 500', async () => {
    let healthy = true;
    const s = await startHttp((_req, res) => {
      res.statusCode = healthy ? 200 : 500;
      res.end(healthy ? 'ok' : 'broken');
    });
    servers.push(s);
    const w = watch({ probes: [{ kind: 'http', url: s.url('/healthz') }] });
    const upSeen = w.next('up');
    w.check.start();
    expect(await upSeen).toMatchObject({
      kind: 'up',
      from: 'unknown',
      reasons: [`http ${s.url('/healthz')}: HTTP 200`],
    });
    const downSeen = w.next('down');
    const mark = w.events.length;
    const failedAt = performance.now();
    healthy = false;
    const down = await downSeen;
    const detectionMs = performance.now() - failedAt;
    expect(down).toMatchObject({ from: 'up', cause: 'fall' });
    expect(down.reasons).toEqual([`http ${s.url('/healthz')}: HTTP 500 (expected 200-399): broken`]);
    expect(w.failedRoundsSince(mark)).toBe(timing.fall);
    expect(detectionMs).toBeLessThan(boundMs + slackMs);
  });

  it('HTTP: a server that starts hanging is withdrawn through timeouts, with no round overlapping', async () => {
    let hang = false;
    const s = await startHttp((_req, res) => {
      if (!hang) res.end('ok');
    });
    servers.push(s);
    const w = watch({ probes: [{ kind: 'http', url: s.url() }] });
    const upSeen = w.next('up');
    w.check.start();
    await upSeen;
    const downSeen = w.next('down');
    const mark = w.events.length;
    const failedAt = performance.now();
    hang = true;
    const down = await downSeen;
    expect(performance.now() - failedAt).toBeLessThan(boundMs + slackMs);
    expect(down.reasons[0]).toMatch(/timeout after 40ms while (waiting for response headers|connecting)/);
    expect(w.failedRoundsSince(mark)).toBe(timing.fall);
    // Rounds never overlap: each hung round ends at its timeout before the next one starts.
    const starts = w.events.slice(mark).flatMap((e) => (e.kind === 'result' ? [e.atMs] : []));
    for (let i = 1; i < starts.length; i++) {
      expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBeGreaterThanOrEqual(timing.timeoutMs);
    }
    await w.check.stop();
    // Every aborted request's socket was destroyed.
    await s.allClosed();
  });

  it('TCP: a listener that goes away is withdrawn (connection refused)', async () => {
    const s = await startRaw(() => {});
    const w = watch({ probes: [{ kind: 'tcp', host: '127.0.0.1', port: s.port }] });
    const upSeen = w.next('up');
    w.check.start();
    await upSeen;
    const downSeen = w.next('down');
    const failedAt = performance.now();
    await s.close();
    const down = await downSeen;
    expect(performance.now() - failedAt).toBeLessThan(boundMs + slackMs);
    expect(down.reasons[0]).toContain('ECONNREFUSED');
  });

  it('exec: a failing command is withdrawn and a recovering one announced again', async () => {
    const flag = join(dir, 'healthy');
    writeFileSync(flag, '');
    // The probe timeout must cover starting a shell, or a round ends in "timeout" instead of
    // "exit 1": on this 2-core host at load 22, spawning `sh -c 'test -e …'` took p50 15 ms,
    // p99 178 ms, max 208 ms (60 spawns), and 80 ms made this test fail 1 run in 2.
    const w = watch({
      probes: [{ kind: 'exec', command: `test -e ${flag}` }],
      intervalMs: 1000,
      fastIntervalMs: 600,
      timeoutMs: 500,
    });
    const upSeen = w.next('up');
    w.check.start();
    await upSeen;
    const downSeen = w.next('down');
    const failedAt = performance.now();
    unlinkSync(flag);
    expect(await downSeen).toMatchObject({ reasons: [`exec test -e ${flag}: exit 1`] });
    expect(performance.now() - failedAt).toBeLessThan(3 * 1000 + 500 + slackMs);
    const upAgain = w.next('up');
    writeFileSync(flag, '');
    expect(await upAgain).toMatchObject({ from: 'down' });
  });

  it('disable file: withdrawn within one interval of appearing, starts over when removed', async () => {
    const s = await startHttp((_req, res) => res.end('ok'));
    servers.push(s);
    const disableFile = join(dir, 'maintenance');
    const w = watch({ probes: [{ kind: 'http', url: s.url() }], disableFile });
    const upSeen = w.next('up');
    w.check.start();
    await upSeen;
    const downSeen = w.next('down');
    const at = performance.now();
    writeFileSync(disableFile, '');
    expect(await downSeen).toMatchObject({
      cause: 'disabled',
      reasons: [`disable file ${disableFile} is present`],
    });
    expect(performance.now() - at).toBeLessThan(timing.intervalMs + slackMs);
    const unknownSeen = w.next('unknown');
    const upAgain = w.next('up');
    unlinkSync(disableFile);
    await unknownSeen;
    expect(await upAgain).toMatchObject({ from: 'unknown' });
  });
});
