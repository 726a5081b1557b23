/**
 * IANA and RFC number tables, spelled as the registries spell them so that a grep
 * from an RFC lands here. Each table is `as const`; the matching name maps are used
 * for JSON output and log lines.
 */

/** BGP message types (RFC 4271 §4.1, RFC 2918). */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/** Header and size limits (RFC 4271 §4.1, RFC 8654). */
export const HEADER_LENGTH = 19;
export const MARKER_LENGTH = 16;
export const MIN_MESSAGE_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;
/** AS_TRANS (RFC 6793 §9). */
export const AS_TRANS = 23456;
export const BGP_VERSION = 4;

/** Optional parameter types in OPEN (RFC 4271 §4.2, RFC 5492, RFC 9072). */
export const OptParamType = {
  AUTHENTICATION: 1,
  CAPABILITIES: 2,
  /** RFC 9072: a Non-Ext OP Type of 255 marks the extended-length encoding. */
  EXTENDED_LENGTH: 255,
} as const;

/** Capability codes (IANA "Capability Codes"). */
export const CapabilityCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  OUTBOUND_ROUTE_FILTERING: 3,
  EXTENDED_NEXT_HOP: 5,
  EXTENDED_MESSAGE: 6,
  BGPSEC: 7,
  MULTIPLE_LABELS: 8,
  BGP_ROLE: 9,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  DYNAMIC_CAPABILITY: 67,
  MULTISESSION: 68,
  ADD_PATH: 69,
  ENHANCED_ROUTE_REFRESH: 70,
  LONG_LIVED_GRACEFUL_RESTART: 71,
  FQDN: 73,
  SOFTWARE_VERSION: 75,
  ROUTE_REFRESH_CISCO: 128,
} as const;

/** Path attribute type codes (IANA "BGP Path Attributes"). */
export const AttrType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  PMSI_TUNNEL: 22,
  TUNNEL_ENCAPSULATION: 23,
  IPV6_EXTENDED_COMMUNITIES: 25,
  AIGP: 26,
  LARGE_COMMUNITY: 32,
  BGPSEC_PATH: 33,
  OTC: 35,
  PREFIX_SID: 40,
  ATTR_SET: 128,
} as const;

/** Path attribute flag bits (RFC 4271 §4.3). */
export const AttrFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

/** Address family identifiers (IANA "Address Family Numbers"). */
export const Afi = {
  IPV4: 1,
  IPV6: 2,
  L2VPN: 25,
  BGP_LS: 16388,
} as const;

/** Subsequent address family identifiers (IANA SAFI registry). */
export const Safi = {
  UNICAST: 1,
  MULTICAST: 2,
  MPLS_LABEL: 4,
  MCAST_VPN: 5,
  VPLS: 65,
  EVPN: 70,
  BGP_LS: 71,
  SR_POLICY: 73,
  MUP: 85,
  MPLS_VPN: 128,
  ROUTE_TARGET_CONSTRAINT: 132,
  FLOWSPEC: 133,
  FLOWSPEC_VPN: 134,
} as const;

/** ORIGIN values (RFC 4271 §4.3 a). */
export const Origin = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;

/** AS_PATH segment types (RFC 4271 §4.3 b, RFC 5065 §3). */
export const AsPathSegmentType = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3,
  AS_CONFED_SET: 4,
} as const;

/** NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313). */
export const ErrorCode = {
  MESSAGE_HEADER_ERROR: 1,
  OPEN_MESSAGE_ERROR: 2,
  UPDATE_MESSAGE_ERROR: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM_ERROR: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE_ERROR: 7,
  SEND_HOLD_TIMER_EXPIRED: 8,
} as const;

/** Message Header Error subcodes (RFC 4271 §6.1). */
export const HeaderErrorSubcode = {
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
} as const;

/** OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492, RFC 9234). */
export const OpenErrorSubcode = {
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION_NUMBER: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  /** Deprecated (RFC 4271 §6.2). */
  AUTHENTICATION_FAILURE: 5,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
  /** Deprecated. */
  GROUPING_CONFLICT: 8,
  ROLE_MISMATCH: 11,
} as const;

