/**
 * The address watch with the real `ip -o monitor address` in a network namespace: it vouches
 * only once the kernel shows its subscription, sees every address added or removed (by us or by
 * hand), stops vouching when its child dies or it is closed, and never vouches without `ip`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createLab, interopSkipReason, type Lab, waitFor } from '../../../bgp/test/interop/support/index.js';
import { IpMonitorWatch } from '../../src/sinks/address-watch.js';

const skipReason = interopSkipReason();

describe.skipIf(skipReason !== undefined)('IpMonitorWatch against the kernel', () => {
  let lab: Lab | undefined;
  let watch: IpMonitorWatch | undefined;
  afterEach(async () => {
    watch?.close();
    watch = undefined;
    await lab?.destroy();
    lab = undefined;
  });

  /** A lab with one node and a watch on it, once the watch vouches; `changes` counts its passes. */
  async function subscribed(options: { readonly restartDelayMs?: number } = {}) {
    lab = await createLab({ nodes: ['node'], links: [] });
    const l = lab;
    const counter = { changes: 0 };
    const w = new IpMonitorWatch({ netns: l.nsOf('node'), changed: () => counter.changes++, ...options });
    watch = w;
    expect(w.generation('lo')).toBeUndefined(); // Spawned, not yet seen subscribed.
    await waitFor(() => w.generation('lo') !== undefined, {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'subscription',
    });
    return { l, w, counter };
  }

  /** Runs `ip …` in the node and waits until lo's generation moved past what it was before. */
  async function loMoves(l: Lab, w: IpMonitorWatch, args: readonly string[], what: string): Promise<void> {
    const before = w.generation('lo') as number;
    await l.ip('node', args);
    await waitFor(() => (w.generation('lo') ?? before) > before, { timeoutMs: 10_000, intervalMs: 10, what });
  }

  it('vouches once subscribed, and every address change moves the generation and raises a pass', async () => {
    const { l, w, counter } = await subscribed();
    const g0 = w.generation('lo') as number;
    expect(w.generation('lo')).toBe(g0); // Nothing happened: stable.
    await loMoves(l, w, ['addr', 'add', '10.250.77.1/32', 'dev', 'lo'], 'add event');
    expect(counter.changes).toBeGreaterThan(0);
    await loMoves(l, w, ['addr', 'del', '10.250.77.1/32', 'dev', 'lo'], 'delete event');
    await loMoves(l, w, ['-6', 'addr', 'add', 'fd00:250::77/128', 'dev', 'lo'], 'IPv6 event');
    w.close();
    expect(w.generation('lo')).toBeUndefined();
  });

  it('counts events by device: addresses coming and going on another device raise no pass', async () => {
    const { l, w, counter } = await subscribed();
    const g0 = w.generation('lo') as number;
    const other = await l.ip('node', ['link', 'add', 'avother0', 'type', 'veth', 'peer', 'name', 'avother1']);
    expect(other.code).toBe(0);
    await l.ip('node', ['addr', 'add', '10.250.78.1/32', 'dev', 'avother0']);
    await l.ip('node', ['addr', 'del', '10.250.78.1/32', 'dev', 'avother0']);
    // Events arrive in order: once lo's is in, the other device's were read before it.
    await loMoves(l, w, ['addr', 'add', '10.250.77.1/32', 'dev', 'lo'], 'lo event');
    expect(w.generation('lo')).toBe(g0 + 1);
    expect(counter.changes).toBe(1);
  });

  it('stops vouching when its child dies', async () => {
    const { l, w } = await subscribed({ restartDelayMs: 60_000 });
    const pid = monitorPid(l.nsOf('node'));
    expect(pid).toBeDefined();
    process.kill(pid as number, 'SIGKILL');
    await waitFor(() => w.generation('lo') === undefined, {
      timeoutMs: 10_000,
      intervalMs: 10,
      what: 'child gone',
    });
  });

  // Found on main: a controller that exited on a fatal start error (admin listener EADDRINUSE)
  // left its `ip -o monitor address` behind with PPID 1. Whatever way the parent goes, the
  // child must be gone by PID.
  const ways = [
    ['exit', 'process.exit()', 'setpriv'],
    ['exit', 'process.exit(), started without setpriv', 'no-setpriv'],
    ['throw', 'an uncaught exception', 'setpriv'],
    ['wait', 'SIGKILL', 'setpriv'],
  ] as const;
  for (const [how, way, setpriv] of ways) {
    it(`the ip monitor child is gone once its parent ends by ${way}, without close()`, async () => {
      lab = await createLab({ nodes: ['node'], links: [] });
      const ns = lab.nsOf('node');
      const parent = spawn(process.execPath, ['--import', TS_RESOLVE, WATCH_PARENT, ns, how, setpriv], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      parent.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      parent.stderr.on('data', (c: Buffer) => {
        out += c.toString();
      });
      const exited = new Promise<void>((r) => parent.once('exit', () => r()));
      try {
        await waitFor(() => /subscribed \d+\n/.test(out), {
          timeoutMs: 15_000,
          intervalMs: 20,
          what: 'subscribed',
        });
        const pid = Number(/subscribed (\d+)\n/.exec(out)?.[1]);
        if (how === 'wait') parent.kill('SIGKILL');
        await exited;
        await waitFor(() => gone(pid as number), {
          timeoutMs: 5_000,
          intervalMs: 20,
          what: `pid ${pid} gone`,
        });
      } finally {
        parent.kill('SIGKILL');
        const left = monitorPidAnywhere(ns);
        if (left !== undefined) process.kill(left, 'SIGKILL');
      }
    });
  }

  it('never vouches without ip', async () => {
    const w = new IpMonitorWatch({ binary: '/nonexistent/ip', changed: () => {}, subscribeTimeoutMs: 200 });
    watch = w;
    expect(w.generation('lo')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(w.generation('lo')).toBeUndefined();
  });
});

const TS_RESOLVE = fileURLToPath(new URL('../../../bgp/scripts/ts-resolve.mjs', import.meta.url));
const WATCH_PARENT = fileURLToPath(new URL('./support/watch-parent.ts', import.meta.url));

/** Whether process `pid` is gone: no such process, or a zombie left for its reaper. */
function gone(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    return / Z /.test(readFileSync(stat, 'utf8').replace(/^.*\)/, ''));
  } catch {
    return true;
  }
}

/** The `ip -n NS -o monitor address` on this host whatever its parent (cleanup after a failure). */
function monitorPidAnywhere(ns: string): number | undefined {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m !== null && m[2] === `ip -n ${ns} -o monitor address`) return Number(m[1]);
  }
  return undefined;
}

/** The PID of the `ip -n NS -o monitor address` this process started (by its command line). */
function monitorPid(ns: string): number | undefined {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m !== null && m[2] === `ip -n ${ns} -o monitor address`) return Number(m[1]);
  }
  return undefined;
}
