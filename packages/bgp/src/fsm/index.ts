/**
 * The BGP finite state machine of RFC 4271 §8, without I/O: events in, actions out.
 *
 * Driving it (the session floor's job):
 * 1. `createFsmSession(config, { seed })`, then `step(session, { kind: 'automaticStart' })`
 *    (or `startEvent(...)`); keep the returned session, carry out the actions in order.
 * 2. Report I/O as events: `tcpCrAcked` when our connect succeeds, `tcpConnectionConfirmed`
 *    when an accepted connection becomes this FSM's, `tcpConnectionFails` on failure or
 *    close, each decoded message as its event (`notificationEvent(msg)` for NOTIFICATION),
 *    each decode `WireError` as `bgpHeaderErr` / `bgpOpenMsgErr` / `updateMsgErr`, and
 *    each fired timer as its `…TimerExpires` event.
 * 3. Collisions (RFC 4271 §6.8): one FSM drives one TCP connection. A second
 *    connection to the same peer gets a second FSM (started passive, then
 *    `tcpConnectionConfirmed`). When an OPEN arrives on either while the other exists,
 *    `resolveCollision` says which to drop; step that FSM with `openCollisionDump`, and
 *    keep the survivor as the peer's session.
 * 4. Between states, `session.negotiated` holds the agreed parameters from OpenConfirm
 *    on; decode with `negotiated.receiveContext`, encode with `negotiated.sendContext`.
 */
export type {
  Close,
  Connect,
  DeliverRouteRefresh,
  DeliverUpdate,
  Down,
  DownReason,
  Established,
  FsmAction,
  SendKeepalive,
  SendNotification,
  SendOpen,
  StartTimer,
  StateChange,
  StopTimer,
} from './actions.js';
export { computeConnectRetryMs, computeIdleHoldMs, JITTER_MIN, jitter, nextRandom } from './backoff.js';
export {
  type CollisionDecision,
  type CollisionInput,
  type ConnectionInitiator,
  resolveCollision,
} from './collision.js';
export {
  type AddPathFamilyConfig,
  type ExtendedNextHopConfig,
  type Family,
  type FsmConfig,
  fsmTimerDefaults,
  type RequirableCapability,
  type ResolvedFsmConfig,
  resolveFsmConfig,
} from './config.js';
export { type FsmEvent, fsmEventKinds, notificationEvent, startEvent } from './events.js';
export {
  computeKeepaliveTimeSec,
  computeLocalCapabilities,
  computeLocalOpen,
  type Negotiated,
  type NegotiationResult,
  negotiate,
  negotiateHoldTime,
} from './negotiate.js';
export { createFsmSession, OPEN_SENT_HOLD_TIME_SEC, type StepResult, step } from './session-fsm.js';
export {
  type FsmSession,
  noTimers,
  type RunningTimers,
  type SessionState,
  type StartAttributes,
  sessionStates,
  type TimerName,
  timerNames,
} from './state.js';
