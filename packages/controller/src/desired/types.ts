import type { HealthState } from '@anyvip/healthcheck';
import type { FamilyName, ListenConfig, PeerConfig } from '../config/schema.js';

/**
 * DesiredState: what the node should hold right now, as the one pure function
 * `computeDesiredState` derives it from configuration and health. Every collection is a map
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
  /** By prefix. */
  readonly routes: ReadonlyMap<string, BgpRoute>;
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
}
