import type { Argv, CommandModule } from 'yargs';
import { describeError } from '../errors.js';
import { defaultManifestOptions, type ManifestOptions } from './options.js';

/** What `anyvip manifest` can print. */
export type ManifestKind = 'daemonset' | 'pod' | 'rbac' | 'crds';
export const manifestKinds: readonly ManifestKind[] = ['daemonset', 'pod', 'rbac', 'crds'];

interface ManifestArgs {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly peer: string[];
  readonly 'peer-asn': number[];
  readonly asn: number | undefined;
  readonly 'load-balancer-class': string | undefined;
  readonly 'lease-name': string | undefined;
  readonly 'pools-configmap': string | undefined;
  readonly 'allowed-range': string[];
  readonly 'single-announcer': boolean;
  readonly vip: string[];
  readonly 'router-id': string | undefined;
  readonly 'listen-port': number | undefined;
  readonly 'admin-port': number;
  readonly 'log-level': string | undefined;
  readonly 'password-secret': string | undefined;
  readonly 'password-file': string | undefined;
  readonly 'health-client-cert': string | undefined;
  readonly 'health-client-key': string | undefined;
  readonly 'health-token-file': string | undefined;
  readonly 'ttl-security': boolean;
  readonly 'bfd-interval': number | undefined;
  readonly 'graceful-shutdown-wait': string | undefined;
  readonly 'bfd-multiplier': number | undefined;
}

/** `anyvip manifest daemonset|pod|rbac|crds [flags]`: prints manifests on stdout. */
export function manifestCommand(setExit: (code: number) => void): CommandModule<object, ManifestArgs> {
  const d = defaultManifestOptions;
  return {
    command: 'manifest <kind>',
    describe:
      'Print Kubernetes manifests: daemonset (Service VIPs, with RBAC), pod (static control-plane Pod), rbac, crds (the anyvip.io kinds)',
    builder: (y: Argv) =>
      y
        .positional('kind', { type: 'string', choices: manifestKinds, demandOption: true })
        .option('name', { type: 'string', default: d.name, describe: 'Name of every object' })
        .option('namespace', {
          type: 'string',
          default: d.namespace,
          describe: 'Namespace (daemonset, rbac)',
        })
        .option('image', { type: 'string', default: d.image, describe: 'Container image' })
        .option('peer', { type: 'string', array: true, default: [], describe: 'BGP neighbor (repeatable)' })
        .option('peer-asn', {
          type: 'number',
          array: true,
          default: [],
          describe: 'Neighbor AS: one, or one per --peer',
        })
        .option('asn', { type: 'number', describe: 'Our AS' })
        .option('load-balancer-class', {
          type: 'string',
          describe: 'daemonset: spec.loadBalancerClass to handle',
        })
        .option('lease-name', { type: 'string', describe: 'daemonset: leader Lease name' })
        .option('pools-configmap', {
          type: 'string',
          describe: 'daemonset: [NAMESPACE/]NAME of the pools ConfigMap',
        })
        .option('allowed-range', {
          type: 'string',
          array: true,
          default: [],
          describe: 'daemonset: allowed CIDR (repeatable)',
        })
        .option('single-announcer', {
          type: 'boolean',
          default: false,
          describe: 'daemonset: one node per VIP',
        })
        .option('vip', {
          type: 'string',
          array: true,
          default: [],
          describe: 'pod: the control-plane VIP (repeatable)',
        })
        .option('router-id', { type: 'string', describe: "pod: this node's BGP identifier" })
        .option('listen-port', {
          type: 'number',
          describe: 'anyvip run --listen-port: also accept BGP sessions (< 1024 adds NET_BIND_SERVICE)',
        })
        .option('admin-port', { type: 'number', default: d.adminPort, describe: 'Admin listener port' })
        .option('log-level', {
          type: 'string',
          choices: ['error', 'warn', 'info', 'debug'],
        })
        .option('password-secret', {
          type: 'string',
          describe: 'daemonset: Secret NAME[/KEY] with the TCP-MD5 key (RFC 2385), mounted as a file',
        })
        .option('password-file', {
          type: 'string',
          describe: 'pod: host file with the TCP-MD5 key (RFC 2385), mounted read-only',
        })
        .option('health-client-cert', {
          type: 'string',
          describe: 'pod: host file, client certificate for the apiserver probe (anonymous auth off)',
        })
        .option('health-client-key', {
          type: 'string',
          describe: 'pod: host file, key of --health-client-cert',
        })
        .option('health-token-file', {
          type: 'string',
          describe: 'pod: host file, bearer token for the apiserver probe',
        })
        .option('ttl-security', {
          type: 'boolean',
          default: false,
          describe: 'GTSM (RFC 5082) with every peer',
        })
        .option('bfd-interval', {
          type: 'number',
          describe: 'BFD (RFC 5880) to every peer at this interval, ms',
        })
        .option('bfd-multiplier', {
          type: 'number',
          describe: 'BFD detect multiplier (default 3)',
        })
        .option('graceful-shutdown-wait', {
          type: 'string',
          describe:
            'Hitless rollouts: GRACEFUL_SHUTDOWN (RFC 8326) on SIGTERM, then wait this long (e.g. 10s)',
        }) as unknown as Argv<ManifestArgs>,
    handler: async (args) => {
      const o: ManifestOptions = {
        name: args.name,
        namespace: args.namespace,
        image: args.image,
        peers: args.peer,
        peerAsns: args['peer-asn'],
        asn: args.asn,
        loadBalancerClass: args['load-balancer-class'],
        leaseName: args['lease-name'],
        poolsConfigMap: args['pools-configmap'],
        allowedRanges: args['allowed-range'],
        singleAnnouncer: args['single-announcer'],
        vips: args.vip,
        routerId: args['router-id'],
        listenPort: args['listen-port'],
        adminPort: args['admin-port'],
        logLevel: args['log-level'],
        passwordSecret: args['password-secret'],
        passwordFile: args['password-file'],
        healthClientCert: args['health-client-cert'],
        healthClientKey: args['health-client-key'],
        healthTokenFile: args['health-token-file'],
        ttlSecurity: args['ttl-security'],
        bfdIntervalMs: args['bfd-interval'],
        bfdMultiplier: args['bfd-multiplier'],
        gracefulShutdownWait: args['graceful-shutdown-wait'],
      };
      try {
        // Loaded here, not at the top: `anyvip run` never needs the generators (objects.ts).
        const { manifestText } = await import('./objects.js');
        const argv = process.argv.slice(process.argv.indexOf(args.kind) + 1);
        process.stdout.write(manifestText(args.kind as ManifestKind, o, argv));
        setExit(0);
      } catch (err) {
        process.stderr.write(`anyvip: ${describeError(err)}\n`);
        setExit(2);
      }
    },
  };
}
