import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { assertNever } from '../assert-never.js';
import type { ControllerEvent } from '../events.js';

/**
 * The controller's Prometheus metrics, on a registry of its own (not prom-client's global
 * one), fed from controller events in {@link ControllerMetrics.observe}. The admin HTTP
 * listener that serves `registry.metrics()` comes with a later issue.
 */
export class ControllerMetrics {
  readonly registry = new Registry();

  readonly vipAnnounced = new Gauge({
    name: 'anyvip_vip_announced',
    help: 'Whether the VIP is announced (BGP) or written to the routing table (table mode): 1 or 0.',
    labelNames: ['vip'] as const,
    registers: [this.registry],
  });

  readonly vipBound = new Gauge({
    name: 'anyvip_vip_bound',
    help: 'Whether the VIP is bound to the loopback device: 1 or 0.',
    labelNames: ['vip'] as const,
    registers: [this.registry],
  });

  readonly healthcheckUp = new Gauge({
    name: 'anyvip_healthcheck_up',
    help: 'Whether the health check is up (1) or down/unknown (0).',
    labelNames: ['check'] as const,
    registers: [this.registry],
  });

  readonly healthTransitions = new Counter({
    name: 'anyvip_healthcheck_transitions_total',
    help: 'Health check state changes, by new state.',
    labelNames: ['check', 'to'] as const,
    registers: [this.registry],
  });

  readonly peerUp = new Gauge({
    name: 'anyvip_bgp_peer_up',
    help: 'Whether the BGP session to the peer is Established: 1 or 0.',
    labelNames: ['peer'] as const,
    registers: [this.registry],
  });

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

  /** Updates the metrics an event concerns. */
  observe(e: ControllerEvent): void {
    switch (e.kind) {
      case 'healthChanged':
        this.healthcheckUp.set({ check: e.check }, e.to === 'up' ? 1 : 0);
        this.healthTransitions.inc({ check: e.check, to: e.to });
        return;
      case 'applied':
        if (e.vip === undefined) return;
        if (e.sink === 'loopback') this.vipBound.set({ vip: e.vip }, e.action === 'remove' ? 0 : 1);
        else if (e.sink === 'bgp' || e.sink === 'routeTable') {
          this.vipAnnounced.set({ vip: e.vip }, e.action === 'remove' ? 0 : 1);
        }
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
      case 'started':
      case 'shutdown':
      case 'kubernetesSynced':
      case 'kubernetesError':
      case 'serviceStatus':
        return;
      default:
        assertNever(e);
    }
  }
}
