import { formatIpv4 } from './address.js';
import type { AsPathSegment, PathAttribute } from './attributes/path-attribute.js';
import { AttrFlag, AttrType, familyKey, UpdateErrorSubcode } from './constants.js';
import { type ErrorAction, strongerAction, updateError, type WireError } from './errors.js';
import type { ParsedUpdate } from './update.js';

/**
 * UPDATE semantics (RFC 4271 §6.3) and the RFC 7606 action for each fault.
 *
 * Every fault becomes a {@link WireError} carrying the NOTIFICATION code, subcode
 * and the exact data RFC 4271 §6.3 asks for, plus the RFC 7606 §2 action. The
 * attribute codecs and `parseUpdate` raise faults only through the builders here,
 * so the table of "what is done about what" lives in one file:
 *
 * | Fault | Subcode | Data | Action |
 * |---|---|---|---|
 * | Withdrawn Routes / Total Path Attribute Length overruns the message | 3/1 | none | session reset (RFC 7606 §3 b) |
 * | attribute overruns the attribute section, or < 3 (4) octets left | 3/1 | none | treat-as-withdraw (RFC 7606 §4), see {@link attributeListOverrun} |
 * | MP_REACH_NLRI / MP_UNREACH_NLRI appears twice | 3/1 | none | session reset (RFC 7606 §3 g) |
 * | any other attribute appears twice | 3/1 | the later attribute | attribute discard of the later ones (RFC 7606 §3 g) |
 * | unrecognized well-known attribute | 3/2 | the attribute | session reset (RFC 4271 §6.3) |
 * | missing ORIGIN, AS_PATH, NEXT_HOP | 3/3 | the type code | treat-as-withdraw (RFC 7606 §3 d) |
 * | Optional / Transitive bits wrong for a recognized type | 3/4 | the attribute | treat-as-withdraw (RFC 7606 §3 c) |
 * | ORIGIN length ≠ 1 / value > 2 | 3/5, 3/6 | the attribute | treat-as-withdraw (RFC 7606 §7.1) |
 * | AS_PATH malformed | 3/11 | none | treat-as-withdraw (RFC 7606 §7.2) |
 * | NEXT_HOP length ≠ 4 | 3/5 | the attribute | treat-as-withdraw (RFC 7606 §7.3); attribute discard without classic NLRI (RFC 4760 §3) |
 * | MULTI_EXIT_DISC, LOCAL_PREF length ≠ 4 | 3/5 | the attribute | treat-as-withdraw (RFC 7606 §7.4, §7.5) |
 * | ATOMIC_AGGREGATE length ≠ 0, AGGREGATOR length ≠ 6/8 | 3/5 | the attribute | attribute discard (RFC 7606 §7.6, §7.7) |
 * | COMMUNITIES not a non-zero multiple of 4 | 3/5 | the attribute | treat-as-withdraw (RFC 7606 §7.8) |
 * | ORIGINATOR_ID ≠ 4, CLUSTER_LIST not a non-zero multiple of 4 | 3/5 | the attribute | treat-as-withdraw (RFC 7606 §7.9, §7.10) |
 * | MP_REACH_NLRI / MP_UNREACH_NLRI malformed (IPv4/IPv6 unicast and multicast) | 3/9 | the attribute | session reset (RFC 7606 §7.11, §7.12; we do not implement AFI/SAFI disable) |
 * | EXTENDED_COMMUNITIES not a non-zero multiple of 8 | 3/5 | the attribute | treat-as-withdraw (RFC 7606 §7.14) |
 * | AS4_PATH malformed, AS4_AGGREGATOR length ≠ 8 | 3/9, 3/5 | the attribute | attribute discard (RFC 6793 §6) |
 * | LARGE_COMMUNITY not a non-zero multiple of 12 | 3/5 | the attribute | treat-as-withdraw (RFC 8092 §5) |
 * | OTC length ≠ 4 | 3/5 | the attribute | treat-as-withdraw (RFC 9234 §5) |
 * | Withdrawn Routes or NLRI field syntactically wrong | 3/10 | none | session reset (RFC 7606 §5.3) |
 * | any fault above stronger than attribute discard, in an UPDATE with attributes other than MP_UNREACH_NLRI but no reachable NLRI | as found | as found | session reset (RFC 7606 §5.2) |
 *
 * Checks that need the session (LOCAL_PREF from an external peer, MP_REACH_NLRI of a
 * family not negotiated, the leftmost AS of an external peer, next-hop reachability)
 * are the caller's; helpers are {@link scopeUpdateToSession}, {@link checkPeerAsPath}
 * and {@link nextHopSemanticError}.
 */

