/**
 * Child processes for interop tests: one-shot commands with a deadline, and managed
 * long-running processes (router daemons, later our own speaker) that live in a network
 * namespace, are addressed only by their PID, and are killed on teardown or process exit.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { registerEmergencyCleanup } from './cleanup.js';
import { WaitTimeoutError } from './wait.js';

/** Result of {@link runCommand}. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit code; `null` when killed by a signal (including the timeout). */
  code: number | null;
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  /** Kill the command (SIGKILL) after this long; default 10 000 ms. */
  timeoutMs?: number;
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Raised when a command exits non-zero, times out, or cannot start. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly code = 'ANYVIP_INTEROP_COMMAND_FAILED';
  readonly result: CommandResult;
  constructor(message: string, result: CommandResult) {
    super(message);
    this.result = result;
  }
}

/** Runs `cmd args` to completion with a deadline. Throws {@link CommandError} on failure. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
        env: options.env ?? process.env,
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        const result: CommandResult = { stdout, stderr, code };
        if (err === null || (options.allowFailure === true && code !== null)) {
          resolve(result);
          return;
        }
        const why = err.killed
          ? `killed after ${timeoutMs} ms`
          : code === null
            ? err.message
            : `exit ${code}`;
        const text = `${[cmd, ...args].join(' ')}: ${why}\n${stderr.trim() || stdout.trim()}`;
        reject(new CommandError(text.trim(), result));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Options for {@link ManagedProcess.start} and {@link spawnInNs}. */
export interface SpawnOptions {
  /** Name used in errors and logs; default the command's basename. */
  label?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Deliver SIGKILL to the child if this process dies without cleaning up
   * (`setpriv --pdeathsig`). Default true. Has no effect on daemons that change user
   * (FRR), since the kernel clears the setting on a credential change.
   */
  dieWithParent?: boolean;
  /** Lines kept per stream; older ones are dropped (indices stay absolute). Default 20 000. */
  maxLines?: number;
}

/** Options for {@link ManagedProcess.waitForLine}. */
export interface LineWaitOptions {
  timeoutMs: number;
  /** Absolute line index to start looking from (see {@link ManagedProcess.mark}); default 0. */
  since?: number;
  /** Which stream; default stdout. */
  stream?: 'stdout' | 'stderr';
  /** What is awaited, for the error message. */
  what?: string;
}

/** How a managed process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

class LineLog {
  private readonly lines: string[] = [];
  private dropped = 0;
  private partial = '';
  private readonly waiters = new Set<() => void>();

  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  push(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    if (parts.length === 0) return;
    for (const p of parts) this.lines.push(p.endsWith('\r') ? p.slice(0, -1) : p);
    const excess = this.lines.length - this.max;
    if (excess > 0) {
      this.lines.splice(0, excess);
      this.dropped += excess;
    }
    for (const w of this.waiters) w();
  }

  end(): void {
    if (this.partial !== '') this.push('\n');
    for (const w of this.waiters) w();
  }

  get count(): number {
    return this.dropped + this.lines.length;
  }

  /** Lines with absolute index >= since that are still kept. */
  from(since: number): { index: number; text: string }[] {
    const start = Math.max(0, since - this.dropped);
    return this.lines.slice(start).map((text, i) => ({ index: this.dropped + start + i, text }));
  }

  tail(n: number): string[] {
    return this.lines.slice(-n);
  }

  onChange(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }
}

let pdeathsigChecked: boolean | undefined;
function haveSetpriv(): boolean {
  pdeathsigChecked ??= existsSync('/usr/bin/setpriv') || existsSync('/bin/setpriv');
  return pdeathsigChecked;
}

/**
 * A long-running child. Addressed by PID only: signals go to `pid`, never to a name.
 * stdout and stderr are split into lines and kept for {@link waitForLine} and for
 * error messages.
 */
export class ManagedProcess {
  readonly label: string;
  readonly pid: number;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private readonly stdoutLog: LineLog;
  private readonly stderrLog: LineLog;
  private exitInfo: ProcessExit | undefined;
  private frozen = false;
  private readonly unregister: () => void;

