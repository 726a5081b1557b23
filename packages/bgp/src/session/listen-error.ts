/**
 * `speaker.listen()` could not open its socket: the system refused (EADDRINUSE,
 * EACCES, EADDRNOTAVAIL, …). Carries the address and port asked for and the
 * system's errno code, with the original error as `cause`. Neither a peer's fault
 * nor API misuse, so it is neither `WireError` nor `LocalProtocolError`.
 */
export class ListenError extends Error {
  /** Stable code to match on. */
  readonly code = 'ANYVIP_LISTEN_FAILED';
  /** The system's errno code (`EADDRINUSE`, `EACCES`, …), when it gave one. */
  readonly systemCode: string | undefined;
  /** The address asked for (`::` when none was given: every IPv6 and IPv4 address). */
  readonly address: string;
  readonly port: number;

  constructor(address: string, port: number, cause: unknown) {
    const systemCode = errnoCode(cause);
    super(
      `cannot listen on ${hostPort(address, port)}: ${systemCode ?? describe(cause)}${hint(systemCode, port)}`,
      {
        cause,
      },
    );
    this.name = 'ListenError';
    this.systemCode = systemCode;
    this.address = address;
    this.port = port;
  }
}

function errnoCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  const code = (e as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** What an operator does about the two usual refusals. */
function hint(code: string | undefined, port: number): string {
  if (code === 'EACCES' && port < 1024) {
    return ` (port ${port} needs root or CAP_NET_BIND_SERVICE; or listen on a port above 1023 and have the router connect there)`;
  }
  if (code === 'EADDRINUSE') return ' (another process listens there: bird, frr bgpd or a second speaker?)';
  return '';
}