/** What RFC 7606 does about a malformed attribute of each recognized type (§7 and the RFCs cited above). */
export const malformedAttributeAction: ReadonlyMap<number, ErrorAction> = new Map<number, ErrorAction>([
  [AttrType.ORIGIN, 'treatAsWithdraw'],
  [AttrType.AS_PATH, 'treatAsWithdraw'],
  [AttrType.NEXT_HOP, 'treatAsWithdraw'],
  [AttrType.MULTI_EXIT_DISC, 'treatAsWithdraw'],
  [AttrType.LOCAL_PREF, 'treatAsWithdraw'],
  [AttrType.ATOMIC_AGGREGATE, 'attributeDiscard'],
  [AttrType.AGGREGATOR, 'attributeDiscard'],
  [AttrType.COMMUNITIES, 'treatAsWithdraw'],
  [AttrType.ORIGINATOR_ID, 'treatAsWithdraw'],
  [AttrType.CLUSTER_LIST, 'treatAsWithdraw'],
  [AttrType.MP_REACH_NLRI, 'sessionReset'],
  [AttrType.MP_UNREACH_NLRI, 'sessionReset'],
  [AttrType.EXTENDED_COMMUNITIES, 'treatAsWithdraw'],
  [AttrType.AS4_PATH, 'attributeDiscard'],
  [AttrType.AS4_AGGREGATOR, 'attributeDiscard'],
  [AttrType.LARGE_COMMUNITY, 'treatAsWithdraw'],
  [AttrType.OTC, 'treatAsWithdraw'],
]);

/** The NOTIFICATION data "erroneous attribute (type, length, and value)" of RFC 4271 §6.3: a copy of the whole attribute. */
function attributeData(attr: Uint8Array): Uint8Array {
  return attr.slice();
}

/** 3/5 Attribute Length Error: the attribute's length does not fit its type (RFC 4271 §6.3). */
export function attributeLengthError(attr: Uint8Array, action: ErrorAction, reason: string): WireError {
  return updateError('BGP_UPDATE_ATTRIBUTE_LENGTH_ERROR', UpdateErrorSubcode.ATTRIBUTE_LENGTH_ERROR, reason, {
    data: attributeData(attr),
    action,
    attrType: attr[1],
  });
}

/** 3/9 Optional Attribute Error: a recognized optional attribute with a bad value (RFC 4271 §6.3, RFC 4760 §7). */
export function optionalAttributeError(attr: Uint8Array, action: ErrorAction, reason: string): WireError {
  return updateError(
    'BGP_UPDATE_OPTIONAL_ATTRIBUTE_ERROR',
    UpdateErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
    reason,
    {
      data: attributeData(attr),
      action,
      attrType: attr[1],
    },
  );
}

/** 3/6 Invalid ORIGIN Attribute, treat-as-withdraw (RFC 4271 §6.3, RFC 7606 §7.1). */
export function invalidOriginError(attr: Uint8Array, value: number): WireError {
  return updateError(
    'BGP_UPDATE_INVALID_ORIGIN_ATTRIBUTE',
    UpdateErrorSubcode.INVALID_ORIGIN_ATTRIBUTE,
    `ORIGIN value ${value} is not IGP, EGP or INCOMPLETE`,
    { data: attributeData(attr), action: 'treatAsWithdraw', attrType: AttrType.ORIGIN },
  );
}

