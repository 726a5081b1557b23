import type { Clock, TimerHandle } from '@anyvip/healthcheck';
import type { V1ConfigMap, V1EndpointSlice, V1Lease, V1Node, V1Service } from '@kubernetes/client-node';
import { assertNever } from '../../assert-never.js';
import { computeLiveNodes, sameNodes } from '../../desired/node-liveness.js';
import { describeError } from '../../errors.js';
import type { ControllerEvent } from '../../events.js';
import type { KubeClients } from './client.js';
import { EventRecorder } from './event-recorder.js';
import { LeaderElector, type LeaderEvent } from './leases.js';
import { type ListWatchEvent, pagedList, WatchedKind } from './list-watch.js';
import { NodeLeaseRenewer, nodeLeaseLabel } from './node-lease.js';
import { writeIngress } from './service-status.js';

/**
 * Kubernetes mode's source: it watches the cluster, elects a leader, and on every change
 * hands the whole observed state to the pure planner (desired/, K8S decisions), then carries
 * out what the plan says at the edges: this node's VIPs go to the runtime (loopback + BGP
 * sinks), the leader writes `status.loadBalancer.ingress`, and Events are recorded.
 *
 * Level-triggered: any watch event, leadership change or grace-period expiry raises one
 * coalesced pass, and a pass always looks at everything (a missed event is healed by the
 * next). It observes and acts; it never decides.
 */

/** What the planner sees on every pass. */
export interface ClusterObservation {
  readonly services: readonly V1Service[];
  readonly endpointSlices: readonly V1EndpointSlice[];
  readonly nodes: readonly V1Node[];
  /** `data` of the pools ConfigMap; undefined when it does not exist (or none is configured). */
  readonly poolsData: Readonly<Record<string, string>> | undefined;
  readonly isLeader: boolean;
  /** Monotonic milliseconds (grace periods). */
  readonly nowMs: number;
  /** Nodes whose anyvip renews its node lease; undefined without node leases. */
  readonly liveNodes?: ReadonlySet<string>;
}

/** The plan's verdict on one Service. */
export interface ServicePlan {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
  /** What `status.loadBalancer.ingress` should hold; undefined: leave it alone. Only the leader writes it. */
  readonly ingress: readonly string[] | undefined;
  /** Addresses this node announces for the Service. */
  readonly announcedHere: readonly string[];
  /** Addresses refused, with why (a Warning Event on the Service). */
  readonly refused: readonly { readonly address: string; readonly reason: string }[];
}

/** The plan for this node. */
export interface NodePlan {
  /** The VIPs this node announces now (canonical address text). */
  readonly announce: readonly string[];
  readonly services: readonly ServicePlan[];
  /** When (nowMs) a grace period ends and the plan may change without an event. */
  readonly nextWakeMs: number | undefined;
}

/** The planner: pure, from the observation (and whatever it carries itself) to the plan. */
export type Planner = (observation: ClusterObservation) => NodePlan;

export interface KubernetesSourceOptions {
  readonly clients: KubeClients;
  readonly nodeName: string;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  /** The pools ConfigMap; undefined: no IPAM. */
  readonly poolsConfigMap: { readonly namespace: string; readonly name: string } | undefined;
  readonly planner: Planner;
  readonly clock: Clock;
  /**
   * Applies this node's VIPs (the runtime's `setVips`); resolves once they are applied, with
   * the addresses that were withheld because they could not be bound (a Warning Event each).
   */
  readonly applyVips: (addresses: readonly string[]) => Promise<readonly WithheldAddress[] | undefined>;
  readonly report: (event: ControllerEvent) => void;
  /** Batches bursts of watch events into one pass. Default 20 ms. */
  readonly coalesceMs?: number;
  /** Leader election timing (client-go defaults: 15 s, 10 s, 2 s). */
  readonly lease?: {
    readonly durationSec?: number;
    readonly renewDeadlineMs?: number;
    readonly retryPeriodMs?: number;
  };
  /** Status writes in flight at once (leader). Default 16. */
  readonly statusConcurrency?: number;
  /** Retry delay after a status write failed (not a 409). Default 5 s. */
  readonly statusRetryMs?: number;
  /**
   * Per-node liveness leases (single-announcer failover): renew ours every `intervalMs`,
   * count a node live while its lease changed within 3 intervals of the newest. Undefined: off.
   */
  readonly nodeLease?: { readonly intervalMs: number };
}

/** An address this node should announce but does not, because it is not bound (see desired/bind-gate.ts). */
export interface WithheldAddress {
  /** Canonical address text, as in {@link NodePlan.announce}. */
  readonly address: string;
  readonly reason: string;
}

/** Objects per list page (client-go's reflector pages by 500 too). */
const LIST_PAGE = 500;

/** Kubernetes Event reasons we record. */
export const EventReason = {
  allocated: 'IPAllocated',
  announced: 'Announced',
  withdrawn: 'Withdrawn',
  refused: 'Refused',
  notBound: 'NotBound',
} as const;

