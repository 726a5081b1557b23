import type { Writer } from '../writer.js';
import type { EnhancedRouteRefreshCapability } from './capability.js';
import { expectCapabilityLength } from './capability-fault.js';

const enhancedRouteRefresh: EnhancedRouteRefreshCapability = Object.freeze({ kind: 'enhancedRouteRefresh' });

/** Decodes Enhanced Route Refresh, whose value is empty (RFC 7313 §3.1). */
export function decodeEnhancedRouteRefreshCapability(value: Uint8Array): EnhancedRouteRefreshCapability {
  expectCapabilityLength(value, 0, 'Enhanced Route Refresh');
  return enhancedRouteRefresh;
}

/** Enhanced Route Refresh has no value (RFC 7313 §3.1). */
export function encodeEnhancedRouteRefreshCapability(
  _cap: EnhancedRouteRefreshCapability,
  _w: Writer,
): void {}
