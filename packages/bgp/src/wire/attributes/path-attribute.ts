import type { Prefix } from '../prefix.js';

/**
 * The PathAttribute union (RFC 4271 §4.3 and later RFCs). Every decoded attribute
 * carries the flags octet it arrived with, so re-encoding is byte-exact; when
 * building attributes, leave `flags` out and the canonical flags are used (with the
 * Extended Length bit set only when the value needs it). Each variant's codec lives
 * in its own file in this folder; `index.ts` maps type codes to codecs.
 */
export type PathAttribute =
  | OriginAttribute
  | AsPathAttribute
  | NextHopAttribute
  | MultiExitDiscAttribute
  | LocalPrefAttribute
  | AtomicAggregateAttribute
  | AggregatorAttribute
  | CommunitiesAttribute
  | OriginatorIdAttribute
  | ClusterListAttribute
  | MpReachNlriAttribute
  | MpUnreachNlriAttribute
  | ExtendedCommunitiesAttribute
  | As4PathAttribute
  | As4AggregatorAttribute
  | LargeCommunitiesAttribute
  | OtcAttribute
  | UnknownAttribute;

interface Flagged {
  /** Flags octet as received; omit to use the canonical flags when encoding. */
  readonly flags?: number;
}

/** 1: ORIGIN, 0 IGP, 1 EGP, 2 INCOMPLETE. */
export interface OriginAttribute extends Flagged {
  readonly kind: 'origin';
  readonly value: 0 | 1 | 2;
}

export type AsPathSegmentKind = 'set' | 'sequence' | 'confedSequence' | 'confedSet';

/** One AS_PATH segment (RFC 4271 §4.3 b, RFC 5065 §3). */
export interface AsPathSegment {
  readonly type: AsPathSegmentKind;
  readonly asns: readonly number[];
}

/** 2: AS_PATH; its width (2 or 4 octets per ASN) comes from the codec context. */
export interface AsPathAttribute extends Flagged {
  readonly kind: 'asPath';
  readonly segments: readonly AsPathSegment[];
}

/** 3: NEXT_HOP (IPv4). */
export interface NextHopAttribute extends Flagged {
  readonly kind: 'nextHop';
  readonly address: string;
}

/** 4: MULTI_EXIT_DISC. */
export interface MultiExitDiscAttribute extends Flagged {
  readonly kind: 'med';
  readonly value: number;
}

/** 5: LOCAL_PREF. */
export interface LocalPrefAttribute extends Flagged {
  readonly kind: 'localPref';
  readonly value: number;
}

/** 6: ATOMIC_AGGREGATE. */
export interface AtomicAggregateAttribute extends Flagged {
  readonly kind: 'atomicAggregate';
}

/** 7: AGGREGATOR; 2- or 4-octet ASN per the codec context. */
export interface AggregatorAttribute extends Flagged {
  readonly kind: 'aggregator';
  readonly asn: number;
  readonly address: string;
}

/** 8: COMMUNITIES (RFC 1997), each a 32-bit value (high 16 bits : low 16 bits). */
export interface CommunitiesAttribute extends Flagged {
  readonly kind: 'communities';
  readonly values: readonly number[];
}

/** 9: ORIGINATOR_ID (RFC 4456). */
export interface OriginatorIdAttribute extends Flagged {
  readonly kind: 'originatorId';
  readonly id: string;
}

/** 10: CLUSTER_LIST (RFC 4456). */
export interface ClusterListAttribute extends Flagged {
  readonly kind: 'clusterList';
  readonly ids: readonly string[];
}

/**
 * 14: MP_REACH_NLRI (RFC 4760 §3). For IPv4/IPv6 unicast the next hops are
 * decoded as text (IPv6: the global one, then the link-local one if 32 octets were
 * sent; RFC 8950 allows IPv6 next hops for IPv4 NLRI) and the NLRI as prefixes.
 * For every other family, `nlri` is undefined and `raw` holds the body after
 * AFI/SAFI byte-exact (next hop, reserved octet and NLRI), never an error.
 */
export interface MpReachNlriAttribute extends Flagged {
  readonly kind: 'mpReach';
  readonly afi: number;
  readonly safi: number;
  readonly nextHops: readonly string[];
  readonly nlri: readonly Prefix[] | undefined;
  readonly raw?: Uint8Array;
}

/** 15: MP_UNREACH_NLRI (RFC 4760 §4); same split between known and other families. */
export interface MpUnreachNlriAttribute extends Flagged {
  readonly kind: 'mpUnreach';
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly Prefix[] | undefined;
  readonly raw?: Uint8Array;
}

/** 16: EXTENDED_COMMUNITIES (RFC 4360), each 8 octets as received. */
export interface ExtendedCommunitiesAttribute extends Flagged {
  readonly kind: 'extendedCommunities';
  readonly values: readonly Uint8Array[];
}

/** 17: AS4_PATH (RFC 6793), always 4-octet ASNs. */
export interface As4PathAttribute extends Flagged {
  readonly kind: 'as4Path';
  readonly segments: readonly AsPathSegment[];
}

/** 18: AS4_AGGREGATOR (RFC 6793). */
export interface As4AggregatorAttribute extends Flagged {
  readonly kind: 'as4Aggregator';
  readonly asn: number;
  readonly address: string;
}

/** 32: LARGE_COMMUNITY (RFC 8092): global administrator, local data 1, local data 2. */
export interface LargeCommunitiesAttribute extends Flagged {
  readonly kind: 'largeCommunities';
  readonly values: readonly (readonly [number, number, number])[];
}

/** 35: Only to Customer (RFC 9234 §5). */
export interface OtcAttribute extends Flagged {
  readonly kind: 'otc';
  readonly asn: number;
}

/** Any other type code, byte-exact with its flags (re-sent with Partial set when transitive). */
export interface UnknownAttribute {
  readonly kind: 'unknown';
  readonly code: number;
  readonly flags: number;
  readonly value: Uint8Array;
}
