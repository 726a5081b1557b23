import { BgpSpeaker, describeDownReason, type PeerInfo } from '@anyvip/bgp';
import { Check, type CheckOptions, type Clock, systemClock, type TimerHandle } from '@anyvip/healthcheck';
import type { ControllerConfig } from './config/schema.js';
import { gateOnBinding, withheldVips } from './desired/bind-gate.js';
import { computeDesiredWorld } from './desired/compute.js';
import type { GateEntry } from './desired/health.js';
import { type Lifecycle, running } from './desired/lifecycle.js';
import { type ClusterInput, type ClusterMemory, initialClusterMemory } from './desired/observation.js';
import type { DesiredState, VipPlan } from './desired/types.js';
import type { AnyvipError } from './errors.js';
import type { ControllerEvent, ControllerListener, ReloadSummary } from './events.js';
import { HeapTrim } from './heap-trim.js';
import { bgpLogger, type ControllerLogger, createLogger, logEvent } from './observability/log.js';
import { ControllerMetrics } from './observability/metrics.js';
import { HealthObserver } from './observe/health-checks.js';
import { SessionObserver } from './observe/speaker-sessions.js';
import { PassEventQueue } from './pass-event-queue.js';
import { diffKeyed, sameData } from './reconcile/diff.js';
import { type PassReport, ReconcileLoop } from './reconcile/loop.js';
import type { Sink } from './reconcile/sink.js';
import { DEFAULT_RESTART_STATE_FILE, takeRestartMark, writeRestartMark } from './restart-mark.js';
import { type AddressWatch, IpMonitorWatch } from './sinks/address-watch.js';
import { BgpSink, type RouterFactory } from './sinks/bgp.js';
import { createIpRunner, type IpRunner } from './sinks/ip-runner.js';
import { LoopbackSink } from './sinks/loopback.js';
import { RouteTableSink } from './sinks/route-table.js';

/** A pass with this many changes is a burst worth trimming after (see HeapTrim). */
const BIG_PASS_CHANGES = 100;

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
  /** Kubernetes mode: makes the cluster feed (observer and sinks) with the runtime's hooks. */
  readonly cluster?: (hooks: ClusterHooks) => ClusterFeed;
  /**
   * Returns memory to the OS after bursts (see `HeapTrim` in heap-trim.ts); default one on the system
   * clock when no clock is injected, none otherwise (tests on a fake clock).
   */
  readonly heapTrim?: HeapTrim;
  /**
   * The kernel's address events, so passes over an unchanged lo fork no `ip` (see
   * address-watch.ts); given the runtime's "something changed" hook. Default an `ip monitor`
   * child when `ip` is not injected, none otherwise (tests with a fake `ip`).
   */
  readonly addressWatch?: (changed: () => void) => AddressWatch | undefined;
  /**
   * Emit a big pass's events (≥ 100 changes) after the speaker's first flush, in slices (see
   * pass-event-queue.ts); default on when no clock is injected, off otherwise (tests on a fake
   * clock see every event when the pass returns).
   */
  readonly deferPassEvents?: boolean;
}

/** What the runtime lends a cluster feed: raise a pass, log and count an event. */
export interface ClusterHooks {
  readonly changed: (reason: string) => void;
  readonly report: (event: ControllerEvent) => void;
}

/**
 * Kubernetes mode's input and outputs, as the runtime sees them: an observer exposing the
 * cluster as a snapshot (never deciding, never writing), and the sinks that carry the
 * desired world's Kubernetes part (Service status, Events).
 */
export interface ClusterFeed {
  readonly sinks: readonly Sink[];
  /** The cluster as last observed; undefined until every watched kind has been listed. */
  observe(): Omit<ClusterInput, 'memory'> | undefined;
  /** Resolves once every watched kind has been listed. */
  synced(): Promise<void>;
  start(): void;
  /** Stops watching, releases the lease, flushes Events. */
  stop(): Promise<void>;
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
 * The controller, wired: observers (configuration, health checks, the cluster) → one pure
 * desired world (`computeDesiredWorld`) → one reconcile loop → sinks (loopback, BGP speaker or
 * kernel table, and in Kubernetes mode Service status and Events). The same runtime serves
 * standalone mode (a file, reloaded on SIGHUP), control-plane mode (flags) and Kubernetes
 * mode (flags and the cluster feed).
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
  readonly #health: HealthObserver;
  /** The speaker's sessions as observations (the node status reports them). */
  readonly #sessions = new SessionObserver({ peers: () => this.peerInfos() });
  readonly #cluster: ClusterFeed | undefined;
  readonly #listeners = new Set<ControllerListener>();
  readonly #bgp: BgpSink;
  readonly loop: ReconcileLoop;
  readonly #source: string;
  readonly #heapTrim: HeapTrim | undefined;
  readonly #addressWatch: AddressWatch | undefined;
  #desired: DesiredState | undefined;
  /** What the last computation carried over (Local grace, allocations in flight, published weights). */
  #memory: ClusterMemory = initialClusterMemory;
  #lifecycle: Lifecycle = running;
  /** The previous process closed for a planned restart (read once at start). */
  #restarting = false;
  #wakeTimer: TimerHandle | undefined;
  #wakeAtMs: number | undefined;
  /** The speaker #createSpeaker made last (the sink's router unless a test injected another). */
  #speaker: BgpSpeaker | undefined;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  /** VIPs the bind gate withheld in the last pass, with why (events fire when this changes). */
  #withheld = new Map<string, string>();
  /** A pass's events: the session state they carry is taken in at once, the rest may wait (see #onPass). */
  readonly #passEvents = new PassEventQueue<ControllerEvent>((e) => this.#publish(e));
  readonly #deferPassEvents: boolean;

