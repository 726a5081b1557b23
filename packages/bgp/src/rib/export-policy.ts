import type { AsPathSegment, PathAttribute } from '../wire/attributes/path-attribute.js';
import type { UnicastAfi } from '../wire/family.js';
import type { RouteTemplate } from './route-template.js';

/** Default LOCAL_PREF sent to iBGP peers (RFC 4271 §5.1.5 leaves it open; 100 is universal). */
export const DEFAULT_LOCAL_PREF = 100;

/** What a peer's session tells the export policy. */
export interface ExportFacts {
  readonly localAsn: number;
  /** Both ends in one AS (RFC 4271 §5.1.2, §5.1.5). */
  readonly ibgp: boolean;
  /** Both sides advertised 4-octet AS numbers (RFC 6793). */
  readonly fourOctetAs: boolean;
  /** Next hop self per family: the session's local address for its own family, configured ones otherwise. */
  readonly nextHopSelf: { readonly ipv4?: string; readonly ipv6?: string };
}

/** A template as one peer receives it, or why that peer cannot. */
export type ExportResult =
  | { readonly kind: 'exported'; readonly attributes: PathAttribute[]; readonly nextHop: string }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * The attributes a locally originated route carries to one peer (RFC 4271 §5.1):
 * - ORIGIN from the template (IGP by default);
 * - AS_PATH: towards an eBGP peer one AS_SEQUENCE of the local AS, repeated
 *   `1 + asPathPrepend` times (§5.1.2); towards an iBGP peer empty, and prepends
 *   are not applied. When the peer lacks 4-octet AS support and the local AS needs
 *   4 octets, AS_PATH carries AS_TRANS and AS4_PATH the real path (RFC 6793 §4.2.2);
 * - NEXT_HOP: the template's, else next-hop self (§5.1.3): the session's local
 *   address when it is of the route's family, else a configured address of that
 *   family; without either the route is refused for this peer;
 * - MULTI_EXIT_DISC when given (§5.1.4);
 * - LOCAL_PREF only towards iBGP peers, 100 unless given (§5.1.5);
 * - COMMUNITIES, EXTENDED_COMMUNITIES, LARGE_COMMUNITY when given.
 */
export function computeExport(template: RouteTemplate, afi: UnicastAfi, facts: ExportFacts): ExportResult {
  let nextHop = template.nextHop;
  if (nextHop === undefined) {
    nextHop = afi === 1 ? facts.nextHopSelf.ipv4 : facts.nextHopSelf.ipv6;
    if (nextHop === undefined) {
      return {
        kind: 'refused',
        reason: `no IPv${afi === 1 ? 4 : 6} next hop for this session: give the route a nextHop or the peer a nextHopSelf address`,
      };
    }
  }
  const attributes: PathAttribute[] = [{ kind: 'origin', value: template.origin }];
  let segments: AsPathSegment[] = [];
  if (!facts.ibgp) {
    const asns = new Array<number>(1 + template.asPathPrepend).fill(facts.localAsn);
    segments = [{ type: 'sequence', asns }];
  }
  attributes.push({ kind: 'asPath', segments });
  if (!facts.fourOctetAs && facts.localAsn > 0xffff && segments.length > 0) {
    attributes.push({ kind: 'as4Path', segments });
  }
  if (template.med !== undefined) attributes.push({ kind: 'med', value: template.med });
  if (facts.ibgp) attributes.push({ kind: 'localPref', value: template.localPref ?? DEFAULT_LOCAL_PREF });
  if (template.communities.length > 0) attributes.push({ kind: 'communities', values: template.communities });
  if (template.extendedCommunities.length > 0) {
    attributes.push({ kind: 'extendedCommunities', values: template.extendedCommunities });
  }
  if (template.largeCommunities.length > 0) {
    attributes.push({ kind: 'largeCommunities', values: template.largeCommunities });
  }
  return { kind: 'exported', attributes, nextHop };
}
