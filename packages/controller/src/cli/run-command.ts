import type { Argv } from 'yargs';
import { AnyvipRuntime } from '../app.js';
import { controlPlaneConfig } from '../config/control-plane.js';
import { kubernetesConfig } from '../config/kubernetes-flags.js';
import { type ControllerConfig, logLevels, modes } from '../config/schema.js';
import { AnyvipError, describeError } from '../errors.js';
import { type AdminListen, resolveAdminListen, withAdminOptions } from './admin-options.js';
import { fail, serve } from './serve.js';

/**
 * `anyvip run`: on a node, Kubernetes Services of type LoadBalancer (in-cluster config or
 * `--kubeconfig`); with `--control-plane`, the control-plane VIP from flags.
 */
export function runCommand<T>(y: Argv<T>, setExit: (code: number) => void): Argv<T> {
  return y.command(
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
        .option('health-client-cert', {
          type: 'string',
          describe:
            '--health apiserver: client certificate (PEM) for clusters that refuse anonymous requests',
        })
        .option('health-client-key', {
          type: 'string',
          describe: '--health apiserver: key of --health-client-cert (default: the same file)',
        })
        .option('health-token-file', {
          type: 'string',
          describe: '--health apiserver: bearer token file',
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
        .option('listen-port', {
          type: 'number',
          describe: 'Also accept BGP sessions on this port (e.g. 179); default: connect out only',
        })
        .option('listen-address', {
          type: 'string',
          describe: 'Local address for --listen-port (default: every address)',
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
        .option('weighted-ecmp', {
          type: 'boolean',
          default: false,
          describe:
            'Kubernetes mode: announce every Local Service with link bandwidth = its ready endpoints here (annotation anyvip.io/weighted-ecmp per Service)',
        })
        .option('weighted-ecmp-interval', {
          type: 'string',
          describe: 'Kubernetes mode: at most one weight change per VIP per interval (default 5s)',
        })
        .option('link-bandwidth-unit', {
          type: 'number',
          describe: 'Link bandwidth per ready endpoint, bytes per second (default 125000000, 1 Gbit/s)',
        })
        .option('link-bandwidth-transitive', {
          type: 'boolean',
          default: false,
          describe: 'Send the transitive link-bandwidth community (type 0x00) instead of 0x40',
        })
        .option('node-lease-interval', {
          type: 'string',
          describe:
            "Kubernetes mode: renew this node's liveness lease this often; a stopped anyvip's single-announcer VIPs move within ~3 intervals (default 2s)",
        })
        .option('kube-vip-annotation-prefix', {
          type: 'string',
          describe:
            "Kubernetes mode: prefix of kube-vip's node annotations read for per-node peers (<prefix>/peer-ip, peer-asn, node-asn, src-ip, peer-multi-hop; default kube-vip.io)",
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
              listenPort: args['listen-port'],
              listenAddress: args['listen-address'],
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
              weightedEcmp: args['weighted-ecmp'],
              weightedEcmpInterval: args['weighted-ecmp-interval'],
              linkBandwidthUnit: args['link-bandwidth-unit'],
              linkBandwidthTransitive: args['link-bandwidth-transitive'],
              nodeLeaseInterval: args['node-lease-interval'],
              kubeVipAnnotationPrefix: args['kube-vip-annotation-prefix'],
            },
            process.env,
          );
          admin = resolveAdminListen(
            { adminAddress: args['admin-address'], admin: args.admin },
            k.config.admin,
          );
        } catch (err) {
          setExit(fail(err));
          return;
        }
        let runtime: AnyvipRuntime;
        try {
          // Loaded only in this mode: @kubernetes/client-node costs ~100 MB of RSS on import
          // (its generated clients and models, ~25 MB of source), which the other modes never need.
          const { createKubernetesFeed } = await import('../kubernetes-mode.js');
          const settings = k.kubernetes;
          runtime = new AnyvipRuntime(k.config, {
            source: 'kubernetes',
            cluster: (hooks) => createKubernetesFeed(settings, hooks),
          });
        } catch (err) {
          setExit(fail(new AnyvipError('ANYVIP_USAGE', `kubeconfig: ${describeError(err)}`)));
          return;
        }
        setExit(await serve(runtime, undefined, admin));
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
          healthClientCert: args['health-client-cert'],
          healthClientKey: args['health-client-key'],
          healthTokenFile: args['health-token-file'],
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
          listenPort: args['listen-port'],
          listenAddress: args['listen-address'],
          gracefulShutdownWait: args['graceful-shutdown-wait'],
        });
        admin = resolveAdminListen({ adminAddress: args['admin-address'], admin: args.admin }, config.admin);
      } catch (err) {
        setExit(fail(err));
        return;
      }
      setExit(await serve(new AnyvipRuntime(config, { source: 'flags' }), undefined, admin));
    },
  );
}
