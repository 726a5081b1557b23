import type { PeerPassword } from '../config/peer-password.js';
import type { AnyvipAdvertisementSpec, AnyvipPeerSpec, AnyvipPoolSpec } from '../kubernetes/crds/index.js';

/** AnyvipPeer `spec` (the crd contract's type: kubernetes/crds/). */
export type PeerSpec = AnyvipPeerSpec;
/** AnyvipAdvertisement `spec`. */
export type AdvertisementSpec = AnyvipAdvertisementSpec;
/** AnyvipPool `spec`. */
export type PoolSpec = AnyvipPoolSpec;

/**
 * The fabric part of the cluster observation: anyvip.io objects (AnyvipPeer,
 * AnyvipAdvertisement, AnyvipPool), the Secrets peers name, and what this node's kernel says
 * (default gateways, interface addresses). Plain data, as the observers hand it over. Pure types.
 */

/**
 * One anyvip.io object as the planner reads it. `invalid` is the kind's `check*` verdict
 * (kubernetes/crds/, run by the observer at the edge, which also fills in the schema's
 * defaults): such an object is refused with Accepted=False and never used.
 */
export interface FabricObject<S> {
  readonly name: string;
  readonly uid?: string;
  /** `metadata.generation`: what `status.observedGeneration` reports. */
  readonly generation: number | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: S;
  /** Why the object does not check (its schema, rules, addresses); undefined: it does. */
  readonly invalid?: string;
  /** The check's reason word (`InvalidAddress`, `ConflictingFields`, …); default `InvalidSpec`. */
  readonly invalidReason?: string;
}

/** A Secret in anyvip's namespace: its keys, each already wrapped (never as plain text). */
export interface FabricSecret {
  readonly name: string;
  readonly keys: ReadonlyMap<string, PeerPassword>;
}

/** What this node's kernel says (observe/node-network.ts), re-read on a slow timer. */
export interface NodeNetwork {
  /** The default route's gateway per family; absent: none of that family. */
  readonly defaultGateway: { readonly ipv4?: string; readonly ipv6?: string };
  /** Interface name → its global addresses, canonical, in kernel order. */
  readonly interfaces: ReadonlyMap<string, readonly string[]>;
  /**
   * The same global addresses with their interface and prefix length (the connected
   * networks), in kernel order: which interface reaches a directly connected peer.
   */
  readonly connected: readonly ConnectedAddress[];
}

/** One global address of this node and the network it connects (`ip addr`'s local/prefixlen). */
export interface ConnectedAddress {
  readonly interface: string;
  /** Canonical. */
  readonly address: string;
  readonly prefixLength: number;
}

/** The fabric objects as last listed and watched. */
export interface FabricSnapshot {
  /** Undefined: the CRD is not installed (today's flag behaviour). */
  readonly peers: readonly FabricObject<PeerSpec>[] | undefined;
  readonly advertisements: readonly FabricObject<AdvertisementSpec>[] | undefined;
  readonly pools: readonly FabricObject<PoolSpec>[] | undefined;
  /** Secrets named by peers, in anyvip's own namespace, by name. */
  readonly secrets: ReadonlyMap<string, FabricSecret>;
  /** Secrets named but not listed yet (a watch just started): not "missing", not known either. */
  readonly pendingSecrets?: ReadonlySet<string>;
  /** Undefined until first read (autoDiscovery peers wait for it). */
  readonly network: NodeNetwork | undefined;
}

/** Accepted condition for one anyvip.io object (the leader writes it to the status subresource). */
export interface FabricCondition {
  readonly kind: 'AnyvipPeer' | 'AnyvipAdvertisement' | 'AnyvipPool';
  readonly name: string;
  readonly uid: string | undefined;
  readonly generation: number | undefined;
  readonly accepted: boolean;
  /** UpperCamel: `Accepted`, `InvalidAddress`, `SecretNotFound`, … */
  readonly reason: string;
  readonly message: string;
  /** Accepted, but something a human should know (told as a Warning Event). */
  readonly warning?: string;
  /** AnyvipPool: addresses Services hold in it, and how many are left (decimal text: IPv6 pools are huge). */
  readonly usage?: { readonly assigned: number; readonly available: string };
  /**
   * Not decided yet (its Secret is still being listed): nothing is written or told for it,
   * and the object is not used (or its last accepted spec stays in force).
   */
  readonly pending?: boolean;
}

/** A problem only this node has (no default gateway of a family, …): a Warning Event on the Node. */
export interface NodeWarning {
  readonly reason: string;
  readonly message: string;
}

/** The condition of an object that is fine. */
export function acceptedCondition(kind: FabricCondition['kind'], o: FabricObject<unknown>): FabricCondition {
  return {
    kind,
    name: o.name,
    uid: o.uid,
    generation: o.generation,
    accepted: true,
    reason: 'Accepted',
    message: 'accepted',
  };
}

/** The condition of an object that is refused. */
export function refusedCondition(
  kind: FabricCondition['kind'],
  o: FabricObject<unknown>,
  reason: string,
  message: string,
): FabricCondition {
  return { kind, name: o.name, uid: o.uid, generation: o.generation, accepted: false, reason, message };
}
