import type { SessionState } from '@anyvip/bgp';
import type { Mode } from '../config/schema.js';

/** A probe's answer: `ok`, or the reasons it is not. */
export interface ProbeVerdict {
  readonly ok: boolean;
  readonly reasons: readonly string[];
}

/** What liveness looks at. */
export interface LivenessInput {
  readonly nowMs: number;
  readonly startedAtMs: number;
  /** End of the last reconcile pass. */
  readonly lastPassAtMs: number | undefined;
  /** The periodic pass interval (`reconcile.interval`). */
  readonly intervalMs: number;
  /** Shutting down: no passes are due any more. */
  readonly stopping: boolean;
}

/** Floor for the wedge deadline: a slow first pass (many VIPs, a slow `ip`) must not restart us. */
export const minWedgeMs = 60_000;

/**
 * `/healthz`: the process answers, and the reconcile loop is not wedged. The loop runs a pass
 * at least every `intervalMs` (the periodic resync), so no pass ending for three intervals
 * (at least {@link minWedgeMs}) means a pass is stuck, which a restart is the cure for. Pure.
 */
export function computeLiveness(input: LivenessInput): ProbeVerdict {
  if (input.stopping) return { ok: true, reasons: [] };
  const deadlineMs = Math.max(3 * input.intervalMs, minWedgeMs);
  const sinceMs = input.nowMs - (input.lastPassAtMs ?? input.startedAtMs);
  if (sinceMs <= deadlineMs) return { ok: true, reasons: [] };
  const what =
    input.lastPassAtMs === undefined ? 'the first reconcile pass has not ended' : 'no reconcile pass ended';
  return {
    ok: false,
    reasons: [`${what} for ${Math.round(sinceMs / 1000)} s (limit ${deadlineMs / 1000} s)`],
  };
}

/** What readiness looks at. */
export interface ReadinessInput {
  readonly mode: Mode;
  readonly firstPassDone: boolean;
  readonly stopping: boolean;
  /** Configured peers (mode bgp). */
  readonly peersConfigured: number;
  /** The speaker exists (mode bgp). */
  readonly speakerRunning: boolean;
  readonly peerStates: readonly SessionState[];
  /** VIPs the bind gate withholds (not bound, so not announced), with why. */
  readonly withheld?: readonly { readonly vip: string; readonly reason: string }[];
}

/**
 * `/readyz`: the first pass is done and, in mode `bgp`, the speaker runs and at least one
 * configured peer is Established (with none, nothing this node announces reaches a router).
 * Table mode leaves announcing to BIRD/FRR, so the first pass is enough. A VIP that should be
 * announced but is withheld because its address is not bound fails readiness in every mode:
 * the node cannot serve it. Pure.
 */
export function computeReadiness(input: ReadinessInput): ProbeVerdict {
  const reasons: string[] = [];
  if (input.stopping) reasons.push('shutting down');
  if (!input.firstPassDone) reasons.push('the first reconcile pass has not ended');
  if (input.mode === 'bgp' && input.peersConfigured > 0) {
    if (!input.speakerRunning) reasons.push('the BGP speaker is not running');
    else if (!input.peerStates.includes('established'))
      reasons.push(`no BGP session is Established (0 of ${input.peersConfigured})`);
  }
  for (const w of input.withheld ?? []) reasons.push(`VIP ${w.vip} not announced: ${w.reason}`);
  return { ok: reasons.length === 0, reasons };
}
