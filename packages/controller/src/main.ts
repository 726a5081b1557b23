#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { AnyvipRuntime } from './app.js';
import { type AdminListen, resolveAdminListen, startAdmin, withAdminOptions } from './cli/admin-options.js';
import { statusCommand } from './cli/status-command.js';
import { controlPlaneConfig } from './config/control-plane.js';
import { kubernetesConfig } from './config/kubernetes-flags.js';
import { loadConfigFile } from './config/load.js';
import { type ControllerConfig, logLevels, modes } from './config/schema.js';
import { doctorCommand } from './doctor/command.js';
import { AnyvipError, describeError } from './errors.js';
import { manifestCommand } from './manifest/command.js';
import type { KubernetesSource } from './sources/kubernetes/kubernetes-source.js';
import { FileSource } from './sources/standalone/file-source.js';

/** Exit codes: 0 clean shutdown, 1 unexpected failure, 2 bad configuration or usage. */
const EXIT_USAGE = 2;

/**
 * The `anyvip` command line:
 *
 * - `anyvip standalone --config FILE`: VIPs from a YAML file; SIGHUP reloads it.
 * - `anyvip validate --config FILE`: checks a file and prints the result.
 * - `anyvip run --control-plane --vip A --peer P --peer-asn N --asn N --router-id ID
 *   [--health apiserver]`: the control-plane VIP from flags.
 * - `anyvip run --node-name N --peer P --peer-asn N --asn N --router-id ID
 *   [--load-balancer-class C] [--pools-configmap NS/NAME] [--allowed-range CIDR]`: Kubernetes
 *   Services of type LoadBalancer (in-cluster config or `--kubeconfig`).
 *
 * SIGTERM and SIGINT withdraw everything and exit 0.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  await yargs(argv as string[])
    .scriptName('anyvip')
    .command(
      'standalone',
      'Announce VIPs from a configuration file (SIGHUP reloads it)',
      (y) =>
        withAdminOptions(
          y.option('config', { type: 'string', demandOption: true, describe: 'YAML configuration file' }),
        ),
      async (args) => {
        const source = new FileSource(args.config);
        let config: ControllerConfig;
        let admin: AdminListen;
        try {
          config = await source.read();
          admin = resolveAdminListen(
            { adminAddress: args['admin-address'], admin: args.admin },
            config.admin,
          );
        } catch (err) {
          exitCode = fail(err);
          return;
        }
        exitCode = await serve(new AnyvipRuntime(config, { source: args.config }), source, admin);
      },
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
          exitCode = fail(err);
        }
      },
    )
    .command(
      'run',
      'Run on a node: Kubernetes Services of type LoadBalancer (--control-plane: the control-plane VIP from flags)',
      (y) =>
        withAdminOptions(y)
          .option('control-plane', { type: 'boolean', default: false, describe: 'Control-plane VIP mode' })
          .option('vip', { type: 'string', array: true, default: [], describe: 'VIP address (repeatable)' })
          .option('peer', { type: 'string', array: true, default: [], describe: 'BGP neighbor (repeatable)' })
          .option('peer-asn', {
            type: 'number',
            array: true,
            default: [],
            describe: 'Neighbor AS: one for all, or one per --peer',
          })
          .option('asn', { type: 'number', describe: 'Our AS' })
          .option('router-id', { type: 'string', describe: 'Our BGP identifier (dotted quad)' })
          .option('health', {
            type: 'string',
            describe: 'apiserver, apiserver:readyz, http(s)://…, tcp://host:port or exec:…',
          })
          .option('mode', { type: 'string', choices: modes, default: 'bgp', describe: 'bgp or table' })
          .option('hold-time', { type: 'number', describe: 'BGP hold time, seconds (default 90)' })
          .option('password-file', {
            type: 'string',
            describe: 'File with the TCP-MD5 key (RFC 2385) for every --peer',
          })
          .option('ttl-security', {
            type: 'boolean',
            default: false,
            describe: 'GTSM (RFC 5082) with every --peer: TTL 255 sent and required',
          })
          .option('bfd-interval', {
            type: 'number',
            describe: 'Run BFD (RFC 5880) to every peer at this interval, ms (e.g. 100)',
          })
          .option('bfd-multiplier', { type: 'number', describe: 'BFD detect multiplier (default 3)' })
          .option('graceful-restart-time', {
            type: 'number',
            describe: 'Advertise Graceful Restart (RFC 4724) with this restart time, s; SIGUSR2 restarts',
          })
          .option('graceful-shutdown-wait', {
            type: 'string',
            describe:
              'On SIGTERM re-announce every VIP with GRACEFUL_SHUTDOWN (RFC 8326, 65535:0) and wait this long before withdrawing, e.g. 10s (routers must lower LOCAL_PREF for it: examples/routers)',
          })
          .option('table', { type: 'number', describe: 'Kernel table for mode table (default 198)' })
          .option('table-protocol', {
            type: 'number',
            describe: 'Route protocol for mode table (default 248)',
          })
          .option('log-level', { type: 'string', choices: logLevels })
          .option('kubeconfig', {
            type: 'string',
            describe:
              'Kubernetes mode: kubeconfig file (default: in-cluster, then $KUBECONFIG, ~/.kube/config)',
          })
          .option('node-name', {
            type: 'string',
            describe: 'Kubernetes mode: this node (default $NODE_NAME)',
          })
          .option('load-balancer-class', {
            type: 'string',
            describe: 'Kubernetes mode: handle Services of this spec.loadBalancerClass (default: no class)',
          })
          .option('lease-name', {
            type: 'string',
            describe: 'Kubernetes mode: leader Lease (default from the class)',
          })
          .option('lease-namespace', {
            type: 'string',
            describe: 'Kubernetes mode: namespace of the Lease (default $POD_NAMESPACE, else kube-system)',
          })
          .option('pools-configmap', {
            type: 'string',
            describe: 'Kubernetes mode: [NAMESPACE/]NAME of the address pools ConfigMap (IPAM)',
          })
          .option('allowed-range', {
            type: 'string',
            array: true,
            default: [],
            describe: 'Kubernetes mode: CIDR or A-B range allowed besides the pools (repeatable)',
          })
          .option('single-announcer', {
            type: 'boolean',
            default: false,
            describe: 'Kubernetes mode: one node per VIP (rendezvous hashing), for routers without ECMP',
          })
          .option('local-grace', {
            type: 'string',
            describe: 'Kubernetes mode: keep a Local VIP this long after its last endpoint left (default 5s)',
          })
          .option('node-lease-interval', {
            type: 'string',
            describe:
              "Kubernetes mode: renew this node's liveness lease this often; a stopped anyvip's single-announcer VIPs move within ~3 intervals (default 2s)",
          }),
      async (args) => {
        if (!args['control-plane']) {
          let k: ReturnType<typeof kubernetesConfig>;
          let admin: AdminListen;
          try {
            k = kubernetesConfig(
              {
                peers: args.peer,
                peerAsns: args['peer-asn'],
                asn: args.asn,
                routerId: args['router-id'],
                mode: args.mode as ControllerConfig['mode'],
                holdTimeSec: args['hold-time'],
                passwordFile: args['password-file'],
                ttlSecurity: args['ttl-security'],
                bfdIntervalMs: args['bfd-interval'],
                bfdMultiplier: args['bfd-multiplier'],
                gracefulRestartTimeSec: args['graceful-restart-time'],
                gracefulShutdownWait: args['graceful-shutdown-wait'],
                table: args.table,
                tableProtocol: args['table-protocol'],
                logLevel: args['log-level'],
                kubeconfig: args.kubeconfig,
                nodeName: args['node-name'],
                loadBalancerClass: args['load-balancer-class'],
                leaseName: args['lease-name'],
                leaseNamespace: args['lease-namespace'],
                poolsConfigMap: args['pools-configmap'],
                allowedRanges: args['allowed-range'],
                singleAnnouncer: args['single-announcer'],
                localGrace: args['local-grace'],
                nodeLeaseInterval: args['node-lease-interval'],
              },
              process.env,
            );
            admin = resolveAdminListen(
              { adminAddress: args['admin-address'], admin: args.admin },
              k.config.admin,
            );
          } catch (err) {
            exitCode = fail(err);
            return;
          }
          const runtime = new AnyvipRuntime(k.config, { source: 'kubernetes' });
          let source: KubernetesSource;
          try {
            // Loaded only in this mode: @kubernetes/client-node costs ~100 MB of RSS on import
            // (its generated clients and models, ~25 MB of source), which the other modes never need.
            const { createKubernetesSource } = await import('./kubernetes-mode.js');
            source = createKubernetesSource(runtime, k.kubernetes);
          } catch (err) {
            exitCode = fail(new AnyvipError('ANYVIP_USAGE', `kubeconfig: ${describeError(err)}`));
            return;
          }
          exitCode = await serve(runtime, undefined, admin, source);
          return;
        }
        let config: ControllerConfig;
        let admin: AdminListen;
        try {
          config = controlPlaneConfig({
            vips: args.vip,
            peers: args.peer,
            peerAsns: args['peer-asn'],
            asn: args.asn,
            routerId: args['router-id'],
            health: args.health,
            mode: args.mode as ControllerConfig['mode'],
            holdTimeSec: args['hold-time'],
            passwordFile: args['password-file'],
            ttlSecurity: args['ttl-security'],
            table: args.table,
            tableProtocol: args['table-protocol'],
            logLevel: args['log-level'],
            bfdIntervalMs: args['bfd-interval'],
            bfdMultiplier: args['bfd-multiplier'],
            gracefulRestartTimeSec: args['graceful-restart-time'],
            gracefulShutdownWait: args['graceful-shutdown-wait'],
          });
          admin = resolveAdminListen(
            { adminAddress: args['admin-address'], admin: args.admin },
            config.admin,
          );
        } catch (err) {
          exitCode = fail(err);
          return;
        }
        exitCode = await serve(new AnyvipRuntime(config, { source: 'flags' }), undefined, admin);
      },
    )
    .command(
      statusCommand((code) => {
        exitCode = code;
      }),
    )
    .command(
      doctorCommand((code) => {
        exitCode = code;
      }),
    )
    .command(
      manifestCommand((code) => {
        exitCode = code;
      }),
    )
    .demandCommand(1, 'Name a command: standalone, validate or run')
    .strict()
    .help()
    .parseAsync();
  return exitCode;
}

/**
 * Runs until SIGTERM or SIGINT, then stops the runtime and resolves with the exit code.
 * SIGHUP re-reads the file (standalone); a bad file is refused and the old configuration
 * keeps running. A second SIGTERM during shutdown exits at once.
 */
async function serve(
  runtime: AnyvipRuntime,
  source: FileSource | undefined,
  adminListen: AdminListen = { kind: 'off' },
  cluster?: KubernetesSource,
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
  const started = runtime.start().then(() => cluster?.start());
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
      .then(() => cluster?.stop())
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
          cluster === undefined
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
function fail(err: unknown): number {
  process.stderr.write(`anyvip: ${describeError(err)}\n`);
  return err instanceof AnyvipError ? EXIT_USAGE : 1;
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

if (invokedDirectly()) {
  main(hideBin(process.argv)).then(
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
