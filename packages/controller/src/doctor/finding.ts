/**
 * One result of `anyvip doctor`: what was checked, how bad it is, what was seen, and the exact
 * command that fixes it. `id` is stable (match on it; it names the check and the condition).
 */
export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  /** What was seen on the host, with the values read. */
  readonly seen: string;
  /** Why it matters for VIPs, in one or two sentences. */
  readonly why: string;
  /** The command (or setting) that fixes it; absent when there is nothing to fix. */
  readonly fix?: string;
}

/**
 * `error`: VIPs will not work (or will attract traffic they should not); `doctor` exits 1.
 * `warning`: works, but fails in a common situation. `info`: worth knowing. `ok`: checked, fine.
 */
export type Severity = 'ok' | 'info' | 'warning' | 'error';

export const severities: readonly Severity[] = ['ok', 'info', 'warning', 'error'];

/** Whether any finding is an error (the exit code is then 1). */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
