import { parseIpv4 } from '../wire/address.js';
import type { SessionState } from './state.js';

/** Which side opened a TCP connection. */
export type ConnectionInitiator = 'local' | 'remote';

/** What {@link resolveCollision} needs to know (RFC 4271 §6.8). */
export interface CollisionInput {
  /** Our BGP Identifier, dotted quad. */
  readonly localBgpIdentifier: string;
  /** The peer's, from the OPEN that just arrived. */
  readonly remoteBgpIdentifier: string;
  /** Tie-break when the identifiers are equal (RFC 6286 §2.3). */
  readonly localAsn: number;
  readonly remoteAsn: number;
  /** The connection on which the OPEN just arrived. */
  readonly received: { readonly initiator: ConnectionInitiator };
  /** The other connection to the same peer, and the state of its FSM. */
  readonly other: { readonly initiator: ConnectionInitiator; readonly state: SessionState };
  /** CollisionDetectEstablishedState (RFC 4271 §8.1.1); default false. */
  readonly collisionDetectEstablishedState?: boolean;
}

/** The decision: nothing collides, or which of the two connections to drop with Cease / 7. */
export type CollisionDecision = 'noCollision' | 'closeReceived' | 'closeOther';

/**
 * RFC 4271 §6.8 connection collision resolution, run when an OPEN arrives while
 * another connection to the same peer exists. The connection to drop gets the
 * `openCollisionDump` event (Cease / Connection Collision Resolution, RFC 4486).
 *
 * - The other connection collides when it is in OpenConfirm, or in OpenSent (the
 *   RFC's MAY: the peer's identifier is known from this very OPEN, and the peer is
 *   the same configured neighbour). Idle, Connect and Active hold no BGP connection.
 * - An Established one collides only with CollisionDetectEstablishedState; by
 *   default the Established connection stays and the new one is dropped.
 * - Otherwise the connection initiated by the speaker with the higher BGP Identifier
 *   (compared as 4-octet unsigned integers) stays. That is what both speakers must
 *   agree on; the RFC's wording ("close the existing one, accept the one the remote
 *   initiated") says the same when the OPEN comes on the newer connection.
 * - Equal identifiers (possible on eBGP): the connection initiated by the speaker
 *   with the larger AS number stays (RFC 6286 §2.3).
 * - If both connections have the same initiator (not a real collision), the RFC's
 *   literal rule applies: the lower local identifier closes the existing one.
 */
export function resolveCollision(input: CollisionInput): CollisionDecision {
  const { received, other } = input;
  switch (other.state) {
    case 'idle':
    case 'connect':
    case 'active':
      return 'noCollision';
    case 'established':
      if (!(input.collisionDetectEstablishedState ?? false)) return 'closeReceived';
      break;
    case 'openSent':
    case 'openConfirm':
      break;
  }
  const localId = parseIpv4(input.localBgpIdentifier) ?? 0;
  const remoteId = parseIpv4(input.remoteBgpIdentifier) ?? 0;
  let winner: ConnectionInitiator;
  if (localId !== remoteId) winner = localId > remoteId ? 'local' : 'remote';
  else winner = input.localAsn >= input.remoteAsn ? 'local' : 'remote';
  if (received.initiator === other.initiator) return winner === 'local' ? 'closeReceived' : 'closeOther';
  return received.initiator === winner ? 'closeOther' : 'closeReceived';
}