export class KubernetesSource {
  readonly #o: KubernetesSourceOptions;
  readonly #services: WatchedKind<V1Service>;
  readonly #slices: WatchedKind<V1EndpointSlice>;
  readonly #nodes: WatchedKind<V1Node>;
  readonly #pools: WatchedKind<V1ConfigMap> | undefined;
  readonly #nodeLeases: WatchedKind<V1Lease> | undefined;
  readonly #renewer: NodeLeaseRenewer | undefined;
  /** Node → when (our clock) its lease last changed, and the record we saw. */
  readonly #leaseSeen = new Map<string, { readonly record: string; readonly atMs: number }>();
  #liveNodes: Set<string> | undefined;
  readonly #elector: LeaderElector;
  readonly #events: EventRecorder;
  /** Per Service key: the addresses it was announced from here after the last pass. */
  #announcedHere = new Map<string, readonly string[]>();
  #pending = false;
  #timer: TimerHandle | undefined;
  #wakeTimer: TimerHandle | undefined;
  #retryTimer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #synced: () => void = () => {};
  readonly #syncedPromise: Promise<void>;
  /** Passes done (tests and status). */
  passes = 0;

  constructor(options: KubernetesSourceOptions) {
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
    const nl = options.nodeLease;
    this.#nodeLeases =
      nl === undefined
        ? undefined
        : new WatchedKind(clients.config, {
            path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(options.leaseNamespace)}/leases`,
            labelSelector: `${nodeLeaseLabel}=${options.leaseName}`,
            list: () =>
              clients.coordination.listNamespacedLease({
                namespace: options.leaseNamespace,
                labelSelector: `${nodeLeaseLabel}=${options.leaseName}`,
              }),
            clock,
            // Lease renewals are frequent: a pass only when the live set changes.
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
    this.#events = new EventRecorder({
      api: clients.core,
      component: 'anyvip',
      host: options.nodeName,
      clock,
      onError: (reason) => options.report({ kind: 'kubernetesError', resource: 'events', reason }),
    });
    this.#syncedPromise = new Promise((resolve) => {
      this.#synced = resolve;
    });
  }

  get leader(): boolean {
    return this.#elector.leader;
  }

  /** Resolves once every watched kind has been listed and the first pass is done. */
  synced(): Promise<void> {
    return this.#syncedPromise;
  }

  start(): void {
    // The heartbeat first, so this node's own lease is there when the others list theirs.
    void this.#renewer?.start();
    for (const w of this.#watched()) w.start();
    this.#elector.start();
  }

  /** Stops watching and releases the lease (if held). The runtime withdraws on its own stop. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of [this.#timer, this.#wakeTimer, this.#retryTimer])
      if (t !== undefined) this.#o.clock.clearTimeout(t);
    for (const w of this.#watched()) w.stop();
    await this.#running;
    // Deleting the node lease hands our single-announcer VIPs to the others at once.
    await this.#renewer?.stop();
    await this.#elector.stop();
    await this.#events.flush();
  }

  /** Raises a pass (coalesced with any other within `coalesceMs`). */
  trigger(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#pending = true;
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#pass()
        .catch((err: unknown) =>
          this.#o.report({ kind: 'kubernetesError', resource: 'reconcile', reason: describeError(err) }),
        )
        .finally(() => {
          this.#running = undefined;
          if (this.#pending) {
            this.#pending = false;
            this.trigger();
          }
        });
    }, this.#o.coalesceMs ?? 20);
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
    switch (e.kind) {
      case 'synced':
        this.#o.report({ kind: 'kubernetesSynced', resource: e.resource, items: e.items });
        this.trigger();
        return;
      case 'changed':
        this.trigger();
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
        this.trigger();
        return;
      case 'deposed':
        this.#o.report({ kind: 'leaderChanged', lease: e.lease, leader: false, detail: e.reason });
        this.trigger();
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

  async #pass(): Promise<void> {
    if (!this.#watched().every((w) => w.synced)) return;
    const isLeader = this.#elector.leader;
    const plan = this.#o.planner({
      services: this.#services.items(),
      endpointSlices: this.#slices.items(),
      nodes: this.#nodes.items(),
      poolsData: this.#pools?.items()[0]?.data,
      isLeader,
      nowMs: this.#o.clock.now(),
      ...(this.#nodeLeases !== undefined ? { liveNodes: this.#computeLive() } : {}),
    });
    this.#scheduleWake(plan.nextWakeMs);
    const withheld = new Map((await this.#o.applyVips(plan.announce))?.map((w) => [w.address, w.reason]));
    this.passes += 1;
    this.#recordAnnouncements(plan.services, withheld);
    if (isLeader) await this.#writeStatuses(plan.services);
    this.#synced();
  }

  /** Records lease changes (by our clock) and raises a pass when the live set changed. */
  #onNodeLeases(): void {
    const before = this.#liveNodes;
    const after = this.#computeLive();
    if (!sameNodes(before, after)) this.trigger();
  }

  #computeLive(): Set<string> {
    const now = this.#o.clock.now();
    const seenNow = new Set<string>();
    for (const l of this.#nodeLeases?.items() ?? []) {
      const node = l.spec?.holderIdentity;
      if (node === undefined || node === '') continue;
      seenNow.add(node);
      const record = `${String(l.spec?.renewTime)}|${l.metadata?.resourceVersion ?? ''}`;
      if (this.#leaseSeen.get(node)?.record !== record) this.#leaseSeen.set(node, { record, atMs: now });
    }
    // A deleted lease (an anyvip that stopped) is gone at once.
    for (const node of [...this.#leaseSeen.keys()]) if (!seenNow.has(node)) this.#leaseSeen.delete(node);
    const interval = this.#o.nodeLease?.intervalMs ?? 0;
    const last = new Map([...this.#leaseSeen].map(([n, v]) => [n, v.atMs]));
    this.#liveNodes = computeLiveNodes(last, 3 * interval, this.#o.nodeName);
    return this.#liveNodes;
  }

  #retryLater(): void {
    if (this.#retryTimer !== undefined || this.#stopped) return;
    this.#retryTimer = this.#o.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.trigger();
    }, this.#o.statusRetryMs ?? 5000);
  }

  #scheduleWake(atMs: number | undefined): void {
    if (this.#wakeTimer !== undefined) this.#o.clock.clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    if (atMs === undefined) return;
    const delay = Math.max(0, atMs - this.#o.clock.now());
    this.#wakeTimer = this.#o.clock.setTimeout(() => {
      this.#wakeTimer = undefined;
      this.trigger();
    }, delay);
  }

  /** Announced / Withdrawn Events from this node when its part changes; Refused (leader) each pass, deduplicated. */
  #recordAnnouncements(services: readonly ServicePlan[], withheld: ReadonlyMap<string, string>): void {
    const next = new Map<string, readonly string[]>();
    const node = this.#o.nodeName;
    for (const s of services) {
      const key = `${s.namespace}/${s.name}`;
      const subject = { kind: 'Service' as const, namespace: s.namespace, name: s.name, uid: s.uid };
      const before = this.#announcedHere.get(key) ?? [];
      // Never say "announced" for an address that is not bound here: it is withheld.
      const here = s.announcedHere.filter((a) => !withheld.has(a));
      for (const a of s.announcedHere) {
        const reason = withheld.get(a);
        if (reason !== undefined)
          this.#events.record({
            subject,
            type: 'Warning',
            reason: EventReason.notBound,
            message: `${a} not announced from node ${node}: ${reason}`,
          });
      }
      if (here.length > 0) next.set(key, here);
      const added = here.filter((a) => !before.includes(a));
      const removed = before.filter((a) => !here.includes(a));
      if (added.length > 0)
        this.#events.record({
          subject,
          type: 'Normal',
          reason: EventReason.announced,
          message: `${added.join(', ')} announced from node ${node}`,
        });
      if (removed.length > 0)
        this.#events.record({
          subject,
          type: 'Normal',
          reason: EventReason.withdrawn,
          message: `${removed.join(', ')} withdrawn from node ${node}`,
        });
      if (this.#elector.leader)
        for (const r of s.refused) {
          this.#o.report({ kind: 'vipRefused', service: key, vip: r.address, reason: r.reason });
          this.#events.record({
            subject,
            type: 'Warning',
            reason: EventReason.refused,
            message: `${r.address} refused: ${r.reason}`,
          });
        }
    }
    // Services gone since the last pass: their VIPs are withdrawn with them; no object to tell.
    this.#announcedHere = next;
  }

  async #writeStatuses(services: readonly ServicePlan[]): Promise<void> {
    const work = services.filter((s) => s.ingress !== undefined);
    const limit = this.#o.statusConcurrency ?? 16;
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < work.length; i = next++) {
        const s = work[i];
        if (s === undefined || s.ingress === undefined || !this.#elector.leader) continue;
        const cached = this.#services.get(s.name, s.namespace);
        if (cached === undefined) continue;
        const result = await writeIngress(this.#o.clients.core, cached, s.ingress);
        if (result.kind === 'unchanged') continue;
        const key = `${s.namespace}/${s.name}`;
        this.#o.report({
          kind: 'serviceStatus',
          service: key,
          addresses: s.ingress,
          result: result.kind,
          ...(result.kind === 'failed' ? { reason: result.reason } : {}),
        });
        if (result.kind === 'written' && s.ingress.length > 0)
          this.#events.record({
            subject: { kind: 'Service', namespace: s.namespace, name: s.name, uid: s.uid },
            type: 'Normal',
            reason: EventReason.allocated,
            message: `${s.ingress.join(', ')} allocated`,
          });
        // A conflict: the watch brings the Service as it is now, and that event raises the
        // next pass, which decides again. A failure (API server away, forbidden) is retried.
        if (result.kind === 'failed') this.#retryLater();
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, work.length) }, worker));
  }
}
