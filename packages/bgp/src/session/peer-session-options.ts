import type { Clock } from '@anyvip/clock';
import type { PeerEvent } from '../events/peer-events.js';
import type { FsmConfig } from '../fsm/config.js';
import type { MaxPrefixLimit } from '../rib/adj-rib-in.js';
import type { AttributeSetTable } from '../rib/attribute-set.js';
import type { RouteWalk } from '../rib/route-table.js';
import type { RouteTemplate } from '../rib/route-template.js';
import type { UnicastAfi } from '../wire/family.js';
import type { Prefix } from '../wire/prefix.js';
import type { Logger } from './logger.js';
import type { TcpSecurity } from './tcp-security.js';
import type { Transport } from './transport.js';

/** The locally originated routes, as the speaker holds them: a template per prefix. */
export interface OriginatedRoutes {
  /** A walk over the routes of `afis` that exist now, taken slice by slice (see `RouteTable`). */
  walk(afis: readonly UnicastAfi[]): RouteWalk;
  /** The route of `prefix`, if any. */
  get(prefix: Prefix): RouteTemplate | undefined;
  /** IPv4 routes (without path identifier) per prefix length, to presize a session's Adj-RIB-Out. */
  ipv4Lengths(): readonly number[];
}

/** Everything a `PeerSession` needs, resolved by the speaker. */
export interface PeerSessionOptions {
  /** The peer's address, canonical (see `canonicalAddress`). */
  readonly address: string;
  readonly port: number;
  readonly localAddress?: string;
  /** TTL wanted on the session's packets; applied only if the transport supports it. */
  readonly ttl?: number;
  /** TCP-MD5 key and GTSM minimum TTL for connections we open (the speaker checked the transport can). */
  readonly security?: TcpSecurity;
  readonly fsm: FsmConfig;
  readonly maxPrefixes?: readonly MaxPrefixLimit[];
  /** eBGP: occurrences of our AS allowed in a received AS_PATH (RFC 4271 §9.1.2); default 0. */
  readonly allowAsIn?: number;
  /** Next hop self for the family the session's own address is not of (or to override it). */
  readonly nextHopSelf?: { readonly ipv4?: string; readonly ipv6?: string };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly transport: Transport;
  /** Attribute sets, shared by all peers of a speaker. */
  readonly table: AttributeSetTable;
  /** The speaker-wide originated routes. */
  readonly routes: OriginatedRoutes;
  /** Whether the speaker-wide routes go to this peer; default true (else only its own routes). */
  readonly exportSpeakerRoutes?: boolean;
  readonly emit: (event: PeerEvent) => void;
  /** Whether anyone listens for events of `kind` (costly payloads are built only then). */
  readonly listening: (kind: PeerEvent['kind']) => boolean;
  /** Seed of the FSM's jitter generator (RFC 4271 §10). */
  readonly seed?: number;
  /** How long a closing connection may flush before it is destroyed. Default 3000 ms. */
  readonly lingerMs?: number;
  /** Whether End-of-RIB is held back for now (`BgpSpeaker.holdEndOfRib`); never held when absent. */
  readonly endOfRibHeld?: () => boolean;
}