/** UPDATE Message Error subcodes (RFC 4271 §6.3). */
export const UpdateErrorSubcode = {
  UNSPECIFIC: 0,
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_ORIGIN_ATTRIBUTE: 6,
  /** Deprecated (RFC 4271 §6.3). */
  AS_ROUTING_LOOP: 7,
  INVALID_NEXT_HOP_ATTRIBUTE: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** Finite State Machine Error subcodes (RFC 6608). */
export const FsmErrorSubcode = {
  UNSPECIFIED: 0,
  UNEXPECTED_MESSAGE_IN_OPENSENT: 1,
  UNEXPECTED_MESSAGE_IN_OPENCONFIRM: 2,
  UNEXPECTED_MESSAGE_IN_ESTABLISHED: 3,
} as const;

/** Cease subcodes (RFC 4486, RFC 8538, RFC 9384). */
export const CeaseSubcode = {
  MAXIMUM_NUMBER_OF_PREFIXES_REACHED: 1,
  ADMINISTRATIVE_SHUTDOWN: 2,
  PEER_DE_CONFIGURED: 3,
  ADMINISTRATIVE_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION_RESOLUTION: 7,
  OUT_OF_RESOURCES: 8,
  HARD_RESET: 9,
  BFD_DOWN: 10,
} as const;

/** ROUTE-REFRESH Message Error subcodes (RFC 7313 §5). */
export const RouteRefreshErrorSubcode = {
  INVALID_MESSAGE_LENGTH: 1,
} as const;

/** ROUTE-REFRESH message subtypes (RFC 7313 §3.2). */
export const RouteRefreshSubtype = {
  NORMAL: 0,
  BORR: 1,
  EORR: 2,
} as const;

/** Well-known communities (IANA "BGP Well-known Communities"). */
export const WellKnownCommunity = {
  GRACEFUL_SHUTDOWN: 0xffff0000,
  ACCEPT_OWN: 0xffff0001,
  LLGR_STALE: 0xffff0006,
  NO_LLGR: 0xffff0007,
  BLACKHOLE: 0xffff029a,
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  NOPEER: 0xffffff04,
} as const;

/** BGP Role values (RFC 9234 §4.1). */
export const BgpRole = {
  PROVIDER: 0,
  RS: 1,
  RS_CLIENT: 2,
  CUSTOMER: 3,
  PEER: 4,
} as const;

/** A numeric family key: AFI in the high bits, SAFI in the low byte. */
export function familyKey(afi: number, safi: number): number {
  return afi * 256 + safi;
}

function invert<T extends Record<string, number>>(table: T): ReadonlyMap<number, string> {
  return new Map(Object.entries(table).map(([name, code]) => [code, name]));
}

/** Names by code, for JSON output and logs. */
export const names = {
  messageType: invert({ ...MessageType, 'ROUTE-REFRESH': MessageType.ROUTE_REFRESH }),
  capability: invert(CapabilityCode),
  attrType: invert(AttrType),
  afi: invert(Afi),
  safi: invert(Safi),
  errorCode: invert(ErrorCode),
  subcodes: new Map<number, ReadonlyMap<number, string>>([
    [ErrorCode.MESSAGE_HEADER_ERROR, invert(HeaderErrorSubcode)],
    [ErrorCode.OPEN_MESSAGE_ERROR, invert(OpenErrorSubcode)],
    [ErrorCode.UPDATE_MESSAGE_ERROR, invert(UpdateErrorSubcode)],
    [ErrorCode.FSM_ERROR, invert(FsmErrorSubcode)],
    [ErrorCode.CEASE, invert(CeaseSubcode)],
    [ErrorCode.ROUTE_REFRESH_MESSAGE_ERROR, invert(RouteRefreshErrorSubcode)],
  ]),
  wellKnownCommunity: invert(WellKnownCommunity),
} as const;
