import { assertNever } from '../../wire/assert-never.js';
import { BfdDiag } from '../wire/constants.js';
import type { BfdControlPacket, BfdControlPacketInit, BfdState } from '../wire/control-packet.js';
import type { BfdAction, BfdDiscardReason } from './actions.js';
import type { BfdEvent } from './events.js';
import { BFD_SLOW_TX_INTERVAL_US, type BfdSessionVars, checkBfdConfig } from './state.js';

/** One step's outcome: the new variables and what the edge must do, in order. */
export interface BfdStep {
  readonly vars: BfdSessionVars;
  readonly actions: readonly BfdAction[];
}

/**
 * The BFD session of RFC 5880 §6.8 in asynchronous mode, without Demand mode, Echo
 * or authentication: one event in, new variables and actions out. Pure and total:
 * no clock, no socket, no exception for any event in any state.
 *
 * Choices where the RFC leaves room (as BIRD and FRR do):
 * - A packet goes out at once on every state change, so the three-way handshake
 *   (Down → Init → Up) takes round trips, not TX intervals; periodic spacing
 *   (RFC 5880 §6.8.7) resumes from that packet.
 * - Reaching Up lowers the advertised TX interval from the slow 1 s to the configured
 *   one, and leaving Up raises it again; a change while Up starts a Poll Sequence
 *   (RFC 5880 §6.8.3).
 */
export function stepBfd(vars: BfdSessionVars, event: BfdEvent): BfdStep {
  const out: BfdAction[] = [];
  const next = handle(vars, event, out);
  return { vars: next, actions: out };
}

function handle(v: BfdSessionVars, e: BfdEvent, out: BfdAction[]): BfdSessionVars {
  switch (e.kind) {
    case 'start': {
      out.push({ kind: 'sendControl', packet: packetOf(v, false) });
      return armTx(v, out);
    }
    case 'txTimerExpires':
      if (v.remoteMinRxUs === 0) {
        // RFC 5880 §6.8.7: the peer asked for no periodic packets.
        out.push({ kind: 'stopTxTimer' });
        return v;
      }
      out.push({ kind: 'sendControl', packet: packetOf(v, false) });
      return armTx(v, out);
    case 'detectTimerExpires': {
      if (!v.detectArmed) return v;
      // RFC 5880 §6.8.1: bfd.RemoteDiscr is zeroed when a Detection Time passes without a packet.
      let n: BfdSessionVars = { ...v, detectArmed: false, remoteDiscr: 0, remoteSessionState: 'down' };
      if (v.sessionState === 'init' || v.sessionState === 'up') {
        n = transition(n, 'down', BfdDiag.CONTROL_DETECTION_TIME_EXPIRED, out);
      }
      return n;
    }
    case 'adminDown': {
      if (v.sessionState === 'adminDown') return v;
      let n = transition(v, 'adminDown', BfdDiag.ADMINISTRATIVELY_DOWN, out);
      n = { ...n, detectArmed: false };
      out.push({ kind: 'stopDetectTimer' });
      return n;
    }
    case 'adminUp':
      if (v.sessionState !== 'adminDown') return v;
      return transition(v, 'down', BfdDiag.NO_DIAGNOSTIC, out);
    case 'setIntervals': {
      const config = {
        ...v.config,
        desiredMinTxIntervalMs: e.desiredMinTxIntervalMs,
        requiredMinRxIntervalMs: e.requiredMinRxIntervalMs,
        detectMult: e.detectMult,
      };
      checkBfdConfig(config);
      return retime({ ...v, config, detectMult: e.detectMult }, out);
    }
    case 'packetReceived':
      return receive(v, e.packet, out);
    default:
      return assertNever(e);
  }
}

/** RFC 5880 §6.8.6, after the codec's structural checks. */
function receive(v: BfdSessionVars, p: BfdControlPacket, out: BfdAction[]): BfdSessionVars {
  const reason = discardReason(v, p);
  if (reason !== undefined) {
    out.push({ kind: 'discarded', reason });
    return v;
  }
  let n: BfdSessionVars = {
    ...v,
    remoteDiscr: p.myDiscriminator,
    remoteSessionState: p.state,
    remoteDiag: p.diag,
    remoteMinRxUs: p.requiredMinRxIntervalUs,
    remoteDesiredMinTxUs: p.desiredMinTxIntervalUs,
    remoteDetectMult: p.detectMult,
  };
  const txBefore = txIntervalUs(v);
  if (p.final && n.pollActive) {
    n = {
      ...n,
      pollActive: false,
      effectiveDesiredMinTxUs: n.advertisedDesiredMinTxUs,
      effectiveRequiredMinRxUs: n.advertisedRequiredMinRxUs,
    };
    out.push({ kind: 'pollComplete', txIntervalUs: txIntervalUs(n), detectionTimeUs: detectionTimeUs(n) });
  }
  n = { ...n, detectArmed: true };
  out.push({ kind: 'armDetectTimer', delayMs: detectionTimeUs(n) / 1000 });

  const from = n.sessionState;
  if (p.state === 'adminDown') {
    if (from !== 'down') n = transition(n, 'down', BfdDiag.NEIGHBOR_SIGNALED_SESSION_DOWN, out);
  } else if (from === 'down') {
    if (p.state === 'down') n = transition(n, 'init', BfdDiag.NO_DIAGNOSTIC, out);
    else if (p.state === 'init') n = transition(n, 'up', BfdDiag.NO_DIAGNOSTIC, out);
  } else if (from === 'init') {
    if (p.state === 'init' || p.state === 'up') n = transition(n, 'up', BfdDiag.NO_DIAGNOSTIC, out);
  } else if (from === 'up') {
    if (p.state === 'down') n = transition(n, 'down', BfdDiag.NEIGHBOR_SIGNALED_SESSION_DOWN, out);
  }
  if (p.poll) {
    // RFC 5880 §6.8.6: answer a Poll with a Final at once, whatever the TX interval; never P and F together.
    out.push({ kind: 'sendControl', packet: packetOf(n, true) });
  }
  if (n.sessionState === from && txIntervalUs(n) < txBefore) {
    // The peer lowered its RequiredMinRx: use the faster rate from now on, not after one slow interval.
    n = armTx(n, out);
  }
  return n;
}

