import type { AnyvipRuntime } from '../app.js';
import { AnyvipError, describeError } from '../errors.js';
import type { FileSource } from '../observe/file-source.js';
import { type AdminListen, startAdmin } from './admin-options.js';

/** Exit codes: 0 clean shutdown, 1 unexpected failure, 2 bad configuration or usage. */
const EXIT_USAGE = 2;

/**
 * Runs until SIGTERM or SIGINT, then stops the runtime and resolves with the exit code.
 * SIGHUP re-reads the file (standalone); a bad file is refused and the old configuration
 * keeps running. A second SIGTERM during shutdown exits at once.
 */
export async function serve(
  runtime: AnyvipRuntime,
  source: FileSource | undefined,
  adminListen: AdminListen = { kind: 'off' },
): Promise<number> {
  // Before start, so /healthz answers (and /readyz says why not) during the first pass.
  let admin: Awaited<ReturnType<typeof startAdmin>> | undefined;
  try {
    if (adminListen.kind === 'listen') admin = await startAdmin(runtime, adminListen);
  } catch (err) {
    return fail(err);
  }
  // Health-check and loop timers are unref'd; this keeps the process up until shutdown.
  const keepAlive = setInterval(() => {}, 1 << 30);
  // Signals are handled from the start: a SIGTERM while the first pass runs still cleans up.
  const started = runtime.start();
  let stopping: Promise<number> | undefined;
  let done: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    done = resolve;
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) {
      process.stderr.write(`anyvip: ${signal} again during shutdown, exiting now\n`);
      process.exit(1);
    }
    stopping = started
      .catch(() => {})
      .then(() => runtime.stop(`anyvip received ${signal}`))
      .then(
        () => 0,
        (err: unknown) => {
          process.stderr.write(`anyvip: shutdown failed: ${describeError(err)}\n`);
          return 1;
        },
      );
    void stopping.then(done);
  };
  // SIGUSR2: a planned restart (RFC 4724): sessions close without NOTIFICATION, routes and
  // addresses stay, and the next start sets the Graceful Restart R bit.
  const onRestart = (): void => {
    if (stopping !== undefined) return;
    stopping = started
      .catch(() => {})
      .then(() => runtime.stop('anyvip planned restart (SIGUSR2)', { restart: true }))
      .then(
        () => 0,
        (err: unknown) => {
          process.stderr.write(`anyvip: restart shutdown failed: ${describeError(err)}\n`);
          return 1;
        },
      );
    void stopping.then(done);
  };
  const onHup = (): void => {
    if (source === undefined)
      runtime.refuse(
        new AnyvipError(
          'ANYVIP_USAGE',
          runtime.cluster === undefined
            ? 'nothing to reload: configured by flags'
            : 'nothing to reload: the cluster is watched',
        ),
      );
  };
  const unwatch = source?.watch((e) => {
    if (stopping !== undefined) return;
    if (e.kind === 'error') {
      runtime.refuse(e.error, source.path);
      return;
    }
    started
      .then(() => (stopping === undefined ? runtime.reload(e.config, source.path) : undefined))
      .catch((err: unknown) => {
        runtime.refuse(new AnyvipError('ANYVIP_CONFIG_INVALID', describeError(err)), source.path);
      });
  });
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGUSR2', onRestart);
  const cleanup = (): void => {
    void admin?.close();
    clearInterval(keepAlive);
    process.off('SIGUSR2', onRestart);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('SIGHUP', onHup);
    unwatch?.();
  };

  try {
    await started;
  } catch (err) {
    process.stderr.write(`anyvip: ${describeError(err)}\n`);
    if (stopping === undefined) await runtime.stop('start failed').catch(() => {});
    cleanup();
    return 1;
  }
  const code = await finished;
  cleanup();
  return code;
}

/** Reports a startup error on stderr; returns the exit code. */
export function fail(err: unknown): number {
  process.stderr.write(`anyvip: ${describeError(err)}\n`);
  return err instanceof AnyvipError ? EXIT_USAGE : 1;
}
