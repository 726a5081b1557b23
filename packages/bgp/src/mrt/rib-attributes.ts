import { AttrFlag, AttrType } from '../wire/constants.js';

/**
 * Turns a RIB entry's path-attribute block into one an UPDATE decoder accepts.
 * RFC 6396 §4.3.4 stores MP_REACH_NLRI in RIB entries in an abbreviated form, only
 * the next-hop length and next hop, because AFI, SAFI and NLRI are in the record
 * header. Some writers (Quagga, RIPE RIS) store the full RFC 4760 form instead. An
 * abbreviated attribute is recognised by its length (next-hop length + 1) and
 * rewritten to the full form with the record's AFI/SAFI, a reserved octet and no
 * NLRI; every other attribute is copied unchanged. Returns `attrs` itself when
 * nothing needs rewriting; a damaged block is left for the UPDATE decoder to report.
 */
export function ribAttributesAsUpdate(attrs: Uint8Array, afi: number, safi: number): Uint8Array {
  const found = findAbbreviatedMpReach(attrs);
  if (found === undefined) return attrs;
  const { start, valueStart, valueEnd } = found;
  const value = attrs.subarray(valueStart, valueEnd);
  const full = new Uint8Array(3 + value.length + 1);
  full[0] = afi >> 8;
  full[1] = afi & 0xff;
  full[2] = safi;
  full.set(value, 3);
  // Reserved octet (RFC 4760 §3, formerly the SNAP count) left at 0, and no NLRI.
  const flags = attrs[start]! | (full.length > 255 ? AttrFlag.EXTENDED_LENGTH : 0);
  const header = flags & AttrFlag.EXTENDED_LENGTH ? 4 : 3;
  const out = new Uint8Array(attrs.length - (valueEnd - start) + header + full.length);
  out.set(attrs.subarray(0, start), 0);
  let at = start;
  out[at++] = flags;
  out[at++] = AttrType.MP_REACH_NLRI;
  if (header === 4) out[at++] = full.length >> 8;
  out[at++] = full.length & 0xff;
  out.set(full, at);
  at += full.length;
  out.set(attrs.subarray(valueEnd), at);
  return out;
}

function findAbbreviatedMpReach(
  attrs: Uint8Array,
): { start: number; valueStart: number; valueEnd: number } | undefined {
  let pos = 0;
  while (pos + 3 <= attrs.length) {
    const flags = attrs[pos]!;
    const type = attrs[pos + 1]!;
    const ext = (flags & AttrFlag.EXTENDED_LENGTH) !== 0;
    if (ext && pos + 4 > attrs.length) return undefined;
    const length = ext ? (attrs[pos + 2]! << 8) | attrs[pos + 3]! : attrs[pos + 2]!;
    const valueStart = pos + (ext ? 4 : 3);
    const valueEnd = valueStart + length;
    if (valueEnd > attrs.length) return undefined;
    if (type === AttrType.MP_REACH_NLRI && length >= 1 && attrs[valueStart]! + 1 === length) {
      return { start: pos, valueStart, valueEnd };
    }
    pos = valueEnd;
  }
  return undefined;
}
