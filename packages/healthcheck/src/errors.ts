/**
 * Stable, greppable error codes; match on these rather than on messages.
 *
 * - `ANYVIP_HEALTH_BAD_CONFIG`: a check or probe option is missing, out of range or inconsistent
 *   (for example a timeout that is not shorter than the interval).
 * - `ANYVIP_HEALTH_BAD_DURATION`: a duration string such as `"100ms"` or `"2s"` does not parse.
 * - `ANYVIP_HEALTH_BAD_KUBECONFIG`: a kubeconfig cannot be read, parsed or resolved to credentials.
 */
export type HealthErrorCode =
  | 'ANYVIP_HEALTH_BAD_CONFIG'
  | 'ANYVIP_HEALTH_BAD_DURATION'
  | 'ANYVIP_HEALTH_BAD_KUBECONFIG';

/**
 * A local misuse of the health-check API (bad options, an unparsable kubeconfig). A failing
 * target is never an exception: it is a failed probe result with a reason.
 */
export class HealthError extends Error {
  /** Stable code to match on. */
  readonly code: HealthErrorCode;
  /** Where in the configuration the fault is (`probes[1].url`), when known. */
  readonly path: string | undefined;
  /** The message without the path. */
  readonly detail: string;

  constructor(code: HealthErrorCode, detail: string, path?: string) {
    super(path === undefined ? detail : `${path}: ${detail}`);
    this.name = 'HealthError';
    this.code = code;
    this.path = path;
    this.detail = detail;
  }

  /** The same error located under `prefix` (`probes[2]` + `url` → `probes[2].url`). */
  under(prefix: string): HealthError {
    return new HealthError(
      this.code,
      this.detail,
      this.path === undefined ? prefix : `${prefix}.${this.path}`,
    );
  }
}

/** Shorthand for an `ANYVIP_HEALTH_BAD_CONFIG` error. */
export function badConfig(message: string, path?: string): HealthError {
  return new HealthError('ANYVIP_HEALTH_BAD_CONFIG', message, path);
}
