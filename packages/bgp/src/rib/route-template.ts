import { formatAddress, formatIpv4, parseIpv4, parseIpv6 } from '../wire/address.js';
import { parseCommunity } from '../wire/attributes/communities.js';
import { formatExtendedCommunity, parseExtendedCommunity } from '../wire/attributes/extended-communities.js';
import { parseLargeCommunity } from '../wire/attributes/large-communities.js';
import { LocalProtocolError, type LocalProtocolErrorCode } from '../wire/errors.js';
import type { UnicastAfi } from '../wire/family.js';
import { ipv4Mask, type Prefix, parsePrefix } from '../wire/prefix.js';

/** ORIGIN as text (RFC 4271 §4.3 a). */
export type OriginName = 'igp' | 'egp' | 'incomplete';

/** The path attributes of a locally originated route, as the caller gives them. */
export interface RouteAttributesInput {
  /** Next hop; omitted, next-hop self (the session's local address) is used per peer. */
  readonly nextHop?: string;
  /** Communities (RFC 1997): `65000:100`, a well-known name (`NO_EXPORT`), or a 32-bit number. */
  readonly communities?: readonly (string | number)[];
  /** Large communities (RFC 8092): `global:local1:local2` or a triple. */
  readonly largeCommunities?: readonly (string | readonly [number, number, number])[];
  /** Extended communities (RFC 4360): `target:65000:1`, `0x…` (16 hex digits), or 8 octets. */
  readonly extendedCommunities?: readonly (string | Uint8Array)[];
  /** MULTI_EXIT_DISC (RFC 4271 §5.1.4), 0 to 4294967295. */
  readonly med?: number;
  /** LOCAL_PREF for iBGP peers (RFC 4271 §5.1.5), default 100; never sent to eBGP peers. */
  readonly localPref?: number;
  /** Extra copies of the local AS in AS_PATH towards eBGP peers (0 to 32). */
  readonly asPathPrepend?: number;
  /** ORIGIN; default `igp`. */
  readonly origin?: OriginName;
}

/** A route to announce: a prefix (text or {@link Prefix}) and its attributes. */
export interface AnnounceOptions extends RouteAttributesInput {
  readonly prefix: string | Prefix;
}

/**
 * The checked, canonical attributes of locally originated routes: one shared object
 * per distinct attribute choice (the speaker interns them by {@link key}), so a
 * million routes announced alike hold one template. Peers turn a template into
 * their own attribute set (export-policy.ts).
 */
export interface RouteTemplate {
  /** Canonical text of every field: equal templates have equal keys. */
  readonly key: string;
  readonly origin: 0 | 1 | 2;
  /** Canonical next hop text, or undefined for next-hop self. */
  readonly nextHop: string | undefined;
  /** AFI of {@link nextHop}, when set. */
  readonly nextHopAfi: UnicastAfi | undefined;
  readonly med: number | undefined;
  readonly localPref: number | undefined;
  readonly communities: readonly number[];
  readonly largeCommunities: readonly (readonly [number, number, number])[];
  readonly extendedCommunities: readonly Uint8Array[];
  readonly asPathPrepend: number;
}

/** Longest AS_PATH prepend accepted: longer ones are refused by many routers anyway. */
export const MAX_AS_PATH_PREPEND = 32;

function bad(code: LocalProtocolErrorCode, message: string): never {
  throw new LocalProtocolError(code, message);
}

function uint32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    bad('ANYVIP_BAD_ATTRIBUTE', `${what} must be an integer in [0, 4294967295], got ${value}`);
  }
  return value;
}

const originValue: Record<OriginName, 0 | 1 | 2> = { igp: 0, egp: 1, incomplete: 2 };

/** Canonical next hop text and its AFI; throws LocalProtocolError for anything but an address. */
export function parseNextHop(text: string): { readonly text: string; readonly afi: UnicastAfi } {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) {
    if (v4 === 0) bad('ANYVIP_BAD_NEXT_HOP', 'next hop 0.0.0.0 is not usable (RFC 4271 §6.3)');
    return { text: formatIpv4(v4), afi: 1 };
  }
  const v6 = parseIpv6(text);
  if (v6 === undefined) bad('ANYVIP_BAD_NEXT_HOP', `next hop is not an IP address: ${JSON.stringify(text)}`);
  if (v6.every((b) => b === 0)) bad('ANYVIP_BAD_NEXT_HOP', 'next hop :: is not usable');
  return { text: formatAddress(v6), afi: 2 };
}

/**
 * Checks and canonicalises route attributes into a template. Throws
 * {@link LocalProtocolError} for anything malformed: a next hop that is not an
 * address, a community that does not parse, a value out of range.
 */
