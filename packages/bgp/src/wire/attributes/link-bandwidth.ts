import { LocalProtocolError } from '../errors.js';

/**
 * The link-bandwidth extended community (draft-ietf-idr-link-bandwidth §3): an 8-octet
 * extended community (RFC 4360) of the two-octet-AS-specific type with sub-type 0x04,
 *
 * ```
 *  0               1               2-3             4-7
 *  type            sub-type 0x04   AS (2 octets)   bandwidth: IEEE 754 binary32, bytes per second
 * ```
 *
 * The draft defines the non-transitive type 0x40; some routers (FRR's default for
 * `set extcommunity bandwidth`, several vendors) send the transitive type 0x00 with the same
 * layout, IANA's "Transitive Link Bandwidth". Both decode to this value; `transitive` says which.
 * FRR and others use it for unequal-cost multipath (UCMP): each path's share of the traffic is its
 * bandwidth over the sum across the multipaths.
 */
export interface LinkBandwidth {
  readonly kind: 'linkBandwidth';
  /** Type 0x00 (transitive) rather than the draft's 0x40 (non-transitive). */
  readonly transitive: boolean;
  /** The 2-octet AS of the advertiser (AS_TRANS, 23456, for a 4-octet AS, as RFC 6793 §9 does). */
  readonly asn: number;
  /** Bandwidth in bytes per second, as the binary32 on the wire holds it (may be any float32). */
  readonly bytesPerSec: number;
}

/** Type high octets carrying the link bandwidth (RFC 7153 §5.1, §5.2.1; IANA registries). */
export const LinkBandwidthType = {
  TRANSITIVE_TWO_OCTET_AS: 0x00,
  NON_TRANSITIVE_TWO_OCTET_AS: 0x40,
} as const;

/** The sub-type in both registries (IANA "Link Bandwidth Extended Community"). */
export const LINK_BANDWIDTH_SUBTYPE = 0x04;

/** The link bandwidth in `b`, or undefined when `b` is some other extended community. */
export function decodeLinkBandwidth(b: Uint8Array): LinkBandwidth | undefined {
  if (b.length !== 8 || b[1] !== LINK_BANDWIDTH_SUBTYPE) return undefined;
  const type = b[0];
  if (
    type !== LinkBandwidthType.TRANSITIVE_TWO_OCTET_AS &&
    type !== LinkBandwidthType.NON_TRANSITIVE_TWO_OCTET_AS
  )
    return undefined;
  const v = new DataView(b.buffer, b.byteOffset, 8);
  return {
    kind: 'linkBandwidth',
    transitive: type === LinkBandwidthType.TRANSITIVE_TWO_OCTET_AS,
    asn: v.getUint16(2),
    bytesPerSec: v.getFloat32(4),
  };
}

/**
 * The 8 octets of `lb`. The bandwidth is rounded to the nearest binary32 (a bandwidth of
 * n × 125,000,000 is exact up to n = 8, and within 2^-24 of the value beyond).
 *
 * @throws LocalProtocolError `ANYVIP_BAD_COMMUNITY` when the AS is not 0-65535 or the bandwidth
 *   is negative, not finite, or beyond binary32
 */
export function encodeLinkBandwidth(lb: Omit<LinkBandwidth, 'kind'>): Uint8Array {
  if (!Number.isInteger(lb.asn) || lb.asn < 0 || lb.asn > 0xffff)
    throw new LocalProtocolError('ANYVIP_BAD_COMMUNITY', `link bandwidth AS ${lb.asn} is not 0-65535`);
  const bits = Math.fround(lb.bytesPerSec);
  if (!Number.isFinite(bits) || bits < 0 || Object.is(bits, -0))
    throw new LocalProtocolError(
      'ANYVIP_BAD_COMMUNITY',
      `link bandwidth ${lb.bytesPerSec} is not a non-negative float32 number of bytes per second`,
    );
  const out = new Uint8Array(8);
  out[0] = lb.transitive
    ? LinkBandwidthType.TRANSITIVE_TWO_OCTET_AS
    : LinkBandwidthType.NON_TRANSITIVE_TWO_OCTET_AS;
  out[1] = LINK_BANDWIDTH_SUBTYPE;
  const v = new DataView(out.buffer);
  v.setUint16(2, lb.asn);
  v.setFloat32(4, bits);
  return out;
}

/** Whether `format`/`parse` text carries `lb` exactly (a finite, non-negative, not -0 value). */
export function linkBandwidthHasText(lb: LinkBandwidth): boolean {
  return Number.isFinite(lb.bytesPerSec) && lb.bytesPerSec >= 0 && !Object.is(lb.bytesPerSec, -0);
}

/**
 * `link-bandwidth:AS:BYTES_PER_SEC` (type 0x40) or `link-bandwidth-transitive:AS:BYTES_PER_SEC`
 * (type 0x00); the bandwidth in the shortest decimal that reads back to the same binary32
 * widened to a double (`125000000`, `0.10000000149011612`).
 */
export function formatLinkBandwidth(lb: LinkBandwidth): string {
  return `${lb.transitive ? 'link-bandwidth-transitive' : 'link-bandwidth'}:${lb.asn}:${lb.bytesPerSec}`;
}

/** Parses what {@link formatLinkBandwidth} writes; undefined when `text` is not of that form. */
export function parseLinkBandwidth(text: string): LinkBandwidth | undefined {
  const m = /^(link-bandwidth|link-bandwidth-transitive):(\d{1,5}):(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)$/.exec(
    text.trim(),
  );
  if (m === null) return undefined;
  const asn = Number(m[2]);
  const bytesPerSec = Number(m[3]);
  if (asn > 0xffff || !Number.isFinite(bytesPerSec) || !Number.isFinite(Math.fround(bytesPerSec)))
    return undefined;
  return {
    kind: 'linkBandwidth',
    transitive: m[1] === 'link-bandwidth-transitive',
    asn,
    bytesPerSec: Math.fround(bytesPerSec),
  };
}
