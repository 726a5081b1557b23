import type { PeerInfo, SessionState } from '@anyvip/bgp';
import { sessionStates } from '@anyvip/bgp';
import type { HealthState } from '@anyvip/healthcheck';
// prom-client's pieces by path, not its index, which also loads the Pushgateway client and
// https/tls with it (+8 MB of RSS): see prom-client-parts.d.ts.
import Counter from 'prom-client/lib/counter.js';
import collectDefaultMetrics from 'prom-client/lib/defaultMetrics.js';
import Gauge from 'prom-client/lib/gauge.js';
import Histogram from 'prom-client/lib/histogram.js';
import Registry from 'prom-client/lib/registry.js';
import { assertNever } from '../assert-never.js';
import type { BfdSessionState, ControllerEvent } from '../events.js';

/** The per-peer counters a scrape reads: `PeerInfo` from `@anyvip/bgp`, every field O(1). */
export type PeerCounters = Pick<
  PeerInfo,
  | 'address'
  | 'updatesSent'
  | 'updatesReceived'
  | 'messagesSent'
  | 'messagesReceived'
  | 'notificationsSent'
  | 'notificationsReceived'
  | 'prefixesSent'
  | 'prefixesReceived'
  | 'establishedTransitions'
>;

export type { BfdSessionState } from '../events.js';
/** Every BFD session state, in RFC 5880 §4.1 code order. */
export const bfdSessionStates: readonly BfdSessionState[] = ['adminDown', 'down', 'init', 'up'];

const healthStates: readonly HealthState[] = ['unknown', 'up', 'down'];

/** A VIP series' labels: the Service's in Kubernetes mode, none in standalone. */
type VipLabels = { readonly vip: string; readonly namespace?: string; readonly service?: string };

/** How often the event-loop delay monitor samples, ms (prom-client's default is 10). */
export const eventLoopSamplingMs = 100;