  private constructor(child: ChildProcess, label: string, maxLines: number) {
    this.child = child;
    this.label = label;
    if (child.pid === undefined) throw new Error(`${label}: spawn failed`);
    this.pid = child.pid;
    this.stdoutLog = new LineLog(maxLines);
    this.stderrLog = new LineLog(maxLines);
    child.stdout?.setEncoding('utf8').on('data', (c: string) => this.stdoutLog.push(c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => this.stderrLog.push(c));
    // A write to a dead child's stdin must not crash the test process.
    child.stdin?.on('error', () => {});
    const pid = this.pid;
    this.unregister = registerEmergencyCleanup(`process ${label} (pid ${pid})`, () => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.unregister();
        this.stdoutLog.end();
        this.stderrLog.end();
        resolve(this.exitInfo);
      });
    });
  }

  /**
   * Starts `cmd args`. Throws if the program cannot be started at all (e.g. not
   * installed); an early exit afterwards shows in {@link exited} and in waits.
   */
  static async start(
    cmd: string,
    args: readonly string[],
    options: SpawnOptions = {},
  ): Promise<ManagedProcess> {
    const useSetpriv = options.dieWithParent !== false && haveSetpriv();
    const file = useSetpriv ? 'setpriv' : cmd;
    const argv = useSetpriv ? ['--pdeathsig', 'KILL', '--', cmd, ...args] : [...args];
    const child = spawn(file, argv, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new Error(`cannot start ${cmd}: ${err.message}`)));
    });
    return new ManagedProcess(
      child,
      options.label ?? cmd.split('/').pop() ?? cmd,
      options.maxLines ?? 20_000,
    );
  }

  /** Whether the process is still running (possibly frozen). */
  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Exit status once exited. */
  get exit(): ProcessExit | undefined {
    return this.exitInfo;
  }

  /** Absolute index of the next stdout (or stderr) line; pass as `since` to wait only for new lines. */
  mark(stream: 'stdout' | 'stderr' = 'stdout'): number {
    return (stream === 'stdout' ? this.stdoutLog : this.stderrLog).count;
  }

  /** Kept lines of a stream from absolute index `since`. */
  lines(since = 0, stream: 'stdout' | 'stderr' = 'stdout'): string[] {
    return (stream === 'stdout' ? this.stdoutLog : this.stderrLog).from(since).map((l) => l.text);
  }

  /** The last `n` lines of both streams, for error messages. */
  tail(n = 30): string {
    const out = this.stdoutLog.tail(n);
    const err = this.stderrLog.tail(n);
    return [`--- ${this.label} stdout (last ${out.length})`, ...out, `--- ${this.label} stderr`, ...err].join(
      '\n',
    );
  }

  /** Writes to the child's stdin (our speaker's control channel). */
  write(text: string): void {
    if (!this.running) throw new Error(`${this.label} (pid ${this.pid}) has exited`);
    this.child.stdin?.write(text);
  }

  /**
   * Waits for a line matching `pred` at or after `since`, and returns it. Fails at once
   * if the process exits first, with its last output in the message.
   */
  waitForLine(pred: (line: string) => boolean, options: LineWaitOptions): Promise<string> {
    const log = options.stream === 'stderr' ? this.stderrLog : this.stdoutLog;
    const what = options.what ?? 'a matching line';
    let next = options.since ?? 0;
    return new Promise((resolve, reject) => {
      let off: () => void = () => {};
      const finish = (fn: () => void): void => {
        clearTimeout(timer);
        off();
        fn();
      };
      const check = (): void => {
        for (const l of log.from(next)) {
          next = l.index + 1;
          if (pred(l.text)) {
            finish(() => resolve(l.text));
            return;
          }
        }
        if (!this.running) {
          const e = this.exitInfo;
          finish(() =>
            reject(
              new Error(
                `${this.label} (pid ${this.pid}) exited (code ${e?.code}, signal ${e?.signal}) ` +
                  `while waiting for ${what}\n${this.tail()}`,
              ),
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        off();
        reject(
          new WaitTimeoutError(
            `timed out after ${options.timeoutMs} ms waiting for ${what} from ${this.label}\n${this.tail()}`,
          ),
        );
      }, options.timeoutMs);
      off = log.onChange(check);
      check();
    });
  }

  /**
   * Like {@link waitForLine} for JSON Lines output: non-JSON lines are skipped, and the
   * first parsed value for which `pred` holds is returned.
   */
  async waitForJsonLine<T = unknown>(
    pred: (value: unknown) => boolean,
    options: LineWaitOptions,
  ): Promise<T> {
    const line = await this.waitForLine((text) => {
      const v = parseJson(text);
      return v !== undefined && pred(v);
    }, options);
    return JSON.parse(line) as T;
  }

  /** Sends a signal to this PID (no-op once exited). */
  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // Raced with exit.
    }
  }

  /** SIGSTOP: the process stops answering, so its peers' hold timers run out (RFC 4271 §6.5). */
  freeze(): void {
    this.signal('SIGSTOP');
    this.frozen = true;
  }

  /** SIGCONT after {@link freeze}. */
  thaw(): void {
    this.signal('SIGCONT');
    this.frozen = false;
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<ProcessExit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /**
   * Graceful stop: `signal` (default SIGTERM), then SIGKILL after `graceMs` (default 3000).
   * A frozen process is thawed first so it can act on the signal.
   */
  async stop(graceMs = 3000, sig: NodeJS.Signals = 'SIGTERM'): Promise<ProcessExit> {
    if (!this.running) return this.exited;
    this.signal(sig);
    if (this.frozen) this.thaw();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const first = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (first === 'timeout') return this.kill();
    return first;
  }
}

function parseJson(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Starts `cmd args` inside network namespace `ns` (`ip netns exec`, which execs, so the
 * returned PID is the program's own). This is how our speaker, a Node program, runs in
 * a namespace: `spawnInNs(ns, process.execPath, ['path/to/main.ts', ...])`.
 */
export function spawnInNs(
  ns: string,
  cmd: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<ManagedProcess> {
  return ManagedProcess.start('ip', ['netns', 'exec', ns, cmd, ...args], {
    ...options,
    label: options.label ?? `${cmd.split('/').pop() ?? cmd}@${ns}`,
  });
}
