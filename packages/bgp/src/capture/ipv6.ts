import { formatIpv6Bytes } from '../wire/address.js';
import type { IpPacket } from './ip-packet.js';

/** Extension headers that may sit between the IPv6 header and TCP (RFC 8200 §4). */
const ExtensionHeader = {
  HOP_BY_HOP: 0,
  ROUTING: 43,
  FRAGMENT: 44,
  AUTHENTICATION: 51,
  DESTINATION_OPTIONS: 60,
} as const;

/**
 * Minimal IPv6 decoding (RFC 8200 §3): addresses, the upper-layer protocol after
 * any extension headers, and the payload trimmed to Payload Length. Fragments are
 * not reassembled: a first fragment is decoded as far as it goes, later ones are
 * flagged as `fragment`. Returns undefined for a damaged header.
 */
export function decodeIpv6(b: Uint8Array): IpPacket | undefined {
  if (b.length < 40 || b[0]! >> 4 !== 6) return undefined;
  const payloadLength = (b[4]! << 8) | b[5]!;
  // 0 is a jumbogram or offloaded segment: take what was captured.
  const end = payloadLength === 0 ? b.length : Math.min(40 + payloadLength, b.length);
  let next = b[6]!;
  let at = 40;
  let fragment = false;
  for (;;) {
    if (
      next === ExtensionHeader.HOP_BY_HOP ||
      next === ExtensionHeader.ROUTING ||
      next === ExtensionHeader.DESTINATION_OPTIONS
    ) {
      if (at + 2 > end) return undefined;
      const len = (b[at + 1]! + 1) * 8;
      next = b[at]!;
      at += len;
    } else if (next === ExtensionHeader.FRAGMENT) {
      if (at + 8 > end) return undefined;
      const offsetFlags = (b[at + 2]! << 8) | b[at + 3]!;
      // Only the first fragment (offset 0) holds the TCP header; decode it as far as it goes.
      if ((offsetFlags & 0xfff8) !== 0) fragment = true;
      next = b[at]!;
      at += 8;
    } else if (next === ExtensionHeader.AUTHENTICATION) {
      if (at + 2 > end) return undefined;
      const len = (b[at + 1]! + 2) * 4;
      next = b[at]!;
      at += len;
    } else {
      break;
    }
    if (at > end) return undefined;
  }
  return {
    version: 6,
    src: formatIpv6Bytes(b, 8),
    dst: formatIpv6Bytes(b, 24),
    protocol: next,
    payload: b.subarray(at, end),
    fragment,
    snapped: payloadLength > 0 && 40 + payloadLength > b.length ? 40 + payloadLength - b.length : 0,
  };
}
