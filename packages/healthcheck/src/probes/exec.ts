import { type ChildProcess, spawn } from 'node:child_process';
import { type Clock, systemClock } from '@anyvip/clock';
import { badConfig } from '../errors.js';
import { describeAbort, describeError, type Probe, type ProbeResult, snippet } from './probe.js';

/** Runs a command; success is exit status 0. */
export interface ExecProbeOptions {
  /**
   * An argv array, run without a shell (`['/usr/bin/pg_isready', '-q']`), or a command line run
   * with `/bin/sh -c` (as ExaBGP's healthcheck does).
   */
  readonly command: string | readonly string[];
  /** Defaults to `exec <command>`. */
  readonly name?: string;
  readonly cwd?: string;
  /** Added to (and overriding) the parent's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** How much of the end of stdout+stderr is kept for the failure reason. Defaults to 4 KiB. */
  readonly maxOutputBytes?: number;
}

/** After the command exits, how long to wait for its output pipes to drain before judging. */
const outputDrainMs = 100;

/**
 * Builds an exec probe. The command runs in a process group of its own (`setsid`), and that
 * whole group is killed with SIGKILL when the probe is aborted (timeout, check stopped), so a
 * hung `curl` started by a shell script dies along with the script. Whatever the command leaves
 * behind in its group after it exits is killed too: a probe never leaks processes, and runs of
 * the same check never overlap.
 *
 * @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG`
 */
export function createExecProbe(options: ExecProbeOptions, clock: Clock = systemClock): Probe {
  const argv =
    typeof options.command === 'string' ? ['/bin/sh', '-c', options.command] : [...options.command];
  const [file, ...args] = argv;
  if (
    file === undefined ||
    file === '' ||
    (typeof options.command === 'string' && options.command.trim() === '')
  ) {
    throw badConfig('command must not be empty', 'command');
  }
  const maxOutputBytes = options.maxOutputBytes ?? 4096;
  if (!Number.isInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw badConfig(`must be an integer ≥ 0, got ${maxOutputBytes}`, 'maxOutputBytes');
  }
  const display = typeof options.command === 'string' ? options.command : argv.join(' ');
  const env = options.env === undefined ? undefined : { ...process.env, ...options.env };

  return {
    name: options.name ?? `exec ${display}`,
    run(signal) {
      const startedMs = clock.now();
      return new Promise<ProbeResult>((resolve) => {
        let settled = false;
        const settle = (ok: boolean, reason: string): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve({ ok, latencyMs: clock.now() - startedMs, reason });
        };
        const onAbort = (): void => killGroup(child);
        if (signal.aborted) {
          settle(false, `${describeAbort(signal)} before the command started`);
          return;
        }
        let child: ChildProcess;
        try {
          child = spawn(file, args, {
            detached: true,
            stdio: ['ignore', 'pipe', 'pipe'],
            ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
            ...(env === undefined ? {} : { env }),
          });
        } catch (err) {
          settle(false, `cannot run ${file}: ${describeError(err)}`);
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
        const output = new OutputTail(maxOutputBytes);
        child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
        child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
        child.once('error', (err) => {
          killGroup(child);
          settle(false, `cannot run ${file}: ${describeError(err)}`);
        });
        let drainTimer: ReturnType<Clock['setTimeout']> | undefined;
        const judge = (code: number | null, sig: NodeJS.Signals | null): void => {
          if (drainTimer !== undefined) clock.clearTimeout(drainTimer);
          child.stdout?.destroy();
          child.stderr?.destroy();
          if (signal.aborted) {
            settle(false, `${describeAbort(signal)}; process group ${child.pid} killed`);
            return;
          }
          const text = snippet(output.text());
          const tail = text === '' ? '' : `: ${text}`;
          if (code === 0) settle(true, 'exit 0');
          else if (code !== null) settle(false, `exit ${code}${tail}`);
          else settle(false, `killed by ${sig ?? 'a signal'}${tail}`);
        };
        child.once('exit', (code, sig) => {
          // Leftovers in the group would outlive the check and hold our pipes open.
          killGroup(child);
          drainTimer = clock.setTimeout(() => judge(code, sig), outputDrainMs);
          child.once('close', () => judge(code, sig));
        });
      });
    },
  };
}

/** SIGKILL to the child's whole process group; a group that is already gone is fine. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left in the group. Nothing else can be done from an abort handler.
  }
}

/** Keeps the last `max` bytes of a stream. */
class OutputTail {
  readonly #max: number;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(max: number) {
    this.#max = max;
  }

  push(chunk: Buffer): void {
    if (this.#max === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#chunks.length > 1 && this.#size - (this.#chunks[0]?.length ?? 0) >= this.#max) {
      this.#size -= this.#chunks.shift()?.length ?? 0;
    }
  }

  text(): string {
    const all = Buffer.concat(this.#chunks);
    return all.subarray(Math.max(0, all.length - this.#max)).toString('utf8');
  }
}
