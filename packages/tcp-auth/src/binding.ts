import { createRequire } from 'node:module';

/** What build/tcp_auth.node exports (native/tcp_auth.c). */
export interface NativeBinding {
  /** An unconnected, close-on-exec TCP socket of the family; its fd. */
  socket(family: 4 | 6): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): void;
  getsockoptInt(fd: number, level: number, name: number): number;
  getsockoptBytes(fd: number, level: number, name: number, maxLength: number): Uint8Array;
  close(fd: number): void;
  readonly constants: NativeConstants;
}

/** The platform's numbers, from the C headers. */
export interface NativeConstants {
  readonly AF_INET: number;
  readonly AF_INET6: number;
  readonly IPPROTO_IP: number;
  readonly IPPROTO_IPV6: number;
  readonly IPPROTO_TCP: number;
  readonly IP_TTL: number;
  readonly IP_MINTTL: number;
  readonly IPV6_UNICAST_HOPS: number;
  readonly IPV6_MINHOPCOUNT: number;
  readonly TCP_MD5SIG: number;
  readonly TCP_SAVE_SYN: number;
  readonly TCP_SAVED_SYN: number;
  readonly TCP_MD5SIG_MAXKEYLEN: number;
  readonly SIZEOF_TCP_MD5SIG: number;
  readonly SIZEOF_SOCKADDR_STORAGE: number;
}

/** The addon, or why it cannot be used. */
export type BindingLoad =
  | { readonly kind: 'available'; readonly binding: NativeBinding }
  | { readonly kind: 'unavailable'; readonly reason: string };

let cached: BindingLoad | undefined;

function isBinding(value: unknown): value is NativeBinding {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.socket === 'function' &&
    typeof v.setsockopt === 'function' &&
    typeof v.getsockoptInt === 'function' &&
    typeof v.getsockoptBytes === 'function' &&
    typeof v.close === 'function' &&
    typeof v.constants === 'object'
  );
}

/**
 * Loads build/tcp_auth.node once. Never throws: a missing build (no compiler at
 * install), another platform, or an ABI mismatch come back as `unavailable` with
 * the loader's reason, so callers can refuse the configuration with a clear error.
 * `ANYVIP_TCP_AUTH_DISABLE=1` makes it unavailable on purpose (tests, and hosts
 * where the options must not be used).
 */
export function loadBinding(): BindingLoad {
  if (cached !== undefined) return cached;
  if (process.env.ANYVIP_TCP_AUTH_DISABLE === '1') {
    cached = { kind: 'unavailable', reason: 'disabled by ANYVIP_TCP_AUTH_DISABLE=1' };
    return cached;
  }
  if (process.platform !== 'linux') {
    cached = {
      kind: 'unavailable',
      reason: `TCP-MD5 and GTSM are supported on Linux only, not ${process.platform}`,
    };
    return cached;
  }
  try {
    const loaded: unknown = createRequire(import.meta.url)('../build/tcp_auth.node');
    cached = isBinding(loaded)
      ? { kind: 'available', binding: loaded }
      : { kind: 'unavailable', reason: 'build/tcp_auth.node does not export the expected functions' };
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    cached = {
      kind: 'unavailable',
      reason: `the @anyvip/tcp-auth native addon is not built (${why}); install a C compiler (Debian: build-essential) and run pnpm run build`,
    };
  }
  return cached;
}
