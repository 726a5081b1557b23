/**
 * The RIB floor: interned attribute sets and the per-peer Adj-RIBs (RFC 4271 §3.2).
 * Pure data structures on top of `wire`; no sockets, timers or clocks.
 */
export {
  AdjRibIn,
  type AdjRibInOptions,
  type AdjRibInResult,
  type MaxPrefixAction,
  type MaxPrefixExceeded,
  type MaxPrefixLimit,
  maxPrefixNotification,
} from './adj-rib-in.js';
export { AdjRibOut, type AdjRibOutOptions } from './adj-rib-out.js';
export { AttributeSet, AttributeSetTable } from './attribute-set.js';
export { PrefixMap } from './prefix-map.js';
export type { AddressFamily, Route, RouteChange, UnicastAfi } from './route.js';
