import type { SessionState } from '@anyvip/bgp';
import type { HealthState } from '@anyvip/healthcheck';
import type { Mode } from './config/schema.js';

/**
 * Everything the controller reports, discriminated by `kind`. Events are public API: the log
 * lines (observability/log.ts) and the metrics (observability/metrics.ts) are derived from
 * them in one place each.
 */
export type ControllerEvent =
  | StartedEvent
  | ConfigReloadedEvent
  | ConfigRejectedEvent
  | HealthChangedEvent
  | ProbeResultEvent
  | AppliedEvent
  | SinkErrorEvent
  | ReconciledEvent
  | PeerUpEvent
  | PeerDownEvent
  | PeerStateChangedEvent
  | BfdStateChangedEvent
  | ShutdownEvent
  | KubernetesSyncedEvent
  | KubernetesErrorEvent
  | PoolRejectedEvent
  | LeaderChangedEvent
  | VipRefusedEvent
  | VipWithheldEvent
  | ServiceStatusEvent
  | KubernetesKindAbsentEvent
  | FabricRefusedEvent
  | NodeWarningEvent;

/** The runtime started with a configuration. */
export interface StartedEvent {
  readonly kind: 'started';
  readonly mode: Mode;
  readonly source: string;
  readonly vips: number;
  readonly peers: number;
}

/** What a reload changed, by name (VIP prefixes, peer addresses, check names). */
export interface ReloadSummary {
  readonly vipsAdded: readonly string[];
  readonly vipsRemoved: readonly string[];
  readonly vipsChanged: readonly string[];
  readonly peersAdded: readonly string[];
  readonly peersRemoved: readonly string[];
  readonly peersChanged: readonly string[];
  readonly checksAdded: readonly string[];
  readonly checksRemoved: readonly string[];
  readonly checksChanged: readonly string[];
  /** Mode, speaker identity, table, loopback or timing settings changed. */
  readonly settingsChanged: readonly string[];
}

/** A new configuration was accepted; the reconcile that applies it follows. */
export interface ConfigReloadedEvent {
  readonly kind: 'configReloaded';
  readonly source: string;
  readonly summary: ReloadSummary;
}

/** A new configuration was refused; the old one keeps running. */
export interface ConfigRejectedEvent {
  readonly kind: 'configRejected';
  readonly source: string;
  readonly code: string;
  readonly reason: string;
}

/** A check moved between `unknown`, `up` and `down`. */
export interface HealthChangedEvent {
  readonly kind: 'healthChanged';
  readonly check: string;
  readonly from: HealthState;
  readonly to: HealthState;
  /** `rise`, `fall`, `disabled`, `enabled`. */
  readonly cause: string;
  readonly reasons: readonly string[];
  /** The VIPs that use the check. */
  readonly vips: readonly string[];
}

/** One probe of a check ran (every round; the metrics' latency histogram is fed from it). */
export interface ProbeResultEvent {
  readonly kind: 'probeResult';
  readonly check: string;
  readonly probe: string;
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly reason: string;
}

/** A sink did something: announced, withdrew, bound, wrote a route, added a peer. */
export interface AppliedEvent {
  readonly kind: 'applied';
  readonly sink: string;
  readonly action: 'add' | 'remove' | 'change';
  readonly key: string;
  readonly what: string;
  readonly vip?: string;
  readonly peer?: string;
  /** The VIP's health at the time, when the change is about a VIP. */
  readonly health?: string;
  /** Kubernetes mode: the Services (`namespace/name`) the VIP belongs to (metric labels). */
  readonly services?: readonly string[];
}

/** A sink could not do something; the pass is retried after `retryInMs`. */
export interface SinkErrorEvent {
  readonly kind: 'sinkError';
  readonly sink: string;
  readonly key: string;
  readonly reason: string;
  readonly vip?: string;
  readonly peer?: string;
  readonly retryInMs: number | undefined;
}

/** A reconcile pass ended. */
export interface ReconciledEvent {
  readonly kind: 'reconciled';
  readonly trigger: string;
  readonly durationMs: number;
  readonly changes: number;
  readonly errors: number;
}

/** A BGP session reached Established. */
export interface PeerUpEvent {
  readonly kind: 'peerUp';
  readonly peer: string;
}

/** A BGP session left Established. */
export interface PeerDownEvent {
  readonly kind: 'peerDown';
  readonly peer: string;
  readonly reason: string;
}

/** A BGP session's FSM moved between RFC 4271 §8.2.2 states. */
export interface PeerStateChangedEvent {
  readonly kind: 'peerStateChanged';
  readonly peer: string;
  readonly from: SessionState;
  readonly to: SessionState;
}

/** BFD session states (RFC 5880 §4.1, State field). */
export type BfdSessionState = 'adminDown' | 'down' | 'init' | 'up';

/**
 * A peer's BFD session changed state (RFC 5880 §6.8.6). Emitted from the speaker's
 * `bfdStateChange` event once the speaker has BFD; metrics, logs and `/status` read it.
 */
