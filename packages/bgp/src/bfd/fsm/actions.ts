import type { BfdControlPacketInit, BfdState } from '../wire/control-packet.js';

/** Why a received packet was discarded (RFC 5880 §6.8.6), as a stable code. */
export type BfdDiscardReason =
  | 'detectMultZero'
  | 'multipoint'
  | 'myDiscriminatorZero'
  | 'yourDiscriminatorZero'
  | 'yourDiscriminatorMismatch'
  | 'authenticationNotConfigured'
  | 'adminDown';

/** What the edge carries out for the FSM: sends, the two timers, and reports. */
export type BfdAction =
  | { readonly kind: 'sendControl'; readonly packet: BfdControlPacketInit }
  /** (Re)arm the periodic TX timer; the delay is already jittered (RFC 5880 §6.8.7). */
  | { readonly kind: 'armTxTimer'; readonly delayMs: number }
  | { readonly kind: 'stopTxTimer' }
  | { readonly kind: 'armDetectTimer'; readonly delayMs: number }
  | { readonly kind: 'stopDetectTimer' }
  | {
      readonly kind: 'stateChange';
      readonly from: BfdState;
      readonly to: BfdState;
      /** Our Diag after the change (RFC 5880 §4.1). */
      readonly diag: number;
      /** The peer's state as last heard: `adminDown` means the peer stopped on purpose (RFC 5882 §3.2). */
      readonly remoteState: BfdState;
    }
  | { readonly kind: 'discarded'; readonly reason: BfdDiscardReason }
  /** A Poll Sequence ended: the intervals in effect changed (RFC 5880 §6.8.3). */
  | { readonly kind: 'pollComplete'; readonly txIntervalUs: number; readonly detectionTimeUs: number };
