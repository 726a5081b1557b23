import { LocalProtocolError } from '../wire/errors.js';

/**
 * What one peer asks of its TCP connections beyond what `node:net` sets, resolved
 * from the peer's options. Applied by a transport that can (see
 * `Transport.tcpSecurityUnavailable`), on connecting sockets before connect() and on
 * listening sockets before the peer's SYN is accepted.
 */
export interface TcpSecurity {
  /** The TCP MD5 Signature Option key (RFC 2385), 1 to 80 octets. Never logged. */
  readonly md5Key?: Uint8Array;
  /** TTL / hop limit of sent packets: 255 for GTSM (RFC 5082 §3), or the eBGP multihop TTL. */
  readonly ttl?: number;
  /** GTSM (RFC 5082 §3): received packets with a smaller TTL / hop limit are dropped by the kernel. */
  readonly minTtl?: number;
}

/** RFC 2385 leaves the key length open; Linux takes at most 80 octets (TCP_MD5SIG_MAXKEYLEN). */
export const MAX_MD5_KEY_OCTETS = 80;

/** The peer options this module resolves (a subset of `AddPeerOptions`). */
export interface TcpSecurityOptions {
  readonly password?: string;
  readonly passwordFile?: string;
  readonly ttlSecurity?: boolean | { readonly hops: number };
  /** The plain TTL asked for (`ttl` or `multihop`), if any. */
  readonly ttl?: number;
}

function invalid(message: string): never {
  throw new LocalProtocolError('ANYVIP_INVALID_PEER_CONFIG', message);
}

/**
 * Reads a password file: its whole content, less one trailing newline (as
 * `echo secret > file` leaves it), so the key is exactly what BIRD's `password "…"`
 * or FRR's `neighbor … password …` holds. The content is never part of an error.
 */
export function readPasswordFile(path: string): string {
  let text: string;
  try {
    // getBuiltinModule, not an ES module import of node:fs: that reads every export, and the
    // `promises` getter loads fs/promises with readline and the REPL history (~1.2 MB RSS).
    text = process.getBuiltinModule('node:fs').readFileSync(path, 'utf8');
  } catch (e) {
    const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
    throw new LocalProtocolError(
      'ANYVIP_PASSWORD_FILE_UNREADABLE',
      `cannot read password file ${path}${typeof code === 'string' ? ` (${code})` : ''}`,
    );
  }
  return text.replace(/\r?\n$/, '');
}

/**
 * Resolves a peer's TCP-MD5 and GTSM options. GTSM with `hops` n accepts packets
 * with TTL ≥ 256 − n (RFC 5082 §3; FRR's `ttl-security hops n`, BIRD's
 * `ttl security` is n = 1) and sends TTL 255, so it cannot be combined with a plain
 * `ttl`/`multihop`. Throws LocalProtocolError (ANYVIP_INVALID_PEER_CONFIG,
 * ANYVIP_PASSWORD_FILE_UNREADABLE) for bad options. Undefined when nothing is asked.
 * `readFile` reads `passwordFile` ({@link readPasswordFile} by default).
 */
export function resolveTcpSecurity(
  options: TcpSecurityOptions,
  readFile: (path: string) => string = readPasswordFile,
): TcpSecurity | undefined {
  let md5Key: Uint8Array | undefined;
  if (options.password !== undefined && options.passwordFile !== undefined)
    invalid('give password or passwordFile, not both');
  const password = options.passwordFile !== undefined ? readFile(options.passwordFile) : options.password;
  if (password !== undefined) {
    const key = new TextEncoder().encode(password);
    if (key.length === 0) invalid('the TCP-MD5 password is empty');
    if (key.length > MAX_MD5_KEY_OCTETS)
      invalid(`the TCP-MD5 password is ${key.length} octets; at most ${MAX_MD5_KEY_OCTETS} are allowed`);
    md5Key = key;
  }
  let minTtl: number | undefined;
  let ttl = options.ttl;
  const gtsm = options.ttlSecurity;
  if (gtsm !== undefined && gtsm !== false) {
    const hops = gtsm === true ? 1 : gtsm.hops;
    if (!Number.isInteger(hops) || hops < 1 || hops > 254)
      invalid(`ttlSecurity hops must be an integer in [1, 254], got ${hops}`);
    if (ttl !== undefined && ttl !== 255)
      invalid('ttlSecurity sends TTL 255 (RFC 5082 §3): it cannot be combined with ttl or multihop');
    ttl = 255;
    minTtl = 256 - hops;
  }
  if (md5Key === undefined && minTtl === undefined && ttl === undefined) return undefined;
  return {
    ...(md5Key !== undefined ? { md5Key } : {}),
    ...(ttl !== undefined ? { ttl } : {}),
    ...(minTtl !== undefined ? { minTtl } : {}),
  };
}

/** Whether the security needs more than a plain TTL (which is only best effort). */
export function needsTcpAuth(security: TcpSecurity | undefined): boolean {
  return security !== undefined && (security.md5Key !== undefined || security.minTtl !== undefined);
}
