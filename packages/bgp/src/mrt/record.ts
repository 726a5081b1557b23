import type { Prefix } from '../wire/prefix.js';

/** MRT types (IANA "MRT Types", RFC 6396 §4, RFC 8050). 0-10 are the deprecated ones of RFC 6396 Appendix B. */
export const MrtType = {
  NULL: 0,
  START: 1,
  DIE: 2,
  I_AM_DEAD: 3,
  PEER_DOWN: 4,
  BGP: 5,
  RIP: 6,
  IDRP: 7,
  RIPNG: 8,
  BGP4PLUS: 9,
  BGP4PLUS_01: 10,
  OSPFV2: 11,
  TABLE_DUMP: 12,
  TABLE_DUMP_V2: 13,
  BGP4MP: 16,
  BGP4MP_ET: 17,
  ISIS: 32,
  ISIS_ET: 33,
  OSPFV3: 48,
  OSPFV3_ET: 49,
} as const;

/** BGP4MP and BGP4MP_ET subtypes (RFC 6396 §4.4, RFC 8050 §3). */
export const Bgp4mpSubtype = {
  STATE_CHANGE: 0,
  MESSAGE: 1,
  /** Deprecated (RFC 6396 Appendix B); written by OpenBGPD for RIB dumps. */
  ENTRY: 2,
  /** Deprecated (RFC 6396 Appendix B). */
  SNAPSHOT: 3,
  MESSAGE_AS4: 4,
  STATE_CHANGE_AS4: 5,
  MESSAGE_LOCAL: 6,
  MESSAGE_AS4_LOCAL: 7,
  MESSAGE_ADDPATH: 8,
  MESSAGE_AS4_ADDPATH: 9,
  MESSAGE_LOCAL_ADDPATH: 10,
  MESSAGE_AS4_LOCAL_ADDPATH: 11,
} as const;

/** TABLE_DUMP_V2 subtypes (RFC 6396 §4.3, RFC 6397, RFC 8050 §4). */
export const TableDumpV2Subtype = {
  PEER_INDEX_TABLE: 1,
  RIB_IPV4_UNICAST: 2,
  RIB_IPV4_MULTICAST: 3,
  RIB_IPV6_UNICAST: 4,
  RIB_IPV6_MULTICAST: 5,
  RIB_GENERIC: 6,
  GEO_PEER_TABLE: 7,
  RIB_IPV4_UNICAST_ADDPATH: 8,
  RIB_IPV4_MULTICAST_ADDPATH: 9,
  RIB_IPV6_UNICAST_ADDPATH: 10,
  RIB_IPV6_MULTICAST_ADDPATH: 11,
  RIB_GENERIC_ADDPATH: 12,
} as const;

/** Subtypes of the deprecated BGP type 5 (RFC 6396 Appendix B.2). */
export const LegacyBgpSubtype = {
  NULL: 0,
  UPDATE: 1,
  PREF_UPDATE: 2,
  STATE_CHANGE: 3,
  SYNC: 4,
  OPEN: 5,
  NOTIFY: 6,
  KEEPALIVE: 7,
} as const;

/** The common header of every MRT record (RFC 6396 §2, §3 for the _ET microseconds). */
export interface MrtHeader {
  /** Offset of the record in the (decompressed) file. */
  readonly offset: number;
  /** Seconds since the epoch, with the microseconds of _ET types as a fraction. */
  readonly timeSec: number;
  readonly type: number;
  readonly subtype: number;
  /** Length of the body as the header states it (the _ET microseconds included). */
  readonly length: number;
}

/** Everything {@link readMrt} yields, in file order. */
export type MrtRecord =
  | Bgp4mpMessageRecord
  | Bgp4mpStateChangeRecord
  | PeerIndexTableRecord
  | RibRecord
  | TableDumpRecord
  | MrtSkippedRecord
  | MrtErrorRecord;

/** Peer and local addresses of a BGP4MP record (RFC 6396 §4.4.1). */
interface Bgp4mpEndpoints {
  readonly peerAs: number;
  readonly localAs: number;
  readonly interfaceIndex: number;
  /** Address family of the addresses: 1 IPv4, 2 IPv6. */
  readonly afi: number;
  readonly peerIp: string;
  readonly localIp: string;
}

