import { parseIpv4 } from '../wire/address.js';
import type {
  Capability,
  GracefulRestartCapability,
  LongLivedGracefulRestartCapability,
} from '../wire/capabilities/capability.js';
import { encodeCapability } from '../wire/capabilities/index.js';
import {
  Afi,
  AS_TRANS,
  BGP_VERSION,
  BgpRole,
  CapabilityCode,
  ErrorCode,
  familyKey,
  OpenErrorSubcode,
  Safi,
} from '../wire/constants.js';
import { type CodecContext, makeContext } from '../wire/context.js';
import type { Family } from '../wire/family.js';
import type { NotificationMessage } from '../wire/notification.js';
import { type OpenMessage, openAsn } from '../wire/open.js';
import { Writer } from '../wire/writer.js';
import type { RequirableCapability, ResolvedFsmConfig } from './config.js';

/**
 * What the OPEN exchange agreed (RFC 4271 §4.2, RFC 5492): the peer's identity, the
 * timers, and the capabilities both sides can use, with the two codec contexts that
 * follow from them.
 */
export interface Negotiated {
  /** The peer's OPEN, as received. */
  readonly peerOpen: OpenMessage;
  /** The peer's real AS: its 4-octet AS capability's, else My AS (RFC 6793 §4.1). */
  readonly peerAsn: number;
  readonly peerBgpIdentifier: string;
  /** Both ends are in the same AS. */
  readonly ibgp: boolean;
  /** min(ours, the peer's); 0 means neither KEEPALIVEs nor a Hold timer (RFC 4271 §4.2). */
  readonly holdTimeSec: number;
  /**
   * holdTimeSec / 3, rounded down, at least 1, or the configured KeepaliveTime when
   * smaller; 0 when holdTimeSec is 0 (RFC 4271 §4.4, §10).
   */
  readonly keepaliveTimeSec: number;
  /** Families both sides offered, in our configured order (RFC 4760 §8). */
  readonly families: readonly Family[];
  /** Both sides advertised 4-octet AS numbers (RFC 6793). */
  readonly fourOctetAs: boolean;
  /** Family keys whose NLRI carry path identifiers, per direction (RFC 7911 §4). */
  readonly addPath: { readonly receive: ReadonlySet<number>; readonly send: ReadonlySet<number> };
  /** Both sides advertised Extended Messages (RFC 8654); we may send them. */
  readonly extendedMessage: boolean;
  /** We may send ROUTE-REFRESH: the peer advertised it, or Cisco's code 128 (RFC 2918 §3). */
  readonly routeRefresh: boolean;
  /** Enhanced Route Refresh on both sides (RFC 7313). */
  readonly enhancedRouteRefresh: boolean;
  /** Roles on an eBGP session (RFC 9234); checked compatible when both are present. */
  readonly localRole: number | undefined;
  readonly remoteRole: number | undefined;
  /** The peer's Graceful Restart capability (RFC 4724), recorded for the RIB. */
  readonly peerGracefulRestart: GracefulRestartCapability | undefined;
  /** The peer's Long-Lived GR capability (RFC 9494), only when it also sent GR. */
  readonly peerLongLivedGracefulRestart: LongLivedGracefulRestartCapability | undefined;
  /** Context to decode what the peer sends. */
  readonly receiveContext: CodecContext;
  /** Context to encode what we send. */
  readonly sendContext: CodecContext;
}

/** The outcome of checking a peer's OPEN: agreed parameters, or the NOTIFICATION to send. */
export type NegotiationResult =
  | { readonly kind: 'accepted'; readonly negotiated: Negotiated }
  | { readonly kind: 'rejected'; readonly notification: NotificationMessage; readonly reason: string };

const IPV4_UNICAST: Family = Object.freeze({ afi: Afi.IPV4, safi: Safi.UNICAST });
/** Cisco's pre-standard Route Refresh code, which many routers still send beside code 2. */
const ROUTE_REFRESH_CISCO = CapabilityCode.ROUTE_REFRESH_CISCO;

/** Our capabilities, in the order we send them. */
export function computeLocalCapabilities(config: ResolvedFsmConfig): Capability[] {
  const caps: Capability[] = config.families.map((f) => ({
    kind: 'multiprotocol',
    afi: f.afi,
    safi: f.safi,
  }));
  if (config.routeRefresh) caps.push({ kind: 'routeRefresh' });
  if (config.enhancedRouteRefresh) caps.push({ kind: 'enhancedRouteRefresh' });
  caps.push({ kind: 'fourOctetAs', asn: config.localAsn });
  if (config.addPath.length > 0) {
    caps.push({
      kind: 'addPath',
      families: config.addPath.map((f) => ({ afi: f.afi, safi: f.safi, send: f.send, receive: f.receive })),
    });
  }
  if (config.extendedMessage) caps.push({ kind: 'extendedMessage' });
  if (config.extendedNextHop.length > 0) {
    caps.push({
      kind: 'extendedNextHop',
      entries: config.extendedNextHop.map((e) => ({ afi: e.afi, safi: e.safi, nextHopAfi: e.nextHopAfi })),
    });
  }
  if (config.role !== undefined) caps.push({ kind: 'role', role: config.role.role });
  if (config.gracefulRestart !== undefined) caps.push({ kind: 'gracefulRestart', ...config.gracefulRestart });
  if (config.longLivedGracefulRestart !== undefined) {
    caps.push({ kind: 'longLivedGracefulRestart', ...config.longLivedGracefulRestart });
  }
  return caps;
}

