import type { IpRange } from '../address/ip-range.js';
import type { ControllerConfig } from '../config/schema.js';
import type { ObservedNodeStatus } from './announced-by.js';
import type { ClusterEndpointSlice, ClusterNode, ClusterService } from './cluster.js';
import type { FabricSnapshot } from './fabric.js';
import type { HealthLookup } from './health.js';
import type { LastGood } from './last-good.js';
import type { Lifecycle } from './lifecycle.js';
import { initialServicesState, type ServicesState } from './services.js';
import type { SessionObservation } from './session-observation.js';
import { type DampingState, initialDampingState } from './weight-damping.js';

/**
 * Everything the desired world is computed from: what the observers saw, as plain data. The
 * standalone and control-plane modes leave `cluster` undefined; Kubernetes mode fills it in.
 * Two inputs to one function, not two pipelines.
 */
export interface Observation {
  /** The validated configuration (a file, or flags). */
  readonly config: ControllerConfig;
  /** Each health check's state, as the health observer last saw it. */
  readonly health: HealthLookup;
  /** Kubernetes mode: the cluster as last listed and watched; undefined until every kind is listed. */
  readonly cluster: ClusterInput | undefined;
  /**
   * Kubernetes mode before the cluster's first full listing (`cluster` undefined for now, not
   * for good): the world has none of the Services yet, so its BGP table is not the whole one.
   */
  readonly clusterPending?: boolean;
  readonly lifecycle: Lifecycle;
  /** The previous process closed for a planned restart (RFC 4724 §3 R bit). */
  readonly restarting: boolean;
  /** Monotonic milliseconds (grace periods). */
  readonly nowMs: number;
  /** The BGP speaker's sessions now (observe/speaker-sessions.ts); absent: none observed. */
  readonly sessions?: readonly SessionObservation[];
}

/** The cluster objects the Kubernetes decisions read. */
export interface ClusterSnapshot {
  readonly services: readonly ClusterService[];
  readonly endpointSlices: readonly ClusterEndpointSlice[];
  readonly nodes: readonly ClusterNode[];
  /** `data` of the pools ConfigMap; undefined when it does not exist (or none is configured). */
  readonly poolsData: Readonly<Record<string, string>> | undefined;
  /** This instance holds the leader lease. */
  readonly leader: boolean;
  /**
   * With node leases: node → when (this process's monotonic ms) its anyvip liveness Lease
   * last changed (desired/node-liveness.ts decides who is live). Undefined: node leases off.
   */
  readonly nodeLeases?: ReadonlyMap<string, number>;
  /**
   * The leader: every node's AnyvipNodeStatus as far as the `anyvip.io/announced-by`
   * annotation reads it (desired/announced-by.ts). Undefined: not the leader, or not listed yet.
   */
  readonly nodeStatuses?: readonly ObservedNodeStatus[];
  /** anyvip.io objects, Secrets peers name, this node's kernel view; undefined: none observed (flags only). */
  readonly fabric?: FabricSnapshot;
}

/** Kubernetes mode's settings, from the flags and the kubeconfig (fixed for the process). */
export interface ClusterSettings {
  readonly nodeName: string;
  readonly loadBalancerClass: string | undefined;
  readonly singleAnnouncer: boolean;
  readonly localGraceMs: number;
  /** `--weighted-ecmp`: weight every Local Service unless its annotation says `"false"` (weighted-ecmp.ts). */
  readonly weightedEcmp: boolean;
  /** `--weighted-ecmp-interval`: at most one weight change per VIP per interval (weight-damping.ts). */
  readonly weightedEcmpIntervalMs: number;
  /** `--allowed-range`, parsed once at start-up (the one allowed-range model). */
  readonly allowList: readonly IpRange[];
  /**
   * Node lease renewal interval (ms): a node whose lease did not change within 3 intervals
   * of the newest is not live, and a single-announcer VIP placed elsewhere stays here one
   * interval longer (make-before-break). Undefined: node leases off.
   */
  readonly nodeLeaseIntervalMs?: number;
  /** `namespace/name` of the pools ConfigMap, for messages; empty when none. */
  readonly poolsConfigMap: string;
  /** `--kube-vip-annotation-prefix` for kube-vip's node annotations. Default `kube-vip.io`. */
  readonly kubeVipAnnotationPrefix?: string;
}

/** Kubernetes mode's part of the observation. */
export interface ClusterInput {
  readonly snapshot: ClusterSnapshot;
  readonly settings: ClusterSettings;
  /** What the last computation carried over (`DesiredState.carry`). */
  readonly memory: ClusterMemory;
}

/** What one computation of Kubernetes mode's world hands the next: the only state of the pure core. */
export interface ClusterMemory {
  /** Local grace, allocations in flight (services.ts). */
  readonly services: ServicesState;
  /** Weighted ECMP: the weight each VIP last published, and when (weight-damping.ts). */
  readonly weights: DampingState;
  /** The last accepted spec of each anyvip.io object, in force while a newer one is refused (last-good.ts). */
  readonly lastGood?: ReadonlyMap<string, LastGood>;
}

export const initialClusterMemory: ClusterMemory = {
  services: initialServicesState,
  weights: initialDampingState,
};
