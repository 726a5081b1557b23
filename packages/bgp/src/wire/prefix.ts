import { formatIpv4, formatIpv6Bytes, parseIpv4, parseIpv6 } from './address.js';
import { LocalProtocolError } from './errors.js';

/**
 * An IP prefix as it travels in NLRI. Both variants have one object layout (IPv4 in
 * `v4` as an unsigned 32-bit number, IPv6 in `v6` as 16 bytes), so hot loops that
 * decode hundreds of thousands of them stay monomorphic and build no strings.
 * Host bits beyond `length` are always zero.
 */
export type Prefix = Ipv4Prefix | Ipv6Prefix;

export interface Ipv4Prefix {
  readonly afi: 1;
  readonly length: number;
  readonly v4: number;
  readonly v6: undefined;
  /** ADD-PATH path identifier (RFC 7911), when the family negotiated it. */
  readonly pathId: number | undefined;
}

export interface Ipv6Prefix {
  readonly afi: 2;
  readonly length: number;
  readonly v4: 0;
  readonly v6: Uint8Array;
  readonly pathId: number | undefined;
}

/** Mask for the top `length` bits of a 32-bit word. */
export function ipv4Mask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

export function ipv4Prefix(v4: number, length: number, pathId?: number): Ipv4Prefix {
  return { afi: 1, length, v4: (v4 & ipv4Mask(length)) >>> 0, v6: undefined, pathId };
}

/** An IPv6 prefix; copies and masks `bytes` (at least ceil(length/8) of them are read). */
export function ipv6Prefix(bytes: Uint8Array, length: number, pathId?: number): Ipv6Prefix {
  const v6 = new Uint8Array(16);
  const n = (length + 7) >> 3;
  for (let i = 0; i < n; i++) v6[i] = bytes[i] ?? 0;
  if (length & 7) v6[n - 1]! &= 0xff << (8 - (length & 7));
  return { afi: 2, length, v4: 0, v6, pathId };
}

/**
 * Parses `a.b.c.d/len`, `x::y/len`, or a bare address (a host route). Host bits set
 * beyond the length are an error, as in `ip route`.
 */
export function parsePrefix(text: string, pathId?: number): Prefix {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = parseIpv4(addr);
  const max = v4 !== undefined ? 32 : 128;
  const length = lenText === undefined ? max : /^\d{1,3}$/.test(lenText) ? Number(lenText) : Number.NaN;
  if (!(length >= 0 && length <= max)) {
    throw new LocalProtocolError('ANYVIP_BAD_PREFIX', `bad prefix length in ${JSON.stringify(text)}`);
  }
  if (v4 !== undefined) {
    const p = ipv4Prefix(v4, length, pathId);
    if (p.v4 !== v4)
      throw new LocalProtocolError('ANYVIP_BAD_PREFIX', `host bits set in ${JSON.stringify(text)}`);
    return p;
  }
  const v6 = parseIpv6(addr);
  if (v6 === undefined)
    throw new LocalProtocolError('ANYVIP_BAD_PREFIX', `not a prefix: ${JSON.stringify(text)}`);
  const p = ipv6Prefix(v6, length, pathId);
  if (!p.v6.every((b, i) => b === v6[i])) {
    throw new LocalProtocolError('ANYVIP_BAD_PREFIX', `host bits set in ${JSON.stringify(text)}`);
  }
  return p;
}

/** CIDR text, e.g. `10.0.0.0/8` or `2001:db8::/32`. */
export function formatPrefix(p: Prefix): string {
  return p.afi === 1 ? `${formatIpv4(p.v4)}/${p.length}` : `${formatIpv6Bytes(p.v6)}/${p.length}`;
}

/** A key unique per (prefix, path id), for maps. */
export function prefixKey(p: Prefix): string {
  const base = p.afi === 1 ? `${p.v4}/${p.length}` : `${formatIpv6Bytes(p.v6)}/${p.length}`;
  return p.pathId === undefined ? base : `${base}#${p.pathId}`;
}

export function prefixEquals(a: Prefix, b: Prefix): boolean {
  if (a.afi !== b.afi || a.length !== b.length || a.pathId !== b.pathId) return false;
  if (a.afi === 1) return a.v4 === b.v4;
  const bv6 = (b as Ipv6Prefix).v6;
  for (let i = 0; i < 16; i++) if (a.v6[i] !== bv6[i]) return false;
  return true;
}
