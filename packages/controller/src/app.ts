import { BgpSpeaker, describeDownReason, type PeerInfo } from '@anyvip/bgp';
import { Check, type CheckEvent, type CheckOptions, type Clock, systemClock } from '@anyvip/healthcheck';
import type { ControllerConfig, VipConfig } from './config/schema.js';
import { gateOnBinding, withheldVips } from './desired/bind-gate.js';
import { computeDesiredState, computeShutdownState } from './desired/compute.js';
import { type GateEntry, HealthGate } from './desired/health-gate.js';
import type { DesiredState, VipPlan } from './desired/types.js';
import type { AnyvipError } from './errors.js';
import type { ControllerEvent, ControllerListener, ReloadSummary } from './events.js';
import { bgpLogger, type ControllerLogger, createLogger, logEvent } from './observability/log.js';
import { ControllerMetrics } from './observability/metrics.js';
import { canonicalJson, diffKeyed, sameData } from './reconcile/diff.js';
import { type PassReport, ReconcileLoop } from './reconcile/loop.js';
import { DEFAULT_RESTART_STATE_FILE, takeRestartMark, writeRestartMark } from './restart-mark.js';
import { BgpSink, type RouterFactory } from './sinks/bgp.js';
import { createIpRunner, type IpRunner } from './sinks/ip-runner.js';
import { LoopbackSink } from './sinks/loopback.js';
import { RouteTableSink } from './sinks/route-table.js';

/** Everything the runtime needs from its environment; all injectable for tests. */
export interface RuntimeDeps {
  /** Drives health checks, the reconcile loop's timers and the graceful-shutdown wait. */
  readonly clock?: Clock;
  /** iproute2 for the loopback and route-table sinks. */
  readonly ip?: IpRunner;
  /** Makes the BGP speaker; default a real `BgpSpeaker` wired to our logger and events. */
  readonly createRouter?: RouterFactory;
  /** Builds a health check; default `new Check(options, { clock })`. */
  readonly makeCheck?: (options: CheckOptions, clock: Clock) => Check;
  readonly logger?: ControllerLogger;
  readonly metrics?: ControllerMetrics;
  /** Names the configuration's origin in events (a file path, `flags`). */
  readonly source?: string;
}

/** A running check and what it was built from. */
interface RunningCheck {
  readonly check: Check;
  readonly key: string;
  readonly unsubscribe: () => void;
}

/** A snapshot for status displays and tests. */
export interface RuntimeStatus {
  readonly mode: ControllerConfig['mode'];
  readonly vips: readonly VipPlan[];
  readonly checks: ReadonlyMap<string, GateEntry>;
  /** What each sink held after the last pass. */
  readonly applied: ReadonlyMap<string, readonly string[]>;
  readonly passes: number;
}

/**
 * The controller, wired: configuration → health checks → health gate → desired state →
 * reconcile loop → sinks (loopback, BGP speaker or kernel table). The same runtime serves
 * standalone mode (a file, reloaded on SIGHUP) and control-plane mode (flags).
 *
 * - `start()` starts the checks and the loop, and resolves after the first pass.
 * - `reload(config)` applies a new configuration as a diff: checks are kept, replaced or
 *   stopped by name; everything else is level-triggered, so the next pass adds, removes and
 *   changes only what differs (no session reset, no flap for what did not change).
 * - `stop()` withdraws everything (RFC 8326 graceful shutdown first when configured), closes
 *   the speaker with Cease, removes our addresses and table routes.
 */
export class AnyvipRuntime {
  #config: ControllerConfig;
  readonly #clock: Clock;
  readonly #logger: ControllerLogger;
  readonly metrics: ControllerMetrics;
  readonly #makeCheck: (options: CheckOptions, clock: Clock) => Check;
  readonly #gate = new HealthGate();
  readonly #checks = new Map<string, RunningCheck>();
  readonly #listeners = new Set<ControllerListener>();
  readonly #bgp: BgpSink;
  readonly loop: ReconcileLoop;
  readonly #source: string;
  #desired: DesiredState | undefined;
  /** The speaker #createSpeaker made last (the sink's router unless a test injected another). */
  #speaker: BgpSpeaker | undefined;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  /** VIPs the bind gate withheld in the last pass, with why (events fire when this changes). */
  #withheld = new Map<string, string>();

