import type { Prefix } from '../wire/prefix.js';
import type { AttributeSet } from './attribute-set.js';

/**
 * A route: one prefix (with its ADD-PATH path identifier, RFC 7911 §3), the path
 * attributes it was announced with, and its next hop. The next hop is kept apart
 * from the attribute set because it is the field most often unique per route and
 * because it travels in NEXT_HOP or in MP_REACH_NLRI depending on the family
 * (RFC 4271 §5.1.3, RFC 4760 §3), so routes that differ only in next hop still
 * share one set.
 */
export interface Route {
  readonly prefix: Prefix;
  readonly attributes: AttributeSet;
  readonly nextHop: string;
}

/** What one change did to a RIB, for events: a new route, a route replaced (implicit withdraw), or a removal. */
export type RouteChange =
  | { readonly kind: 'added'; readonly route: Route }
  | { readonly kind: 'replaced'; readonly route: Route; readonly previous: Route }
  | { readonly kind: 'removed'; readonly route: Route };