/**
 * Our OPEN (RFC 4271 §4.2): My AS is the real ASN when it fits in 2 octets and
 * AS_TRANS otherwise, the real one going in the 4-octet AS capability (RFC 6793 §4.1).
 */
export function computeLocalOpen(config: ResolvedFsmConfig): OpenMessage {
  return {
    kind: 'open',
    version: BGP_VERSION,
    myAsn: config.localAsn <= 0xffff ? config.localAsn : AS_TRANS,
    holdTimeSec: config.holdTimeSec,
    bgpIdentifier: config.bgpIdentifier,
    capabilities: computeLocalCapabilities(config),
  };
}

/** The smaller of the two Hold Times; 0 when either side offered 0 (RFC 4271 §4.2). */
export function negotiateHoldTime(localSec: number, peerSec: number): number {
  return Math.min(localSec, peerSec);
}

/**
 * KeepaliveTime for a negotiated Hold Time: a third of it, at least 1 s; 0 for a Hold
 * Time of 0, when no KEEPALIVE is sent (RFC 4271 §4.4, §10). A configured interval is
 * used when it is smaller: one third is the RFC's "reasonable maximum", and the peer
 * may have offered a smaller Hold Time than ours, so a configured interval at or above
 * the negotiated Hold Time's third is lowered to it, as FRR and BIRD 2 do (BIRD 2.0.12 set to
 * `keepalive time 20` runs a 20 s timer at a 90 s Hold Time and a 3 s one when we offer 9 s).
 */
export function computeKeepaliveTimeSec(holdTimeSec: number, configuredSec?: number): number {
  if (holdTimeSec === 0) return 0;
  const third = Math.max(1, Math.floor(holdTimeSec / 3));
  return configuredSec === undefined ? third : Math.min(configuredSec, third);
}