  constructor(config: ControllerConfig, deps: RuntimeDeps = {}) {
    this.#config = config;
    this.#clock = deps.clock ?? systemClock;
    this.#logger = deps.logger ?? createLogger({ level: config.log.level });
    this.metrics = deps.metrics ?? new ControllerMetrics();
    this.metrics.attachPeers(() => this.peerInfos());
    this.#makeCheck = deps.makeCheck ?? ((options, clock) => new Check(options, { clock }));
    this.#source = deps.source ?? 'config';
    const ip = deps.ip ?? createIpRunner();
    this.#bgp = new BgpSink({ createRouter: deps.createRouter ?? ((spec) => this.#createSpeaker(spec)) });
    this.loop = new ReconcileLoop({
      sinks: [new LoopbackSink({ ip }), this.#bgp, new RouteTableSink({ ip })],
      desired: () => this.desired(),
      clock: this.#clock,
      ...config.reconcile,
      onPass: (report) => this.#onPass(report),
      gate: { sink: 'loopback', compute: gateOnBinding },
    });
  }

  get config(): ControllerConfig {
    return this.#config;
  }

  /** The BGP sink (its router, peers and routes), for status and tests. */
  get bgp(): BgpSink {
    return this.#bgp;
  }

  /** Each configured peer's state and O(1) counters, from our own speaker (empty without one). */
  peerInfos(): readonly PeerInfo[] {
    const speaker = this.#speaker;
    return speaker !== undefined && this.#bgp.router === speaker ? speaker.peers() : [];
  }

  /** Subscribes to controller events; returns an unsubscribe function. */
  on(listener: ControllerListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The desired state for the current configuration and health (recomputed on every call). */
  desired(): DesiredState {
    this.#desired = computeDesiredState(this.#config, this.#gate.lookup);
    return this.#desired;
  }

  status(): RuntimeStatus {
    // What the last pass applied (with the bind gate's decisions), else a fresh computation.
    const desired = this.loop.lastPass?.desired ?? this.#desired ?? this.desired();
    return {
      mode: this.#config.mode,
      vips: [...desired.vips.values()],
      checks: this.#gate.entries(),
      applied: this.loop.lastPass?.applied ?? new Map(),
      passes: this.loop.passes,
    };
  }

  /** Starts health checks and the loop; resolves once the first pass is done. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('the runtime was already started');
    this.#state = 'running';
    // RFC 4724 §3: the R bit when the previous process closed for a planned restart.
    this.#bgp.restarting = takeRestartMark(this.#config, Date.now());
    this.#syncChecks();
    this.#emit({
      kind: 'started',
      mode: this.#config.mode,
      source: this.#source,
      vips: this.#config.vips.length,
      peers: this.#config.bgp?.peers.length ?? 0,
    });
    this.loop.start();
    await this.loop.idle();
  }

  /** Resolves when no reconcile pass is running or pending. */
  settle(): Promise<void> {
    return this.loop.idle();
  }

  /**
   * Applies a new, already validated configuration as a diff, and returns what changed.
   * Resolves once the pass that applies it is done.
   */
  async reload(config: ControllerConfig, source = this.#source): Promise<ReloadSummary> {
    if (this.#state !== 'running') throw new Error(`cannot reload a runtime that is ${this.#state}`);
    const summary = summarizeReload(this.#config, config);
    this.#config = config;
    this.#logger.level = config.log.level;
    this.loop.setTiming(config.reconcile);
    this.#syncChecks();
    this.#emit({ kind: 'configReloaded', source, summary });
    this.loop.trigger('reload');
    await this.loop.idle();
    return summary;
  }

  /**
   * Replaces the VIP list and runs a pass; resolves once it is applied. Kubernetes mode calls
   * this with the VIPs this node should announce now (computed from the cluster), so the
   * same desired state → reconcile → sinks pipeline binds and announces them. Health checks,
   * peers and every other setting stay as they are.
   */
  async setVips(vips: readonly VipConfig[], trigger = 'kubernetes'): Promise<void> {
    if (this.#state !== 'running') return;
    this.#config = { ...this.#config, vips };
    this.#syncChecks();
    this.loop.trigger(trigger);
    await this.loop.idle();
  }

  /** Emits an event from a source outside the runtime (Kubernetes mode): logged, counted, told to listeners. */
  report(event: ControllerEvent): void {
    this.#emit(event);
  }

  /** Reports a configuration that was refused (the current one stays). */
  refuse(error: AnyvipError, source = this.#source): void {
    this.#emit({ kind: 'configRejected', source, code: error.code, reason: error.message });
  }

  /**
   * Shuts down: stops the checks and the loop; with `gracefulShutdown.enabled` re-announces
   * every VIP with GRACEFUL_SHUTDOWN (RFC 8326) and waits `gracefulShutdown.wait`; then
   * withdraws every route, removes our table routes and loopback addresses, and closes the
   * speaker (Cease / Administrative Shutdown with `reason`, RFC 9003). Idempotent.
   */
  async stop(reason = 'anyvip shutting down', options: { readonly restart?: boolean } = {}): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopping';
    this.#emit({ kind: 'shutdown', phase: 'begin', reason });
    await this.loop.stop();
    await Promise.all([...this.#checks.values()].map((c) => this.#stopCheck(c)));
    this.#checks.clear();
    if (wasRunning && options.restart === true) {
      // A planned restart (RFC 4724 §4): nothing is withdrawn and the VIPs stay on lo, so the
      // node keeps forwarding; routers that negotiated GR keep the routes as stale.
      this.#emit({ kind: 'shutdown', phase: 'restart', reason });
      writeRestartMark(this.#config.bgp?.restartStateFile ?? DEFAULT_RESTART_STATE_FILE, Date.now());
      await this.#bgp.closeForRestart(reason);
      this.#state = 'stopped';
      this.#emit({ kind: 'shutdown', phase: 'done', reason });
      return;
    }
    if (wasRunning) {
      const gs = this.#config.gracefulShutdown;
      if (gs.enabled && this.#bgp.router !== undefined) {
        const routes = this.#bgp.beginGracefulShutdown();
        this.#emit({ kind: 'shutdown', phase: 'gracefulShutdown', reason, routes, waitMs: gs.waitMs });
        if (routes > 0 && gs.waitMs > 0) await new Promise<void>((r) => this.#clock.setTimeout(r, gs.waitMs));
      }
      await this.loop.runPass(computeShutdownState(this.#desired ?? this.desired()), 'shutdown');
      this.#emit({ kind: 'shutdown', phase: 'withdrawn', reason });
    }
    await this.#bgp.close(reason);
    this.#state = 'stopped';
    this.#emit({ kind: 'shutdown', phase: 'done', reason });
  }

  /** Starts checks VIPs use, replaces redefined ones, stops those no VIP uses any more. */
  #syncChecks(): void {
    const used = new Set<string>();
    for (const v of this.#config.vips) if (v.healthcheck !== undefined) used.add(v.healthcheck);
    for (const [name, running] of [...this.#checks]) {
      const options = this.#config.healthchecks.get(name);
      if (used.has(name) && options !== undefined && canonicalJson(options) === running.key) continue;
      this.#checks.delete(name);
      void this.#stopCheck(running);
      // A redefined check keeps its gate entry until the new one decides (see HealthGate).
      if (!used.has(name)) this.#gate.forget(name);
    }
    for (const name of used) {
      if (this.#checks.has(name)) continue;
      const options = this.#config.healthchecks.get(name);
      if (options === undefined) continue; // The schema guarantees it exists.
      const check = this.#makeCheck(options, this.#clock);
      const unsubscribe = check.subscribe((e) => this.#onCheckEvent(name, check, e));
      this.#checks.set(name, { check, key: canonicalJson(options), unsubscribe });
      check.start();
    }
  }

  async #stopCheck(running: RunningCheck): Promise<void> {
    running.unsubscribe();
    await running.check.stop();
  }

  #onCheckEvent(name: string, check: Check, e: CheckEvent): void {
    if (this.#checks.get(name)?.check !== check) return;
    if (e.kind === 'result') {
      this.#emit({
        kind: 'probeResult',
        check: name,
        probe: e.probe,
        ok: e.ok,
        latencyMs: e.latencyMs,
        reason: e.reason,
      });
      return;
    }
    const from = this.#gate.get(name)?.state ?? 'unknown';
    if (!this.#gate.observe(name, e.kind)) return;
    this.#emit({
      kind: 'healthChanged',
      check: name,
      from,
      to: e.kind,
      cause: e.kind === 'up' ? 'rise' : e.cause,
      reasons: e.reasons,
      vips: this.#config.vips.filter((v) => v.healthcheck === name).map((v) => v.prefix),
    });
    this.loop.trigger('health');
  }

  #onPass(report: PassReport): void {
    const vips = this.#desired?.vips;
    const withheld = new Map(withheldVips(report.desired).map((w) => [w.vip, w.reason]));
    for (const [vip, reason] of withheld)
      if (this.#withheld.get(vip) !== reason)
        this.#emit({ kind: 'vipWithheld', vip, withheld: true, reason });
    for (const vip of this.#withheld.keys())
      if (!withheld.has(vip) && report.desired.vips.get(vip)?.announce === true)
        this.#emit({ kind: 'vipWithheld', vip, withheld: false, reason: '' });
    this.#withheld = withheld;
    for (const c of report.changes) {
      const health = c.vip === undefined ? undefined : vips?.get(c.vip)?.health;
      this.#emit({
        kind: 'applied',
        sink: c.sink,
        action: c.action,
        key: c.key,
        what: c.what,
        ...(c.vip !== undefined ? { vip: c.vip } : {}),
        ...(c.peer !== undefined ? { peer: c.peer } : {}),
        ...(health !== undefined ? { health } : {}),
      });
    }
    for (const e of report.errors) {
      this.#emit({
        kind: 'sinkError',
        sink: e.sink,
        key: e.key,
        reason: e.reason,
        ...(e.vip !== undefined ? { vip: e.vip } : {}),
        ...(e.peer !== undefined ? { peer: e.peer } : {}),
        retryInMs: report.retryInMs,
      });
    }
    this.#emit({
      kind: 'reconciled',
      trigger: report.trigger,
      durationMs: report.durationMs,
      changes: report.changes.length,
      errors: report.errors.length,
    });
  }

  #createSpeaker(spec: { readonly asn: number; readonly routerId: string }): BgpSpeaker {
    const speaker = new BgpSpeaker({
      localAsn: spec.asn,
      routerId: spec.routerId,
      logger: bgpLogger(this.#logger),
    });
    this.#speaker = speaker;
    speaker.on('stateChange', (e) =>
      this.#emit({ kind: 'peerStateChanged', peer: e.peer, from: e.from, to: e.to }),
    );
    speaker.on('peerUp', (e) => this.#emit({ kind: 'peerUp', peer: e.peer }));
    speaker.on('peerDown', (e) =>
      this.#emit({ kind: 'peerDown', peer: e.peer, reason: describeDownReason(e.reason) }),
    );
    speaker.on('bfdStateChange', (e) =>
      this.#emit({
        kind: 'bfdStateChanged',
        peer: e.peer,
        from: e.from,
        to: e.to,
        diagnostic: e.diagName,
        bgpStopped: e.bgpStopped,
      }),
    );
    return speaker;
  }

  #emit(event: ControllerEvent): void {
    logEvent(this.#logger, event);
    this.metrics.observe(event);
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

/** What differs between two configurations, by name. Pure. */
export function summarizeReload(before: ControllerConfig, after: ControllerConfig): ReloadSummary {
  const vips = diffKeyed(
    new Map(after.vips.map((v) => [v.prefix, v])),
    new Map(before.vips.map((v) => [v.prefix, v])),
    sameData,
  );
  const peers = diffKeyed(
    new Map((after.bgp?.peers ?? []).map((p) => [p.address, p])),
    new Map((before.bgp?.peers ?? []).map((p) => [p.address, p])),
    sameData,
  );
  const checks = diffKeyed(after.healthchecks, before.healthchecks, sameData);
  const settings: string[] = [];
  if (before.mode !== after.mode) settings.push('mode');
  if (before.bgp?.asn !== after.bgp?.asn || before.bgp?.routerId !== after.bgp?.routerId)
    settings.push('bgp speaker');
  if (!sameData(before.bgp?.listen, after.bgp?.listen)) settings.push('bgp.listen');
  for (const key of [
    'table',
    'loopback',
    'allowedRanges',
    'gracefulShutdown',
    'reconcile',
    'log',
    'admin',
  ] as const) {
    if (!sameData(before[key], after[key])) settings.push(key);
  }
  return {
    vipsAdded: [...vips.add.keys()],
    vipsRemoved: [...vips.remove.keys()],
    vipsChanged: [...vips.change.keys()],
    peersAdded: [...peers.add.keys()],
    peersRemoved: [...peers.remove.keys()],
    peersChanged: [...peers.change.keys()],
    checksAdded: [...checks.add.keys()],
    checksRemoved: [...checks.remove.keys()],
    checksChanged: [...checks.change.keys()],
    settingsChanged: settings,
  };
}
