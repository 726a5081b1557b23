import type { NativeBinding } from './binding.js';
import { TcpAuthError } from './errors.js';
import { encodeInt, encodeTcpMd5Sig, type IpVersion } from './md5sig.js';

/**
 * Socket options on one file descriptor, through the addon. `version` is the
 * socket's own family (an IPv6 socket may carry IPv4 peers, dual stack).
 *
 * On an IPv6 socket the IPv4-level options are set as well, so that a dual-stack
 * socket treats IPv4-mapped peers alike; the kernel accepts IPPROTO_IP options on
 * AF_INET6 TCP sockets, and an error there is ignored only for an IPv6 socket.
 */
export class SocketOptions {
  readonly #native: NativeBinding;

  constructor(native: NativeBinding) {
    this.#native = native;
  }

  /** A new unconnected TCP socket; the caller owns the fd. */
  socket(version: IpVersion): number {
    try {
      return this.#native.socket(version);
    } catch (e) {
      throw syscallError(e, 'socket');
    }
  }

  /** Closes an fd that never reached Node (which closes its own). */
  close(fd: number): void {
    try {
      this.#native.close(fd);
    } catch (e) {
      throw syscallError(e, 'close');
    }
  }

  /**
   * TCP_MD5SIG (RFC 2385): signs and checks every segment to and from `peer` with
   * `key`; an empty key removes the peer's key. On a listening socket the key is
   * copied to connections accepted from the peer.
   */
  setMd5Key(fd: number, version: IpVersion, peer: Uint8Array, key: Uint8Array): void {
    const c = this.#native.constants;
    this.#set(fd, c.IPPROTO_TCP, c.TCP_MD5SIG, encodeTcpMd5Sig(version, peer, key), 'TCP_MD5SIG');
  }

  /**
   * The TTL / hop limit of packets the socket sends (RFC 5082 §3: 255 for GTSM);
   * -1 restores the kernel default (ip(7), ipv6(7)).
   */
  setTtl(fd: number, version: IpVersion, ttl: number): void {
    if (!Number.isInteger(ttl) || ttl === 0 || ttl < -1 || ttl > 255) {
      throw new TcpAuthError(
        'ANYVIP_TCP_AUTH_BAD_TTL',
        `a TTL is an integer in [1, 255] (or -1 for the default), got ${ttl}`,
      );
    }
    const c = this.#native.constants;
    this.#both(
      fd,
      version,
      [c.IPPROTO_IP, c.IP_TTL, 'IP_TTL'],
      [c.IPPROTO_IPV6, c.IPV6_UNICAST_HOPS, 'IPV6_UNICAST_HOPS'],
      ttl,
    );
  }

  /**
   * The smallest TTL / hop limit accepted on received packets (RFC 5082 §3: 255 for
   * a directly connected GTSM peer); 0 turns the check off. Segments below it are
   * dropped by the kernel before TCP sees them.
   */
  setMinTtl(fd: number, version: IpVersion, minTtl: number): void {
    if (!Number.isInteger(minTtl) || minTtl < 0 || minTtl > 255) {
      throw new TcpAuthError(
        'ANYVIP_TCP_AUTH_BAD_TTL',
        `a minimum TTL is an integer in [0, 255], got ${minTtl}`,
      );
    }
    const c = this.#native.constants;
    this.#both(
      fd,
      version,
      [c.IPPROTO_IP, c.IP_MINTTL, 'IP_MINTTL'],
      [c.IPPROTO_IPV6, c.IPV6_MINHOPCOUNT, 'IPV6_MINHOPCOUNT'],
      minTtl,
    );
  }

  /**
   * TCP_SAVE_SYN on a listening socket: the kernel keeps each accepted connection's
   * SYN headers, so {@link synTtl} can tell how far away the peer is.
   */
  setSaveSyn(fd: number, on: boolean): void {
    const c = this.#native.constants;
    this.#set(fd, c.IPPROTO_TCP, c.TCP_SAVE_SYN, encodeInt(on ? 1 : 0), 'TCP_SAVE_SYN');
  }

  /**
   * The TTL (IPv4) or hop limit (IPv6) the peer's SYN arrived with, from
   * TCP_SAVED_SYN on a connection accepted by a listener with {@link setSaveSyn};
   * undefined when no SYN was saved (the kernel hands it out once). This is how a
   * listener shared with non-GTSM peers still checks a GTSM peer's very first
   * packet (RFC 5082 §3), where one IP_MINTTL per socket cannot.
   */
  synTtl(fd: number): number | undefined {
    const c = this.#native.constants;
    let headers: Uint8Array;
    try {
      headers = this.#native.getsockoptBytes(fd, c.IPPROTO_TCP, c.TCP_SAVED_SYN, 512);
    } catch (e) {
      throw syscallError(e, 'getsockopt(TCP_SAVED_SYN)');
    }
    return ttlOfIpHeader(headers);
  }

  /** An int option as the kernel reports it (for checks and tests). */
  getInt(fd: number, level: number, name: number): number {
    try {
      return this.#native.getsockoptInt(fd, level, name);
    } catch (e) {
      throw syscallError(e, 'getsockopt');
    }
  }

  #both(
    fd: number,
    version: IpVersion,
    v4: readonly [number, number, string],
    v6: readonly [number, number, string],
    value: number,
  ): void {
    const bytes = encodeInt(value);
    if (version === 4) {
      this.#set(fd, v4[0], v4[1], bytes, v4[2]);
      return;
    }
    this.#set(fd, v6[0], v6[1], bytes, v6[2]);
    try {
      this.#set(fd, v4[0], v4[1], bytes, v4[2]);
    } catch {
      // An IPV6_V6ONLY socket carries no IPv4 traffic: the IPv4 option does not matter.
    }
  }

  #set(fd: number, level: number, name: number, value: Uint8Array, what: string): void {
    try {
      this.#native.setsockopt(fd, level, name, value);
    } catch (e) {
      throw syscallError(e, `setsockopt(${what})`);
    }
  }
}

/** The TTL / hop limit in an IP header: IPv4 octet 8, IPv6 octet 7; undefined for anything else. */
export function ttlOfIpHeader(header: Uint8Array): number | undefined {
  const version = header.length > 0 ? header[0]! >> 4 : 0;
  if (version === 4 && header.length >= 20) return header[8];
  if (version === 6 && header.length >= 40) return header[7];
  return undefined;
}

function syscallError(e: unknown, syscall: string): TcpAuthError {
  const errno =
    typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
      ? (e as { code: string }).code
      : undefined;
  const message = e instanceof Error ? e.message : String(e);
  return new TcpAuthError('ANYVIP_TCP_AUTH_SYSCALL', `${syscall}: ${message}`, {
    ...(errno !== undefined ? { errno } : {}),
    syscall,
  });
}
