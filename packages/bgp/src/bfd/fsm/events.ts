import type { BfdControlPacket } from '../wire/control-packet.js';

/**
 * What drives a BFD session (RFC 5880 §6.8): administrative changes, received
 * Control packets and the two timers. Every event is legal in every state.
 */
export type BfdEvent =
  /** Begin: send at the slow rate and wait for the peer (RFC 5880 §6.8.1, Down). */
  | { readonly kind: 'start' }
  /** Put the session into AdminDown with Diag 7 (RFC 5880 §6.8.16); the peer must not treat it as a failure. */
  | { readonly kind: 'adminDown' }
  /** Leave AdminDown for Down. */
  | { readonly kind: 'adminUp' }
  /** A Control packet arrived for this session (the edge already demultiplexed it, RFC 5880 §6.8.6). */
  | { readonly kind: 'packetReceived'; readonly packet: BfdControlPacket }
  /** The periodic transmission timer fired (RFC 5880 §6.8.7). */
  | { readonly kind: 'txTimerExpires' }
  /** A Detection Time passed without a valid packet (RFC 5880 §6.8.4). */
  | { readonly kind: 'detectTimerExpires' }
  /** New intervals; a Poll Sequence carries them while Up (RFC 5880 §6.8.3). */
  | {
      readonly kind: 'setIntervals';
      readonly desiredMinTxIntervalMs: number;
      readonly requiredMinRxIntervalMs: number;
      readonly detectMult: number;
    };

export type BfdEventKind = BfdEvent['kind'];
