import type { Route } from './rib/route.js';
import { effectiveAsPath } from './wire/attributes/as-path.js';
import { formatCommunity } from './wire/attributes/communities.js';
import { formatExtendedCommunity } from './wire/attributes/extended-communities.js';
import { formatLargeCommunity } from './wire/attributes/large-communities.js';
import type { AsPathSegment } from './wire/attributes/path-attribute.js';
import type { CodecContext } from './wire/context.js';
import { formatPrefix } from './wire/prefix.js';

/**
 * A route received from a peer, decoded for reading and frozen: the same words as
 * what `announce()` takes (prefix text, origin, MED, LOCAL_PREF, communities as text),
 * plus what only a received route has (the AS path, the peer's next hop). Nothing in
 * it is shared with the speaker's RIB, so keeping or changing it has no effect there.
 */
export interface ReceivedRoute {
  /** `10.250.1.0/24`, `fd00:250::/64`. */
  readonly prefix: string;
  readonly family: 'ipv4' | 'ipv6';
  /** The ADD-PATH path identifier (RFC 7911), when the session negotiated it. */
  readonly pathId: number | undefined;
  /** NEXT_HOP, or the MP_REACH_NLRI next hop (RFC 4760 §3). */
  readonly nextHop: string;
  /** ORIGIN (RFC 4271 §5.1.1). */
  readonly origin: 'igp' | 'egp' | 'incomplete';
  /**
   * The ASNs of the AS path in order, leftmost (the peer's) first, with AS4_PATH
   * merged on a 2-octet session (RFC 6793 §4.2.3). Sets are flattened in; see
   * `asPathSegments` when the segment types matter.
   */
  readonly asPath: readonly number[];
  readonly asPathSegments: readonly AsPathSegment[];
  /** MULTI_EXIT_DISC (RFC 4271 §5.1.4). */
  readonly med: number | undefined;
  /** LOCAL_PREF; only iBGP peers' routes have one (RFC 4271 §5.1.5). */
  readonly localPref: number | undefined;
  /** COMMUNITIES as `high:low` (RFC 1997). */
  readonly communities: readonly string[];
  /** LARGE_COMMUNITY as `global:local1:local2` (RFC 8092). */
  readonly largeCommunities: readonly string[];
  /** EXTENDED_COMMUNITIES as text (RFC 4360). */
  readonly extendedCommunities: readonly string[];
}

const ORIGINS = ['igp', 'egp', 'incomplete'] as const;
const NONE: readonly never[] = Object.freeze([]);

/** Decodes one RIB route into a frozen {@link ReceivedRoute}; `ctx` is the session's receive context. */
export function viewReceivedRoute(route: Route, ctx: CodecContext): ReceivedRoute {
  const attributes = route.attributes.attributes;
  let origin: ReceivedRoute['origin'] = 'incomplete';
  let med: number | undefined;
  let localPref: number | undefined;
  let communities: readonly string[] = NONE;
  let largeCommunities: readonly string[] = NONE;
  let extendedCommunities: readonly string[] = NONE;
  for (const a of attributes) {
    switch (a.kind) {
      case 'origin':
        origin = ORIGINS[a.value] ?? 'incomplete';
        break;
      case 'med':
        med = a.value;
        break;
      case 'localPref':
        localPref = a.value;
        break;
      case 'communities':
        communities = Object.freeze(a.values.map(formatCommunity));
        break;
      case 'largeCommunities':
        largeCommunities = Object.freeze(a.values.map(formatLargeCommunity));
        break;
      case 'extendedCommunities':
        extendedCommunities = Object.freeze(a.values.map(formatExtendedCommunity));
        break;
      default:
        break;
    }
  }
  const segments = effectiveAsPath(attributes, ctx).map((s) =>
    Object.freeze({ type: s.type, asns: Object.freeze([...s.asns]) }),
  );
  return Object.freeze({
    prefix: formatPrefix(route.prefix),
    family: route.prefix.afi === 2 ? 'ipv6' : 'ipv4',
    pathId: route.prefix.pathId,
    nextHop: route.nextHop,
    origin,
    asPath: Object.freeze(segments.flatMap((s) => s.asns)),
    asPathSegments: Object.freeze(segments),
    med,
    localPref,
    communities,
    largeCommunities,
    extendedCommunities,
  });
}
