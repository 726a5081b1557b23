import type { CoordinationV1Api as CoordinationApi, KubeConfig } from '@kubernetes/client-node';
import type { Argv, CommandModule } from 'yargs';
import type { StatusReport } from '../admin/status-report.js';
import { assertNever } from '../assert-never.js';
import { defaultAdminAddress, formatAdminAddress, parseAdminAddress } from '../config/admin.js';
import { loadConfigFile } from '../config/load.js';
import { AnyvipError, describeError } from '../errors.js';
import { statusCodeOf } from '../kubernetes/api-status.js';
import type { KubeConfigSource } from '../kubernetes/client.js';
import type { ClusterStatus, NodeLeasesRead } from './cluster-status.js';
import { formatClusterStatus } from './cluster-status-format.js';
import { formatStatus } from './status-format.js';

/**
 * `anyvip status [--admin-address HOST:PORT | --config FILE] [--json]`: asks a running anyvip's
 * admin listener for `/status` and prints it like `birdc show protocols`. Exit 0 with an
 * answer, 1 when the listener cannot be reached or answers garbage, 2 for a bad command line.
 */
export function statusCommand(setExit: (code: number) => void): CommandModule<object, StatusArgs> {
  return {
    command: 'status',
    describe: 'Show BGP sessions, VIPs and health of the anyvip running on this node',
    builder: (y: Argv) =>
      y
        .option('admin-address', {
          type: 'string',
          describe: `The daemon's admin listener (default: admin.address of --config, else $${adminAddressEnv}, else ${defaultAdminAddress})`,
        })
        .option('config', { type: 'string', describe: 'Take the admin address from this configuration file' })
        .option('timeout', { type: 'number', default: 3000, describe: 'Request timeout, ms' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the /status document as JSON' })
        .option('cluster', {
          type: 'boolean',
          default: false,
          describe:
            'Every node: read the AnyvipNodeStatus objects through the Kubernetes API and print all sessions and VIPs',
        })
        .option('kubeconfig', {
          type: 'string',
          describe: 'With --cluster: kubeconfig file (default: in-cluster, then $KUBECONFIG, ~/.kube/config)',
        })
        .option('lease-namespace', {
          type: 'string',
          describe:
            "With --cluster: namespace of anyvip's node leases, which tell live nodes (default $POD_NAMESPACE, else kube-system)",
        }),
    handler: async (args) => {
      if (args.cluster) {
        try {
          const { kubeConfigSourceOf } = await import('../kubernetes/client.js');
          const status = await readClusterStatus(
            await loadKubeConfig(kubeConfigSourceOf(args.kubeconfig, process.env)),
            args.timeout,
            args['lease-namespace'] ?? (process.env.POD_NAMESPACE || 'kube-system'),
          );
          process.stdout.write(
            args.json ? `${JSON.stringify(status, null, 2)}\n` : formatClusterStatus(status),
          );
          setExit(0);
        } catch (err) {
          process.stderr.write(`anyvip: ${describeError(err)}\n`);
          setExit(1);
        }
        return;
      }
      let url: string;
      try {
        url = await statusUrl(args['admin-address'], args.config, process.env[adminAddressEnv]);
      } catch (err) {
        process.stderr.write(`anyvip: ${describeError(err)}\n`);
        setExit(2);
        return;
      }
      try {
        const report = await fetchStatus(url, args.timeout);
        process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
        setExit(0);
      } catch (err) {
        process.stderr.write(`anyvip: ${describeError(err)}\n`);
        setExit(1);
      }
    },
  };
}

interface StatusArgs {
  readonly 'admin-address': string | undefined;
  readonly config: string | undefined;
  readonly timeout: number;
  readonly json: boolean;
  readonly cluster: boolean;
  readonly kubeconfig: string | undefined;
  readonly 'lease-namespace': string | undefined;
}

/**
 * client-node's whole `KubeConfig` (exec and auth-provider plugins included): this command
 * runs on an operator's machine with their kubeconfig, once, so its memory does not matter,
 * unlike `anyvip run`'s (kubernetes/api-connection.ts).
 */
async function loadKubeConfig(source: KubeConfigSource): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  switch (source.kind) {
    case 'file':
      config.loadFromFile(source.path);
      break;
    case 'inCluster':
      config.loadFromCluster();
      break;
    case 'default':
      config.loadFromDefault();
      break;
    default:
      assertNever(source);
  }
  if (config.getCurrentCluster() === null) throw new Error('the kubeconfig names no current cluster');
  return config;
}

/**
 * Lists every AnyvipNodeStatus (in pages) and the node leases in `leaseNamespace`, and joins
 * them ({@link buildClusterStatus}). Leases that cannot be listed (forbidden to this identity,
 * no answer) do not fail the command: liveness then falls back to the statuses' age, and the
 * output says why.
 *
 * @throws AnyvipError `ANYVIP_KUBERNETES_UNREACHABLE` (no answer, forbidden, the CRD missing)
 */
export async function readClusterStatus(
  config: KubeConfig,
  timeoutMs: number,
  leaseNamespace: string,
): Promise<ClusterStatus> {
  // Loaded here, not at the top: every command imports this file (standalone's `run` too), and
  // the Kubernetes client with the CRD schemas adds ~45 MB of RSS (docs/scale.md, "One node").
  const [
    { CoordinationV1Api, CustomObjectsApi },
    { anyvipGroup, anyvipNodeStatusDefinition, anyvipVersion },
    { buildClusterStatus },
    { nodeLeaseLabel },
  ] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../kubernetes/crds/index.js'),
    import('./cluster-status.js'),
    import('../observe/kubernetes/node-lease.js'),
  ]);
  const api = config.makeApiClient(CustomObjectsApi);
  const items: unknown[] = [];
  let cont: string | undefined;
  const leases = readNodeLeases(
    config.makeApiClient(CoordinationV1Api),
    nodeLeaseLabel,
    timeoutMs,
    leaseNamespace,
  );
  try {
    do {
      const page = (await withTimeout(
        api.listClusterCustomObject({
          group: anyvipGroup,
          version: anyvipVersion,
          plural: anyvipNodeStatusDefinition.plural,
          limit: 500,
          ...(cont !== undefined ? { _continue: cont } : {}),
        }),
        timeoutMs,
      )) as { items?: unknown[]; metadata?: { _continue?: string } };
      items.push(...(page.items ?? []));
      cont = page.metadata?._continue || undefined;
    } while (cont !== undefined);
  } catch (err) {
    const code = statusCodeOf(err);
    const hint =
      code === 404
        ? ': is the AnyvipNodeStatus CRD installed (anyvip manifest crds)?'
        : code === 403
          ? ': may this identity list anyvipnodestatuses.anyvip.io?'
          : '';
    throw new AnyvipError(
      'ANYVIP_KUBERNETES_UNREACHABLE',
      `cannot list ${anyvipNodeStatusDefinition.plural}.${anyvipGroup}: ${describeError(err)}${hint}`,
    );
  }
  return buildClusterStatus(items, await leases, Date.now());
}

