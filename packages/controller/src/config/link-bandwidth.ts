import { absent, boolean, integer, join, known, object } from './field.js';

/**
 * `bgp.linkBandwidth:` how VIP weights become the link-bandwidth extended community
 * (draft-ietf-idr-link-bandwidth §3); desired/link-bandwidth.ts builds the community from it.
 */
export interface LinkBandwidthConfig {
  /** Bytes per second per unit of weight. Default {@link defaultLinkBandwidthUnit}. */
  readonly unitBytesPerSec: number;
  /**
   * Send the transitive form (type 0x00, as FRR's own `set extcommunity bandwidth` does)
   * rather than the draft's non-transitive 0x40. Default false.
   */
  readonly transitive: boolean;
}

/**
 * Bytes per second per unit of weight by default: 1 Gbit/s. FRR reads the bandwidth in whole
 * Mbit/s (it truncates `bytes × 8 / 10^6`), so a unit below 125,000 bytes/s would read as zero;
 * 1 Gbit/s keeps every weight from 1 to millions exact there, and looks like what `show bgp`
 * prints for a real 1G link.
 */
export const defaultLinkBandwidthUnit = 125_000_000;

export const defaultLinkBandwidthConfig: LinkBandwidthConfig = {
  unitBytesPerSec: defaultLinkBandwidthUnit,
  transitive: false,
};

/** Parses `bgp.linkBandwidth: { unit, transitive }`: `unit` at least 1 byte per second. */
export function parseLinkBandwidth(input: unknown, path: string): LinkBandwidthConfig {
  const o = object(input, path);
  known(o, path, ['unit', 'transitive']);
  return {
    unitBytesPerSec: absent(o.unit)
      ? defaultLinkBandwidthConfig.unitBytesPerSec
      : integer(o.unit, join(path, 'unit'), 1, 2 ** 40),
    transitive: absent(o.transitive)
      ? defaultLinkBandwidthConfig.transitive
      : boolean(o.transitive, join(path, 'transitive')),
  };
}
