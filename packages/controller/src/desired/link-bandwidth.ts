import { AS_TRANS, encodeLinkBandwidth, formatLinkBandwidth } from '@anyvip/bgp/wire';
import type { LinkBandwidthConfig } from '../config/link-bandwidth.js';

/**
 * Weighted ECMP through the BGP link-bandwidth extended community
 * (draft-ietf-idr-link-bandwidth §3): a VIP announced with weight `w` carries
 * `link-bandwidth:AS:w × unit`. A router doing unequal-cost multipath (FRR with
 * `bgp bestpath bandwidth`, since 7.4) splits new flows between the next hops in proportion
 * to their bandwidths, so the weights only matter relative to each other.
 *
 * The scale: one unit of weight (one ready endpoint in Kubernetes mode) is `bgp.linkBandwidth.unit`
 * bytes per second, 1 Gbit/s by default (config/link-bandwidth.ts says why).
 *
 * The AS field is ours, or AS_TRANS (23456) when our AS needs 4 octets (RFC 6793 §9), as FRR
 * does: routers use the field only for display.
 */

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