/** The node leases (label `anyvip.io/node-lease`) in `namespace`, or why they could not be read. */
async function readNodeLeases(
  api: CoordinationApi,
  labelSelector: string,
  timeoutMs: number,
  namespace: string,
): Promise<NodeLeasesRead> {
  try {
    const leases = [];
    let cont: string | undefined;
    do {
      const page = await withTimeout(
        api.listNamespacedLease({
          namespace,
          labelSelector,
          limit: 500,
          ...(cont !== undefined ? { _continue: cont } : {}),
        }),
        timeoutMs,
      );
      for (const l of page.items)
        leases.push({
          holder: l.spec?.holderIdentity ?? '',
          renewTime: l.spec?.renewTime === undefined ? undefined : new Date(l.spec.renewTime).toISOString(),
          leaseDurationSeconds: l.spec?.leaseDurationSeconds,
        });
      cont = page.metadata?._continue || undefined;
    } while (cont !== undefined);
    return { kind: 'read', namespace, leases };
  } catch (err) {
    const code = statusCodeOf(err);
    const hint = code === 403 ? ` (may this identity list leases.coordination.k8s.io in ${namespace}?)` : '';
    return { kind: 'unavailable', namespace, reason: `${describeError(err)}${hint}` };
  }
}

/** `p`, or a rejection after `timeoutMs` (the client's own requests have no deadline). */
function withTimeout<T>(p: Promise<T>, timeoutMs: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
    ),
  ]);
}

