import { UpdateErrorSubcode } from './constants.js';
import { type ErrorAction, updateError, type WireError } from './errors.js';
import type { UnicastAfi } from './family.js';
import type { Prefix } from './prefix.js';
import type { Writer } from './writer.js';

/**
 * NLRI encoding of IPv4 and IPv6 unicast prefixes (RFC 4271 §4.3, RFC 4760 §5),
 * with the ADD-PATH path identifier in front when negotiated (RFC 7911 §3).
 * These loops are the codec's hot path: no strings, one object per prefix.
 */

function invalidNetworkField(reason: string, action: ErrorAction): WireError {
  return updateError('BGP_UPDATE_INVALID_NETWORK_FIELD', UpdateErrorSubcode.INVALID_NETWORK_FIELD, reason, {
    action,
  });
}

/**
 * Decodes prefixes of family `afi` (1 or 2) from `buf[start, end)` into `out`.
 * A fault here cannot be confined to one route, so it is a session reset for the
 * classic fields and `afiSafiDisable`-or-stronger for MP_REACH (the caller says which).
 */
export function decodeNlri(
  buf: Uint8Array,
  start: number,
  end: number,
  afi: UnicastAfi,
  addPath: boolean,
  out: Prefix[],
  action: ErrorAction = 'sessionReset',
): void {
  let pos = start;
  const max = afi === 1 ? 32 : 128;
  while (pos < end) {
    let pathId: number | undefined;
    if (addPath) {
      if (pos + 4 > end) throw invalidNetworkField('truncated ADD-PATH path identifier', action);
      pathId = ((buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!) >>> 0;
      pos += 4;
    }
    const length = buf[pos++]!;
    if (length > max) throw invalidNetworkField(`prefix length ${length} exceeds ${max}`, action);
    const n = (length + 7) >> 3;
    if (pos + n > end) throw invalidNetworkField(`truncated prefix of length ${length}`, action);
    if (afi === 1) {
      let a = 0;
      switch (n) {
        case 4:
          a = (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
          break;
        case 3:
          a = (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8);
          break;
        case 2:
          a = (buf[pos]! << 24) | (buf[pos + 1]! << 16);
          break;
        case 1:
          a = buf[pos]! << 24;
          break;
      }
      // Trailing bits beyond the length are ignored (RFC 4271 §4.3), so mask them.
      a = length === 0 ? 0 : (a & (0xffffffff << (32 - length))) >>> 0;
      out.push({ afi: 1, length, v4: a, v6: undefined, pathId });
    } else {
      const v6 = new Uint8Array(16);
      for (let i = 0; i < n; i++) v6[i] = buf[pos + i]!;
      if (length & 7) v6[n - 1]! &= 0xff << (8 - (length & 7));
      out.push({ afi: 2, length, v4: 0, v6, pathId });
    }
    pos += n;
  }
}

/** Octets {@link encodePrefix} will write. */
export function encodedPrefixLength(p: Prefix, addPath: boolean): number {
  return (addPath ? 5 : 1) + ((p.length + 7) >> 3);
}

/** Appends one prefix in NLRI encoding. With `addPath`, a missing path id is sent as 0. */
export function encodePrefix(w: Writer, p: Prefix, addPath: boolean): void {
  const n = (p.length + 7) >> 3;
  w.ensure(5 + n);
  const b = w.buf;
  let pos = w.pos;
  if (addPath) {
    const id = p.pathId ?? 0;
    b[pos++] = id >>> 24;
    b[pos++] = id >>> 16;
    b[pos++] = id >>> 8;
    b[pos++] = id;
  }
  b[pos++] = p.length;
  if (p.afi === 1) {
    const a = p.v4;
    if (n > 0) b[pos++] = a >>> 24;
    if (n > 1) b[pos++] = a >>> 16;
    if (n > 2) b[pos++] = a >>> 8;
    if (n > 3) b[pos++] = a;
  } else {
    const v6 = p.v6;
    for (let i = 0; i < n; i++) b[pos++] = v6[i]!;
  }
  w.pos = pos;
}
