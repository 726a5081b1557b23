import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
} from '@kubernetes/client-node';
import { assertNever } from '../assert-never.js';

/**
 * The Kubernetes clients the controller uses, built once and injected everywhere else (so
 * tests point them at the in-repo test API server through a kubeconfig, never a mock).
 */
export interface KubeClients {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly coordination: CoordinationV1Api;
  /** The anyvip.io kinds (AnyvipPeer, AnyvipAdvertisement, AnyvipPool) and their status. */
  readonly custom: CustomObjectsApi;
}

/** Where the connection comes from. */
export type KubeConfigSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'inCluster' }
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

/** Loads the configuration and makes the API clients. Throws when the kubeconfig is unusable. */
export function createKubeClients(source: KubeConfigSource): KubeClients {
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
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    discovery: config.makeApiClient(DiscoveryV1Api),
    coordination: config.makeApiClient(CoordinationV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
  };
}