/**
 * Where the daemon's admin listener is, for `anyvip status` inside its container: the
 * generated DaemonSet binds the listener to the pod (= node) address and sets this variable
 * to the same address, so `kubectl exec POD -- anyvip status` needs no flag.
 */
export const adminAddressEnv = 'ANYVIP_ADMIN_ADDRESS';

/**
 * The `/status` URL: the flag, else the file's `admin.address`, else `env` (the value of
 * {@link adminAddressEnv}), else the default. A wildcard listen address (`0.0.0.0`, `::`) is
 * reached on loopback.
 */
export async function statusUrl(
  flag: string | undefined,
  configPath: string | undefined,
  env?: string,
): Promise<string> {
  let host: string;
  let port: number;
  if (flag !== undefined) {
    const parsed = parseAdminAddress(flag);
    if (parsed.kind === 'invalid') throw new AnyvipError('ANYVIP_USAGE', `--admin-address ${parsed.reason}`);
    ({ host, port } = parsed);
  } else if (configPath !== undefined) {
    const admin = (await loadConfigFile(configPath)).admin;
    if (!admin.enabled)
      throw new AnyvipError(
        'ANYVIP_USAGE',
        `${configPath} turns the admin listener off (admin.enabled: false)`,
      );
    ({ host, port } = admin);
  } else if (env !== undefined && env !== '') {
    const parsed = parseAdminAddress(env);
    if (parsed.kind === 'invalid')
      throw new AnyvipError('ANYVIP_USAGE', `$${adminAddressEnv} ${parsed.reason}`);
    ({ host, port } = parsed);
  } else {
    const parsed = parseAdminAddress(defaultAdminAddress);
    if (parsed.kind === 'invalid') throw new Error('unreachable: the default admin address is valid');
    ({ host, port } = parsed);
  }
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `http://${formatAdminAddress(host, port)}/status`;
}

/**
 * GETs and checks a status document.
 *
 * @throws AnyvipError `ANYVIP_ADMIN_UNREACHABLE` (no answer, an HTTP error, not a version-1 document)
 */
export async function fetchStatus(url: string, timeoutMs: number): Promise<StatusReport> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? describeError(err);
    throw new AnyvipError(
      'ANYVIP_ADMIN_UNREACHABLE',
      `cannot reach the admin listener at ${url} (${cause}): is anyvip running on this node with its admin listener on? Name it with --admin-address HOST:PORT or --config FILE`,
    );
  }
  if (!res.ok) throw new AnyvipError('ANYVIP_ADMIN_UNREACHABLE', `${url} answered HTTP ${res.status}`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new AnyvipError(
      'ANYVIP_ADMIN_UNREACHABLE',
      `${url} did not answer JSON: is it an anyvip admin listener?`,
    );
  }
  const version = (body as { version?: unknown } | null)?.version;
  if (version !== 1) {
    throw new AnyvipError(
      'ANYVIP_ADMIN_UNREACHABLE',
      `${url} answered a status document of version ${JSON.stringify(version)}; this anyvip reads version 1`,
    );
  }
  return body as StatusReport;
}