/** 3/8 Invalid NEXT_HOP Attribute, treat-as-withdraw (RFC 4271 §6.3, RFC 7606 §7.3). */
export function invalidNextHopError(attr: Uint8Array, reason: string): WireError {
  return updateError(
    'BGP_UPDATE_INVALID_NEXT_HOP_ATTRIBUTE',
    UpdateErrorSubcode.INVALID_NEXT_HOP_ATTRIBUTE,
    reason,
    {
      data: attributeData(attr),
      action: 'treatAsWithdraw',
      attrType: AttrType.NEXT_HOP,
    },
  );
}

/**
 * 3/11 Malformed AS_PATH (RFC 4271 §6.3 gives it no data), treat-as-withdraw
 * (RFC 7606 §7.2). AS4_PATH faults use {@link optionalAttributeError} instead.
 */
export function malformedAsPathError(reason: string): WireError {
  return updateError('BGP_UPDATE_MALFORMED_AS_PATH', UpdateErrorSubcode.MALFORMED_AS_PATH, reason, {
    action: 'treatAsWithdraw',
    attrType: AttrType.AS_PATH,
  });
}

/** 3/4 Attribute Flags Error, treat-as-withdraw (RFC 4271 §6.3, RFC 7606 §3 c). */
export function attributeFlagsError(attr: Uint8Array, expected: number): WireError {
  const flags = attr[0]!;
  return updateError(
    'BGP_UPDATE_ATTRIBUTE_FLAGS_ERROR',
    UpdateErrorSubcode.ATTRIBUTE_FLAGS_ERROR,
    `attribute ${attr[1]} has flags 0x${flags.toString(16)}, Optional/Transitive must be 0x${expected.toString(16)}`,
    { data: attributeData(attr), action: 'treatAsWithdraw', attrType: attr[1] },
  );
}

/** 3/2 Unrecognized Well-known Attribute, session reset, data = the attribute (RFC 4271 §6.3). */
export function unrecognizedWellKnownError(attr: Uint8Array): WireError {
  return updateError(
    'BGP_UPDATE_UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE',
    UpdateErrorSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
    `attribute type ${attr[1]} is not recognized but its Optional bit is 0`,
    { data: attributeData(attr), action: 'sessionReset', attrType: attr[1] },
  );
}

/** 3/3 Missing Well-known Attribute, data = its type code (RFC 4271 §6.3), treat-as-withdraw (RFC 7606 §3 d). */
export function missingWellKnownError(code: number): WireError {
  return updateError(
    'BGP_UPDATE_MISSING_WELL_KNOWN_ATTRIBUTE',
    UpdateErrorSubcode.MISSING_WELL_KNOWN_ATTRIBUTE,
    `well-known mandatory attribute ${code} is missing`,
    { data: Uint8Array.of(code), action: 'treatAsWithdraw', attrType: code },
  );
}

/** 3/1 Malformed Attribute List; RFC 4271 §6.3 gives it no data. */
export function malformedAttributeListError(
  reason: string,
  action: ErrorAction,
  attrType?: number,
): WireError {
  return updateError(
    'BGP_UPDATE_MALFORMED_ATTRIBUTE_LIST',
    UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
    reason,
    {
      action,
      attrType,
    },
  );
}

/**
 * A repeated attribute (RFC 7606 §3 g). MP_REACH_NLRI and MP_UNREACH_NLRI twice is
 * a session reset; for any other type the later copies are discarded, reported as
 * an `attributeDiscard` finding with the discarded attribute as data.
 */
