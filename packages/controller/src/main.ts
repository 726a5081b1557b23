#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import { packageVersion } from './cli/package-version.js';
import { runCommand } from './cli/run-command.js';
import { runStandalone, standaloneCommands } from './cli/standalone-command.js';
import { standaloneFastArgs } from './cli/standalone-fast-path.js';
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
  // `anyvip standalone --config FILE` runs without loading yargs (~5 MB of idle RSS); any
  // other command line, and every error and help text, is yargs's (cli/standalone-fast-path.ts).
  const fast = standaloneFastArgs(argv);
  if (fast !== undefined) {
    await runStandalone(fast, setExit);
    return exitCode;
  }
  const { default: yargs } = await import('yargs');
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
    // getBuiltinModule: an ES module import of node:fs would load fs/promises (~1.2 MB RSS).
    return import.meta.url === pathToFileURL(process.getBuiltinModule('node:fs').realpathSync(entry)).href;
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

// process.argv.slice(2), as yargs's hideBin does for plain node; not hideBin itself, whose
// module loads yargs-parser.
if (invokedDirectly()) runCli(process.argv.slice(2));
