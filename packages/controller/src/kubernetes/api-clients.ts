import type {
  ConfigurationOptions,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
} from '@kubernetes/client-node';
import {
  CoordinationV1ApiRequestFactory,
  CoordinationV1ApiResponseProcessor,
} from '@kubernetes/client-node/dist/gen/apis/CoordinationV1Api.js';
import {
  CoreV1ApiRequestFactory,
  CoreV1ApiResponseProcessor,
} from '@kubernetes/client-node/dist/gen/apis/CoreV1Api.js';
import {
  CustomObjectsApiRequestFactory,
  CustomObjectsApiResponseProcessor,
} from '@kubernetes/client-node/dist/gen/apis/CustomObjectsApi.js';
import {
  DiscoveryV1ApiRequestFactory,
  DiscoveryV1ApiResponseProcessor,
} from '@kubernetes/client-node/dist/gen/apis/DiscoveryV1Api.js';
import { type Configuration, createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
import type {
  HttpInfo,
  RequestContext,
  ResponseContext,
} from '@kubernetes/client-node/dist/gen/http/http.js';
import { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
import type { ApiConnection } from './api-connection.js';

/*
 * The calls anyvip makes, through client-node's own generated request factories and response
 * processors (the same code `makeApiClient` runs: paths, query encoding, ObjectSerializer,
 * ApiException on a non-2xx status), without its Promise/Observable/ObjectParam layers:
 * those are three files holding every API group of Kubernetes (~15 MB of source that V8 keeps
 * in memory). Each facade is the named subset of client-node's class, so callers and tests
 * keep its types, and a full client-node API object fits wherever a facade is asked for.
 */

/** The core/v1 calls anyvip makes. */
export type CoreApi = Pick<
  CoreV1Api,
  | 'listServiceForAllNamespaces'
  | 'listNode'
  | 'listNamespacedConfigMap'
  | 'listNamespacedSecret'
  | 'createNamespacedEvent'
  | 'replaceNamespacedEvent'
  | 'patchNamespacedService'
  | 'replaceNamespacedServiceStatus'
>;

/** The discovery.k8s.io/v1 calls (EndpointSlices). */
export type DiscoveryApi = Pick<DiscoveryV1Api, 'listEndpointSliceForAllNamespaces'>;

/** The coordination.k8s.io/v1 calls (Leases). */
export type CoordinationApi = Pick<
  CoordinationV1Api,
  | 'listNamespacedLease'
  | 'createNamespacedLease'
  | 'readNamespacedLease'
  | 'replaceNamespacedLease'
  | 'deleteNamespacedLease'
>;

/** The anyvip.io custom resources' calls. */
export type CustomApi = Pick<
  CustomObjectsApi,
  | 'listClusterCustomObject'
  | 'createClusterCustomObject'
  | 'patchClusterCustomObjectStatus'
  | 'replaceClusterCustomObjectStatus'
>;

/** A per-call middleware, as `setHeaderOptions` makes (rxjs-stub or promise flavoured). */
interface AnyMiddleware {
  pre(context: RequestContext): PromiseLike<RequestContext> | { toPromise(): Promise<RequestContext> };
  post(response: ResponseContext): PromiseLike<ResponseContext> | { toPromise(): Promise<ResponseContext> };
}

function settle<T>(v: PromiseLike<T> | { toPromise(): Promise<T> }): PromiseLike<T> {
  return 'toPromise' in v ? v.toPromise() : v;
}

/**
 * One call as client-node's ObservableAPI runs it: build the request (the factory applies the
 * authentication), per-call middleware `pre`, send, middleware `post` in reverse, process.
 */
async function call<R>(
  config: Configuration,
  options: ConfigurationOptions | undefined,
  build: (c: Configuration) => Promise<RequestContext>,
  processResponse: (r: ResponseContext) => Promise<HttpInfo<R>>,
): Promise<R> {
  const middleware = (options?.middleware ?? []) as unknown as readonly AnyMiddleware[];
  let context = await build(config);
  for (const m of middleware) context = await settle(m.pre(context));
  let response = await config.httpApi.send(context).toPromise();
  for (const m of [...middleware].reverse()) response = await settle(m.post(response));
  return (await processResponse(response)).data;
}

/** The query of a list call, as the generated signatures take it. */
interface ListQuery {
  readonly pretty?: string;
  readonly allowWatchBookmarks?: boolean;
  readonly _continue?: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  readonly limit?: number;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
  readonly sendInitialEvents?: boolean;
  readonly shardSelector?: string;
  readonly timeoutSeconds?: number;
  readonly watch?: boolean;
}

/** A list's query after `pretty`, in the generated order (namespaced lists, `listNode`). */
function listArgs(p: ListQuery) {
  return [
    p.allowWatchBookmarks,
    p._continue,
    p.fieldSelector,
    p.labelSelector,
    p.limit,
    p.resourceVersion,
    p.resourceVersionMatch,
    p.sendInitialEvents,
    p.shardSelector,
    p.timeoutSeconds,
    p.watch,
  ] as const;
}

/** An all-namespaces list's query: `pretty` comes after `limit` there. */
function allNamespacesListArgs(p: ListQuery) {
  return [
    p.allowWatchBookmarks,
    p._continue,
    p.fieldSelector,
    p.labelSelector,
    p.limit,
    p.pretty,
    p.resourceVersion,
    p.resourceVersionMatch,
    p.sendInitialEvents,
    p.shardSelector,
    p.timeoutSeconds,
    p.watch,
  ] as const;
}

/** A write's options after its body, in the generated order (create, replace). */
function writeArgs(p: {
  readonly pretty?: string;
  readonly dryRun?: string;
  readonly fieldManager?: string;
  readonly fieldValidation?: string;
}) {
  return [p.pretty, p.dryRun, p.fieldManager, p.fieldValidation] as const;
}

/** The four facades over one connection. */
export function createApiClients(connection: ApiConnection): {
  readonly core: CoreApi;
  readonly discovery: DiscoveryApi;
  readonly coordination: CoordinationApi;
  readonly custom: CustomApi;
} {
  const c = createConfiguration({
    baseServer: new ServerConfiguration<Record<string, string>>(connection.server, {}),
    authMethods: { default: connection },
  });
  const core = new CoreV1ApiRequestFactory(c);
  const coreOut = new CoreV1ApiResponseProcessor();
  const discovery = new DiscoveryV1ApiRequestFactory(c);
  const discoveryOut = new DiscoveryV1ApiResponseProcessor();
  const lease = new CoordinationV1ApiRequestFactory(c);
  const leaseOut = new CoordinationV1ApiResponseProcessor();
  const custom = new CustomObjectsApiRequestFactory(c);
  const customOut = new CustomObjectsApiResponseProcessor();
  // Argument orders: client-node's ObjectParamAPI (the generated positional signatures).
  return {
    core: {
      listServiceForAllNamespaces: (p = {}, o) =>
        call(
          c,
          o,
          (x) => core.listServiceForAllNamespaces(...allNamespacesListArgs(p), x),
          (r) => coreOut.listServiceForAllNamespacesWithHttpInfo(r),
        ),
      listNode: (p = {}, o) =>
        call(
          c,
          o,
          (x) => core.listNode(p.pretty, ...listArgs(p), x),
          (r) => coreOut.listNodeWithHttpInfo(r),
        ),
      listNamespacedConfigMap: (p, o) =>
        call(
          c,
          o,
          (x) => core.listNamespacedConfigMap(p.namespace, p.pretty, ...listArgs(p), x),
          (r) => coreOut.listNamespacedConfigMapWithHttpInfo(r),
        ),
      listNamespacedSecret: (p, o) =>
        call(
          c,
          o,
          (x) => core.listNamespacedSecret(p.namespace, p.pretty, ...listArgs(p), x),
          (r) => coreOut.listNamespacedSecretWithHttpInfo(r),
        ),
      createNamespacedEvent: (p, o) =>
        call(
          c,
          o,
          (x) => core.createNamespacedEvent(p.namespace, p.body, ...writeArgs(p), x),
          (r) => coreOut.createNamespacedEventWithHttpInfo(r),
        ),
      replaceNamespacedEvent: (p, o) =>
        call(
          c,
          o,
          (x) => core.replaceNamespacedEvent(p.name, p.namespace, p.body, ...writeArgs(p), x),
          (r) => coreOut.replaceNamespacedEventWithHttpInfo(r),
        ),
      patchNamespacedService: (p, o) =>
        call(
          c,
          o,
          (x) =>
            core.patchNamespacedService(
              p.name,
              p.namespace,
              p.body,
              p.pretty,
              p.dryRun,
              p.fieldManager,
              p.fieldValidation,
              p.force,
              x,
            ),
          (r) => coreOut.patchNamespacedServiceWithHttpInfo(r),
        ),
      replaceNamespacedServiceStatus: (p, o) =>
        call(
          c,
          o,
          (x) => core.replaceNamespacedServiceStatus(p.name, p.namespace, p.body, ...writeArgs(p), x),
          (r) => coreOut.replaceNamespacedServiceStatusWithHttpInfo(r),
        ),
    },
    discovery: {
      listEndpointSliceForAllNamespaces: (p = {}, o) =>
        call(
          c,
          o,
          (x) => discovery.listEndpointSliceForAllNamespaces(...allNamespacesListArgs(p), x),
          (r) => discoveryOut.listEndpointSliceForAllNamespacesWithHttpInfo(r),
        ),
    },
    coordination: {
      listNamespacedLease: (p, o) =>
        call(
          c,
          o,
          (x) => lease.listNamespacedLease(p.namespace, p.pretty, ...listArgs(p), x),
          (r) => leaseOut.listNamespacedLeaseWithHttpInfo(r),
        ),
      createNamespacedLease: (p, o) =>
        call(
          c,
          o,
          (x) => lease.createNamespacedLease(p.namespace, p.body, ...writeArgs(p), x),
          (r) => leaseOut.createNamespacedLeaseWithHttpInfo(r),
        ),
      readNamespacedLease: (p, o) =>
        call(
          c,
          o,
          (x) => lease.readNamespacedLease(p.name, p.namespace, p.pretty, x),
          (r) => leaseOut.readNamespacedLeaseWithHttpInfo(r),
        ),
      replaceNamespacedLease: (p, o) =>
        call(
          c,
          o,
          (x) => lease.replaceNamespacedLease(p.name, p.namespace, p.body, ...writeArgs(p), x),
          (r) => leaseOut.replaceNamespacedLeaseWithHttpInfo(r),
        ),
      deleteNamespacedLease: (p, o) =>
        call(
          c,
          o,
          (x) =>
            lease.deleteNamespacedLease(
              p.name,
              p.namespace,
              p.pretty,
              p.dryRun,
              p.gracePeriodSeconds,
              p.ignoreStoreReadErrorWithClusterBreakingPotential,
              p.orphanDependents,
              p.propagationPolicy,
              p.body,
              x,
            ),
          (r) => leaseOut.deleteNamespacedLeaseWithHttpInfo(r),
        ),
    },
    custom: {
      listClusterCustomObject: (p, o) =>
        call(
          c,
          o,
          (x) =>
            custom.listClusterCustomObject(
              p.group,
              p.version,
              p.plural,
              p.pretty,
              p.allowWatchBookmarks,
              p._continue,
              p.fieldSelector,
              p.labelSelector,
              p.limit,
              p.resourceVersion,
              p.resourceVersionMatch,
              p.timeoutSeconds,
              p.watch,
              x,
            ),
          (r) => customOut.listClusterCustomObjectWithHttpInfo(r),
        ),
      createClusterCustomObject: (p, o) =>
        call(
          c,
          o,
          (x) => custom.createClusterCustomObject(p.group, p.version, p.plural, p.body, ...writeArgs(p), x),
          (r) => customOut.createClusterCustomObjectWithHttpInfo(r),
        ),
      patchClusterCustomObjectStatus: (p, o) =>
        call(
          c,
          o,
          (x) =>
            custom.patchClusterCustomObjectStatus(
              p.group,
              p.version,
              p.plural,
              p.name,
              p.body,
              p.dryRun,
              p.fieldManager,
              p.fieldValidation,
              p.force,
              x,
            ),
          (r) => customOut.patchClusterCustomObjectStatusWithHttpInfo(r),
        ),
      replaceClusterCustomObjectStatus: (p, o) =>
        call(
          c,
          o,
          (x) =>
            custom.replaceClusterCustomObjectStatus(
              p.group,
              p.version,
              p.plural,
              p.name,
              p.body,
              p.dryRun,
              p.fieldManager,
              p.fieldValidation,
              x,
            ),
          (r) => customOut.replaceClusterCustomObjectStatusWithHttpInfo(r),
        ),
    },
  };
}
