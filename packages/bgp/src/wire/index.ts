/**
 * The wire codec's public API (`@anyvip/bgp/wire`): every BGP message and path
 * attribute decoded and encoded (RFC 4271 and its extensions), the IANA number
 * tables, the codec context OPEN negotiates, prefix and address helpers, and the
 * errors. Pure functions over bytes: no sockets, timers or clocks.
 */
export {
  addressBytes,
  formatAddress,
  formatIpv4,
  formatIpv4Bytes,
  formatIpv6Bytes,
  parseIpv4,
  parseIpv6,
} from './address.js';
export { assertNever } from './assert-never.js';
export { effectiveAggregator } from './attributes/aggregator.js';
export { asPathLength, effectiveAsPath, formatAsPath, mergeAs4Path } from './attributes/as-path.js';
export { communityName, formatCommunity, parseCommunity } from './attributes/communities.js';
export { formatExtendedCommunity, parseExtendedCommunity } from './attributes/extended-communities.js';
export {
  attributeCode,
  attributeName,
  canonicalFlags,
  codecForCode,
  encodeAttribute,
} from './attributes/index.js';
export { formatLargeCommunity, parseLargeCommunity } from './attributes/large-communities.js';
export {
  decodeLinkBandwidth,
  encodeLinkBandwidth,
  formatLinkBandwidth,
  LINK_BANDWIDTH_SUBTYPE,
  type LinkBandwidth,
  LinkBandwidthType,
  parseLinkBandwidth,
} from './attributes/link-bandwidth.js';
export { formatOrigin } from './attributes/origin.js';
export type {
  AggregatorAttribute,
  As4AggregatorAttribute,
  As4PathAttribute,
  AsPathAttribute,
  AsPathSegment,
  AsPathSegmentKind,
  AtomicAggregateAttribute,
  ClusterListAttribute,
  CommunitiesAttribute,
  ExtendedCommunitiesAttribute,
  LargeCommunitiesAttribute,
  LocalPrefAttribute,
  MpReachNlriAttribute,
  MpUnreachNlriAttribute,
  MultiExitDiscAttribute,
  NextHopAttribute,
  OriginAttribute,
  OriginatorIdAttribute,
  OtcAttribute,
  PathAttribute,
  UnknownAttribute,
} from './attributes/path-attribute.js';
export type {
  AddPathCapability,
  Capability,
  EnhancedRouteRefreshCapability,
  ExtendedMessageCapability,
  ExtendedNextHopCapability,
  FourOctetAsCapability,
  FqdnCapability,
  GracefulRestartCapability,
  LongLivedGracefulRestartCapability,
  MultiprotocolCapability,
  RoleCapability,
  RouteRefreshCapability,
  SoftwareVersionCapability,
  UnknownCapability,
} from './capabilities/capability.js';
export { capabilityCode, decodeCapability, encodeCapability } from './capabilities/index.js';
export {
  Afi,
  AS_TRANS,
  AsPathSegmentType,
  AttrFlag,
  AttrType,
  BGP_VERSION,
  BgpRole,
  CapabilityCode,
  CeaseSubcode,
  ErrorCode,
  FsmErrorSubcode,
  familyKey,
  HEADER_LENGTH,
  HeaderErrorSubcode,
  MARKER_LENGTH,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  type MessageTypeCode,
  MIN_MESSAGE_LENGTH,
  names,
  OpenErrorSubcode,
  OptParamType,
  Origin,
  RouteRefreshErrorSubcode,
  RouteRefreshSubtype,
  Safi,
  UpdateErrorSubcode,
  WellKnownCommunity,
} from './constants.js';
export {
  type CodecContext,
  defaultContext,
  makeContext,
  maxMessageLength,
  modernContext,
} from './context.js';
export {
  type ErrorAction,
  LocalProtocolError,
  type LocalProtocolErrorCode,
  strongerAction,
  WireError,
  type WireErrorCode,
  type WireErrorInit,
} from './errors.js';
export { decodeHeader, type MessageHeader, peekMessageLength } from './header.js';
export { encodeKeepalive, type KeepaliveMessage, keepalive } from './keepalive.js';
export { type BgpMessage, decodeMessage, encodeMessage, messageTypeOf } from './message.js';
export { decodeNlri, encodedPrefixLength, encodePrefix } from './nlri.js';
export {
  decodeNotification,
  decodeShutdownCommunication,
  encodeNotification,
  hardResetCause,
  hardResetData,
  type NotificationMessage,
  notificationName,
  shutdownCommunication,
} from './notification.js';
export { decodeOpen, encodeOpen, type OpenLayout, type OpenMessage, openAsn } from './open.js';
export {
  formatPrefix,
  type Ipv4Prefix,
  type Ipv6Prefix,
  ipv4Mask,
  ipv4Prefix,
  ipv6Prefix,
  type Prefix,
  parsePrefix,
  prefixEquals,
  prefixKey,
} from './prefix.js';
export { decodeRouteRefresh, encodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';
export {
  decodeUpdate,
  encodeRawUpdate,
  encodeUpdate,
  type ParsedUpdate,
  parseUpdate,
  type UpdateContent,
  type UpdateMessage,
} from './update.js';
export {
  endOfRib,
  type PackUpdatesOptions,
  type PackWithdrawalsOptions,
  packUpdates,
  packWithdrawals,
} from './update-packer.js';
export {
  checkPeerAsPath,
  nextHopSemanticError,
  scopeUpdateToSession,
  strongestAction,
} from './validate.js';
/** The growable writer that `encodeAttribute` writes into: `new Writer()`, then `finish()` for the bytes. */
export { Writer } from './writer.js';
