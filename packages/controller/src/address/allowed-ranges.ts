import { formatPrefix, type Prefix, parsePrefix } from '@anyvip/bgp/wire';
import type { IpRange } from './ip-range.js';

/**
 * Allowed ranges: the only addresses this node may claim (anti-hijack). A VIP outside every
 * range is refused with a reason rather than announced, so a typo or a hostile Service cannot
 * attract someone else's traffic (routers should filter the same way, see examples/routers).
 * No ranges configured means no restriction in a configuration file; Kubernetes mode allows
 * only its pools and `--allowed-range` (see desired/ipam.ts `admitAddress`).
 *
 * One model for every mode: inclusive {@link IpRange}s of bigint addresses (ip-range.ts). A
 * prefix is the range from its first to its last address. "Pools" means IPAM pools
 * (desired/ipam.ts) and nothing else. Pure.
 */

/** The ranges as prefixes, canonical. Throws `LocalProtocolError` for a malformed one. */
export function parseRanges(texts: readonly string[]): readonly Prefix[] {
  return texts.map((t) => parsePrefix(t));
}

/** A prefix as the one range model: its first and last address. */
export function rangeOfPrefix(p: Prefix): IpRange {
  const bits = p.afi === 1 ? 32 : 128;
  let value = 0n;
  if (p.afi === 1) value = BigInt(p.v4 >>> 0);
  else for (const b of p.v6) value = (value << 8n) | BigInt(b);
  const host = (1n << BigInt(bits - p.length)) - 1n;
  const first = value & ~host;
  return { family: p.afi === 1 ? 4 : 6, first, last: first | host, text: formatPrefix(p) };
}

/** Whether `inner` lies entirely inside `outer`. */
export function rangeWithin(outer: IpRange, inner: IpRange): boolean {
  return outer.family === inner.family && inner.first >= outer.first && inner.last <= outer.last;
}

/** Whether prefix `inner` lies entirely inside prefix `outer` (same family, same leading bits). */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  return rangeWithin(rangeOfPrefix(outer), rangeOfPrefix(inner));
}

/** The verdict on one VIP. */
export type AllowedVerdict =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'refused'; readonly reason: string };

/** @deprecated the old name of `AllowedVerdict`. */
export type PoolVerdict = AllowedVerdict;

/** Whether `vip` may be claimed under `ranges` (empty: anything may). */
export function checkAllowed(vip: IpRange, ranges: readonly IpRange[]): AllowedVerdict {
  if (ranges.length === 0 || ranges.some((r) => rangeWithin(r, vip))) return { kind: 'allowed' };
  return {
    kind: 'refused',
    reason: `${vip.text} is outside allowedRanges (${ranges.map((r) => r.text).join(', ')})`,
  };
}

/** `checkAllowed` for prefixes, as a configuration file writes them. */
export function checkVipInPools(vip: Prefix, ranges: readonly Prefix[]): AllowedVerdict {
  return checkAllowed(rangeOfPrefix(vip), ranges.map(rangeOfPrefix));
}
