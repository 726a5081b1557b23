/**
 * @anyvip/tcp-auth: the socket options a BGP speaker needs and Node does not offer,
 * through a small Node-API addon in C (Linux only, optional at install):
 *
 * - TCP_MD5SIG, the TCP MD5 Signature Option (RFC 2385), per peer address, on
 *   connecting and listening sockets;
 * - IP_TTL / IPV6_UNICAST_HOPS and IP_MINTTL / IPV6_MINHOPCOUNT for the Generalized
 *   TTL Security Mechanism (RFC 5082).
 *
 * {@link loadTcpAuth} never throws; it says why the addon is unavailable.
 */
import { loadBinding } from './binding.js';
import { SocketOptions } from './socket-options.js';

export { type BindingLoad, loadBinding, type NativeBinding, type NativeConstants } from './binding.js';
export { TcpAuthError } from './errors.js';
export {
  AF_INET,
  AF_INET6,
  encodeInt,
  encodeSockaddr,
  encodeTcpMd5Sig,
  type IpVersion,
  SOCKADDR_STORAGE_SIZE,
  TCP_MD5SIG_MAXKEYLEN,
  TCP_MD5SIG_SIZE,
} from './md5sig.js';
export { SocketOptions, ttlOfIpHeader } from './socket-options.js';

/** The socket option setter, or why there is none. */
export type TcpAuthLoad =
  | { readonly kind: 'available'; readonly options: SocketOptions }
  | { readonly kind: 'unavailable'; readonly reason: string };

let cached: TcpAuthLoad | undefined;

/** Loads the addon once; never throws. */
export function loadTcpAuth(): TcpAuthLoad {
  if (cached !== undefined) return cached;
  const b = loadBinding();
  cached = b.kind === 'available' ? { kind: 'available', options: new SocketOptions(b.binding) } : b;
  return cached;
}