function openNotification(subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationMessage {
  return { kind: 'notification', code: ErrorCode.OPEN_MESSAGE_ERROR, subcode, data };
}

function rejected(subcode: number, reason: string, data?: Uint8Array): NegotiationResult {
  return { kind: 'rejected', notification: openNotification(subcode, data), reason };
}

/** Capabilities as they appear in an OPEN, for the 2/7 data field (RFC 5492 §5). */
function encodeCapabilities(caps: readonly Capability[]): Uint8Array {
  const w = new Writer(64);
  for (const c of caps) encodeCapability(c, w);
  return w.finish();
}

function peerHas(open: OpenMessage, kind: RequirableCapability): boolean {
  return open.capabilities.some(
    (c) =>
      c.kind === kind || (kind === 'routeRefresh' && c.kind === 'unknown' && c.code === ROUTE_REFRESH_CISCO),
  );
}

/** The families the peer offers: its Multiprotocol capabilities, or IPv4 unicast without any (RFC 4760 §8). */
function peerFamilies(open: OpenMessage): ReadonlySet<number> {
  const keys = new Set<number>();
  for (const c of open.capabilities) if (c.kind === 'multiprotocol') keys.add(familyKey(c.afi, c.safi));
  if (keys.size === 0) keys.add(familyKey(IPV4_UNICAST.afi, IPV4_UNICAST.safi));
  return keys;
}

/** RFC 9234 §4.2, Table 2: the remote role each local role must meet. */
const matchingRole: ReadonlyMap<number, number> = new Map([
  [BgpRole.PROVIDER, BgpRole.CUSTOMER],
  [BgpRole.CUSTOMER, BgpRole.PROVIDER],
  [BgpRole.RS, BgpRole.RS_CLIENT],
  [BgpRole.RS_CLIENT, BgpRole.RS],
  [BgpRole.PEER, BgpRole.PEER],
]);

/**
 * Checks the peer's OPEN against our configuration (RFC 4271 §6.2) and intersects
 * the capabilities. The checks, in order, each with its NOTIFICATION:
 * - version other than 4: 2/1, data the largest version we support (2 octets);
 * - My AS 0 (RFC 7607 §2), AS_TRANS without a 4-octet AS capability (RFC 6793), or
 *   a real AS other than the configured one: 2/2;
 * - Hold Time 1 or 2, or below `minHoldTimeSec` (0 is always fine): 2/6;
 * - BGP Identifier 0.0.0.0, or our own on an iBGP session (RFC 6286 §2.2): 2/3;
 * - optional parameters other than Capabilities (RFC 4271 §6.2): 2/4;
 * - a required capability missing, or no family in common: 2/7, data the
 *   capabilities we wanted, as we advertise them (RFC 5492 §5);
 * - on eBGP, roles that do not match, differing Role capabilities, or none at all
 *   in strict mode (RFC 9234 §4.2): 2/11.
 * Capabilities we do not know are ignored (RFC 5492 §3).
 */
export function negotiate(config: ResolvedFsmConfig, open: OpenMessage): NegotiationResult {
  if (open.version !== BGP_VERSION) {
    return rejected(
      OpenErrorSubcode.UNSUPPORTED_VERSION_NUMBER,
      `version ${open.version}, we speak ${BGP_VERSION}`,
      Uint8Array.of(0, BGP_VERSION),
    );
  }

  const peerAsn = openAsn(open);
  const fourOctetCap = open.capabilities.some((c) => c.kind === 'fourOctetAs');
  if (open.myAsn === 0 || peerAsn === 0)
    return rejected(OpenErrorSubcode.BAD_PEER_AS, 'peer AS 0 (RFC 7607 §2)');
  if (open.myAsn === AS_TRANS && !fourOctetCap) {
    return rejected(
      OpenErrorSubcode.BAD_PEER_AS,
      'My AS is AS_TRANS without a 4-octet AS capability (RFC 6793)',
    );
  }
  if (config.remoteAsn !== undefined && peerAsn !== config.remoteAsn) {
    return rejected(OpenErrorSubcode.BAD_PEER_AS, `peer AS ${peerAsn}, expected ${config.remoteAsn}`);
  }

  const peerHold = open.holdTimeSec;
  if (peerHold === 1 || peerHold === 2 || (peerHold !== 0 && peerHold < config.minHoldTimeSec)) {
    return rejected(OpenErrorSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${peerHold} s`);
  }

  const ibgp = peerAsn === config.localAsn;
  const peerId = parseIpv4(open.bgpIdentifier);
  if (peerId === undefined || peerId === 0) {
    return rejected(OpenErrorSubcode.BAD_BGP_IDENTIFIER, `BGP Identifier ${open.bgpIdentifier}`);
  }
  if (ibgp && peerId === parseIpv4(config.bgpIdentifier)) {
    return rejected(
      OpenErrorSubcode.BAD_BGP_IDENTIFIER,
      'iBGP peer uses our own BGP Identifier (RFC 6286 §2.2)',
    );
  }

  if (open.otherParameters !== undefined && open.otherParameters.length > 0) {
    const types = open.otherParameters.map((p) => p.type).join(', ');
    return rejected(OpenErrorSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, `optional parameter type ${types}`);
  }

  const localCaps = computeLocalCapabilities(config);
  const offered = peerFamilies(open);
  const missing: Capability[] = [];
  for (const required of config.requireCapabilities) {
    if (required === 'multiprotocol') {
      for (const c of localCaps) {
        if (c.kind === 'multiprotocol' && !offered.has(familyKey(c.afi, c.safi))) missing.push(c);
      }
    } else if (!peerHas(open, required)) {
      for (const c of localCaps) if (c.kind === required) missing.push(c);
    }
  }
  if (missing.length > 0) {
    return rejected(
      OpenErrorSubcode.UNSUPPORTED_CAPABILITY,
      `peer lacks required ${missing.map((c) => c.kind).join(', ')}`,
      encodeCapabilities(missing),
    );
  }
  const families = config.families.filter((f) => offered.has(familyKey(f.afi, f.safi)));
  if (families.length === 0) {
    // Nothing could ever be exchanged; FRR refuses such a session the same way.
    return rejected(
      OpenErrorSubcode.UNSUPPORTED_CAPABILITY,
      'no address family in common',
      encodeCapabilities(localCaps.filter((c) => c.kind === 'multiprotocol')),
    );
  }

  let remoteRole: number | undefined;
  const localRole = ibgp ? undefined : config.role?.role;
  if (!ibgp) {
    const roles = new Set<number>();
    for (const c of open.capabilities) if (c.kind === 'role') roles.add(c.role);
    if (roles.size > 1)
      return rejected(OpenErrorSubcode.ROLE_MISMATCH, 'differing Role capabilities (RFC 9234 §4.2)');
    remoteRole = roles.values().next().value;
    if (config.role !== undefined) {
      if (remoteRole === undefined) {
        if (config.role.strict) {
          return rejected(
            OpenErrorSubcode.ROLE_MISMATCH,
            'no Role capability in strict mode (RFC 9234 §4.2)',
          );
        }
      } else if (matchingRole.get(config.role.role) !== remoteRole) {
        return rejected(
          OpenErrorSubcode.ROLE_MISMATCH,
          `role ${remoteRole} does not match our role ${config.role.role} (RFC 9234 §4.2)`,
        );
      }
    }
  }

  return {
    kind: 'accepted',
    negotiated: intersect(config, open, { peerAsn, ibgp, families, localRole, remoteRole }),
  };
}

function intersect(
  config: ResolvedFsmConfig,
  open: OpenMessage,
  facts: {
    peerAsn: number;
    ibgp: boolean;
    families: readonly Family[];
    localRole: number | undefined;
    remoteRole: number | undefined;
  },
): Negotiated {
  const common = new Set(facts.families.map((f) => familyKey(f.afi, f.safi)));
  const caps = open.capabilities;

  // RFC 7911 §4: we receive path ids where we said receive and the peer said send, and the reverse.
  const peerAddPath = new Map<number, { send: boolean; receive: boolean }>();
  for (const c of caps) {
    if (c.kind !== 'addPath') continue;
    for (const f of c.families)
      peerAddPath.set(familyKey(f.afi, f.safi), { send: f.send, receive: f.receive });
  }
  const addPathReceive = new Set<number>();
  const addPathSend = new Set<number>();
  for (const f of config.addPath) {
    const key = familyKey(f.afi, f.safi);
    const peer = peerAddPath.get(key);
    if (peer === undefined || !common.has(key)) continue;
    if (f.receive && peer.send) addPathReceive.add(key);
    if (f.send && peer.receive) addPathSend.add(key);
  }

  // RFC 8950 §3: advertising an entry says "I accept"; we send only what both sides listed.
  const peerNextHops = new Set<string>();
  for (const c of caps) {
    if (c.kind !== 'extendedNextHop') continue;
    for (const e of c.entries) peerNextHops.add(`${e.afi}/${e.safi}/${e.nextHopAfi}`);
  }
  const nextHopReceive = new Set<number>();
  const nextHopSend = new Set<number>();
  for (const e of config.extendedNextHop) {
    const key = familyKey(e.afi, e.safi);
    if (!common.has(key)) continue;
    nextHopReceive.add(key);
    if (peerNextHops.has(`${e.afi}/${e.safi}/${e.nextHopAfi}`)) nextHopSend.add(key);
  }

  const has = (kind: Capability['kind']): boolean => caps.some((c) => c.kind === kind);
  const fourOctetAs = has('fourOctetAs');
  const peerExtendedMessage = has('extendedMessage');
  let peerGracefulRestart: GracefulRestartCapability | undefined;
  let peerLongLivedGracefulRestart: LongLivedGracefulRestartCapability | undefined;
  for (const c of caps) {
    if (c.kind === 'gracefulRestart' && peerGracefulRestart === undefined) peerGracefulRestart = c;
    if (c.kind === 'longLivedGracefulRestart' && peerLongLivedGracefulRestart === undefined) {
      peerLongLivedGracefulRestart = c;
    }
  }
  // RFC 9494 §3: LLGR without GR is to be ignored.
  if (peerGracefulRestart === undefined) peerLongLivedGracefulRestart = undefined;

  const holdTimeSec = negotiateHoldTime(config.holdTimeSec, open.holdTimeSec);
  return {
    peerOpen: open,
    peerAsn: facts.peerAsn,
    peerBgpIdentifier: open.bgpIdentifier,
    ibgp: facts.ibgp,
    holdTimeSec,
    keepaliveTimeSec: computeKeepaliveTimeSec(holdTimeSec, config.keepaliveTimeSec),
    families: facts.families,
    fourOctetAs,
    addPath: { receive: addPathReceive, send: addPathSend },
    extendedMessage: config.extendedMessage && peerExtendedMessage,
    routeRefresh: peerHas(open, 'routeRefresh'),
    enhancedRouteRefresh: config.enhancedRouteRefresh && has('enhancedRouteRefresh'),
    localRole: facts.localRole,
    remoteRole: facts.remoteRole,
    peerGracefulRestart,
    peerLongLivedGracefulRestart,
    // RFC 8654 §4: having advertised Extended Messages we must accept them; we send them
    // only when the peer advertised them too.
    receiveContext: makeContext({
      fourOctetAs,
      addPath: addPathReceive,
      extendedMessage: config.extendedMessage,
      extendedNextHop: nextHopReceive,
    }),
    sendContext: makeContext({
      fourOctetAs,
      addPath: addPathSend,
      extendedMessage: config.extendedMessage && peerExtendedMessage,
      extendedNextHop: nextHopSend,
    }),
  };
}
