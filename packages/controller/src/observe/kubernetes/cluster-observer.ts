import type { Clock } from '@anyvip/healthcheck';
import type { V1ConfigMap, V1EndpointSlice, V1Lease, V1Node, V1Service } from '@kubernetes/client-node';
import { assertNever } from '../../assert-never.js';
import { computeLiveNodes, sameNodes } from '../../desired/node-liveness.js';
import type { ClusterSnapshot } from '../../desired/observation.js';
import type { ControllerEvent } from '../../events.js';
import type { KubeClients } from '../../kubernetes/client.js';
import { LeaderElector, type LeaderEvent } from './leases.js';
import { type ListWatchEvent, pagedList, WatchedKind } from './list-watch.js';
import { reportListWatchEvent } from './list-watch-report.js';
import { NodeLeaseRenewer, nodeLeaseLabel } from './node-lease.js';
import { NodeStatusWatch } from './node-statuses.js';

/**
 * Kubernetes mode's observer: it lists and watches Services, EndpointSlices, Nodes, the
 * pools ConfigMap and (with node leases) every node's anyvip Lease, takes part in leader
 * election, and exposes what it saw as a snapshot. It never decides (desired/ does, from the
 * snapshot) and never writes Services or Events (the status and Event sinks do, driven by the
 * reconcile loop). Its only writes are leases, its own presence: the leader Lease (the
 * elector) and this node's liveness Lease (the renewer), as kubelet renews its node lease.
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
  /**
   * Per-node liveness leases (single-announcer failover): renew ours every `intervalMs` and
   * watch every node's. Undefined: off.
   */
  readonly nodeLease?: { readonly intervalMs: number };
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
  readonly #nodeLeases: WatchedKind<V1Lease> | undefined;
  readonly #renewer: NodeLeaseRenewer | undefined;
  /** Node → when (our monotonic clock) its lease last changed, and the record we saw then. */
  readonly #leaseSeen = new Map<string, { readonly record: string; readonly atMs: number }>();
  /** The live set the last lease event implied: a pass is raised only when it changes. */
  #liveNodes: Set<string> | undefined;
  readonly #elector: LeaderElector;
  /** The leader's watch on every AnyvipNodeStatus (the announced-by annotation); none while following. */
  #nodeStatuses: NodeStatusWatch | undefined;
  #stopped = false;
  #synced: () => void = () => {};
  readonly #syncedPromise: Promise<void>;

  constructor(options: ClusterObserverOptions) {
    this.#o = options;
    const { clients, clock } = options;
    const onEvent = (e: ListWatchEvent): void => this.#onWatch(e);
    this.#services = new WatchedKind(clients.connection, {
      path: '/api/v1/services',
      list: pagedList((c) => clients.core.listServiceForAllNamespaces({ limit: LIST_PAGE, _continue: c })),
      clock,
      onEvent,
    });
    this.#slices = new WatchedKind(clients.connection, {
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      list: pagedList((c) =>
        clients.discovery.listEndpointSliceForAllNamespaces({ limit: LIST_PAGE, _continue: c }),
      ),
      clock,
      onEvent,
    });
    this.#nodes = new WatchedKind(clients.connection, {
      path: '/api/v1/nodes',
      list: pagedList((c) => clients.core.listNode({ limit: LIST_PAGE, _continue: c })),
      clock,
      onEvent,
    });
    const cm = options.poolsConfigMap;
    this.#pools =
      cm === undefined
        ? undefined
        : new WatchedKind(clients.connection, {
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
    const nl = options.nodeLease;
    const selector = `${nodeLeaseLabel}=${options.leaseName}`;
    this.#nodeLeases =
      nl === undefined
        ? undefined
        : new WatchedKind(clients.connection, {
            path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(options.leaseNamespace)}/leases`,
            labelSelector: selector,
            list: () =>
              clients.coordination.listNamespacedLease({
                namespace: options.leaseNamespace,
                labelSelector: selector,
              }),
            clock,
            // Renewals are frequent (every node, every interval): a pass only when the live set changes.
            onEvent: (e) => (e.kind === 'changed' ? this.#onNodeLeases() : onEvent(e)),
          });
    this.#renewer =
      nl === undefined
        ? undefined
        : new NodeLeaseRenewer({
            api: clients.coordination,
            namespace: options.leaseNamespace,
            instance: options.leaseName,
            node: options.nodeName,
            clock,
            intervalMs: nl.intervalMs,
            onError: (reason) => options.report({ kind: 'kubernetesError', resource: 'node lease', reason }),
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
      ...(this.#nodeLeases !== undefined ? { nodeLeases: this.#recordLeases() } : {}),
      ...this.#observedNodeStatuses(),
    };
  }

  /** One Node as the cache holds it (this node's annotations, for the fabric observer). */
  node(name: string): V1Node | undefined {
    return this.#nodes.get(name);
  }

  /** One Service as the cache holds it (with its resourceVersion), for the status sink. */
  service(namespace: string, name: string): V1Service | undefined {
    return this.#services.get(name, namespace);
  }

  start(): void {
    // The heartbeat first, so this node's own lease is there when the others list theirs.
    void this.#renewer?.start();
    for (const w of this.#watched()) w.start();
    this.#elector.start();
  }

  /**
   * Stops watching, deletes this node's liveness lease (the others take its single-announcer
   * VIPs over at once) and releases the leader lease (if held). The snapshot stays as last seen.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const w of this.#watched()) w.stop();
    this.#watchNodeStatuses(false);
    await this.#renewer?.stop();
    await this.#elector.stop();
  }

  /** Raises a pass when the lease changes make another set of nodes live. */
  #onNodeLeases(): void {
    const interval = this.#o.nodeLease?.intervalMs ?? 0;
    const live = computeLiveNodes(this.#recordLeases(), 3 * interval, this.#o.nodeName);
    if (sameNodes(this.#liveNodes, live)) return;
    this.#liveNodes = live;
    this.#changed('node lease');
  }

  /**
   * Records, by our own monotonic clock, when each node's lease last changed (its renewTime
   * is never compared with our clock, so node clocks may disagree) and returns node → that
   * time. A deleted lease (an anyvip that stopped) is gone at once.
   */
  #recordLeases(): ReadonlyMap<string, number> {
    const now = this.#o.clock.now();
    const seenNow = new Set<string>();
    for (const l of this.#nodeLeases?.items() ?? []) {
      const node = l.spec?.holderIdentity;
      if (node === undefined || node === '') continue;
      seenNow.add(node);
      const record = `${String(l.spec?.renewTime)}|${l.metadata?.resourceVersion ?? ''}`;
      if (this.#leaseSeen.get(node)?.record !== record) this.#leaseSeen.set(node, { record, atMs: now });
    }
    for (const node of [...this.#leaseSeen.keys()]) if (!seenNow.has(node)) this.#leaseSeen.delete(node);
    return new Map([...this.#leaseSeen].map(([n, v]) => [n, v.atMs]));
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
    if (this.#nodeLeases !== undefined)
      all.push(
        this.#nodeLeases as unknown as WatchedKind<V1Service | V1EndpointSlice | V1Node | V1ConfigMap>,
      );
    return all;
  }

  #onWatch(e: ListWatchEvent): void {
    reportListWatchEvent(
      e,
      (event) => this.#o.report(event),
      () => this.#changed('kubernetes'),
    );
  }

  /** The node statuses, for the leader once listed (they never hold back the snapshot: the CRD may be missing). */
  #observedNodeStatuses(): { nodeStatuses?: ReturnType<NodeStatusWatch['observed']> } {
    const statuses = this.#elector.leader ? this.#nodeStatuses?.observed() : undefined;
    return statuses === undefined ? {} : { nodeStatuses: statuses };
  }

  /** Starts watching every node's status (elected) or stops (deposed, stopping). */
  #watchNodeStatuses(on: boolean): void {
    this.#nodeStatuses?.stop();
    this.#nodeStatuses = undefined;
    if (!on || this.#stopped) return;
    this.#nodeStatuses = new NodeStatusWatch({
      clients: this.#o.clients,
      clock: this.#o.clock,
      onChange: (reason) => this.#changed(reason),
      onEvent: (e) => this.#onWatch(e),
    });
    this.#nodeStatuses.start();
  }

  #onLeader(e: LeaderEvent): void {
    switch (e.kind) {
      case 'elected':
        this.#watchNodeStatuses(true);
        this.#o.report({ kind: 'leaderChanged', lease: e.lease, leader: true, detail: e.from });
        this.#changed('leader');
        return;
      case 'deposed':
        this.#watchNodeStatuses(false);
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
