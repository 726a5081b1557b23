import { AS_TRANS, encodeLinkBandwidth, formatLinkBandwidth } from '@anyvip/bgp/wire';

/**
 * Weighted ECMP through the BGP link-bandwidth extended community
 * (draft-ietf-idr-link-bandwidth §3): a VIP announced with weight `w` carries
 * `link-bandwidth:AS:w × unit`. A router doing unequal-cost multipath (FRR with
 * `bgp bestpath bandwidth`, since 7.4) splits new flows between the next hops in proportion
 * to their bandwidths, so the weights only matter relative to each other.
 *
 * The scale: one unit of weight (one ready endpoint in Kubernetes mode) is
 * {@link defaultLinkBandwidthUnit} bytes per second, 1 Gbit/s. FRR reads the bandwidth in
 * whole Mbit/s (it truncates `bytes × 8 / 10^6`), so a unit below 125,000 bytes/s would read as
 * zero; 1 Gbit/s keeps every weight from 1 to millions exact there, and looks like what
 * `show bgp` prints for a real 1G link.
 *
 * The AS field is ours, or AS_TRANS (23456) when our AS needs 4 octets (RFC 6793 §9), as FRR
 * does: routers use the field only for display.
 */

/** Bytes per second per unit of weight by default: 1 Gbit/s. */
export const defaultLinkBandwidthUnit = 125_000_000;

/** How weights become link-bandwidth communities (`bgp.linkBandwidth` in the file). */
export interface LinkBandwidthConfig {
  /** Bytes per second per unit of weight. Default {@link defaultLinkBandwidthUnit}. */
  readonly unitBytesPerSec: number;
  /**
   * Send the transitive form (type 0x00, as FRR's own `set extcommunity bandwidth` does)
   * rather than the draft's non-transitive 0x40. Default false.
   */
  readonly transitive: boolean;
}

export const defaultLinkBandwidthConfig: LinkBandwidthConfig = {
  unitBytesPerSec: defaultLinkBandwidthUnit,
  transitive: false,
};

/** The AS to write: ours if it fits 2 octets, else AS_TRANS. */
export function linkBandwidthAsn(asn: number): number {
  return asn <= 0xffff ? asn : AS_TRANS;
}

/**
 * The extended community text for `weight` (≥ 0) announced by `asn`, as the speaker's route
 * template takes it (`link-bandwidth:65001:250000000`). The bandwidth is the nearest binary32,
 * so the text is exactly what goes on the wire.
 */
export function computeLinkBandwidthCommunity(
  weight: number,
  asn: number,
  config: LinkBandwidthConfig,
): string {
  const bytesPerSec = Math.fround(weight * config.unitBytesPerSec);
  const lb = { transitive: config.transitive, asn: linkBandwidthAsn(asn), bytesPerSec };
  // Validates AS and bandwidth (finite, non-negative, within binary32).
  encodeLinkBandwidth(lb);
  return formatLinkBandwidth({ kind: 'linkBandwidth', ...lb });
}
