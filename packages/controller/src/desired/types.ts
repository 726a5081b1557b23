import type { HealthState } from '@anyvip/healthcheck';
import type { FamilyName, ListenConfig, PeerConfig } from '../config/schema.js';
import type { FabricCondition, NodeWarning } from './fabric.js';
import type { PoolError } from './ipam.js';
import type { Lifecycle } from './lifecycle.js';
import type { ClusterMemory } from './observation.js';
import type { Refusal } from './services.js';
import type { SessionObservation } from './session-observation.js';

/**
 * DesiredState: the whole desired world, as the one pure function `computeDesiredWorld`
 * derives it from what the observers saw (configuration, health, the cluster, the lifecycle). Every collection is a map
 * keyed by canonical prefix (or peer address), so sinks diff desired against applied by key.
 */

/** A VIP's health as the gate sees it: a check's state, or `none` (no check: always up). */
export type VipHealth = HealthState | 'none';

/** The decision for one VIP, for status displays and metrics. */
export interface VipPlan {
  readonly prefix: string;
  readonly address: string;
  readonly family: FamilyName;
  readonly healthcheck: string | undefined;
  readonly health: VipHealth;
  /** Route announced (BGP) or written to the kernel table. */
  readonly announce: boolean;
  /** Address bound to the loopback device. */
  readonly bind: boolean;
  /** Why the VIP is refused (outside the allowed ranges), if it is. */
  readonly refused: string | undefined;
  /**
   * Why a VIP that should be announced is not: its address is not bound (see
   * `desired/bind-gate.ts`). Undefined when nothing is withheld.
   */
  readonly withheld?: string;
  /** Kubernetes mode: the Services (`namespace/name`, sorted) this address belongs to; absent for a configured VIP. */
  readonly services?: readonly string[];
}

/** An address to hold on the loopback device. */
export interface LoopbackAddress {
  readonly prefix: string;
  readonly address: string;
  readonly family: FamilyName;
}

/** The loopback sink's part. */
export interface LoopbackDesired {
  readonly device: string;
  /** The metric that marks our addresses. */
  readonly metric: number;
  /** By prefix. */
  readonly addresses: ReadonlyMap<string, LoopbackAddress>;
}

/** Path attributes of an announced VIP, canonical text. */
export interface RouteAttributes {
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly med: number | undefined;
  readonly localPref: number | undefined;
  readonly asPathPrepend: number;
  /** RFC 4360 extended communities, canonical text (`link-bandwidth:65001:125000000` for a weighted VIP). */
  readonly extendedCommunities: readonly string[];
}

/** A VIP to announce over BGP. */
export interface BgpRoute {
  readonly prefix: string;
  readonly attributes: RouteAttributes;
}

/** Who the speaker is: changing any of it means a new speaker (every session restarts). */
export interface SpeakerSpec {
  readonly asn: number;
  readonly routerId: string;
  readonly listen: ListenConfig | undefined;
}

/** The BGP sink's part. */
export interface BgpDesired {
  readonly speaker: SpeakerSpec;
  /** By canonical address. */
  readonly peers: ReadonlyMap<string, PeerConfig>;
  /** By prefix: every route this node announces (to at least one peer). */
  readonly routes: ReadonlyMap<string, BgpRoute>;
  /**
   * Canonical peer address → prefix → route: the complete export to each peer, always filled
   * (without any AnyvipAdvertisement every peer gets every route of `routes`; desired/advertisements.ts).
   * Only prefixes of `routes` appear here.
   */
  readonly routesByPeer: ReadonlyMap<string, ReadonlyMap<string, BgpRoute>>;
  /** RFC 4724 §3: the previous process closed for a planned restart; peers get the R bit. */
  readonly restarting: boolean;
  /**
   * The routes are not yet the whole table (Kubernetes mode before the cluster's first full
   * listing): End-of-RIB waits. RFC 4724 §4.2: on End-of-RIB a restarting node's router flushes
   * the stale routes it did not get again, so an early one would withdraw every Service's VIP
   * for the time the listing takes, which Graceful Restart exists to avoid.
   */
  readonly incomplete?: true;
  /**
   * Set when the speaker is to end (shutdown or planned restart): the sink closes it with
   * `reason` (RFC 9003), or for a restart without NOTIFICATION where GR was negotiated.
   */
  readonly end: { readonly reason: string; readonly restart: boolean } | undefined;
}

