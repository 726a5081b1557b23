import type { Argv } from 'yargs';
import type { RuntimeView } from '../admin/runtime-view.js';
import type { AdminServer } from '../admin/server.js';
import type { AnyvipRuntime } from '../app.js';
import {
  type AdminConfig,
  defaultAdminAddress,
  formatAdminAddress,
  parseAdminAddress,
} from '../config/admin.js';
import { AnyvipError } from '../errors.js';

/** `--admin-address HOST:PORT` and `--no-admin`, for the commands that run the controller. */
export function withAdminOptions<T>(y: Argv<T>) {
  return y
    .option('admin-address', {
      type: 'string',
      describe: `Admin listener for /metrics, /healthz, /readyz, /status (default ${defaultAdminAddress}, or admin.address in the file)`,
    })
    .option('admin', {
      type: 'boolean',
      describe: 'Serve the admin listener (--no-admin: off)',
    });
}

/** Where to listen, or off: flags win over the file, the file over the default. */
export type AdminListen =
  | { readonly kind: 'off' }
  | { readonly kind: 'listen'; readonly host: string; readonly port: number };

/**
 * Resolves the admin listener from the flags and the configuration.
 *
 * @throws AnyvipError `ANYVIP_USAGE` for an address that is not host:port
 */
export function resolveAdminListen(
  flags: { readonly adminAddress?: string | undefined; readonly admin?: boolean | undefined },
  config: AdminConfig,
): AdminListen {
  if (flags.admin === false) return { kind: 'off' };
  if (flags.adminAddress !== undefined) {
    const parsed = parseAdminAddress(flags.adminAddress);
    if (parsed.kind === 'invalid') throw new AnyvipError('ANYVIP_USAGE', `--admin-address ${parsed.reason}`);
    return { kind: 'listen', host: parsed.host, port: parsed.port };
  }
  if (!config.enabled && flags.admin !== true) return { kind: 'off' };
  return { kind: 'listen', host: config.host, port: config.port };
}

/** A running admin listener and the view behind it. */
export interface RunningAdmin {
  readonly server: AdminServer;
  readonly view: RuntimeView;
  close(): Promise<void>;
}

/**
 * Starts the admin listener for a runtime that has not started yet (so the view sees the
 * first pass), with the process metrics on.
 *
 * @throws AnyvipError `ANYVIP_USAGE` when the address cannot be bound
 */
export async function startAdmin(
  runtime: AnyvipRuntime,
  at: { readonly host: string; readonly port: number },
): Promise<RunningAdmin> {
  // Loaded here, not with the CLI: node:http alone costs ~12 MB of RSS, and only a running
  // controller with the listener on needs it.
  const [{ RuntimeView }, { startAdminServer }] = await Promise.all([
    import('../admin/runtime-view.js'),
    import('../admin/server.js'),
  ]);
  const view = new RuntimeView(runtime);
  let server: AdminServer;
  try {
    server = await startAdminServer(
      {
        metrics: async () => ({
          contentType: runtime.metrics.contentType,
          body: await runtime.metrics.text(),
        }),
        liveness: () => view.liveness(),
        readiness: () => view.readiness(),
        status: () => view.status(),
      },
      at,
    );
  } catch (err) {
    view.close();
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new AnyvipError(
      'ANYVIP_USAGE',
      `cannot listen on ${formatAdminAddress(at.host, at.port)} for the admin listener (${code}): pick another with --admin-address, or --no-admin`,
    );
  }
  runtime.metrics.collectProcessMetrics();
  return {
    server,
    view,
    close: async () => {
      view.close();
      await server.close();
    },
  };
}