/**
 * The controller's Prometheus metrics, on a registry of its own (not prom-client's global
 * one). Names follow the Prometheus conventions: `anyvip_` prefix, base units in the name
 * (`_seconds`), `_total` on counters, enumerations as one gauge per state set to 1 or 0
 * (`anyvip_bgp_peer_state{state="established"} 1`).
 *
 * Two sources, each read in one place:
 *
 * - controller events, in {@link ControllerMetrics.observe}: states, transitions, probe
 *   latency, reconcile passes;
 * - the speaker's per-peer counters (UPDATEs, messages, NOTIFICATIONs, prefixes), read at
 *   scrape time from {@link ControllerMetrics.attachPeers}'s source. Each is a plain number
 *   the session keeps, so a scrape costs O(peers), never a walk of a RIB. The message counters
 *   live as long as the peer is configured; removing a peer drops its series, and adding it
 *   again starts them at 0 (a counter reset, which `rate()` handles).
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  #peers: () => Iterable<PeerCounters> = () => [];
  /** Kubernetes mode: each VIP's Service labels as last set (a remove event no longer knows them). */
  readonly #vipServices = new Map<string, readonly VipLabels[]>();
  /** Kubernetes mode: each VIP's gauge values as last set, carried over when its labels change. */
  readonly #vipValues = new Map<string, { announced?: number; bound?: number }>();
  /** The peers read once for the scrape {@link text} is serving (nine collectors share them). */
  #scrapePeers: readonly PeerCounters[] | undefined;

  // ---- VIPs -----------------------------------------------------------------------------

  readonly vipAnnounced = new Gauge({
    name: 'anyvip_vip_announced',
    help: 'Whether the VIP is announced (BGP) or written to the routing table (table mode): 1 or 0.',
    labelNames: ['vip', 'namespace', 'service'] as const,
    registers: [this.registry],
  });

  readonly vipBound = new Gauge({
    name: 'anyvip_vip_bound',
    help: 'Whether the VIP is bound to the loopback device: 1 or 0.',
    labelNames: ['vip', 'namespace', 'service'] as const,
    registers: [this.registry],
  });

  readonly vipFailovers = new Counter({
    name: 'anyvip_vip_failovers_total',
    help: 'Announce/withdraw transitions of the VIP on this node, by new state (announced, withdrawn).',
    labelNames: ['vip', 'namespace', 'service', 'to'] as const,
    registers: [this.registry],
  });

  // ---- health checks --------------------------------------------------------------------

  readonly healthcheckUp = new Gauge({
    name: 'anyvip_healthcheck_up',
    help: 'Whether the health check is up (1) or down/unknown (0).',
    labelNames: ['check'] as const,
    registers: [this.registry],
  });

  readonly healthcheckState = new Gauge({
    name: 'anyvip_healthcheck_state',
    help: 'The health check state: 1 for the current one of unknown, up, down.',
    labelNames: ['check', 'state'] as const,
    registers: [this.registry],
  });

  readonly healthTransitions = new Counter({
    name: 'anyvip_healthcheck_transitions_total',
    help: 'Health check state changes, by new state.',
    labelNames: ['check', 'to'] as const,
    registers: [this.registry],
  });

  readonly probeDuration = new Histogram({
    name: 'anyvip_healthcheck_probe_duration_seconds',
    help: 'Probe latency, by check and result (success, failure).',
    labelNames: ['check', 'result'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  // ---- BGP sessions ---------------------------------------------------------------------

  readonly peerUp = new Gauge({
    name: 'anyvip_bgp_peer_up',
    help: 'Whether the BGP session to the peer is Established: 1 or 0.',
    labelNames: ['peer'] as const,
    registers: [this.registry],
  });

  readonly peerState = new Gauge({
    name: 'anyvip_bgp_peer_state',
    help: 'The BGP FSM state of the peer (RFC 4271 §8.2.2): 1 for the current one.',
    labelNames: ['peer', 'state'] as const,
    registers: [this.registry],
  });

  readonly peerDowns = new Counter({
    name: 'anyvip_bgp_peer_down_total',
    help: 'Times an Established session to the peer went down.',
    labelNames: ['peer'] as const,
    registers: [this.registry],
  });

  readonly peerUpdatesSent = this.#peerCounter(
    'anyvip_bgp_peer_updates_sent_total',
    'UPDATE messages sent to the peer.',
    (p) => p.updatesSent,
  );
  readonly peerUpdatesReceived = this.#peerCounter(
    'anyvip_bgp_peer_updates_received_total',
    'UPDATE messages received from the peer.',
    (p) => p.updatesReceived,
  );
  readonly peerMessagesSent = this.#peerCounter(
    'anyvip_bgp_peer_messages_sent_total',
    'BGP messages of every type sent to the peer.',
    (p) => p.messagesSent,
  );
  readonly peerMessagesReceived = this.#peerCounter(
    'anyvip_bgp_peer_messages_received_total',
    'BGP messages of every type received from the peer.',
    (p) => p.messagesReceived,
  );
  readonly peerNotificationsSent = this.#peerCounter(
    'anyvip_bgp_peer_notifications_sent_total',
    'NOTIFICATION messages sent to the peer.',
    (p) => p.notificationsSent,
  );
  readonly peerNotificationsReceived = this.#peerCounter(
    'anyvip_bgp_peer_notifications_received_total',
    'NOTIFICATION messages received from the peer.',
    (p) => p.notificationsReceived,
  );
  readonly peerEstablished = this.#peerCounter(
    'anyvip_bgp_peer_established_total',
    'Times the session to the peer reached Established.',
    (p) => p.establishedTransitions,
  );

  readonly peerPrefixesSent = this.#peerGauge(
    'anyvip_bgp_peer_prefixes_sent',
    'Prefixes advertised to the peer and not withdrawn (current session).',
    (p) => p.prefixesSent,
  );
  readonly peerPrefixesReceived = this.#peerGauge(
    'anyvip_bgp_peer_prefixes_received',
    'Prefixes held from the peer (current session).',
    (p) => p.prefixesReceived,
  );

  // ---- BFD (RFC 5880) -------------------------------------------------------------------

  readonly bfdState = new Gauge({
    name: 'anyvip_bfd_session_state',
    help: 'The BFD session state to the peer (RFC 5880 §4.1): 1 for the current one of adminDown, down, init, up.',
    labelNames: ['peer', 'state'] as const,
    registers: [this.registry],
  });

  readonly bfdDowns = new Counter({
    name: 'anyvip_bfd_session_down_total',
    help: 'Times the BFD session to the peer went from up to down (RFC 5880 §6.8.6).',
    labelNames: ['peer'] as const,
    registers: [this.registry],
  });

  // ---- the controller -------------------------------------------------------------------

  readonly reconcilePasses = new Counter({
    name: 'anyvip_reconcile_passes_total',
    help: 'Reconcile passes, by result (ok, error).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly reconcileDuration = new Histogram({
    name: 'anyvip_reconcile_duration_seconds',
    help: 'Duration of reconcile passes.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly sinkErrors = new Counter({
    name: 'anyvip_sink_errors_total',
    help: 'Operations a sink could not apply (retried with back-off).',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });

  readonly configReloads = new Counter({
    name: 'anyvip_config_reloads_total',
    help: 'Configuration reloads, by result (applied, refused).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: 'anyvip_leader',
    help: 'Kubernetes mode: 1 while this node holds its instance Lease (allocates and writes status).',
    labelNames: ['lease'] as const,
    registers: [this.registry],
  });

  readonly vipsRefused = new Counter({
    name: 'anyvip_vip_refused_total',
    help: 'Kubernetes mode: addresses refused (outside the allowed ranges, a node or API server address).',
    registers: [this.registry],
  });

  /** Where scrapes read the per-peer counters from (the runtime passes its speaker's `peers()`). */
  attachPeers(source: () => Iterable<PeerCounters>): void {
    this.#peers = source;
  }

  /**
   * Adds prom-client's default process and Node.js metrics (`process_*`, `nodejs_*`, no
   * prefix, as every Node exporter names them). Opt-in: they start an event-loop monitor,
   * which tests and libraries should not get by constructing a registry.
   *
   * The monitor samples every `eventLoopSamplingMs` (100 ms) instead of prom-client's 10 ms: at
   * 10 ms its timer woke an idle anyvip 100 times a second, most of the idle CPU issue 17
   * measures. A stall long enough to matter to BGP or a health check (≥ 100 ms) still lands
   * in `nodejs_eventloop_lag_*`.
   */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: eventLoopSamplingMs });
  }

  /** The exposition text (Prometheus text format 0.0.4); reads the peers once per call. */
  async text(): Promise<string> {
    this.#scrapePeers = [...this.#peers()];
    try {
      return await this.registry.metrics();
    } finally {
      this.#scrapePeers = undefined;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Updates the metrics an event concerns. */
  observe(e: ControllerEvent): void {
    switch (e.kind) {
      case 'healthChanged':
        this.healthcheckUp.set({ check: e.check }, e.to === 'up' ? 1 : 0);
        for (const state of healthStates)
          this.healthcheckState.set({ check: e.check, state }, state === e.to ? 1 : 0);
        this.healthTransitions.inc({ check: e.check, to: e.to });
        return;
      case 'probeResult':
        this.probeDuration.observe(
          { check: e.check, result: e.ok ? 'success' : 'failure' },
          e.latencyMs / 1000,
        );
        return;
      case 'applied':
        this.#applied(e);
        return;
      case 'sinkError':
        this.sinkErrors.inc({ sink: e.sink });
        return;
      case 'reconciled':
        this.reconcilePasses.inc({ result: e.errors > 0 ? 'error' : 'ok' });
        this.reconcileDuration.observe(e.durationMs / 1000);
        return;
      case 'peerUp':
        this.peerUp.set({ peer: e.peer }, 1);
        return;
      case 'peerDown':
        this.peerUp.set({ peer: e.peer }, 0);
        this.peerDowns.inc({ peer: e.peer });
        return;
      case 'peerStateChanged':
        this.#setPeerState(e.peer, e.to);
        return;
      case 'bfdStateChanged':
        this.observeBfdState(e.peer, e.to);
        if (e.from === 'up' && e.to === 'down') this.bfdDowns.inc({ peer: e.peer });
        return;
      case 'configReloaded':
        this.configReloads.inc({ result: 'applied' });
        return;
      case 'configRejected':
        this.configReloads.inc({ result: 'refused' });
        return;
      case 'leaderChanged':
        this.leader.set({ lease: e.lease }, e.leader ? 1 : 0);
        return;
      case 'vipRefused':
        this.vipsRefused.inc();
        return;
      case 'vipWithheld':
        // Not bound, so not announced: both read 0 (a series that is absent alerts nobody).
        if (e.withheld) {
          this.#setVip(e.vip, e.services, 'bound', 0);
          this.#setVip(e.vip, e.services, 'announced', 0);
        }
        return;
      case 'started':
      case 'shutdown':
      case 'kubernetesSynced':
      case 'kubernetesError':
      case 'poolRejected':
      case 'serviceStatus':
      case 'kubernetesKindAbsent':
      case 'fabricRefused':
      case 'nodeWarning':
        return;
      default:
        assertNever(e);
    }
  }

  /**
   * Sets the BFD session gauge for a peer (the `bfdStateChanged` event does); `undefined` drops
   * the peer's series (session removed).
   */
  observeBfdState(peer: string, state: BfdSessionState | undefined): void {
    for (const s of bfdSessionStates) {
      if (state === undefined) this.bfdState.remove({ peer, state: s });
      else this.bfdState.set({ peer, state: s }, s === state ? 1 : 0);
    }
  }

  #applied(e: Extract<ControllerEvent, { kind: 'applied' }>): void {
    if (e.sink === 'bgp' && e.peer !== undefined && e.vip === undefined && e.action === 'remove') {
      // A de-configured peer: its event-fed series go (the scrape-time ones go by themselves).
      this.peerUp.remove({ peer: e.peer });
      for (const state of sessionStates) this.peerState.remove({ peer: e.peer, state });
      this.observeBfdState(e.peer, undefined);
      return;
    }
    if (e.vip === undefined) return;
    if (e.sink === 'loopback') this.#setVip(e.vip, e.services, 'bound', e.action === 'remove' ? 0 : 1);
    else if (e.sink === 'bgp' || e.sink === 'routeTable') {
      const labels = this.#setVip(e.vip, e.services, 'announced', e.action === 'remove' ? 0 : 1);
      // `change` re-announces with new attributes: not a failover.
      if (e.action !== 'change')
        for (const l of labels)
          this.vipFailovers.inc({ ...l, to: e.action === 'add' ? 'announced' : 'withdrawn' });
    }
  }

  /** Sets a VIP gauge under each of its label sets; returns them. */
  #setVip(
    vip: string,
    services: readonly string[] | undefined,
    gauge: 'announced' | 'bound',
    value: number,
  ): readonly VipLabels[] {
    const labels = this.#vipLabels(vip, services);
    const values = this.#vipValues.get(vip) ?? {};
    values[gauge] = value;
    this.#vipValues.set(vip, values);
    for (const l of labels) (gauge === 'announced' ? this.vipAnnounced : this.vipBound).set(l, value);
    return labels;
  }

  /**
   * The label sets of a VIP's series: `{vip}` alone in standalone mode (an absent label is an
   * empty one to Prometheus), and in Kubernetes mode `{vip, namespace, service}` once per Service
   * the address belongs to (a shared address has one series per Service; `max by (vip)` folds
   * them). `services` undefined (a withdrawal, the VIP gone from the world): the labels last set.
   * When a VIP's Services change, its gauges move to the new label sets with their values.
   */
  #vipLabels(vip: string, services: readonly string[] | undefined): readonly VipLabels[] {
    const before = this.#vipServices.get(vip);
    if (services === undefined) return before ?? [{ vip }];
    const now: VipLabels[] =
      services.length === 0
        ? [{ vip }]
        : services.map((s) => {
            const at = s.indexOf('/');
            return { vip, namespace: s.slice(0, at), service: s.slice(at + 1) };
          });
    if (before !== undefined && JSON.stringify(before) !== JSON.stringify(now)) {
      // The series move to the new labels with their values.
      const values = this.#vipValues.get(vip) ?? {};
      for (const old of before) {
        this.vipAnnounced.remove(old);
        this.vipBound.remove(old);
      }
      for (const l of now) {
        if (values.announced !== undefined) this.vipAnnounced.set(l, values.announced);
        if (values.bound !== undefined) this.vipBound.set(l, values.bound);
      }
    }
    this.#vipServices.set(vip, now);
    return now;
  }

  #setPeerState(peer: string, to: SessionState): void {
    for (const state of sessionStates) this.peerState.set({ peer, state }, state === to ? 1 : 0);
    this.peerUp.set({ peer }, to === 'established' ? 1 : 0);
  }

  #peerCounter(name: string, help: string, read: (p: PeerCounters) => number): Counter<'peer'> {
    const peers = (): Iterable<PeerCounters> => this.#scrapePeers ?? this.#peers();
    return new Counter({
      name,
      help,
      labelNames: ['peer'] as const,
      registers: [this.registry],
      collect() {
        // Absolute values from the session: reset, then count up to them.
        this.reset();
        for (const p of peers()) this.inc({ peer: p.address }, read(p));
      },
    });
  }

  #peerGauge(name: string, help: string, read: (p: PeerCounters) => number): Gauge<'peer'> {
    const peers = (): Iterable<PeerCounters> => this.#scrapePeers ?? this.#peers();
    return new Gauge({
      name,
      help,
      labelNames: ['peer'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const p of peers()) this.set({ peer: p.address }, read(p));
      },
    });
  }
}
