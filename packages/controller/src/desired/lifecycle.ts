/**
 * Where the controller is in its life, as a state of the desired world (never a side door
 * into a sink). `stop()` walks running → gracefulShutdown → withdrawn → closed; a planned
 * restart (SIGUSR2) goes running → restart. Pure data. The order is the one a rollout that
 * loses no request needs (docs/rollouts.md): announce GRACEFUL_SHUTDOWN, wait, withdraw, wait,
 * unbind, end the sessions.
 *
 * - `running`: the world as configuration, health and the cluster say.
 * - `gracefulShutdown`: the same routes with GRACEFUL_SHUTDOWN (RFC 8326) added, so receivers
 *   move traffic away before the withdrawal, held until `untilMs` (monotonic; the
 *   `gracefulShutdown.wait` / `--graceful-shutdown-wait` after it began): the world wakes the
 *   runtime then (`nextWakeMs`) and it moves on to `withdrawn`. Undefined: no wait.
 * - `withdrawn`: no routes, no table routes; the loopback addresses, speaker and peers stay, so
 *   every VIP is withdrawn explicitly before the sessions end, and packets a router still sends
 *   while it acts on the withdrawal are accepted (withdraw before unbind). Held until `untilMs`
 *   (`gracefulShutdown.unbindDelay` after it began) like `gracefulShutdown`; undefined: no hold.
 * - `closed`: no routes and no loopback addresses, and the speaker ends with Cease /
 *   Administrative Shutdown (`reason`).
 * - `restart`: routes and addresses stay; the sessions close without NOTIFICATION where Graceful
 *   Restart was negotiated (RFC 4724 §4), so routers keep the routes as stale.
 */
export type Lifecycle =
  | { readonly kind: 'running' }
  | { readonly kind: 'gracefulShutdown'; readonly untilMs?: number }
  | { readonly kind: 'withdrawn'; readonly untilMs?: number }
  | { readonly kind: 'closed'; readonly reason: string }
  | { readonly kind: 'restart'; readonly reason: string };

/** RFC 8326 §5: GRACEFUL_SHUTDOWN, 65535:0, asks receivers to lower LOCAL_PREF to 0. */
export const GRACEFUL_SHUTDOWN = '65535:0';

export const running: Lifecycle = { kind: 'running' };
