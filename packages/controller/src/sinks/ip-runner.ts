import { execFile } from 'node:child_process';

/** The outcome of one `ip` invocation. Non-zero `code` is a failure; -1: it could not run. */
export interface IpResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs iproute2's `ip` with arguments (and stdin for `-batch -`). Injected into the loopback
 * and route-table sinks, so unit tests use a fake that records commands. `run` never rejects:
 * a failure is a result.
 */
export interface IpRunner {
  /** `options.timeoutMs` overrides the runner's own limit for this call (a long batch). */
  run(args: readonly string[], input?: string, options?: { readonly timeoutMs?: number }): Promise<IpResult>;
}

export interface IpRunnerOptions {
  /** Default `ip` (from PATH). */
  readonly binary?: string;
  /** Run against this network namespace (`ip -n NS`). */
  readonly netns?: string;
  /** Kill a hung `ip` after this long. Default 10 s. */
  readonly timeoutMs?: number;
}

/** The real runner: `execFile('ip', …)`, no shell. */
export function createIpRunner(options: IpRunnerOptions = {}): IpRunner {
  const binary = options.binary ?? 'ip';
  const prefix = options.netns === undefined ? [] : ['-n', options.netns];
  const timeout = options.timeoutMs ?? 10_000;
  return {
    run(args, input, options) {
      const limitMs = Math.max(timeout, options?.timeoutMs ?? 0);
      return new Promise((resolve) => {
        const child = execFile(
          binary,
          [...prefix, ...args],
          { encoding: 'utf8', timeout: limitMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
          (err, stdout, stderr) => {
            if (err === null) {
              resolve({ code: 0, stdout, stderr });
              return;
            }
            const code = typeof err.code === 'number' ? err.code : -1;
            resolve({ code, stdout, stderr: stderr === '' ? err.message : stderr });
          },
        );
        child.stdin?.on('error', () => {
          // An `ip` that exits early closes its stdin; the exit status tells what happened.
        });
        child.stdin?.end(input ?? '');
      });
    },
  };
}