export function duplicateAttributeError(attr: Uint8Array): WireError {
  const code = attr[1]!;
  if (code === AttrType.MP_REACH_NLRI || code === AttrType.MP_UNREACH_NLRI) {
    return malformedAttributeListError(`attribute ${code} appears more than once`, 'sessionReset', code);
  }
  return updateError(
    'BGP_UPDATE_MALFORMED_ATTRIBUTE_LIST',
    UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
    `attribute ${code} appears more than once; later copies discarded`,
    { data: attributeData(attr), action: 'attributeDiscard', attrType: code },
  );
}

/**
 * An attribute whose length runs past the end of the attribute section, or fewer
 * octets left than an attribute header needs (RFC 7606 §4). RFC 7606 §4 asks for
 * treat-as-withdraw, with the NLRI field located through Total Path Attribute Length;
 * but treat-as-withdraw needs every NLRI of the message to be located (RFC 7606 §3, §5), and an
 * MP_REACH_NLRI / MP_UNREACH_NLRI hidden in the unparsable rest would be missed.
 * RFC 7606 §5.1 requires those two to be sent first, so once any other attribute was
 * parsed in full, no MP attribute can follow: treat-as-withdraw. A fault before that
 * point is a session reset.
 */
export function attributeListOverrun(reason: string, afterOtherAttribute: boolean): WireError {
  return malformedAttributeListError(reason, afterOtherAttribute ? 'treatAsWithdraw' : 'sessionReset');
}

/**
 * Whether the Optional and Transitive bits of `flags` are the ones type `expected`
 * prescribes (RFC 4271 §4.3). Partial and Extended Length are not checked: Partial
 * may legitimately be set on optional transitive attributes, and RFC 7606 §3 c names
 * only the Optional and Transitive bits.
 */
export function flagsMatch(flags: number, expected: number): boolean {
  const mask = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
  return (flags & mask) === (expected & mask);
}

/**
 * The well-known mandatory attributes missing from an UPDATE (RFC 4271 §6.3,
 * RFC 4760 §3): ORIGIN and AS_PATH when it carries any NLRI (classic or in
 * MP_REACH_NLRI), NEXT_HOP when it carries classic NLRI. LOCAL_PREF on iBGP is the
 * caller's check. `present[code]` is non-zero for each type code received.
 */
export function missingMandatoryAttributes(
  present: Uint8Array,
  classicNlri: boolean,
  mpReach: boolean,
): WireError[] {
  const out: WireError[] = [];
  if (!classicNlri && !mpReach) return out;
  if (!present[AttrType.ORIGIN]) out.push(missingWellKnownError(AttrType.ORIGIN));
  if (!present[AttrType.AS_PATH]) out.push(missingWellKnownError(AttrType.AS_PATH));
  if (classicNlri && !present[AttrType.NEXT_HOP]) out.push(missingWellKnownError(AttrType.NEXT_HOP));
  return out;
}

/** The strongest action among `issues` (RFC 7606 §3: the strongest approach wins), or undefined. */
export function strongestAction(issues: readonly WireError[]): ErrorAction | undefined {
  let action: ErrorAction | undefined;
  for (const e of issues) action = action === undefined ? e.action : strongerAction(action, e.action);
  return action;
}

/**
 * The AS_PATH checks that need the session (RFC 4271 §6.3): from an external peer,
 * the leftmost AS must be the peer's AS and, outside a confederation, there must be
 * no AS_CONFED_* segments (RFC 5065 §5.2). Returns a 3/11 treat-as-withdraw fault
 * (RFC 7606 §7.2) or undefined. Internal peers are not checked.
 */
export function checkPeerAsPath(
  segments: readonly AsPathSegment[],
  peer: { readonly external: boolean; readonly peerAsn: number; readonly confederationMember?: boolean },
): WireError | undefined {
  if (!peer.external) return undefined;
  const first = segments[0];
  if (!peer.confederationMember) {
    if (segments.some((s) => s.type === 'confedSequence' || s.type === 'confedSet')) {
      return malformedAsPathError('AS_CONFED segment in a path from an external peer');
    }
    if (first?.type !== 'sequence' || first.asns[0] !== peer.peerAsn) {
      return malformedAsPathError(`leftmost AS is not the peer's AS ${peer.peerAsn}`);
    }
  }
  return undefined;
}