export interface BfdStateChangedEvent {
  readonly kind: 'bfdStateChanged';
  readonly peer: string;
  readonly from: BfdSessionState;
  readonly to: BfdSessionState;
  /** Our diagnostic, by its RFC 5880 §4.1 name (`CONTROL_DETECTION_TIME_EXPIRED`). */
  readonly diagnostic: string;
  /** The change took the BGP session down (Cease / BFD Down, RFC 9384). */
  readonly bgpStopped: boolean;
}

/** Shutdown progress; `restart` for a planned restart (routes kept, RFC 4724). */
export interface ShutdownEvent {
  readonly kind: 'shutdown';
  readonly phase: 'begin' | 'gracefulShutdown' | 'withdrawn' | 'restart' | 'done';
  readonly reason: string;
  /** gracefulShutdown: routes re-announced with GRACEFUL_SHUTDOWN and the wait. */
  readonly routes?: number;
  readonly waitMs?: number;
}

/** Kubernetes mode: a watched kind was listed for the first time (its cache is complete). */
export interface KubernetesSyncedEvent {
  readonly kind: 'kubernetesSynced';
  /** The collection path, `/api/v1/services`. */
  readonly resource: string;
  readonly items: number;
}

/**
 * Kubernetes mode: a list, watch or write failed. Nothing is withdrawn for it: the last
 * known state stays in force and the call is retried (`retryInMs` when scheduled).
 */
export interface KubernetesErrorEvent {
  readonly kind: 'kubernetesError';
  readonly resource: string;
  readonly reason: string;
  readonly retryInMs?: number;
}

/**
 * Kubernetes mode: a kind's CRD is not installed (its list answered 404, or 403): it counts as empty
 * (flags keep working) and is looked for again every `recheckInMs`. Told once.
 */
export interface KubernetesKindAbsentEvent {
  readonly kind: 'kubernetesKindAbsent';
  readonly resource: string;
  readonly recheckInMs: number;
  /** 404: not installed (info); 403: anyvip's RBAC may not read it (warn: apply the new RBAC). */
  readonly why: 'notInstalled' | 'forbidden';
}

/**
 * Kubernetes mode: an anyvip.io object is refused (Accepted=False), or accepted again
 * (`accepted: true`), told when its condition changes. Its last accepted spec, if any, stays in force.
 */
export interface FabricRefusedEvent {
  readonly kind: 'fabricRefused';
  /** `AnyvipPeer/tor-a`. */
  readonly object: string;
  readonly accepted: boolean;
  readonly reason: string;
  readonly message: string;
}

/** Kubernetes mode: a fabric problem only this node has (no default gateway of a family, …), when it appears. */
export interface NodeWarningEvent {
  readonly kind: 'nodeWarning';
  readonly node: string;
  readonly reason: string;
  readonly message: string;
}

/**
 * Kubernetes mode: a key of the pools ConfigMap does not parse; that pool is ignored (no
 * address is allocated from it or allowed by it) until the ConfigMap is fixed.
 */
export interface PoolRejectedEvent {
  readonly kind: 'poolRejected';
  /** `NAMESPACE/NAME` of the ConfigMap. */
  readonly configMap: string;
  readonly key: string;
  readonly code: 'ANYVIP_POOL_INVALID';
  readonly reason: string;
}

/** Kubernetes mode: this node became or stopped being the leader of its instance's Lease. */
export interface LeaderChangedEvent {
  readonly kind: 'leaderChanged';
  readonly lease: string;
  readonly leader: boolean;
  /** Who held it before (elected), or why we lost it, or who holds it (following). */
  readonly detail: string | undefined;
}

/** Kubernetes mode: an address a Service asks for is refused (outside the allowed ranges, a node's, …). */
export interface VipRefusedEvent {
  readonly kind: 'vipRefused';
  /** `namespace/name`. */
  readonly service: string;
  readonly vip: string;
  readonly reason: string;
}

/**
 * A VIP that should be announced is not, because its address is not bound (the bind gate,
 * `desired/bind-gate.ts`), or it is announced again once bound (`withheld: false`). Emitted
 * when that changes, not on every retry.
 */
export interface VipWithheldEvent {
  readonly kind: 'vipWithheld';
  readonly vip: string;
  readonly withheld: boolean;
  /** Why (withheld), e.g. `address not bound to lo: ip addr add …: Operation not permitted`. */
  readonly reason: string;
  /** Kubernetes mode: the Services (`namespace/name`) the VIP belongs to (metric labels). */
  readonly services?: readonly string[];
}

/** Kubernetes mode (leader): `status.loadBalancer.ingress` of a Service written, or refused with 409. */
export interface ServiceStatusEvent {
  readonly kind: 'serviceStatus';
  readonly service: string;
  readonly addresses: readonly string[];
  readonly result: 'written' | 'conflict' | 'gone' | 'failed';
  readonly reason?: string;
}

export type ControllerListener = (event: ControllerEvent) => void;
