import type { PeerPassword } from '../config/peer-password.js';
import type { LabelSelector } from './label-selector.js';

/**
 * The fabric part of the cluster observation: anyvip.io objects (AnyvipPeer,
 * AnyvipAdvertisement, AnyvipPool), the Secrets peers name, and what this node's kernel says
 * (default gateways, interface addresses). Plain data, as the observers hand it over. Pure types.
 */

/**
 * One anyvip.io object as the planner reads it. `invalid` is the schema check's verdict (the
 * crd branch's runtime validator, run by the observer at the edge): such an object is refused
 * with Accepted=False and never used.
 */
export interface FabricObject<S> {
  readonly name: string;
  readonly uid?: string;
  /** `metadata.generation`: what `status.observedGeneration` reports. */
  readonly generation: number | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: S;
  /** Why the object does not validate against its schema; undefined: it does. */
  readonly invalid?: string;
}

// TEMPORARY local spec shapes (fields as CRDS.md names them), until the crd branch's types in
// kubernetes/crds/ are merged; only what the planner reads, every field optional (unchecked input).

/** AnyvipPeer `spec`. */
export interface PeerSpec {
  readonly nodeSelector?: LabelSelector;
  readonly peerAddress?: string;
  readonly autoDiscovery?: { readonly mode?: string; readonly family?: string };
  readonly peerASN?: number;
  readonly myASN?: number;
  readonly port?: number;
  readonly sourceAddress?: string;
  readonly sourceInterface?: string;
  readonly ebgpMultihop?: number;
  readonly passive?: boolean;
  readonly holdTimeSeconds?: number;
  readonly keepaliveTimeSeconds?: number;
  readonly connectRetryTimeSeconds?: number;
  readonly bfd?: { readonly minTxMs?: number; readonly minRxMs?: number; readonly multiplier?: number };
  readonly passwordSecretRef?: { readonly name?: string; readonly key?: string };
  readonly ttlSecurity?: { readonly hops?: number };
  readonly gracefulRestart?: { readonly enabled?: boolean; readonly restartTimeSeconds?: number };
  readonly families?: readonly string[];
  readonly nextHop?: { readonly ipv4?: string; readonly ipv6?: string };
  readonly routerID?: string;
}

/** AnyvipAdvertisement `spec`. */
export interface AdvertisementSpec {
  readonly serviceSelector?: LabelSelector;
  readonly namespaces?: readonly string[];
  readonly pools?: readonly string[];
  readonly peerSelector?: LabelSelector;
  readonly nodeSelector?: LabelSelector;
  readonly communities?: readonly string[];
  readonly largeCommunities?: readonly string[];
  readonly localPref?: number;
  readonly med?: number;
  readonly asPathPrepend?: number;
  readonly noExport?: boolean;
}

/** AnyvipPool `spec`. */
export interface PoolSpec {
  readonly addresses?: readonly string[];
  readonly autoAssign?: boolean;
  readonly serviceAllocation?: {
    readonly namespaces?: readonly string[];
    readonly serviceSelector?: LabelSelector;
  };
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
}

/** The fabric objects as last listed and watched. */
export interface FabricSnapshot {
  /** Undefined: the CRD is not installed (today's flag behaviour). */
  readonly peers: readonly FabricObject<PeerSpec>[] | undefined;
  readonly advertisements: readonly FabricObject<AdvertisementSpec>[] | undefined;
  readonly pools: readonly FabricObject<PoolSpec>[] | undefined;
  /** Secrets named by peers, in anyvip's own namespace, by name. */
  readonly secrets: ReadonlyMap<string, FabricSecret>;
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