function discardReason(v: BfdSessionVars, p: BfdControlPacket): BfdDiscardReason | undefined {
  if (p.detectMult === 0) return 'detectMultZero';
  if (p.multipoint) return 'multipoint';
  if (p.myDiscriminator === 0) return 'myDiscriminatorZero';
  if (p.yourDiscriminator === 0 && p.state !== 'down' && p.state !== 'adminDown')
    return 'yourDiscriminatorZero';
  if (p.yourDiscriminator !== 0 && p.yourDiscriminator !== v.localDiscr) return 'yourDiscriminatorMismatch';
  if (p.auth !== undefined) return 'authenticationNotConfigured';
  if (v.sessionState === 'adminDown') return 'adminDown';
  return undefined;
}

/** A state change: new Diag, the advertised intervals for the new state, a packet at once. */
function transition(v: BfdSessionVars, to: BfdState, diag: number, out: BfdAction[]): BfdSessionVars {
  const from = v.sessionState;
  let n: BfdSessionVars = { ...v, sessionState: to, localDiag: diag };
  out.push({ kind: 'stateChange', from, to, diag, remoteState: v.remoteSessionState });
  n = retime(n, out, true);
  if (to !== 'up') {
    // A Poll Sequence is only needed while Up (RFC 5880 §6.8.3): outside Up, changes apply at once.
    n = {
      ...n,
      pollActive: false,
      effectiveDesiredMinTxUs: n.advertisedDesiredMinTxUs,
      effectiveRequiredMinRxUs: n.advertisedRequiredMinRxUs,
    };
  }
  out.push({ kind: 'sendControl', packet: packetOf(n, false) });
  return armTx(n, out);
}

/**
 * Recomputes the advertised intervals for the state and config. While Up a change
 * starts a Poll Sequence, and an increase of the TX interval or a decrease of the
 * RX one waits for its Final (RFC 5880 §6.8.3); otherwise it applies at once.
 */
function retime(v: BfdSessionVars, out: BfdAction[], quiet = false): BfdSessionVars {
  const cfgTx = v.config.desiredMinTxIntervalMs * 1000;
  const desired = v.sessionState === 'up' ? cfgTx : Math.max(cfgTx, BFD_SLOW_TX_INTERVAL_US);
  const required = v.config.requiredMinRxIntervalMs * 1000;
  if (desired === v.advertisedDesiredMinTxUs && required === v.advertisedRequiredMinRxUs) return v;
  const up = v.sessionState === 'up';
  const n: BfdSessionVars = {
    ...v,
    advertisedDesiredMinTxUs: desired,
    advertisedRequiredMinRxUs: required,
    effectiveDesiredMinTxUs: up && desired > v.effectiveDesiredMinTxUs ? v.effectiveDesiredMinTxUs : desired,
    effectiveRequiredMinRxUs:
      up && required < v.effectiveRequiredMinRxUs ? v.effectiveRequiredMinRxUs : required,
    pollActive: up ? true : v.pollActive,
  };
  if (!quiet) {
    out.push({ kind: 'sendControl', packet: packetOf(n, false) });
    return armTx(n, out);
  }
  return n;
}

/** The packet the session sends now; `final` answers a Poll (RFC 5880 §6.8.7). */
function packetOf(v: BfdSessionVars, final: boolean): BfdControlPacketInit {
  return {
    diag: v.localDiag,
    state: v.sessionState,
    poll: !final && v.pollActive,
    final,
    detectMult: v.detectMult,
    myDiscriminator: v.localDiscr,
    yourDiscriminator: v.remoteDiscr,
    desiredMinTxIntervalUs: v.advertisedDesiredMinTxUs,
    requiredMinRxIntervalUs: v.advertisedRequiredMinRxUs,
    requiredMinEchoRxIntervalUs: 0,
  };
}

/** The periodic TX interval before jitter: the larger of ours and the peer's RequiredMinRx (RFC 5880 §6.8.7). */
export function txIntervalUs(v: BfdSessionVars): number {
  return Math.max(v.effectiveDesiredMinTxUs, v.remoteMinRxUs);
}

/** Detection Time in asynchronous mode (RFC 5880 §6.8.4): the peer's Detect Mult × the agreed interval. */
export function detectionTimeUs(v: BfdSessionVars): number {
  return v.remoteDetectMult * Math.max(v.effectiveRequiredMinRxUs, v.remoteDesiredMinTxUs);
}

/**
 * Arms the TX timer with RFC 5880 §6.8.7 jitter: 75–100 % of the interval, or
 * 75–90 % when bfd.DetectMult is 1.
 */
function armTx(v: BfdSessionVars, out: BfdAction[]): BfdSessionVars {
  let x = v.rng;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  x >>>= 0;
  const r = x / 0x1_0000_0000;
  const factor = v.detectMult === 1 ? 0.75 + r * 0.15 : 0.75 + r * 0.25;
  if (v.remoteMinRxUs === 0) {
    out.push({ kind: 'stopTxTimer' });
    return { ...v, rng: x || 1 };
  }
  out.push({ kind: 'armTxTimer', delayMs: (txIntervalUs(v) * factor) / 1000 });
  return { ...v, rng: x || 1 };
}