/** A route for routing-table mode: `PREFIX dev DEVICE table T proto P`. */
export interface TableRoute {
  readonly prefix: string;
  readonly family: FamilyName;
}

/** The route-table sink's part. */
export interface TableDesired {
  readonly table: number;
  readonly protocol: number;
  readonly device: string;
  /** By prefix. */
  readonly routes: ReadonlyMap<string, TableRoute>;
}

/** Everything the sinks should make true. */
export interface DesiredState {
  /** Every configured VIP, by prefix, with the decision taken for it. */
  readonly vips: ReadonlyMap<string, VipPlan>;
  readonly loopback: LoopbackDesired;
  /** Undefined: no speaker (routing-table mode, or none configured). */
  readonly bgp: BgpDesired | undefined;
  readonly table: TableDesired;
  /** Kubernetes mode's part (status, Events, refusals); undefined in other modes and while shutting down. */
  readonly kubernetes: KubernetesDesired | undefined;
  /** Where the controller is in its life; shutdown and restart are states, not side doors. */
  readonly lifecycle: Lifecycle;
  /** What the next computation carries over (Local grace, allocations in flight, published weights). */
  readonly carry: ClusterMemory | undefined;
  /** When (monotonic ms) a grace period ends or a held weight change falls due: the world may change without an event. */
  readonly nextWakeMs: number | undefined;
}

/** One Service as the cluster should see it. */
export interface ServiceDesired {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
  /** What `status.loadBalancer.ingress` should hold; undefined: leave it alone (not the leader). */
  readonly ingress: readonly string[] | undefined;
  /** Addresses announced from this node (Announced / Withdrawn Events on change). */
  readonly announcedHere: readonly string[];
  /** Refused addresses (Warning Events, by the leader). */
  readonly refused: readonly Refusal[];
  /** Admitted addresses, wherever they are announced (the node status reports each). */
  readonly addresses?: readonly string[];
  /** Nodes announcing them: `all` eligible nodes (Cluster), or these (Local, single announcer). */
  readonly announcers?: 'all' | readonly string[];
  /**
   * The leader: the nodes whose status says they announce this Service (sorted), for the
   * `anyvip.io/announced-by` annotation (desired/announced-by.ts); undefined: leave it alone.
   */
  readonly announcedBy?: readonly string[];
}

/** The Kubernetes sinks' part: Service status and Events. */
export interface KubernetesDesired {
  /** By `namespace/name`. */
  readonly services: ReadonlyMap<string, ServiceDesired>;
  /** This instance holds the leader lease (writes status, reports refusals). */
  readonly leader: boolean;
  /** Pools ConfigMap keys that do not parse (those pools are ignored). */
  readonly poolErrors: readonly PoolError[];
  /** The pools ConfigMap, `namespace/name`, for messages; empty when none is configured. */
  readonly poolsConfigMap: string;
  /** This node (its AnyvipNodeStatus is named after it). */
  readonly nodeName?: string;
  /** The speaker's sessions as observed at the start of the pass (the node status reports them). */
  readonly sessions?: readonly SessionObservation[];
  /** The anyvip.io objects' conditions (the leader writes them) and this node's fabric warnings; undefined: none (tests). */
  readonly fabric?: FabricDesired;
}

/** Conditions on anyvip.io objects and Warning Events on this Node (sinks/fabric-conditions.ts). */
export interface FabricDesired {
  /** One per AnyvipPeer, AnyvipAdvertisement and AnyvipPool, the same on every node. */
  readonly conditions: readonly FabricCondition[];
  /** Problems only this node has (a Warning Event on its Node, a log line). */
  readonly nodeWarnings: readonly NodeWarning[];
  readonly nodeName: string;
}
