import { assertNever } from '../assert-never.js';
import {
  type CoordinationApi,
  type CoreApi,
  type CustomApi,
  createApiClients,
  type DiscoveryApi,
} from './api-clients.js';
import { ApiConnection, type ApiServerSettings } from './api-connection.js';
import { defaultSettings, inClusterSettings, kubeconfigSettings } from './api-server-settings.js';

/**
 * The Kubernetes clients the controller uses, built once and injected everywhere else (so
 * tests point them at the in-repo test API server through a kubeconfig, never a mock).
 */
export interface KubeClients {
  /** The API server and its credentials; what client-node's `Watch` connects with. */
  readonly connection: ApiConnection;
  readonly core: CoreApi;
  readonly discovery: DiscoveryApi;
  readonly coordination: CoordinationApi;
  /** The anyvip.io kinds (AnyvipPeer, AnyvipAdvertisement, AnyvipPool) and their status. */
  readonly custom: CustomApi;
}

/** Where the connection comes from. */
export type KubeConfigSource =
  | { readonly kind: 'file'; readonly path: string }
  /** The pod's ServiceAccount; `dir` (default its mount point) is for tests. */
  | { readonly kind: 'inCluster'; readonly dir?: string }
  /** `$KUBECONFIG`, `~/.kube/config`, then in-cluster, as kubectl looks. */
  | { readonly kind: 'default' };

/**
 * `--kubeconfig PATH` → that file; otherwise in-cluster when the pod's service-account
 * environment is there (`KUBERNETES_SERVICE_HOST`), else kubectl's default lookup.
 */
export function kubeConfigSourceOf(path: string | undefined, env: NodeJS.ProcessEnv): KubeConfigSource {
  if (path !== undefined && path !== '') return { kind: 'file', path };
  if (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== '')
    return { kind: 'inCluster' };
  return { kind: 'default' };
}

/**
 * Loads the connection (the kubeconfig subset of api-server-settings.ts, or in-cluster) and
 * makes the API clients. Throws `ANYVIP_KUBECONFIG_*` when it is unusable.
 */
export function createKubeClients(
  source: KubeConfigSource,
  env: NodeJS.ProcessEnv = process.env,
): KubeClients {
  const connection = new ApiConnection(settingsOf(source, env));
  return { connection, ...createApiClients(connection) };
}

function settingsOf(source: KubeConfigSource, env: NodeJS.ProcessEnv): ApiServerSettings {
  switch (source.kind) {
    case 'file':
      return kubeconfigSettings(source.path);
    case 'inCluster':
      return inClusterSettings(env, source.dir);
    case 'default':
      return defaultSettings(env);
    default:
      return assertNever(source);
  }
}
