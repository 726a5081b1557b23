#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { packageVersion } from './cli/package-version.js';
import { runCommand } from './cli/run-command.js';
import { standaloneCommands } from './cli/standalone-command.js';
import { statusCommand } from './cli/status-command.js';
import { doctorCommand } from './doctor/command.js';
import { describeError } from './errors.js';
import { manifestCommand } from './manifest/command.js';

/**
 * The `anyvip` command line, wired (each command lives in cli/ or its own folder):
 *
 * - `anyvip standalone --config FILE`: VIPs from a YAML file; SIGHUP reloads it.
 * - `anyvip validate --config FILE`: checks a file and prints the result.
 * - `anyvip run --control-plane --vip A --peer P --peer-asn N --asn N --router-id ID
 *   [--health apiserver]`: the control-plane VIP from flags.
 * - `anyvip run --node-name N --peer P --peer-asn N --asn N --router-id ID
 *   [--load-balancer-class C] [--pools-configmap NS/NAME] [--allowed-range CIDR]`: Kubernetes
 *   Services of type LoadBalancer (in-cluster config or `--kubeconfig`).
 * - `anyvip status`, `anyvip doctor`, `anyvip manifest`.
 *
 * SIGTERM and SIGINT withdraw everything and exit 0.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  await runCommand(standaloneCommands(yargs(argv as string[]).scriptName('anyvip'), setExit), setExit)
    .command(statusCommand(setExit))
    .command(doctorCommand(setExit))
    .command(manifestCommand(setExit))
    .demandCommand(1, 'Name a command: standalone, validate or run')
    .strict()
    .help()
    .version(packageVersion)
    .parseAsync();
  return exitCode;
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

/**
 * Runs {@link main} as the process: its exit code becomes the process's, an error is one line
 * on stderr. Called once per process: by the guard below (`node dist/main.js`) or by the
 * bundle's entry (src/bin.ts), never both.
 */
export function runCli(argv: readonly string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
      // Sockets closed and timers unref'd: the process exits by itself; this is a backstop.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (e: unknown) => {
      process.stderr.write(`anyvip: ${describeError(e)}\n`);
      process.exitCode = 1;
    },
  );
}

if (invokedDirectly()) runCli(hideBin(process.argv));
