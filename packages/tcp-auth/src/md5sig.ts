import { endianness } from 'node:os';
import { TcpAuthError } from './errors.js';

/** `TCP_MD5SIG_MAXKEYLEN` (linux/tcp.h): the longest RFC 2385 key Linux takes. */
export const TCP_MD5SIG_MAXKEYLEN = 80;
/** `sizeof(struct sockaddr_storage)`. */
export const SOCKADDR_STORAGE_SIZE = 128;
/** `sizeof(struct tcp_md5sig)`: sockaddr_storage, flags, prefixlen, keylen, ifindex, key. */
export const TCP_MD5SIG_SIZE = SOCKADDR_STORAGE_SIZE + 1 + 1 + 2 + 4 + TCP_MD5SIG_MAXKEYLEN;

/** Linux address family numbers (bits/socket.h); the addon reports the same values. */
export const AF_INET = 2;
export const AF_INET6 = 10;

/** An IP family by version, as `net.isIP` returns it. */
export type IpVersion = 4 | 6;

const littleEndian = endianness() === 'LE';

/**
 * The `tcpm_addr` field: a `struct sockaddr_in` for an IPv4 socket, a
 * `struct sockaddr_in6` for an IPv6 one. On an IPv6 socket an IPv4 peer (a
 * dual-stack listener's v4 client) is written as `::ffff:a.b.c.d`, which the kernel
 * turns into an AF_INET key (net/ipv6/tcp_ipv6.c, tcp_v6_parse_md5_keys). The port
 * is zero: keys are per address.
 */
export function encodeSockaddr(socketVersion: IpVersion, address: Uint8Array): Uint8Array {
  const out = new Uint8Array(SOCKADDR_STORAGE_SIZE);
  const view = new DataView(out.buffer);
  if (address.length !== 4 && address.length !== 16) {
    throw new TcpAuthError(
      'ANYVIP_TCP_AUTH_BAD_ADDRESS',
      `an address is 4 or 16 octets, got ${address.length}`,
    );
  }
  if (socketVersion === 4) {
    if (address.length !== 4) {
      throw new TcpAuthError(
        'ANYVIP_TCP_AUTH_BAD_ADDRESS',
        'an IPv6 peer cannot have a key on an IPv4 socket',
      );
    }
    // struct sockaddr_in { sa_family_t (host order); in_port_t (network order); struct in_addr; }
    view.setUint16(0, AF_INET, littleEndian);
    out.set(address, 4);
    return out;
  }
  // struct sockaddr_in6 { family; port; flowinfo (u32); struct in6_addr (offset 8); scope_id (u32) }
  view.setUint16(0, AF_INET6, littleEndian);
  if (address.length === 4) {
    out[8 + 10] = 0xff;
    out[8 + 11] = 0xff;
    out.set(address, 8 + 12);
  } else {
    out.set(address, 8);
  }
  return out;
}

/**
 * `struct tcp_md5sig` (linux/tcp.h) for TCP_MD5SIG: the peer's address and its key.
 * An empty key removes the peer's key. Flags, prefix length and ifindex stay zero
 * (one key per host address, any interface), so this is also valid for kernels
 * without TCP_MD5SIG_EXT.
 */
export function encodeTcpMd5Sig(socketVersion: IpVersion, address: Uint8Array, key: Uint8Array): Uint8Array {
  if (key.length > TCP_MD5SIG_MAXKEYLEN) {
    throw new TcpAuthError(
      'ANYVIP_TCP_MD5_KEY_TOO_LONG',
      `a TCP-MD5 key is at most ${TCP_MD5SIG_MAXKEYLEN} octets, got ${key.length}`,
    );
  }
  const out = new Uint8Array(TCP_MD5SIG_SIZE);
  out.set(encodeSockaddr(socketVersion, address), 0);
  const view = new DataView(out.buffer);
  // tcpm_flags (u8) at 128 and tcpm_prefixlen (u8) at 129 stay 0.
  view.setUint16(SOCKADDR_STORAGE_SIZE + 2, key.length, littleEndian);
  // tcpm_ifindex (int) at 132 stays 0.
  out.set(key, SOCKADDR_STORAGE_SIZE + 8);
  return out;
}

/** An `int` option value as setsockopt(2) takes it. */
export function encodeInt(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, littleEndian);
  return out;
}
