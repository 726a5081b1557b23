/**
 * A fault in using the addon: a bad argument (caught before any system call), or
 * a system call that failed. `code` is stable: match on it.
 *
 * - `ANYVIP_TCP_MD5_KEY_TOO_LONG`: RFC 2385 keys are at most 80 octets on Linux
 *   (TCP_MD5SIG_MAXKEYLEN).
 * - `ANYVIP_TCP_AUTH_BAD_ADDRESS`: an address that is neither 4 nor 16 octets, or
 *   an IPv6 peer on an IPv4 socket.
 * - `ANYVIP_TCP_AUTH_BAD_TTL`: a TTL or minimum TTL outside [0, 255] (1 for TTL).
 * - `ANYVIP_TCP_AUTH_SYSCALL`: setsockopt(2) or socket(2) failed; `errno` holds the
 *   errno name (EINVAL, ENOPROTOOPT, EBADF, ...) and `syscall` the call.
 */
export class TcpAuthError extends Error {
  override readonly name = 'TcpAuthError';
  readonly code: string;
  readonly errno: string | undefined;
  readonly syscall: string | undefined;

  constructor(code: string, message: string, cause?: { errno?: string; syscall?: string }) {
    super(message);
    this.code = code;
    this.errno = cause?.errno;
    this.syscall = cause?.syscall;
  }
}
