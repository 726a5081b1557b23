import { LocalProtocolError } from './errors.js';

/**
 * IP address text <-> bytes, used for next hops, identifiers and prefixes.
 * IPv6 text output follows RFC 5952 (lower case, longest zero run compressed).
 */

/** Dotted-quad text of a 32-bit number. */
export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** Dotted-quad text of 4 bytes at `offset`. */
export function formatIpv4Bytes(b: Uint8Array, offset = 0): string {
  return `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`;
}

/** RFC 5952 text of 16 bytes at `offset` (IPv4-mapped addresses keep their dotted tail). */
export function formatIpv6Bytes(b: Uint8Array, offset = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[offset + 2 * i]! << 8) | b[offset + 2 * i + 1]!);
  // ::ffff:a.b.c.d (RFC 5952 §5)
  if (
    words[0] === 0 &&
    words[1] === 0 &&
    words[2] === 0 &&
    words[3] === 0 &&
    words[4] === 0 &&
    words[5] === 0xffff
  ) {
    return `::ffff:${formatIpv4Bytes(b, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    words
      .slice(from, to)
      .map((w) => w.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** Parses dotted-quad text to a 32-bit number, or undefined. Hand-rolled: next hops are parsed per UPDATE. */
export function parseIpv4(text: string): number | undefined {
  const len = text.length;
  if (len < 7 || len > 15) return undefined;
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // A leading zero ('010') is octal to inet_aton and decimal to others: refuse the ambiguity.
      if (digits === 1 && octet === 0) return undefined;
      if (++digits > 3) return undefined;
      octet = octet * 10 + (c - 48);
    } else if (c === 46) {
      if (digits === 0 || octet > 255 || ++dots > 3) return undefined;
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0 || octet > 255) return undefined;
  return (n * 256 + octet) >>> 0;
}

/** Parses IPv6 text (with optional embedded IPv4 tail) to 16 bytes, or undefined. */
export function parseIpv6(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  let tail: number[] = [];
  let head = text;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    // Keep a "::" that ends right before the IPv4 tail; drop a single separating colon.
    head = text[lastColon - 1] === ':' ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  let words: number[];
  if (dbl >= 0) {
    const left = parseGroups(head.slice(0, dbl));
    const right = parseGroups(head.slice(dbl + 2));
    if (!left || !right) return undefined;
    const fill = 8 - tail.length - left.length - right.length;
    if (fill < 1) return undefined;
    words = [...left, ...new Array<number>(fill).fill(0), ...right, ...tail];
  } else {
    const all = parseGroups(head);
    if (!all) return undefined;
    words = [...all, ...tail];
  }
  if (words.length !== 8) return undefined;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >>> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Bytes of an IPv4 or IPv6 address in text; throws LocalProtocolError on bad text. */
export function addressBytes(text: string): Uint8Array {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff);
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return v6;
  throw new LocalProtocolError('ANYVIP_BAD_ADDRESS', `not an IP address: ${JSON.stringify(text)}`);
}

/** Text of a 4- or 16-byte address. */
export function formatAddress(b: Uint8Array): string {
  if (b.length === 4) return formatIpv4Bytes(b);
  if (b.length === 16) return formatIpv6Bytes(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
