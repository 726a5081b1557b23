import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';
import type * as TcpAuth from '@anyvip/tcp-auth';
import { parseIpv4, parseIpv6 } from '../wire/address.js';
import type { TcpSecurity } from './tcp-security.js';

/**
 * Applying {@link TcpSecurity} to real sockets, through the optional
 * `@anyvip/tcp-auth` addon. Nothing here is loaded until a peer asks for TCP-MD5,
 * GTSM or a TTL: a speaker without the addon works as before.
 */

/** The addon's option setter, or why there is none. */
export type SocketSecurityLoad =
  | { readonly kind: 'available'; readonly options: TcpAuth.SocketOptions }
  | { readonly kind: 'unavailable'; readonly reason: string };

let loaded: SocketSecurityLoad | undefined;

/** Loads `@anyvip/tcp-auth` once (an optional dependency); never throws. */
export function loadSocketSecurity(): SocketSecurityLoad {
  if (loaded !== undefined) return loaded;
  try {
    const m = createRequire(import.meta.url)('@anyvip/tcp-auth') as typeof TcpAuth;
    loaded = m.loadTcpAuth();
  } catch (e) {
    loaded = {
      kind: 'unavailable',
      reason: `the optional package @anyvip/tcp-auth is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
    };
  }
  return loaded;
}

/** An address's family and octets (a zone index is ignored). */
export function addressOctets(text: string): { version: 4 | 6; octets: Uint8Array } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) {
    return { version: 4, octets: Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255) };
  }
  const percent = text.indexOf('%');
  const v6 = parseIpv6(percent < 0 ? text : text.slice(0, percent));
  return v6 === undefined ? undefined : { version: 6, octets: v6 };
}

/** The fd under a `net.Socket` or `net.Server`; Node exposes it only on the internal handle. */
export function fdOf(handleOwner: Socket | Server): number | undefined {
  const fd = (handleOwner as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Sets a connecting socket's options, before connect(): the MD5 key for the peer
 * (so the SYN is signed), the TTL, and the minimum TTL (so a SYN-ACK from too far
 * away is dropped).
 */
export function applyToConnectingSocket(
  options: TcpAuth.SocketOptions,
  fd: number,
  version: 4 | 6,
  peer: Uint8Array,
  security: TcpSecurity,
): void {
  if (security.md5Key !== undefined) options.setMd5Key(fd, version, peer, security.md5Key);
  if (security.ttl !== undefined) options.setTtl(fd, version, security.ttl);
  if (security.minTtl !== undefined) options.setMinTtl(fd, version, security.minTtl);
}

/**
 * A listening socket's per-peer options, kept in step with the configured peers.
 *
 * - TCP-MD5: one key per peer address on the listening socket; Linux drops SYNs
 *   from that address that are unsigned or wrongly signed, and copies the key to the
 *   accepted connection. Addresses without a key are not checked.
 * - GTSM: IP_MINTTL is one value per socket. The listener gets the smallest minimum
 *   any configured peer allows (0, off, as soon as one peer has no GTSM), so that in
 *   the usual all-GTSM setup a SYN from too far away is refused before it is
 *   accepted; every accepted connection then gets its own peer's minimum at once
 *   (as FRR does after accept), so a far GTSM peer among non-GTSM ones cannot get
 *   past its first segments either.
 * - TTL: the SYN-ACK leaves with the listener's TTL, so the listener sends the
 *   largest TTL any peer asks for (255 with GTSM); accepted connections then get
 *   their own peer's TTL.
 */
export class ListenerSecurity {
  readonly #options: TcpAuth.SocketOptions;
  readonly #fd: number;
  readonly #version: 4 | 6;
  /** Keys set on the listening socket, by address. */
  readonly #keys = new Map<string, Uint8Array>();
  #peers: ReadonlyMap<string, TcpSecurity | undefined> = new Map();
  #ttl: number | undefined;
  #minTtl = 0;
  #saveSyn = false;

  constructor(options: TcpAuth.SocketOptions, fd: number, version: 4 | 6) {
    this.#options = options;
    this.#fd = fd;
    this.#version = version;
  }

  /**
   * Makes the listening socket match `peers` (every configured peer, by canonical
   * address). Throws TcpAuthError when the kernel refuses an option; keys applied
   * before the failure stay applied, and the next call retries the rest.
   */
  apply(peers: ReadonlyMap<string, TcpSecurity | undefined>): void {
    this.#peers = peers;
    for (const [address, key] of this.#keys) {
      const wanted = peers.get(address)?.md5Key;
      if (wanted !== undefined && sameOctets(wanted, key)) continue;
      if (wanted === undefined) {
        this.#setKey(address, new Uint8Array(0));
        this.#keys.delete(address);
      }
    }
    for (const [address, security] of peers) {
      const wanted = security?.md5Key;
      if (wanted === undefined) continue;
      const have = this.#keys.get(address);
      if (have !== undefined && sameOctets(have, wanted)) continue;
      this.#setKey(address, wanted);
      this.#keys.set(address, wanted);
    }
    let ttl: number | undefined;
    let minTtl = peers.size === 0 ? 0 : 255;
    for (const security of peers.values()) {
      if (security?.ttl !== undefined) ttl = Math.max(ttl ?? 0, security.ttl);
      minTtl = Math.min(minTtl, security?.minTtl ?? 0);
    }
    if (ttl !== this.#ttl) {
      this.#options.setTtl(this.#fd, this.#version, ttl ?? -1);
      this.#ttl = ttl;
    }
    if (minTtl !== this.#minTtl) {
      this.#options.setMinTtl(this.#fd, this.#version, minTtl);
      this.#minTtl = minTtl;
    }
    const saveSyn = [...peers.values()].some((p) => p?.minTtl !== undefined);
    if (saveSyn !== this.#saveSyn) {
      this.#options.setSaveSyn(this.#fd, saveSyn);
      this.#saveSyn = saveSyn;
    }
  }

  /**
   * Gives an accepted connection its own peer's TTL and minimum TTL (its key it
   * inherited), and returns the TTL its SYN arrived with when the listener saved it
   * (a GTSM peer is configured), for the check against the peer's minimum.
   */
  applyToAccepted(socket: Socket, remoteAddress: string): { synTtl?: number } {
    const fd = fdOf(socket);
    if (fd === undefined) return {};
    const synTtl = this.#saveSyn ? this.#options.synTtl(fd) : undefined;
    const security = this.#peers.get(remoteAddress);
    if (security !== undefined) {
      if (security.ttl !== undefined && security.ttl !== this.#ttl)
        this.#options.setTtl(fd, this.#version, security.ttl);
      if (security.minTtl !== undefined && security.minTtl !== this.#minTtl)
        this.#options.setMinTtl(fd, this.#version, security.minTtl);
    }
    return synTtl !== undefined ? { synTtl } : {};
  }

  #setKey(address: string, key: Uint8Array): void {
    const a = addressOctets(address);
    if (a === undefined) return;
    // An IPv4 listener cannot hear IPv6 peers: nothing to protect there.
    if (this.#version === 4 && a.version === 6) return;
    this.#options.setMd5Key(this.#fd, this.#version, a.octets, key);
  }
}

function sameOctets(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
