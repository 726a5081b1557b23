import { formatPrefix, type Prefix, parsePrefix } from '@anyvip/bgp/wire';

/**
 * Allowed ranges (pools): the only addresses this node may claim. A VIP outside every range is
 * refused with a reason rather than announced, so a typo or a hostile Service cannot attract
 * someone else's traffic (anti-hijack; routers should filter the same way, see
 * examples/routers). No ranges configured means no restriction. Pure.
 */

/** The ranges as prefixes, canonical. Throws `LocalProtocolError` for a malformed one. */
export function parseRanges(texts: readonly string[]): readonly Prefix[] {
  return texts.map((t) => parsePrefix(t));
}

/** Whether `inner` lies entirely inside `outer` (same family, at least as long, same leading bits). */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.afi !== inner.afi || inner.length < outer.length) return false;
  if (outer.afi === 1) {
    const mask = outer.length === 0 ? 0 : (0xffffffff << (32 - outer.length)) >>> 0;
    return (inner.v4 & mask) >>> 0 === outer.v4;
  }
  const a = outer.v6;
  const b = inner.v6 as Uint8Array;
  const whole = outer.length >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = outer.length & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((b[whole] ?? 0) & mask) === (a[whole] ?? 0);
}

/** The verdict on one VIP. */
export type PoolVerdict =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'refused'; readonly reason: string };

/** Whether `vip` may be claimed under `ranges` (empty: anything may). */
export function checkVipInPools(vip: Prefix, ranges: readonly Prefix[]): PoolVerdict {
  if (ranges.length === 0) return { kind: 'allowed' };
  if (ranges.some((r) => prefixContains(r, vip))) return { kind: 'allowed' };
  return {
    kind: 'refused',
    reason: `${formatPrefix(vip)} is outside allowedRanges (${ranges.map(formatPrefix).join(', ')})`,
  };
}
