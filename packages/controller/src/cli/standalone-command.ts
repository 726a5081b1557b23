import type { Argv } from 'yargs';
import { AnyvipRuntime } from '../app.js';
import { loadConfigFile } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { FileSource } from '../observe/file-source.js';
import { type AdminListen, resolveAdminListen, withAdminOptions } from './admin-options.js';
import { fail, serve } from './serve.js';

/**
 * `anyvip standalone --config FILE` (VIPs from a YAML file; SIGHUP reloads it) and
 * `anyvip validate --config FILE` (checks a file and prints what it holds).
 */
/** What `anyvip standalone` is given, however its command line was parsed. */
export interface StandaloneArgs {
  readonly config: string;
  readonly adminAddress: string | undefined;
  readonly admin: boolean | undefined;
}

/** Runs `anyvip standalone` until SIGTERM/SIGINT; the exit code goes to `setExit`. */
export async function runStandalone(args: StandaloneArgs, setExit: (code: number) => void): Promise<void> {
  const source = new FileSource(args.config);
  let config: ControllerConfig;
  let admin: AdminListen;
  try {
    config = await source.read();
    admin = resolveAdminListen({ adminAddress: args.adminAddress, admin: args.admin }, config.admin);
  } catch (err) {
    setExit(fail(err));
    return;
  }
  setExit(await serve(new AnyvipRuntime(config, { source: args.config }), source, admin));
}

export function standaloneCommands<T>(y: Argv<T>, setExit: (code: number) => void): Argv<T> {
  return y
    .command(
      'standalone',
      'Announce VIPs from a configuration file (SIGHUP reloads it)',
      (y) =>
        withAdminOptions(
          y.option('config', { type: 'string', demandOption: true, describe: 'YAML configuration file' }),
        ),
      async (args) =>
        runStandalone(
          { config: args.config, adminAddress: args['admin-address'], admin: args.admin },
          setExit,
        ),
    )
    .command(
      'validate',
      'Check a configuration file and print what it holds',
      (y) => y.option('config', { type: 'string', demandOption: true, describe: 'YAML configuration file' }),
      async (args) => {
        try {
          const c = await loadConfigFile(args.config);
          process.stdout.write(
            `${JSON.stringify({
              ok: true,
              mode: c.mode,
              vips: c.vips.map((v) => v.prefix),
              peers: c.bgp?.peers.map((p) => p.address) ?? [],
              healthchecks: [...c.healthchecks.keys()],
            })}\n`,
          );
        } catch (err) {
          setExit(fail(err));
        }
      },
    );
}
