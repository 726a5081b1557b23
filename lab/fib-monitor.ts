/**
 * Watches the next hops of one prefix in a namespace's kernel FIB, as they change, with
 * the time each change reached us. One long-lived `ip -o monitor route` (netlink
 * notifications, one line per route, `\` between next hops) does it: no polling, and a
 * change is seen within a millisecond of the kernel making it, where a loop of
 * `ip -n NS route show` would cost ~30 ms per look.
 *
 * Used by the lab demo (lab/demo.ts) and the controller's failover benchmark
 * (packages/controller/bench/failover.bench.ts).
 *
 * Caveat: a route whose next hops live in a kernel nexthop group (`nhid`, FRR's zebra)
 * can change without a route notification; BIRD writes plain multipath routes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  registerEmergencyCleanup,
  runCommand,
  sleep,
  WaitTimeoutError,
} from '../packages/bgp/test/interop/support/index.js';

/** A change of the watched prefix's next hops. */
export interface NextHopChange {
  /** `performance.now()` when the notification arrived. */
  readonly atMs: number;
  /**
   * Wall-clock ms when `ip monitor` read the notification (its `-ts` stamp): the kernel's change
   * to within the scheduling of one small C process, and unlike `atMs` not delayed by a busy
   * event loop here; comparable with other processes' `performance.timeOrigin + performance.now()`.
   */
  readonly wallMs: number;
  /** Gateways, sorted; empty when the route is gone. */
  readonly nextHops: readonly string[];
}

interface Waiter {
  readonly until: (nextHops: readonly string[]) => boolean;
  readonly resolve: (change: NextHopChange) => void;
}

/**
 * The gateways of `prefix` in one line of `ip -o route` / `ip -o monitor route` output,
 * or undefined when the line is about another route. A `Deleted` line gives `[]`.
 */
export function parseRouteLine(line: string, prefix: string): string[] | undefined {
  const deleted = line.startsWith('Deleted ');
  const tokens = (deleted ? line.slice('Deleted '.length) : line).split(/[\s\\]+/).filter((t) => t !== '');
  const host = prefix.replace(/\/(?:32|128)$/, '');
  if (tokens[0] !== prefix && tokens[0] !== host) return undefined;
  if (deleted) return [];
  const gateways: string[] = [];
  tokens.forEach((t, i) => {
    const next = tokens[i + 1];
    if (t === 'via' && next !== undefined) {
      // `via inet6 fe80::1` (an IPv4 route over an IPv6 next hop) names the family first.
      gateways.push(next === 'inet' || next === 'inet6' ? (tokens[i + 2] ?? '') : next);
    }
  });
  return gateways.filter((g) => g !== '').sort();
}

/** Wall-clock ms with sub-ms precision. */
function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * `[2026-12-04T22:02:21.717383] 10.250.255.1 …` (`ip -ts monitor`, local time) → the stamp in
 * wall-clock ms and the line without it; a line without a stamp is returned as it is.
 */
export function parseStamp(text: string): { wallMs: number | undefined; line: string } {
  const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{1,9})\] ?(.*)$/.exec(text);
  if (m === null) return { wallMs: undefined, line: text };
  // An ISO date-time without an offset is local time, as ip's stamp is.
  const seconds = new Date(m[1] ?? '').getTime();
  const fraction = Number(`0.${m[2] ?? '0'}`) * 1000;
  return { wallMs: Number.isNaN(seconds) ? undefined : seconds + fraction, line: m[3] ?? '' };
}

/** A running watch; stop it (or let the lab's teardown do it) when done. */
export class FibMonitor {
  readonly prefix: string;
  private current: NextHopChange;
  private readonly log: NextHopChange[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private unregister: () => void = () => {};
  private linesSeen = 0;

  private constructor(child: ChildProcess, prefix: string) {
    this.child = child;
    this.prefix = prefix;
    this.current = { atMs: performance.now(), wallMs: wallNow(), nextHops: [] };
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const pid = child.pid;
    if (pid !== undefined) {
      this.unregister = registerEmergencyCleanup(`process ip monitor (pid ${pid})`, () => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      });
    }
    void this.exited.then(() => this.unregister());
    if (child.stdout === null) throw new Error('ip monitor: no stdout');
    createInterface({ input: child.stdout }).on('line', (stamped) => {
      const atMs = performance.now();
      const { wallMs, line } = parseStamp(stamped);
      const hops = parseRouteLine(line, prefix);
      if (hops === undefined) return;
      this.linesSeen += 1;
      this.apply(hops, atMs, wallMs ?? wallNow());
    });
  }

  /** Starts watching `prefix` (e.g. `10.250.255.1/32`) in namespace `ns`. */
  static async start(ns: string, prefix: string): Promise<FibMonitor> {
    const family = prefix.includes(':') ? '-6' : '-4';
    // setpriv: the watcher dies with us even if we are SIGKILLed.
    const child = spawn(
      'setpriv',
      ['--pdeathsig', 'KILL', '--', 'ip', '-n', ns, '-ts', '-o', family, 'monitor', 'route'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new Error(`cannot start ip monitor: ${err.message}`)));
    });
    const monitor = new FibMonitor(child, prefix);
    // `ip monitor` says nothing once subscribed; give it a moment, then read the current
    // state. A notification that arrives meanwhile is newer than the snapshot and wins.
    await sleep(100);
    const seenBefore = monitor.linesSeen;
    const r = await runCommand('ip', ['-n', ns, '-o', family, 'route', 'show', 'exact', prefix]);
    const rows = r.stdout.split('\n').flatMap((l) => parseRouteLine(l, prefix) ?? []);
    if (monitor.linesSeen === seenBefore)
      monitor.apply([...new Set(rows)].sort(), performance.now(), wallNow());
    return monitor;
  }

  /** The gateways now, sorted. */
  get nextHops(): readonly string[] {
    return this.current.nextHops;
  }

  /** Every change seen, oldest first. */
  get changes(): readonly NextHopChange[] {
    return this.log;
  }

  /**
   * Resolves with the first state, current or future, for which `until` holds (for the
   * current state, with the time it began).
   */
  waitFor(
    until: (nextHops: readonly string[]) => boolean,
    options: { timeoutMs: number; what: string },
  ): Promise<NextHopChange> {
    if (until(this.current.nextHops)) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        until,
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new WaitTimeoutError(
            `timed out after ${options.timeoutMs} ms waiting for ${options.what} ` +
              `(next hops of ${this.prefix}: ${this.current.nextHops.join(', ') || 'none'})`,
          ),
        );
      }, options.timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Stops the watcher process (idempotent). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  private apply(nextHops: readonly string[], atMs: number, wallMs: number): void {
    const same =
      nextHops.length === this.current.nextHops.length &&
      nextHops.every((h, i) => h === this.current.nextHops[i]);
    if (same) return;
    this.current = { atMs, wallMs, nextHops };
    this.log.push(this.current);
    for (const w of [...this.waiters]) {
      if (w.until(nextHops)) {
        this.waiters.delete(w);
        w.resolve(this.current);
      }
    }
  }
}