/**
 * A BGP message (header included) received from the peer, or sent by the local
 * speaker for the `*_LOCAL` subtypes (RFC 6396 §4.4.2-4.4.6, RFC 8050 §3). Records
 * of the deprecated type 5 carry no marker or header; one is rebuilt (`legacy`).
 */
export interface Bgp4mpMessageRecord extends Bgp4mpEndpoints {
  readonly kind: 'bgp4mpMessage';
  readonly header: MrtHeader;
  /** The `*_AS4` subtypes: AS numbers in the message are 4 octets (as collectors write them). */
  readonly fourOctetAs: boolean;
  /** The RFC 8050 `*_ADDPATH` subtypes: NLRI carry path identifiers. */
  readonly addPath: boolean;
  /** Sent by the local speaker (`*_LOCAL`), not received from the peer. */
  readonly local: boolean;
  readonly message: Uint8Array;
  readonly legacy: boolean;
}

/** A peer's FSM state change (RFC 6396 §4.4.1, §4.4.4); states numbered as RFC 4271 §8.2.2 (1 Idle … 6 Established). */
export interface Bgp4mpStateChangeRecord extends Bgp4mpEndpoints {
  readonly kind: 'bgp4mpStateChange';
  readonly header: MrtHeader;
  readonly oldState: number;
  readonly newState: number;
}

/** One peer of a PEER_INDEX_TABLE (RFC 6396 §4.3.1). */
export interface MrtPeer {
  readonly bgpId: string;
  readonly ip: string;
  readonly asn: number;
}

export interface PeerIndexTableRecord {
  readonly kind: 'peerIndexTable';
  readonly header: MrtHeader;
  readonly collectorBgpId: string;
  readonly viewName: string;
  readonly peers: readonly MrtPeer[];
}

/** One route in a TABLE_DUMP_V2 RIB record (RFC 6396 §4.3.4, RFC 8050 §4.1). */
export interface RibEntry {
  readonly peerIndex: number;
  readonly originatedTimeSec: number;
  /** ADD-PATH path identifier of the `*_ADDPATH` subtypes. */
  readonly pathId: number | undefined;
  /**
   * The path-attribute block as stored: AS numbers are always 4 octets, and
   * MP_REACH_NLRI may be in the abbreviated form of RFC 6396 §4.3.4 (see
   * {@link ribAttributesAsUpdate}).
   */
  readonly attributes: Uint8Array;
}

/** A TABLE_DUMP_V2 RIB record: one prefix and its routes (RFC 6396 §4.3.2, §4.3.3). */
export interface RibRecord {
  readonly kind: 'rib';
  readonly header: MrtHeader;
  readonly sequence: number;
  readonly afi: number;
  readonly safi: number;
  /** The prefix, for the RIB_IPV4/IPV6_* subtypes; undefined for RIB_GENERIC. */
  readonly prefix: Prefix | undefined;
  /** The NLRI as stored (prefix length in bits, then the prefix octets); the only form for RIB_GENERIC. */
  readonly nlri: Uint8Array;
  readonly addPath: boolean;
  readonly entries: readonly RibEntry[];
}

/** One route of a TABLE_DUMP (v1) record (RFC 6396 §4.2). */
export interface TableDumpEntry {
  readonly prefix: Prefix;
  readonly status: number;
  readonly originatedTimeSec: number;
  readonly peerIp: string;
  readonly peerAs: number;
  /** Path attributes with 2-octet AS numbers. */
  readonly attributes: Uint8Array;
}

/**
 * A TABLE_DUMP (v1) record. RFC 6396 puts one route in each record; very early
 * RIPE RIS dumps packed many (without view and sequence) into one, so this is a list.
 */
export interface TableDumpRecord {
  readonly kind: 'tableDump';
  readonly header: MrtHeader;
  readonly viewNumber: number;
  readonly sequence: number;
  readonly entries: readonly TableDumpEntry[];
}

/** A record this reader does not decode: another protocol, an unknown or deprecated subtype. */
export interface MrtSkippedRecord {
  readonly kind: 'skipped';
  readonly header: MrtHeader;
  readonly reason: string;
}

/**
 * Damage: a record whose body does not match its subtype, or framing that broke
 * (then `resumedAt` says where reading went on, if it did).
 */
export interface MrtErrorRecord {
  readonly kind: 'error';
  readonly offset: number;
  readonly header: MrtHeader | undefined;
  readonly reason: string;
  readonly resumedAt?: number;
}
