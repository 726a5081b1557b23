import { formatIpv4, formatIpv6Bytes, parseIpv4, parseIpv6 } from '@anyvip/bgp/wire';

/**
 * Addresses as numbers and inclusive ranges of them, for IPAM and the allowed-range check:
 * a CIDR and an `A-B` range are the same thing here (first and last address), and the next
 * free address is `+ 1n`. IPv4 and IPv6 both as bigint so one code path serves both. Pure.
 */

export type IpFamily = 4 | 6;

/** One address. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** An inclusive range of addresses of one family. */
export interface IpRange {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
  /** As written (CIDR or `A-B`), for messages. */
  readonly text: string;
}

/** Parses one address (no prefix length); undefined when it is not one. */
export function parseAddress(text: string): IpAddress | undefined {
  const t = text.trim();
  const v4 = parseIpv4(t);
  if (v4 !== undefined) return { family: 4, value: BigInt(v4) };
  const v6 = parseIpv6(t);
  if (v6 === undefined) return undefined;
  let value = 0n;
  for (const b of v6) value = (value << 8n) | BigInt(b);
  return { family: 6, value };
}

/** Canonical text (`10.0.0.1`, `fd00::1`), the form status and routes use. */
export function formatAddress(a: IpAddress): string {
  if (a.family === 4) return formatIpv4(Number(a.value));
  const bytes = new Uint8Array(16);
  let v = a.value;
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return formatIpv6Bytes(bytes);
}

/** Canonical text of an address given as text, or undefined when it is not one. */
export function canonicalAddress(text: string): string | undefined {
  const a = parseAddress(text);
  return a === undefined ? undefined : formatAddress(a);
}

/**
 * Parses a CIDR (`10.0.0.0/24`, host bits must be zero), an `A-B` range of one family with
 * A ≤ B, or a bare address. Returns the reason instead of throwing, for precise refusals.
 */
export function parseRange(text: string): IpRange | { readonly error: string } {
  const t = text.trim();
  const dash = t.indexOf('-');
  if (dash >= 0) {
    const a = parseAddress(t.slice(0, dash));
    const b = parseAddress(t.slice(dash + 1));
    if (a === undefined || b === undefined)
      return { error: `${JSON.stringify(t)} is not an A-B address range` };
    if (a.family !== b.family) return { error: `${JSON.stringify(t)} mixes IPv4 and IPv6` };
    if (a.value > b.value) return { error: `${JSON.stringify(t)} ends before it starts` };
    return { family: a.family, first: a.value, last: b.value, text: t };
  }
  const slash = t.indexOf('/');
  const a = parseAddress(slash < 0 ? t : t.slice(0, slash));
  if (a === undefined) return { error: `${JSON.stringify(t)} is not a CIDR, an A-B range or an address` };
  const bits = a.family === 4 ? 32 : 128;
  const lenText = slash < 0 ? String(bits) : t.slice(slash + 1);
  const len = /^\d{1,3}$/.test(lenText) ? Number(lenText) : Number.NaN;
  if (!(len >= 0 && len <= bits)) return { error: `${JSON.stringify(t)} has a bad prefix length` };
  const host = (1n << BigInt(bits - len)) - 1n;
  if ((a.value & host) !== 0n) return { error: `${JSON.stringify(t)} has host bits set` };
  return { family: a.family, first: a.value, last: a.value | host, text: t };
}

export function rangeContains(r: IpRange, a: IpAddress): boolean {
  return r.family === a.family && a.value >= r.first && a.value <= r.last;
}
