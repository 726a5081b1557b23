/**
 * @anyvip/bgp: a pure-TypeScript BGP-4 speaker.
 *
 * - {@link BgpSpeaker}: peers, originated routes, typed events (`SpeakerEvent`).
 * - The wire codec (also at `@anyvip/bgp/wire`): messages, path attributes,
 *   capabilities, IANA tables, prefixes, `WireError` and `LocalProtocolError`.
 * - The pieces a caller may inject or inspect: `Logger`, `Clock`, `Transport`,
 *   negotiated parameters, routes and attribute sets.
 * - `formatSpeakerEvent`: an event as one flat JSON object, for logs.
 *
 * Subpaths: `@anyvip/bgp/wire` (the codec), `@anyvip/bgp/mrt`, `@anyvip/bgp/capture`,
 * and `@anyvip/bgp/decode` (captures, MRT and raw streams as JSON records).
 */

export { type Clock, systemClock, type TimerHandle } from '@anyvip/clock';
export type { BfdState } from './bfd/wire/control-packet.js';
export { formatSpeakerEvent } from './event-json.js';
export {
  type AnySpeakerListener,
  type BfdStateChangeEvent,
  type ConnectionRejectedEvent,
  type EorReceivedEvent,
  type EorSentEvent,
  type ListeningEvent,
  type MalformedEvent,
  type MaxPrefixEvent,
  type NotificationReceivedEvent,
  type NotificationSentEvent,
  type PeerDownEvent,
  type PeerEvent,
  type PeerUpEvent,
  type RouteRefreshEvent,
  type RoutesReceivedEvent,
  type RoutesRejectedEvent,
  type SpeakerErrorEvent,
  type SpeakerEvent,
  type SpeakerEventKind,
  type SpeakerEventOf,
  SpeakerEvents,
  type SpeakerListener,
  type StateChangeEvent,
} from './events.js';
export type { DownReason } from './fsm/actions.js';
export type { ConnectionInitiator } from './fsm/collision.js';
export type { Family } from './fsm/config.js';
export type { Negotiated } from './fsm/negotiate.js';
export { type SessionState, sessionStates } from './fsm/state.js';
export type { ReceivedRoute } from './received-route.js';
export type { AttributeSet } from './rib/attribute-set.js';
export type { Route } from './rib/route.js';
export type { AnnounceOptions, OriginName, RouteAttributesInput } from './rib/route-template.js';
export { ListenError } from './session/listen-error.js';
export { type LogFields, type Logger, silentLogger } from './session/logger.js';
export type { PeerInfo } from './session/peer-session.js';
export {
  MAX_MD5_KEY_OCTETS,
  readPasswordFile,
  resolveTcpSecurity,
  type TcpSecurity,
  type TcpSecurityOptions,
} from './session/tcp-security.js';
export {
  type ConnectRequest,
  canonicalAddress,
  type ListenRequest,
  nodeTransport,
  type Transport,
  type TransportConnection,
  type TransportServer,
} from './session/transport.js';
export {
  type AddPeerOptions,
  type AnnouncedRoute,
  type BfdPeerOptions,
  BgpSpeaker,
  type BgpSpeakerOptions,
  describeDownReason,
  type FamilyName,
  type GracefulRestartOptions,
  type MaxPrefixOptions,
  type Peer,
} from './speaker.js';
export * from './wire/index.js';
