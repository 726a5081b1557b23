import type { Writer } from '../writer.js';
import type { RouteRefreshCapability } from './capability.js';
import { expectCapabilityLength } from './capability-fault.js';

const routeRefresh: RouteRefreshCapability = Object.freeze({ kind: 'routeRefresh' });

/** Decodes Route Refresh, whose value is empty (RFC 2918 §2). */
export function decodeRouteRefreshCapability(value: Uint8Array): RouteRefreshCapability {
  expectCapabilityLength(value, 0, 'Route Refresh');
  return routeRefresh;
}

/** Route Refresh has no value (RFC 2918 §2). */
export function encodeRouteRefreshCapability(_cap: RouteRefreshCapability, _w: Writer): void {}