export function buildRouteTemplate(input: RouteAttributesInput): RouteTemplate {
  const origin = originValue[input.origin ?? 'igp'];
  if (origin === undefined)
    bad('ANYVIP_BAD_ATTRIBUTE', `origin must be igp, egp or incomplete, got ${input.origin}`);
  const nh = input.nextHop === undefined ? undefined : parseNextHop(input.nextHop);
  const med = input.med === undefined ? undefined : uint32(input.med, 'med');
  const localPref = input.localPref === undefined ? undefined : uint32(input.localPref, 'localPref');
  const prepend = input.asPathPrepend ?? 0;
  if (!Number.isInteger(prepend) || prepend < 0 || prepend > MAX_AS_PATH_PREPEND) {
    bad(
      'ANYVIP_BAD_ATTRIBUTE',
      `asPathPrepend must be an integer in [0, ${MAX_AS_PATH_PREPEND}], got ${prepend}`,
    );
  }
  const communities = (input.communities ?? []).map((c) =>
    typeof c === 'number' ? uint32(c, 'community') : parseCommunity(c),
  );
  const largeCommunities = (input.largeCommunities ?? []).map((c): readonly [number, number, number] => {
    if (typeof c === 'string') return parseLargeCommunity(c);
    return [
      uint32(c[0], 'large community'),
      uint32(c[1], 'large community'),
      uint32(c[2], 'large community'),
    ];
  });
  const extendedCommunities = (input.extendedCommunities ?? []).map((c) => {
    if (typeof c === 'string') return parseExtendedCommunity(c);
    if (c.length !== 8) bad('ANYVIP_BAD_COMMUNITY', `an extended community is 8 octets, got ${c.length}`);
    return c.slice();
  });
  const key = [
    origin,
    nh?.text ?? '',
    med ?? '',
    localPref ?? '',
    prepend,
    communities.join(','),
    largeCommunities.map((c) => c.join(':')).join(','),
    extendedCommunities.map(formatExtendedCommunity).join(','),
  ].join('|');
  return Object.freeze({
    key,
    origin,
    nextHop: nh?.text,
    nextHopAfi: nh?.afi,
    med,
    localPref,
    communities: Object.freeze(communities),
    largeCommunities: Object.freeze(largeCommunities),
    extendedCommunities: Object.freeze(extendedCommunities),
    asPathPrepend: prepend,
  });
}

/**
 * A prefix to announce or withdraw, from text or a {@link Prefix} object, checked:
 * a known AFI, a length in range, no host bits, no path identifier (the speaker
 * originates one path per prefix). Throws {@link LocalProtocolError}.
 */
export function checkPrefix(prefix: string | Prefix): Prefix {
  if (typeof prefix === 'string') return parsePrefix(prefix);
  if (prefix === null || typeof prefix !== 'object')
    bad('ANYVIP_BAD_PREFIX', 'prefix must be text or a Prefix');
  if (prefix.pathId !== undefined) {
    bad('ANYVIP_BAD_PREFIX', 'path identifiers are not accepted: the speaker originates one path per prefix');
  }
  if (prefix.afi === 1) {
    const ok =
      Number.isInteger(prefix.length) &&
      prefix.length >= 0 &&
      prefix.length <= 32 &&
      Number.isInteger(prefix.v4) &&
      prefix.v4 >= 0 &&
      prefix.v4 <= 0xffffffff &&
      (prefix.v4 & ipv4Mask(prefix.length)) >>> 0 === prefix.v4;
    if (!ok) bad('ANYVIP_BAD_PREFIX', `not a valid IPv4 prefix: ${prefix.v4}/${prefix.length}`);
    return prefix;
  }
  if (prefix.afi === 2) {
    if (!(prefix.v6 instanceof Uint8Array) || prefix.v6.length !== 16)
      bad('ANYVIP_BAD_PREFIX', 'IPv6 prefix needs 16 octets');
    if (!(Number.isInteger(prefix.length) && prefix.length >= 0 && prefix.length <= 128)) {
      bad('ANYVIP_BAD_PREFIX', `bad IPv6 prefix length ${prefix.length}`);
    }
    for (let bit = prefix.length; bit < 128; bit++) {
      if (prefix.v6[bit >> 3]! & (0x80 >> (bit & 7)))
        bad('ANYVIP_BAD_PREFIX', 'host bits set in IPv6 prefix');
    }
    return prefix;
  }
  return bad('ANYVIP_BAD_PREFIX', `unknown prefix AFI ${(prefix as { afi: unknown }).afi}`);
}

/**
 * Checks that a template's explicit next hop suits a prefix of `afi`: an IPv4 route
 * needs an IPv4 next hop and an IPv6 route an IPv6 one. (IPv4 routes over an IPv6
 * next hop, RFC 8950, are not offered for locally originated routes.)
 */
export function checkNextHopFamily(template: RouteTemplate, afi: UnicastAfi): void {
  if (template.nextHopAfi !== undefined && template.nextHopAfi !== afi) {
    bad(
      'ANYVIP_BAD_NEXT_HOP',
      `next hop ${template.nextHop} is IPv${template.nextHopAfi === 1 ? 4 : 6}, the prefix is IPv${afi === 1 ? 4 : 6}`,
    );
  }
}
