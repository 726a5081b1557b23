/**
 * What the BGP speaker says of one session, as plain data: a runtime observation like a
 * health check's state, read by the session observer (observe/speaker-sessions.ts) at the
 * start of every pass and handed to the pure core, which reports it (the node status,
 * desired/node-status.ts). Pure types: desired/ never talks to the speaker.
 */

/** RFC 4271 §8.2.2 session states (the speaker's `SessionState`, spelled the same). */
export type SessionStateName = 'idle' | 'connect' | 'active' | 'openSent' | 'openConfirm' | 'established';

/** BFD session states (RFC 5880 §4.1 State field). */
export type BfdStateName = 'adminDown' | 'down' | 'init' | 'up';

/** One session as the speaker holds it now. */
export interface SessionObservation {
  /** The peer's canonical address (the key of `BgpDesired.peers`). */
  readonly peerAddress: string;
  readonly state: SessionStateName;
  /** Wall-clock ms of the last state change this process saw; undefined: none since start. */
  readonly sinceMs: number | undefined;
  /** The session's own address while Established. */
  readonly localAddress: string | undefined;
  /** Why the session last left Established (a NOTIFICATION by name, `connection lost`). */
  readonly lastError: string | undefined;
  readonly prefixesSent: number;
  readonly prefixesReceived: number;
  /** The Hold Time both sides agreed on (RFC 4271 §4.2), while the session is up. */
  readonly holdTimeSec: number | undefined;
  /** The last BFD state the speaker reported; undefined: none reported (or no BFD). */
  readonly bfd: BfdStateName | undefined;
}
