import { assertNever } from '../wire/assert-never.js';
import { formatCommunity } from '../wire/attributes/communities.js';
import { decodeLinkBandwidth, formatLinkBandwidth } from '../wire/attributes/link-bandwidth.js';
import type { AsPathSegment, PathAttribute } from '../wire/attributes/path-attribute.js';
import type { Capability } from '../wire/capabilities/capability.js';
import { CapabilityCode, names, RouteRefreshSubtype } from '../wire/constants.js';
import type { WireError } from '../wire/errors.js';
import type { BgpMessage } from '../wire/message.js';
import { hardResetCause, type NotificationMessage } from '../wire/notification.js';
import { type OpenMessage, openAsn } from '../wire/open.js';
import { formatPrefix, type Prefix } from '../wire/prefix.js';
import type { ParsedUpdate } from '../wire/update.js';

/** A JSON value as this module builds it. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue | undefined;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of bytes. */
export function hexOf(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

/** `a.b.c.d/n`, or `{prefix, pathId}` when the prefix carries an ADD-PATH path id (RFC 7911). */
export function formatNlri(p: Prefix): JsonValue {
  const text = formatPrefix(p);
  return p.pathId === undefined ? text : { prefix: text, pathId: p.pathId };
}

function prefixes(list: readonly Prefix[]): JsonValue[] {
  const out: JsonValue[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = formatNlri(list[i]!);
  return out;
}

const segmentTypeName: Record<AsPathSegment['type'], string> = {
  set: 'AS_SET',
  sequence: 'AS_SEQUENCE',
  confedSequence: 'AS_CONFED_SEQUENCE',
  confedSet: 'AS_CONFED_SET',
};

function asPath(segments: readonly AsPathSegment[]): JsonValue[] {
  return segments.map((s) => ({ type: segmentTypeName[s.type], asns: s.asns }));
}

const originName = ['IGP', 'EGP', 'INCOMPLETE'] as const;

/**
 * An extended community as text (RFC 4360 §3-4, RFC 5668, RFC 7153): route targets
 * and route origins as `target:G:L` / `origin:G:L` (the notation ExaBGP and others
 * use), link bandwidth as the wire formats it (`link-bandwidth:AS:BYTES_PER_SEC`), anything
 * else as `0x` and the 8 octets in hex.
 */
export function formatExtendedCommunity(b: Uint8Array): string {
  const lb = decodeLinkBandwidth(b);
  if (lb !== undefined) return formatLinkBandwidth(lb);
  const type = b[0]!;
  const sub = b[1]!;
  if (sub === 0x02 || sub === 0x03) {
    const tag = sub === 0x02 ? 'target' : 'origin';
    const u16 = (i: number) => (b[i]! << 8) | b[i + 1]!;
    const u32 = (i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
    switch (type) {
      case 0x00: // two-octet AS specific
        return `${tag}:${u16(2)}:${u32(4)}`;
      case 0x01: // IPv4 address specific
        return `${tag}:${b[2]}.${b[3]}.${b[4]}.${b[5]}:${u16(6)}`;
      case 0x02: // four-octet AS specific
        return `${tag}:${u32(2)}:${u16(6)}`;
    }
  }
  return `0x${hexOf(b)}`;
}

function mutable(o: Record<string, JsonValue | undefined>): Record<string, JsonValue | undefined> {
  return o;
}

/** The `attributes` object of an UPDATE or RIB entry, keyed by attribute name in received order. */
export function formatAttributes(attrs: readonly PathAttribute[]): JsonObject {
  const o = mutable({});
  let unknown: JsonValue[] | undefined;
  for (const a of attrs) {
    switch (a.kind) {
      case 'origin':
        o.origin = originName[a.value] ?? a.value;
        break;
      case 'asPath':
        o.asPath = asPath(a.segments);
        break;
      case 'nextHop':
        o.nextHop = a.address;
        break;
      case 'med':
        o.med = a.value;
        break;
      case 'localPref':
        o.localPref = a.value;
        break;
      case 'atomicAggregate':
        o.atomicAggregate = true;
        break;
      case 'aggregator':
        o.aggregator = { asn: a.asn, address: a.address };
        break;
      case 'communities':
        o.communities = a.values.map(formatCommunity);
        break;
      case 'originatorId':
        o.originatorId = a.id;
        break;
      case 'clusterList':
        o.clusterList = a.ids;
        break;
      case 'mpReach':
        o.mpReach =
          a.nlri === undefined
            ? {
                afi: a.afi,
                safi: a.safi,
                nextHops: a.nextHops,
                hex: a.raw === undefined ? undefined : hexOf(a.raw),
              }
            : { afi: a.afi, safi: a.safi, nextHops: a.nextHops, nlri: prefixes(a.nlri) };
        break;
      case 'mpUnreach':
        o.mpUnreach =
          a.withdrawn === undefined
            ? { afi: a.afi, safi: a.safi, hex: a.raw === undefined ? undefined : hexOf(a.raw) }
            : { afi: a.afi, safi: a.safi, withdrawn: prefixes(a.withdrawn) };
        break;
      case 'extendedCommunities':
        o.extendedCommunities = a.values.map(formatExtendedCommunity);
        break;
      case 'as4Path':
        o.as4Path = asPath(a.segments);
        break;
      case 'as4Aggregator':
        o.as4Aggregator = { asn: a.asn, address: a.address };
        break;
      case 'largeCommunities':
        o.largeCommunities = a.values.map((v) => `${v[0]}:${v[1]}:${v[2]}`);
        break;
      case 'otc':
        o.otc = a.asn;
        break;
      case 'unknown':
        if (unknown === undefined) unknown = [];
        unknown.push({ code: a.code, flags: a.flags, hex: hexOf(a.value) });
        break;
      default:
        assertNever(a);
    }
  }
  if (unknown !== undefined) o.unknown = unknown;
  return o;
}

/** RFC 7606 findings of an UPDATE as JSON. */
export function formatIssues(issues: readonly WireError[]): JsonValue[] {
  return issues.map((e) => ({
    code: e.code,
    subcode: e.subcode,
    errorCode: e.errorCode,
    action: e.action,
    attrType: e.attrType,
    reason: e.message,
  }));
}

function familyName(afi: number, safi: number): string {
  return `${names.afi.get(afi) ?? afi}/${names.safi.get(safi) ?? safi}`;
}

const capabilityCode: Record<Exclude<Capability['kind'], 'unknown'>, number> = {
  multiprotocol: CapabilityCode.MULTIPROTOCOL,
  routeRefresh: CapabilityCode.ROUTE_REFRESH,
  extendedNextHop: CapabilityCode.EXTENDED_NEXT_HOP,
  extendedMessage: CapabilityCode.EXTENDED_MESSAGE,
  role: CapabilityCode.BGP_ROLE,
  gracefulRestart: CapabilityCode.GRACEFUL_RESTART,
  fourOctetAs: CapabilityCode.FOUR_OCTET_AS,
  addPath: CapabilityCode.ADD_PATH,
  enhancedRouteRefresh: CapabilityCode.ENHANCED_ROUTE_REFRESH,
  longLivedGracefulRestart: CapabilityCode.LONG_LIVED_GRACEFUL_RESTART,
  fqdn: CapabilityCode.FQDN,
  softwareVersion: CapabilityCode.SOFTWARE_VERSION,
};

const roleName = ['PROVIDER', 'RS', 'RS_CLIENT', 'CUSTOMER', 'PEER'] as const;

/** One capability as `{code, name, …decoded fields}` (RFC 5492 and the capability's own RFC). */
export function formatCapability(c: Capability): JsonObject {
  const code = c.kind === 'unknown' ? c.code : capabilityCode[c.kind];
  const head = { code, name: names.capability.get(code) ?? 'UNKNOWN' };
  switch (c.kind) {
    case 'multiprotocol':
      return { ...head, afi: c.afi, safi: c.safi, family: familyName(c.afi, c.safi) };
    case 'routeRefresh':
    case 'extendedMessage':
    case 'enhancedRouteRefresh':
      return head;
    case 'extendedNextHop':
      return {
        ...head,
        entries: c.entries.map((e) => ({ afi: e.afi, safi: e.safi, nextHopAfi: e.nextHopAfi })),
      };
    case 'role':
      return { ...head, role: c.role, roleName: roleName[c.role] };
    case 'gracefulRestart':
      return {
        ...head,
        restartState: c.restartState,
        notification: c.notification,
        restartTime: c.restartTimeSec,
        families: c.families.map((f) => ({
          afi: f.afi,
          safi: f.safi,
          forwardingPreserved: f.forwardingPreserved,
        })),
      };
    case 'fourOctetAs':
      return { ...head, asn: c.asn };
    case 'addPath':
      return {
        ...head,
        families: c.families.map((f) => ({ afi: f.afi, safi: f.safi, send: f.send, receive: f.receive })),
      };
    case 'longLivedGracefulRestart':
      return {
        ...head,
        families: c.families.map((f) => ({
          afi: f.afi,
          safi: f.safi,
          forwardingPreserved: f.forwardingPreserved,
          staleTime: f.staleTimeSec,
        })),
      };
    case 'fqdn':
      return { ...head, hostname: c.hostname, domainName: c.domainName };
    case 'softwareVersion':
      return { ...head, version: c.version };
    case 'unknown':
      return { ...head, hex: hexOf(c.value) };
    default:
      return assertNever(c);
  }
}

function formatOpen(m: OpenMessage): JsonObject {
  return {
    version: m.version,
    asn: openAsn(m),
    myAsn: m.myAsn,
    holdTime: m.holdTimeSec,
    routerId: m.bgpIdentifier,
    capabilities: m.capabilities.map(formatCapability),
    otherParameters: m.otherParameters?.map((p) => ({ type: p.type, hex: hexOf(p.value) })),
  };
}

function notificationFields(m: NotificationMessage): JsonObject {
  const sub = names.subcodes.get(m.code)?.get(m.subcode);
  return {
    code: m.code,
    subcode: m.subcode,
    codeName: names.errorCode.get(m.code) ?? null,
    subcodeName: sub ?? null,
    data: hexOf(m.data),
    shutdownMessage: m.shutdownMessage,
  };
}

function formatNotification(m: NotificationMessage): JsonObject {
  const inner = hardResetCause(m);
  return { ...notificationFields(m), hardReset: inner === undefined ? undefined : notificationFields(inner) };
}

const routeRefreshSubtypeName = new Map<number, string>(
  Object.entries(RouteRefreshSubtype).map(([k, v]) => [v, k]),
);

/** The fields of an UPDATE after parsing (prefixes, attributes, End-of-RIB, RFC 7606 findings). */
export function formatParsedUpdate(p: ParsedUpdate): JsonObject {
  return {
    withdrawn: prefixes(p.withdrawn),
    nlri: prefixes(p.nlri),
    attributes: formatAttributes(p.attributes),
    endOfRib: p.endOfRib === undefined ? undefined : { afi: p.endOfRib.afi, safi: p.endOfRib.safi },
    issues: p.issues.length === 0 ? undefined : formatIssues(p.issues),
    action: p.action,
  };
}

/** The JSON type name of a message kind, as the output contract spells it. */
export const messageTypeName: Record<BgpMessage['kind'], string> = {
  open: 'OPEN',
  update: 'UPDATE',
  notification: 'NOTIFICATION',
  keepalive: 'KEEPALIVE',
  routeRefresh: 'ROUTE-REFRESH',
};

/**
 * A decoded message as a JSON object, after `position` (where it came from: capture
 * endpoints and time, or MRT peer and time). UPDATEs need their parsed form.
 */
export function formatMessage(m: BgpMessage, position: JsonObject, parsed?: ParsedUpdate): JsonObject {
  const head = { type: messageTypeName[m.kind], ...position };
  switch (m.kind) {
    case 'open':
      return { ...head, ...formatOpen(m) };
    case 'update':
      return parsed === undefined ? head : { ...head, ...formatParsedUpdate(parsed) };
    case 'notification':
      return { ...head, ...formatNotification(m) };
    case 'keepalive':
      return head;
    case 'routeRefresh':
      return {
        ...head,
        afi: m.afi,
        safi: m.safi,
        subtype: m.subtype,
        subtypeName: routeRefreshSubtypeName.get(m.subtype) ?? null,
      };
    default:
      return assertNever(m);
  }
}

/** The ERROR record of a malformed message or input (`errorCode` as WireError spells it). */
export function formatError(e: WireError, position: JsonObject, extra: JsonObject = {}): JsonObject {
  return {
    type: 'ERROR',
    ...position,
    code: e.code,
    subcode: e.subcode,
    errorCode: e.errorCode,
    codeName: e.codeName,
    action: e.action,
    reason: e.message,
    data: e.data.length > 0 ? hexOf(e.data) : undefined,
    ...extra,
  };
}
