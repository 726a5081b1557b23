import { assertNever } from './assert-never.js';
import { badConfig } from './errors.js';

/**
 * How the results of a check's probes make one verdict for its VIP: every probe must pass
 * (`all`), one is enough (`any`), or at least `min` of them (`quorum`, k of n).
 */
export type CombinePolicy =
  | { readonly kind: 'all' }
  | { readonly kind: 'any' }
  | { readonly kind: 'quorum'; readonly min: number };

/** One probe's outcome as the combiner sees it. */
export interface NamedResult {
  readonly probe: string;
  readonly ok: boolean;
  readonly reason: string;
}

/** The combined outcome of one round. */
export interface Verdict {
  readonly ok: boolean;
  /** Probes that passed, out of `total`. */
  readonly passed: number;
  readonly total: number;
  /**
   * On success the passing probes' reasons; on failure the failing ones', preceded by the
   * quorum arithmetic when that is what failed. Each is `probe: reason`.
   */
  readonly reasons: readonly string[];
}

/** How many passing probes a policy needs out of `total`. */
export function requiredPasses(policy: CombinePolicy, total: number): number {
  switch (policy.kind) {
    case 'all':
      return total;
    case 'any':
      return Math.min(1, total);
    case 'quorum':
      return policy.min;
    default:
      return assertNever(policy);
  }
}

/** Checks a policy against the number of probes. @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG` */
export function validateCombine(policy: CombinePolicy, total: number, path = 'combine'): void {
  if (total < 1) throw badConfig('a check needs at least one probe', 'probes');
  if (policy.kind === 'quorum' && (!Number.isInteger(policy.min) || policy.min < 1 || policy.min > total)) {
    throw badConfig(
      `quorum must be an integer in 1-${total} (the number of probes), got ${policy.min}`,
      path,
    );
  }
}

/** Combines one round of results. Pure. */
export function combineResults(policy: CombinePolicy, results: readonly NamedResult[]): Verdict {
  const passed = results.filter((r) => r.ok).length;
  const total = results.length;
  const needed = requiredPasses(policy, total);
  const ok = total > 0 && passed >= needed;
  const line = (r: NamedResult): string => `${r.probe}: ${r.reason}`;
  if (ok) return { ok, passed, total, reasons: results.filter((r) => r.ok).map(line) };
  const failing = results.filter((r) => !r.ok).map(line);
  const arithmetic = policy.kind === 'all' ? [] : [`${passed} of ${total} probes passed, ${needed} needed`];
  return { ok, passed, total, reasons: [...arithmetic, ...failing] };
}
