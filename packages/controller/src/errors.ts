/**
 * Stable, greppable error codes; match on these rather than on messages.
 *
 * - `ANYVIP_CONFIG_INVALID`: the configuration has a missing, mistyped, out-of-range or
 *   inconsistent field; `path` names it (`vips[2].healthcheck`).
 * - `ANYVIP_CONFIG_SYNTAX`: the file is not valid YAML (the message has the line and column).
 * - `ANYVIP_CONFIG_UNREADABLE`: the file cannot be read.
 * - `ANYVIP_VIP_OUTSIDE_POOL`: a VIP is not inside any of `allowedRanges`.
 * - `ANYVIP_USAGE`: a command line that cannot work (a missing flag, a mode not built yet).
 * - `ANYVIP_ADMIN_UNREACHABLE`: `anyvip status` got no usable answer from the admin listener.
 * - `ANYVIP_KUBERNETES_UNREACHABLE`: `anyvip status --cluster` could not list the node statuses
 *   (no API server, forbidden, or the AnyvipNodeStatus CRD missing).
 * - `ANYVIP_KUBECONFIG_UNUSABLE`: the kubeconfig (or the in-cluster environment) cannot be read or
 *   names no server, context or credentials that work.
 * - `ANYVIP_KUBECONFIG_UNSUPPORTED`: the kubeconfig asks for something outside the subset anyvip
 *   supports (credential plugins, basic auth, proxies, skipping TLS verification).
 * - `ANYVIP_TCP_AUTH_UNAVAILABLE`: a peer asks for TCP-MD5 (`passwordFile`) or GTSM
 *   (`ttlSecurity`), and the optional @anyvip/tcp-auth addon is not built here.
 */
export type AnyvipErrorCode =
  | 'ANYVIP_CONFIG_INVALID'
  | 'ANYVIP_CONFIG_SYNTAX'
  | 'ANYVIP_CONFIG_UNREADABLE'
  | 'ANYVIP_VIP_OUTSIDE_POOL'
  | 'ANYVIP_USAGE'
  | 'ANYVIP_ADMIN_UNREACHABLE'
  | 'ANYVIP_KUBERNETES_UNREACHABLE'
  | 'ANYVIP_KUBECONFIG_UNUSABLE'
  | 'ANYVIP_KUBECONFIG_UNSUPPORTED'
  | 'ANYVIP_TCP_AUTH_UNAVAILABLE';

/**
 * A local fault: bad configuration, a refused VIP, a wrong command line. Remote faults (a peer
 * misbehaving, a probe failing) are events, never exceptions.
 */
export class AnyvipError extends Error {
  /** Stable code to match on. */
  readonly code: AnyvipErrorCode;
  /** Where in the configuration the fault is (`bgp.peers[0].asn`), when it is about a field. */
  readonly path: string | undefined;
  /** The message without the path. */
  readonly detail: string;

  constructor(code: AnyvipErrorCode, detail: string, path?: string) {
    super(path === undefined || path === '' ? detail : `${path}: ${detail}`);
    this.name = 'AnyvipError';
    this.code = code;
    this.path = path;
    this.detail = detail;
  }
}

/** Shorthand for an `ANYVIP_CONFIG_INVALID` error at `path`. */
export function invalidConfig(detail: string, path: string): AnyvipError {
  return new AnyvipError('ANYVIP_CONFIG_INVALID', detail, path);
}

/** A thrown value as one line of text, for logs and reasons. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
