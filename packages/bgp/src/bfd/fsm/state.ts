import type { BfdState } from '../wire/control-packet.js';

/** What one BFD session is configured with (RFC 5880 §6.8.1), in milliseconds. */
export interface BfdConfig {
  /** bfd.LocalDiscr: non-zero and unique per system; the edge picks it. */
  readonly localDiscriminator: number;
  /** bfd.DesiredMinTxInterval while Up. While not Up at least 1 s is advertised (RFC 5880 §6.8.3). */
  readonly desiredMinTxIntervalMs: number;
  /** bfd.RequiredMinRxInterval: the fastest we are willing to receive. */
  readonly requiredMinRxIntervalMs: number;
  /** bfd.DetectMult, 1 to 255. */
  readonly detectMult: number;
}

/** The slowest rate a session advertises while not Up: 1 s (RFC 5880 §6.8.3). */
export const BFD_SLOW_TX_INTERVAL_US = 1_000_000;

/**
 * The state variables of RFC 5880 §6.8.1, intervals in microseconds as on the wire,
 * plus what the Poll Sequence of §6.8.3 needs: the values advertised in packets
 * (`advertised…`) and the values timing uses now (`effective…`), which differ while a
 * Poll Sequence makes an increase of the TX interval or a decrease of the RX one wait
 * for the peer's Final.
 */
export interface BfdSessionVars {
  readonly config: BfdConfig;
  readonly sessionState: BfdState;
  readonly remoteSessionState: BfdState;
  readonly localDiscr: number;
  readonly remoteDiscr: number;
  readonly localDiag: number;
  /** The last Diag the peer sent. */
  readonly remoteDiag: number;
  /** bfd.RemoteMinRxInterval; 1 µs until the peer says otherwise (RFC 5880 §6.8.1). */
  readonly remoteMinRxUs: number;
  /** The peer's last Desired Min TX Interval; 0 before any packet. */
  readonly remoteDesiredMinTxUs: number;
  /** The peer's last Detect Mult; 0 before any packet. */
  readonly remoteDetectMult: number;
  readonly advertisedDesiredMinTxUs: number;
  readonly advertisedRequiredMinRxUs: number;
  readonly effectiveDesiredMinTxUs: number;
  readonly effectiveRequiredMinRxUs: number;
  readonly detectMult: number;
  /** A Poll Sequence is in progress: periodic packets carry P until a Final arrives. */
  readonly pollActive: boolean;
  /** Whether the detection timer runs (a valid packet has been received since it last expired). */
  readonly detectArmed: boolean;
  /** xorshift32 state for the TX jitter (RFC 5880 §6.8.7). */
  readonly rng: number;
}

/** Checks and resolves a config; throws RangeError on values RFC 5880 cannot carry. */
export function checkBfdConfig(config: BfdConfig): void {
  const ms = (v: number, what: string): void => {
    if (!Number.isInteger(v) || v < 1 || v > 4_294_967)
      throw new RangeError(`${what} must be 1 to 4294967 ms`);
  };
  ms(config.desiredMinTxIntervalMs, 'desiredMinTxIntervalMs');
  ms(config.requiredMinRxIntervalMs, 'requiredMinRxIntervalMs');
  if (!Number.isInteger(config.detectMult) || config.detectMult < 1 || config.detectMult > 255)
    throw new RangeError('detectMult must be 1 to 255');
  if (
    !Number.isInteger(config.localDiscriminator) ||
    config.localDiscriminator < 1 ||
    config.localDiscriminator > 0xffffffff
  )
    throw new RangeError('localDiscriminator must be 1 to 4294967295');
}

/** A session's variables before `start`: Down, nothing heard (RFC 5880 §6.8.1 initial values). */
export function initialBfdSession(config: BfdConfig, seed = 0x5eed): BfdSessionVars {
  checkBfdConfig(config);
  const slowTx = Math.max(config.desiredMinTxIntervalMs * 1000, BFD_SLOW_TX_INTERVAL_US);
  const rx = config.requiredMinRxIntervalMs * 1000;
  return {
    config,
    sessionState: 'down',
    remoteSessionState: 'down',
    localDiscr: config.localDiscriminator,
    remoteDiscr: 0,
    localDiag: 0,
    remoteDiag: 0,
    remoteMinRxUs: 1,
    remoteDesiredMinTxUs: 0,
    remoteDetectMult: 0,
    advertisedDesiredMinTxUs: slowTx,
    advertisedRequiredMinRxUs: rx,
    effectiveDesiredMinTxUs: slowTx,
    effectiveRequiredMinRxUs: rx,
    detectMult: config.detectMult,
    pollActive: false,
    detectArmed: false,
    rng: seed >>> 0 || 1,
  };
}
