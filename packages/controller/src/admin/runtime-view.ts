import type { AnyvipRuntime } from '../app.js';
import type { PeerConfig } from '../config/schema.js';
import type { BfdSessionState, ControllerEvent } from '../events.js';
import { computeLiveness, computeReadiness, type ProbeVerdict } from './probes.js';
import { buildStatusReport, type StatusReport } from './status-report.js';

/**
 * What the admin listener shows of a runtime: `/status`, `/healthz` and `/readyz` answers,
 * built from the runtime's snapshot plus the times this view saw in its events (state
 * changes, passes). Subscribe it before `runtime.start()` so that it sees the first pass.
 */
export class RuntimeView {
  readonly #runtime: AnyvipRuntime;
  readonly #now: () => number;
  readonly #startedAtMs: number;
  #lastPassAtMs: number | undefined;
  #stopping = false;
  readonly #peerSinceMs = new Map<string, number>();
  readonly #peerBfd = new Map<string, BfdSessionState>();
  readonly #checkSince = new Map<string, { atMs: number; reasons: readonly string[] }>();
  readonly #unsubscribe: () => void;

  /** `now` is wall-clock milliseconds (for `since` and the wedge deadline); injectable for tests. */
  constructor(runtime: AnyvipRuntime, options: { readonly now?: () => number } = {}) {
    this.#runtime = runtime;
    this.#now = options.now ?? Date.now;
    this.#startedAtMs = this.#now();
    this.#unsubscribe = runtime.on((e) => this.observe(e));
  }

  /** Records the times an event carries; called for every runtime event. */
  observe(e: ControllerEvent): void {
    switch (e.kind) {
      case 'reconciled':
        this.#lastPassAtMs = this.#now();
        return;
      case 'peerStateChanged':
        this.#peerSinceMs.set(e.peer, this.#now());
        return;
      case 'bfdStateChanged':
        this.#peerBfd.set(e.peer, e.to);
        return;
      case 'healthChanged':
        this.#checkSince.set(e.check, { atMs: this.#now(), reasons: e.reasons });
        return;
      case 'shutdown':
        this.#stopping = true;
        return;
      default:
        return;
    }
  }

  /** Stops listening to the runtime. */
  close(): void {
    this.#unsubscribe();
  }

  liveness(): ProbeVerdict {
    return computeLiveness({
      nowMs: this.#now(),
      startedAtMs: this.#startedAtMs,
      lastPassAtMs: this.#lastPassAtMs,
      intervalMs: this.#runtime.config.reconcile.intervalMs,
      stopping: this.#stopping,
    });
  }

  /**
   * The peers configured now: the speaker's (every source: flags, AnyvipPeers, node
   * annotations), or the configuration's before the first pass has added them.
   */
  #peerConfigs(): readonly PeerConfig[] {
    const applied = this.#runtime.bgp.peers;
    return applied.size > 0 || this.#runtime.loop.passes > 0
      ? [...applied.values()]
      : (this.#runtime.config.bgp?.peers ?? []);
  }

  readiness(): ProbeVerdict {
    const config = this.#runtime.config;
    return computeReadiness({
      mode: config.mode,
      firstPassDone: this.#runtime.loop.passes > 0,
      stopping: this.#stopping,
      // What the speaker holds (flags, and in Kubernetes mode AnyvipPeers and node annotations).
      peersConfigured: config.mode === 'bgp' ? this.#peerConfigs().length : 0,
      speakerRunning: this.#runtime.bgp.router !== undefined,
      peerStates: this.#runtime.peerInfos().map((p) => p.state),
      withheld: this.#runtime
        .status()
        .vips.flatMap((v) => (v.withheld === undefined ? [] : [{ vip: v.prefix, reason: v.withheld }])),
    });
  }

  status(): StatusReport {
    const s = this.#runtime.status();
    const config = this.#runtime.config;
    const ready = this.readiness();
    return buildStatusReport({
      mode: s.mode,
      startedAtMs: this.#startedAtMs,
      ready: { ready: ready.ok, reasons: ready.reasons },
      passes: s.passes,
      lastPassAtMs: this.#lastPassAtMs,
      peerConfigs: config.mode === 'bgp' ? this.#peerConfigs() : [],
      peerInfos: this.#runtime.peerInfos(),
      peerSinceMs: this.#peerSinceMs,
      peerBfd: this.#peerBfd,
      vips: s.vips,
      applied: s.applied,
      checks: s.checks,
      checkSince: this.#checkSince,
    });
  }
}