  constructor(config: ControllerConfig, deps: RuntimeDeps = {}) {
    this.#config = config;
    this.#clock = deps.clock ?? systemClock;
    this.#logger = deps.logger ?? createLogger({ level: config.log.level });
    this.metrics = deps.metrics ?? new ControllerMetrics();
    this.metrics.attachPeers(() => this.peerInfos());
    this.#health = new HealthObserver({
      makeCheck: deps.makeCheck ?? ((options, clock) => new Check(options, { clock })),
      clock: this.#clock,
      changed: () => this.loop.trigger('health'),
      report: (e) => this.#emit(e),
    });
    this.#source = deps.source ?? 'config';
    this.#deferPassEvents = deps.deferPassEvents ?? deps.clock === undefined;
    this.#cluster = deps.cluster?.({
      changed: (reason) => this.loop.trigger(reason),
      report: (e) => this.#emit(e),
    });
    this.#heapTrim =
      deps.heapTrim ?? (deps.clock === undefined ? new HeapTrim({ clock: systemClock }) : undefined);
    const ip = deps.ip ?? createIpRunner();
    const changed = (): void => this.loop.trigger('address');
    this.#addressWatch =
      deps.addressWatch !== undefined
        ? deps.addressWatch(changed)
        : deps.ip === undefined
          ? new IpMonitorWatch({ changed })
          : undefined;
    this.#bgp = new BgpSink({ createRouter: deps.createRouter ?? ((spec) => this.#createSpeaker(spec)) });
    this.loop = new ReconcileLoop({
      sinks: [
        new LoopbackSink({ ip, ...(this.#addressWatch !== undefined ? { watch: this.#addressWatch } : {}) }),
        this.#bgp,
        new RouteTableSink({ ip }),
        ...(this.#cluster?.sinks ?? []),
      ],
      desired: () => this.desired(),
      clock: this.#clock,
      ...config.reconcile,
      onPass: (report) => this.#onPass(report),
      // The addresses lo really holds feed back into the world BGP and the table get (bind-gate.ts).
      feedback: { sink: 'loopback', derive: gateOnBinding },
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

  /** Kubernetes mode's cluster feed (tests wait on its `synced()`). */
  get cluster(): ClusterFeed | undefined {
    return this.#cluster;
  }

  /**
   * The desired world for what the observers see now (recomputed on every call): the
   * configuration, health, the cluster and where the runtime is in its life.
   */
  desired(): DesiredState {
    const cluster = this.#cluster?.observe();
    const d = computeDesiredWorld({
      config: this.#config,
      health: this.#health.lookup,
      cluster: cluster === undefined ? undefined : { ...cluster, memory: this.#memory },
      ...(this.#cluster !== undefined && cluster === undefined ? { clusterPending: true } : {}),
      lifecycle: this.#lifecycle,
      restarting: this.#restarting,
      nowMs: this.#clock.now(),
      ...(cluster !== undefined ? { sessions: this.#sessions.snapshot() } : {}),
    });
    this.#desired = d;
    if (d.carry !== undefined) this.#memory = d.carry;
    this.#scheduleWake(d.nextWakeMs);
    return d;
  }

  /** A grace period ends at `atMs` (monotonic): one pass then, even if nothing else happens. */
  #scheduleWake(atMs: number | undefined): void {
    if (atMs === this.#wakeAtMs) return;
    if (this.#wakeTimer !== undefined) this.#clock.clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    this.#wakeAtMs = atMs;
    if (atMs === undefined || this.#state !== 'running') return;
    this.#wakeTimer = this.#clock.setTimeout(
      () => {
        this.#wakeTimer = undefined;
        this.#wakeAtMs = undefined;
        this.loop.trigger('grace');
      },
      Math.max(0, atMs - this.#clock.now()),
    );
  }

  status(): RuntimeStatus {
    // What the last pass applied (with the bind gate's decisions), else a fresh computation.
    const desired = this.loop.lastPass?.desired ?? this.#desired ?? this.desired();
    return {
      mode: this.#config.mode,
      vips: [...desired.vips.values()],
      checks: this.#health.entries(),
      applied: this.loop.lastPass?.applied ?? new Map(),
      passes: this.loop.passes,
    };
  }

  /** Starts health checks and the loop; resolves once the first pass is done. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('the runtime was already started');
    this.#state = 'running';
    // RFC 4724 §3: the R bit when the previous process closed for a planned restart.
    this.#restarting = takeRestartMark(this.#config, Date.now());
    // The address watch's child starts now, not at the first pass's read: subscribed by the
    // time the first pass reads lo, it saves that pass a second read before the bind batch,
    // and sees the batch's addresses from the first (the early announcements need them).
    if (this.#config.loopback.enabled) this.#addressWatch?.generation(this.#config.loopback.device);
    this.#health.sync(this.#config);
    this.#emit({
      kind: 'started',
      mode: this.#config.mode,
      source: this.#source,
      vips: this.#config.vips.length,
      peers: this.#config.bgp?.peers.length ?? 0,
    });
    this.loop.start();
    this.#heapTrim?.start();
    await this.loop.idle();
    this.#cluster?.start();
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
    this.#health.sync(config);
    this.#emit({ kind: 'configReloaded', source, summary });
    this.loop.trigger('reload');
    await this.loop.idle();
    return summary;
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
   * Shuts down by walking the desired world through its lifecycle states, each one a pass of
   * the loop: with `gracefulShutdown.enabled` every VIP is re-announced with GRACEFUL_SHUTDOWN
   * (RFC 8326) and the runtime waits `gracefulShutdown.wait`; then `withdrawn` (every route and
   * table route removed, the addresses still on lo and the sessions still up; with
   * `gracefulShutdown.enabled` held `gracefulShutdown.unbindDelay`), then `closed` (addresses
   * removed, the speaker ends with Cease / Administrative Shutdown and `reason`, RFC 9003). With `restart`, one
   * `restart` pass instead: nothing is withdrawn and the VIPs stay on lo, so the node keeps
   * forwarding, and routers that negotiated GR keep the routes as stale (RFC 4724 §4).
   * The cluster feed stops first (watches, lease, Events). Idempotent.
   */
  async stop(reason = 'anyvip shutting down', options: { readonly restart?: boolean } = {}): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopping';
    try {
      await this.#stopping(reason, wasRunning, options.restart === true);
    } finally {
      // Whatever failed on the way, the `ip monitor` child does not outlive the runtime.
      this.#addressWatch?.close();
    }
  }

  async #stopping(reason: string, wasRunning: boolean, restart: boolean): Promise<void> {
    this.#heapTrim?.stop();
    this.#passEvents.flush();
    this.#emit({ kind: 'shutdown', phase: 'begin', reason });
    if (!restart) await this.#cluster?.stop();
    await this.loop.stop();
    this.#scheduleWake(undefined);
    await this.#health.stop();
    if (wasRunning && restart) {
      this.#emit({ kind: 'shutdown', phase: 'restart', reason });
      writeRestartMark(this.#config.bgp?.restartStateFile ?? DEFAULT_RESTART_STATE_FILE, Date.now());
      await this.#toLifecycle({ kind: 'restart', reason });
      this.#state = 'stopped';
      this.#emit({ kind: 'shutdown', phase: 'done', reason });
      return;
    }
    if (wasRunning) {
      const gs = this.#config.gracefulShutdown;
      if (gs.enabled && this.#bgp.router !== undefined) {
        const report = await this.#toLifecycle({
          kind: 'gracefulShutdown',
          untilMs: this.#clock.now() + gs.waitMs,
        });
        const routes = report.applied.get(this.#bgp.name)?.length ?? 0;
        this.#emit({ kind: 'shutdown', phase: 'gracefulShutdown', reason, routes, waitMs: gs.waitMs });
        // The state holds until the world's wake-up (its untilMs); with no route out, nothing to wait for.
        if (routes > 0) await this.#untilWake();
      }
      const withdrawn = await this.#toLifecycle({
        kind: 'withdrawn',
        ...(gs.enabled ? { untilMs: this.#clock.now() + gs.unbindDelayMs } : {}),
      });
      const bound = withdrawn.applied.get('loopback')?.length ?? 0;
      const hold = gs.enabled && bound > 0 ? { waitMs: gs.unbindDelayMs } : {};
      this.#emit({ kind: 'shutdown', phase: 'withdrawn', reason, ...hold });
      // Withdraw, then unbind: packets a router sends while it acts on the withdrawal still land.
      if (bound > 0) await this.#untilWake();
      await this.#toLifecycle({ kind: 'closed', reason });
    } else await this.#bgp.close(reason);
    this.#state = 'stopped';
    this.#emit({ kind: 'shutdown', phase: 'done', reason });
  }

  /** Waits for the wake-up the last computed world asked for (a lifecycle state's `untilMs`). */
  async #untilWake(): Promise<void> {
    const wait = (this.#desired?.nextWakeMs ?? 0) - this.#clock.now();
    if (wait > 0) await new Promise<void>((r) => this.#clock.setTimeout(r, wait));
  }

  /** Moves the desired world to `lifecycle` and runs the pass that applies it. */
  #toLifecycle(lifecycle: Lifecycle): Promise<PassReport> {
    this.#lifecycle = lifecycle;
    const trigger =
      lifecycle.kind === 'withdrawn' || lifecycle.kind === 'closed' ? 'shutdown' : lifecycle.kind;
    return this.loop.runPass(this.desired(), trigger);
  }

  #onPass(report: PassReport): void {
    // The first pass and big ones (thousands of VIPs) leave a grown heap behind. A failover
    // (a few changes) must not be followed by a full collection while checks are timing.
    if (this.#state === 'running' && (this.loop.passes === 1 || report.changes.length >= BIG_PASS_CHANGES))
      this.#heapTrim?.burst();
    const vips = this.#desired?.vips;
    const events: ControllerEvent[] = [];
    const withheld = new Map(withheldVips(report.desired).map((w) => [w.vip, w.reason]));
    const servicesOf = (vip: string): { services?: readonly string[] } => {
      const services = report.desired.vips.get(vip)?.services;
      return services === undefined ? {} : { services };
    };
    for (const [vip, reason] of withheld)
      if (this.#withheld.get(vip) !== reason)
        events.push({ kind: 'vipWithheld', vip, withheld: true, reason, ...servicesOf(vip) });
    for (const vip of this.#withheld.keys())
      if (!withheld.has(vip) && report.desired.vips.get(vip)?.announce === true)
        events.push({ kind: 'vipWithheld', vip, withheld: false, reason: '', ...servicesOf(vip) });
    this.#withheld = withheld;
    for (const c of report.changes) {
      const health = c.vip === undefined ? undefined : vips?.get(c.vip)?.health;
      events.push({
        kind: 'applied',
        sink: c.sink,
        action: c.action,
        key: c.key,
        what: c.what,
        ...(c.vip !== undefined ? { vip: c.vip } : {}),
        ...(c.peer !== undefined ? { peer: c.peer } : {}),
        ...(health !== undefined ? { health } : {}),
        ...(c.vip !== undefined ? servicesOf(c.vip) : {}),
      });
    }
    for (const e of report.errors) {
      events.push({
        kind: 'sinkError',
        sink: e.sink,
        key: e.key,
        reason: e.reason,
        ...(e.vip !== undefined ? { vip: e.vip } : {}),
        ...(e.peer !== undefined ? { peer: e.peer } : {}),
        retryInMs: report.retryInMs,
      });
    }
    events.push({
      kind: 'reconciled',
      trigger: report.trigger,
      durationMs: report.durationMs,
      changes: report.changes.length,
      errors: report.errors.length,
    });
    // State first and now; logs, metrics and listeners after the speaker's first flush when the pass is big.
    for (const e of events) this.#observeSessions(e);
    this.#passEvents.push(events, this.#deferPassEvents && report.changes.length >= BIG_PASS_CHANGES);
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
    // The last NOTIFICATION per peer, for the node status (a session refused before Established).
    speaker.on('notificationSent', (e) =>
      this.#sessions.noteNotification(e.peer, 'sent', e.name, e.shutdownMessage),
    );
    speaker.on('notificationReceived', (e) =>
      this.#sessions.noteNotification(e.peer, 'received', e.name, e.shutdownMessage),
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
    this.#observeSessions(event);
    this.#publish(event);
  }

  #observeSessions(event: ControllerEvent): void {
    // Kubernetes mode reports the sessions (node status): a state change is worth a pass.
    if (this.#sessions.observe(event) && this.#cluster !== undefined) this.loop.trigger('session');
  }

  /** Logs, counts and hands `event` to the listeners. */
  #publish(event: ControllerEvent): void {
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
