/**
 * The session floor: the only code with sockets and timers. It turns TCP bytes,
 * timer expiries and local commands into FSM events, carries out the FSM's actions,
 * and moves routes between the Adj-RIBs and the wire.
 */
export { type Clock, systemClock, type TimerHandle } from './clock.js';
export { BgpConnection, type ConnectionOwner, type MessageCounters } from './connection.js';
export { computeExport, DEFAULT_LOCAL_PREF, type ExportFacts, type ExportResult } from './export-policy.js';
export { Framer } from './framer.js';
export { type LogFields, type Logger, silentLogger } from './logger.js';
export type {
  EorReceivedEvent,
  EorSentEvent,
  MalformedEvent,
  MaxPrefixEvent,
  NotificationReceivedEvent,
  NotificationSentEvent,
  PeerDownEvent,
  PeerEvent,
  PeerUpEvent,
  RouteRefreshEvent,
  RoutesReceivedEvent,
  SpeakerErrorEvent,
  StateChangeEvent,
} from './peer-events.js';
export {
  type OriginatedRoutes,
  type PeerInfo,
  PeerSession,
  type PeerSessionOptions,
} from './peer-session.js';
export { RouteTable, type RouteWalk } from './route-table.js';
export {
  type AnnounceOptions,
  buildRouteTemplate,
  checkNextHopFamily,
  checkPrefix,
  MAX_AS_PATH_PREPEND,
  type OriginName,
  parseNextHop,
  type RouteAttributesInput,
  type RouteTemplate,
} from './route-template.js';
export {
  MAX_MD5_KEY_OCTETS,
  needsTcpAuth,
  readPasswordFile,
  resolveTcpSecurity,
  type TcpSecurity,
  type TcpSecurityOptions,
} from './tcp-security.js';
export { SessionTimers, timerExpiryEvent } from './timers.js';
export {
  type ConnectRequest,
  canonicalAddress,
  type ListenRequest,
  nodeTransport,
  SOCKET_HIGH_WATER_MARK,
  type Transport,
  type TransportConnection,
  type TransportServer,
} from './transport.js';
