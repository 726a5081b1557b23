import type { Clock } from '@anyvip/healthcheck';
import type { V1ConfigMap, V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { assertNever } from '../../assert-never.js';
import type { ClusterSnapshot } from '../../desired/observation.js';
import type { ControllerEvent } from '../../events.js';
import type { KubeClients } from '../../kubernetes/client.js';
import { LeaderElector, type LeaderEvent } from './leases.js';
import { type ListWatchEvent, pagedList, WatchedKind } from './list-watch.js';

/**
 * Kubernetes mode's observer: it lists and watches Services, EndpointSlices, Nodes and the
 * pools ConfigMap, takes part in leader election, and exposes what it saw as a snapshot. It
 * never decides (desired/ does, from the snapshot) and never writes (the status and Event
 * sinks do, driven by the reconcile loop).
 *
 * Level-triggered: any watch event or leadership change calls `onChange`, which raises one
 * coalesced reconcile pass that looks at everything (a missed event is healed by the next).
 * An API-server outage stops input; the last snapshot stays, so nothing is withdrawn.
 */

export interface ClusterObserverOptions {
  readonly clients: KubeClients;
  readonly nodeName: string;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  /** The pools ConfigMap; undefined: no IPAM. */
  readonly poolsConfigMap: { readonly namespace: string; readonly name: string } | undefined;
  readonly clock: Clock;
  /** Something changed (an object, the leadership): the desired world may differ now. */
  readonly onChange: (reason: string) => void;
  /** Sync, watch and lease errors, leadership changes: for logs and metrics. */
  readonly report: (event: ControllerEvent) => void;
  /** Leader election timing (client-go defaults: 15 s, 10 s, 2 s). */
  readonly lease?: {
    readonly durationSec?: number;
    readonly renewDeadlineMs?: number;
    readonly retryPeriodMs?: number;
  };
}

/** Objects per list page (client-go's reflector pages by 500 too). */
const LIST_PAGE = 500;

export class ClusterObserver {
  readonly #o: ClusterObserverOptions;
  readonly #services: WatchedKind<V1Service>;
  readonly #slices: WatchedKind<V1EndpointSlice>;
  readonly #nodes: WatchedKind<V1Node>;
  readonly #pools: WatchedKind<V1ConfigMap> | undefined;
  readonly #elector: LeaderElector;
  #stopped = false;
  #synced: () => void = () => {};
  readonly #syncedPromise: Promise<void>;

  constructor(options: ClusterObserverOptions) {
    this.#o = options;
    const { clients, clock } = options;
    const onEvent = (e: ListWatchEvent): void => this.#onWatch(e);
    this.#services = new WatchedKind(clients.config, {
      path: '/api/v1/services',
      list: pagedList((c) => clients.core.listServiceForAllNamespaces({ limit: LIST_PAGE, _continue: c })),
      clock,
      onEvent,
    });
    this.#slices = new WatchedKind(clients.config, {
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      list: pagedList((c) =>
        clients.discovery.listEndpointSliceForAllNamespaces({ limit: LIST_PAGE, _continue: c }),
      ),
      clock,
      onEvent,
    });
    this.#nodes = new WatchedKind(clients.config, {
      path: '/api/v1/nodes',
      list: pagedList((c) => clients.core.listNode({ limit: LIST_PAGE, _continue: c })),
      clock,
      onEvent,
    });
    const cm = options.poolsConfigMap;
    this.#pools =
      cm === undefined
        ? undefined
        : new WatchedKind(clients.config, {
            path: `/api/v1/namespaces/${encodeURIComponent(cm.namespace)}/configmaps`,
            fieldSelector: `metadata.name=${cm.name}`,
            list: () =>
              clients.core.listNamespacedConfigMap({
                namespace: cm.namespace,
                fieldSelector: `metadata.name=${cm.name}`,
              }),
            clock,
            onEvent,
          });
    this.#elector = new LeaderElector({
      api: clients.coordination,
      namespace: options.leaseNamespace,
      name: options.leaseName,
      identity: options.nodeName,
      clock,
      onEvent: (e) => this.#onLeader(e),
      ...(options.lease?.durationSec !== undefined ? { leaseDurationSec: options.lease.durationSec } : {}),
      ...(options.lease?.renewDeadlineMs !== undefined
        ? { renewDeadlineMs: options.lease.renewDeadlineMs }
        : {}),
      ...(options.lease?.retryPeriodMs !== undefined ? { retryPeriodMs: options.lease.retryPeriodMs } : {}),
    });
    this.#syncedPromise = new Promise((resolve) => {
      this.#synced = resolve;
    });
  }

  get leader(): boolean {
    return this.#elector.leader;
  }

  /** Resolves once every watched kind has been listed. */
  synced(): Promise<void> {
    return this.#syncedPromise;
  }

  /** What the cluster looks like now; undefined until every watched kind has been listed once. */
  snapshot(): ClusterSnapshot | undefined {
    if (!this.#watched().every((w) => w.synced)) return undefined;
    return {
      services: this.#services.items(),
      endpointSlices: this.#slices.items(),
      nodes: this.#nodes.items(),
      poolsData: this.#pools?.items()[0]?.data,
      leader: this.#elector.leader,
    };
  }

  /** One Service as the cache holds it (with its resourceVersion), for the status sink. */
  service(namespace: string, name: string): V1Service | undefined {
    return this.#services.get(name, namespace);
  }

  start(): void {
    for (const w of this.#watched()) w.start();
    this.#elector.start();
  }

  /** Stops watching and releases the lease (if held). The snapshot stays as last seen. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const w of this.#watched()) w.stop();
    await this.#elector.stop();
  }

  #changed(reason: string): void {
    if (this.#stopped) return;
    if (this.#watched().every((w) => w.synced)) this.#synced();
    this.#o.onChange(reason);
  }

  #watched(): WatchedKind<V1Service | V1EndpointSlice | V1Node | V1ConfigMap>[] {
    const all: WatchedKind<V1Service | V1EndpointSlice | V1Node | V1ConfigMap>[] = [
      this.#services as WatchedKind<V1Service | V1EndpointSlice | V1Node | V1ConfigMap>,
      this.#slices as WatchedKind<V1Service | V1EndpointSlice | V1Node | V1ConfigMap>,
      this.#nodes as WatchedKind<V1Service | V1EndpointSlice | V1Node | V1ConfigMap>,
    ];
    if (this.#pools !== undefined)
      all.push(this.#pools as WatchedKind<V1Service | V1EndpointSlice | V1Node | V1ConfigMap>);
    return all;
  }

  #onWatch(e: ListWatchEvent): void {
    switch (e.kind) {
      case 'synced':
        this.#o.report({ kind: 'kubernetesSynced', resource: e.resource, items: e.items });
        this.#changed('kubernetes');
        return;
      case 'changed':
        this.#changed('kubernetes');
        return;
      case 'error':
        this.#o.report({
          kind: 'kubernetesError',
          resource: e.resource,
          reason: e.reason,
          retryInMs: e.retryInMs,
        });
        return;
      default:
        assertNever(e);
    }
  }

  #onLeader(e: LeaderEvent): void {
    switch (e.kind) {
      case 'elected':
        this.#o.report({ kind: 'leaderChanged', lease: e.lease, leader: true, detail: e.from });
        this.#changed('leader');
        return;
      case 'deposed':
        this.#o.report({ kind: 'leaderChanged', lease: e.lease, leader: false, detail: e.reason });
        this.#changed('leader');
        return;
      case 'following':
        return;
      case 'leaseError':
        this.#o.report({ kind: 'kubernetesError', resource: `lease ${e.lease}`, reason: e.reason });
        return;
      default:
        assertNever(e);
    }
  }
}