/**
 * Semantic NEXT_HOP checks that need no routing table (RFC 4271 §6.3): not
 * 0.0.0.0, not multicast or class E, not a loopback address, not one of the
 * receiving speaker's own addresses. Returns a 3/8 treat-as-withdraw fault
 * (RFC 7606 §7.3) or undefined. `nextHop` is the 32-bit IPv4 address.
 */
export function nextHopSemanticError(
  nextHop: number,
  ownAddresses: readonly number[] = [],
  attr: Uint8Array = new Uint8Array(0),
): WireError | undefined {
  const top = nextHop >>> 24;
  let reason: string | undefined;
  if (nextHop === 0) reason = 'NEXT_HOP is 0.0.0.0';
  else if (top === 127) reason = 'NEXT_HOP is a loopback address';
  else if (top >= 224) reason = 'NEXT_HOP is multicast or reserved';
  else if (ownAddresses.includes(nextHop >>> 0)) reason = 'NEXT_HOP is the receiving speaker itself';
  return reason === undefined ? undefined : invalidNextHopError(attr, `${reason} (${formatIpv4(nextHop)})`);
}

/**
 * What one session keeps of a well-formed UPDATE (the session-dependent rules that
 * are not faults of the message itself):
 *
 * - LOCAL_PREF from an external peer is ignored (RFC 4271 §5.1.5, RFC 7606 §7.5):
 *   it is removed from `attributes` and reported nowhere, as BIRD and FRR do.
 *   Confederation members are the exception the RFC names (`confederationMember`).
 * - MP_REACH_NLRI / MP_UNREACH_NLRI of a family the session did not negotiate are
 *   not accepted. RFC 4760 §7 lets a speaker either ignore that family's routes or
 *   end the session with 3/9 Optional Attribute Error; we ignore (attribute discard,
 *   as BIRD and FRR do), so one misconfigured family on the peer does not take down
 *   the families that work. The discard is reported as a 3/9 finding with the
 *   attribute's AFI/SAFI as data, so it reaches the `malformed` event and the log.
 *
 * `families` holds {@link familyKey} values of the negotiated families. Returns
 * `update` itself when nothing changes.
 */
export function scopeUpdateToSession(
  update: ParsedUpdate,
  session: {
    readonly external: boolean;
    readonly families: ReadonlySet<number>;
    readonly confederationMember?: boolean;
  },
): ParsedUpdate {
  const dropLocalPref = session.external && !session.confederationMember;
  const found: WireError[] = [];
  let changed = false;
  const kept: PathAttribute[] = [];
  for (const a of update.attributes) {
    if (a.kind === 'localPref' && dropLocalPref) {
      changed = true;
      continue;
    }
    if ((a.kind === 'mpReach' || a.kind === 'mpUnreach') && !session.families.has(familyKey(a.afi, a.safi))) {
      changed = true;
      const data = Uint8Array.of(a.afi >>> 8, a.afi & 0xff, a.safi);
      const e = updateError(
        'BGP_UPDATE_OPTIONAL_ATTRIBUTE_ERROR',
        UpdateErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
        `${a.kind === 'mpReach' ? 'MP_REACH_NLRI' : 'MP_UNREACH_NLRI'} for AFI ${a.afi} SAFI ${a.safi}, which this session did not negotiate: ignored (RFC 4760 §7)`,
        {
          data,
          action: 'attributeDiscard',
          attrType: a.kind === 'mpReach' ? AttrType.MP_REACH_NLRI : AttrType.MP_UNREACH_NLRI,
        },
      );
      found.push(e);
      continue;
    }
    kept.push(a);
  }
  if (!changed) return update;
  const issues = found.length === 0 ? update.issues : [...update.issues, ...found];
  return { ...update, attributes: kept, issues, action: strongestAction(issues) };
}
