import { HealthError } from './errors.js';

const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const term = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Parses a duration such as `"100ms"`, `"2s"`, `"1.5s"` or `"1m30s"` (Go's `time.ParseDuration`
 * grammar, without a sign) into milliseconds. A number is taken as milliseconds already. A bare
 * number in a string (`"100"`) is refused because its unit would be a guess; only `"0"` is allowed.
 *
 * @throws HealthError `ANYVIP_HEALTH_BAD_DURATION`
 */
export function parseDuration(input: string | number, path?: string): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new HealthError(
        'ANYVIP_HEALTH_BAD_DURATION',
        `duration must be a finite number ≥ 0 ms, got ${input}`,
        path,
      );
    }
    return input;
  }
  const text = input.trim();
  if (text === '0') return 0;
  if (text === '') throw new HealthError('ANYVIP_HEALTH_BAD_DURATION', 'empty duration', path);
  let total = 0;
  term.lastIndex = 0;
  while (term.lastIndex < text.length) {
    const at = term.lastIndex;
    const m = term.exec(text);
    if (m === null) {
      throw new HealthError(
        'ANYVIP_HEALTH_BAD_DURATION',
        `cannot parse duration ${JSON.stringify(input)} at offset ${at} (expected e.g. "100ms", "2s", "1m30s")`,
        path,
      );
    }
    total += Number(m[1]) * (unitMs[m[2] ?? ''] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) {
    throw new HealthError(
      'ANYVIP_HEALTH_BAD_DURATION',
      `duration ${JSON.stringify(input)} is too large`,
      path,
    );
  }
  return total;
}

/** Formats milliseconds compactly for reasons and logs: `250ms`, `2s`, `1.5s`, `2m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000 || ms % 1 !== 0) return `${round3(ms)}ms`;
  if (ms < 60_000 || ms % 60_000 !== 0) return `${round3(ms / 1000)}s`;
  return `${round3(ms / 60_000)}m`;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
