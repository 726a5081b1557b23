import { formatIpv4Bytes } from '../wire/address.js';
import type { IpPacket } from './ip-packet.js';

/**
 * Minimal IPv4 header decoding (RFC 791 §3.1): addresses, protocol and payload.
 * Options are skipped; fragments are not reassembled: a first fragment is decoded as
 * far as it goes (the rest shows up as missing stream bytes), later ones are flagged
 * as `fragment`. Returns undefined
 * for anything that is not a plausible IPv4 header.
 */
export function decodeIpv4(b: Uint8Array): IpPacket | undefined {
  if (b.length < 20 || b[0]! >> 4 !== 4) return undefined;
  const headerLength = (b[0]! & 0x0f) * 4;
  if (headerLength < 20 || headerLength > b.length) return undefined;
  const totalLength = (b[2]! << 8) | b[3]!;
  // TCP segmentation offload on the capturing host can leave 0 here; take what was captured.
  const end = totalLength === 0 ? b.length : Math.min(totalLength, b.length);
  if (end < headerLength) return undefined;
  const flagsOffset = (b[6]! << 8) | b[7]!;
  const fragmentOffset = flagsOffset & 0x1fff;
  return {
    version: 4,
    src: formatIpv4Bytes(b, 12),
    dst: formatIpv4Bytes(b, 16),
    protocol: b[9]!,
    payload: b.subarray(headerLength, end),
    fragment: fragmentOffset !== 0,
    snapped: totalLength > b.length ? totalLength - b.length : 0,
  };
}
