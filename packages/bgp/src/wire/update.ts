import { attributeCode, codecForCode, encodeAttribute } from './attributes/index.js';
import { encodeFamilyNlri } from './attributes/mp-reach.js';
import type { MpUnreachNlriAttribute, PathAttribute } from './attributes/path-attribute.js';
import { decodeUnknownAttribute } from './attributes/unknown.js';
import { AttrFlag, AttrType, familyKey, HEADER_LENGTH, MessageType } from './constants.js';
import { type CodecContext, maxMessageLength } from './context.js';
import { badMessageLength, type ErrorAction, LocalProtocolError, WireError } from './errors.js';
import { writeMarker } from './header.js';
import { decodeNlri } from './nlri.js';
import type { Prefix } from './prefix.js';
import {
  attributeFlagsError,
  attributeListOverrun,
  duplicateAttributeError,
  flagsMatch,
  malformedAttributeListError,
  missingMandatoryAttributes,
  strongestAction,
  unrecognizedWellKnownError,
} from './validate.js';
import { Writer } from './writer.js';

/**
 * UPDATE (RFC 4271 §4.3), first stage: the three sections as raw views, checked
 * only for consistent lengths. {@link parseUpdate} is the second stage, which needs
 * the session's codec context (4-octet AS, ADD-PATH).
 */
export interface UpdateMessage {
  readonly kind: 'update';
  readonly withdrawnRoutes: Uint8Array;
  readonly pathAttributes: Uint8Array;
  readonly nlri: Uint8Array;
}

/**
 * An UPDATE decoded against a context: IPv4 withdrawals and NLRI from the classic
 * fields, the attributes in received order (MP_REACH_NLRI / MP_UNREACH_NLRI among
 * them), End-of-RIB when the message is one (RFC 4724 §2), and the RFC 7606 faults
 * found. With `action` = `treatAsWithdraw`, every NLRI in the message must be
 * handled as withdrawn; `attributeDiscard` faults have already had their attribute
 * removed from `attributes`. Faults that need a session reset are thrown instead.
 */
export interface ParsedUpdate {
  readonly withdrawn: readonly Prefix[];
  readonly attributes: readonly PathAttribute[];
  readonly nlri: readonly Prefix[];
  readonly endOfRib?: { readonly afi: number; readonly safi: number };
  readonly issues: readonly WireError[];
  readonly action: ErrorAction | undefined;
}

/** What {@link encodeUpdate} takes: the same fields as {@link ParsedUpdate} without the findings. */
export interface UpdateContent {
  readonly withdrawn?: readonly Prefix[];
  readonly attributes?: readonly PathAttribute[];
  readonly nlri?: readonly Prefix[];
}

/** Family key of IPv4 unicast, whose NLRI the classic fields carry (RFC 4271 §4.3). */
const IPV4_UNICAST = familyKey(1, 1);
const NO_ISSUES: readonly WireError[] = Object.freeze([]);
/** Type codes seen in the UPDATE being parsed; reset per call (parsing is synchronous). */
const seen = new Uint8Array(256);

/**
 * First stage of UPDATE decoding: splits a whole message (header included, already
 * checked by `decodeHeader`) into its three sections, as views. Only the two length
 * fields are checked: if Withdrawn Routes Length or Total Path Attribute Length runs
 * past the message, it is 3/1 Malformed Attribute List, session reset (RFC 4271 §6.3,
 * unchanged by RFC 7606 §3 b).
 */
export function decodeUpdate(msg: Uint8Array): UpdateMessage {
  const length = msg.length;
  if (length < HEADER_LENGTH + 4)
    throw badMessageLength(length, `UPDATE of ${length} octets is shorter than 23`);
  const declared = (msg[16]! << 8) | msg[17]!;
  if (declared !== length)
    throw badMessageLength(declared, `header says ${declared} octets, UPDATE has ${length}`);
  const withdrawnEnd = HEADER_LENGTH + 2 + ((msg[HEADER_LENGTH]! << 8) | msg[HEADER_LENGTH + 1]!);
  if (withdrawnEnd + 2 > length) {
    throw malformedAttributeListError(
      `Withdrawn Routes Length ${withdrawnEnd - HEADER_LENGTH - 2} overruns the UPDATE`,
      'sessionReset',
    );
  }
  const attributesEnd = withdrawnEnd + 2 + ((msg[withdrawnEnd]! << 8) | msg[withdrawnEnd + 1]!);
  if (attributesEnd > length) {
    throw malformedAttributeListError(
      `Total Path Attribute Length ${attributesEnd - withdrawnEnd - 2} overruns the UPDATE`,
      'sessionReset',
    );
  }
  return {
    kind: 'update',
    withdrawnRoutes: msg.subarray(HEADER_LENGTH + 2, withdrawnEnd),
    pathAttributes: msg.subarray(withdrawnEnd + 2, attributesEnd),
    nlri: msg.subarray(attributesEnd),
  };
}

/** Re-assembles a raw UPDATE byte-exact. Throws `LocalProtocolError` if it exceeds the context's size. */
export function encodeRawUpdate(m: UpdateMessage, ctx: CodecContext): Uint8Array {
  const length = HEADER_LENGTH + 4 + m.withdrawnRoutes.length + m.pathAttributes.length + m.nlri.length;
  checkSize(length, ctx);
  const out = new Uint8Array(length);
  writeMarker(out, 0);
  out[16] = length >>> 8;
  out[17] = length & 0xff;
  out[18] = MessageType.UPDATE;
  let p = HEADER_LENGTH;
  out[p++] = m.withdrawnRoutes.length >>> 8;
  out[p++] = m.withdrawnRoutes.length & 0xff;
  out.set(m.withdrawnRoutes, p);
  p += m.withdrawnRoutes.length;
  out[p++] = m.pathAttributes.length >>> 8;
  out[p++] = m.pathAttributes.length & 0xff;
  out.set(m.pathAttributes, p);
  out.set(m.nlri, p + m.pathAttributes.length);
  return out;
}

/**
 * Second stage: decodes the sections against the session's context.
 *
 * - Withdrawn Routes and NLRI are IPv4 unicast, with ADD-PATH path ids when
 *   `ctx.addPath` has IPv4 unicast (RFC 7911 §3); a syntax error in either is 3/10,
 *   session reset (RFC 7606 §3, §5.3).
 * - Attributes come back in received order, each through its codec (`attributes/`),
 *   under the rules tabled in `validate.ts`: session-reset faults are thrown as
 *   `WireError`; every other fault is listed in `issues`, with `action` the strongest
 *   (RFC 7606 §3). Attributes with a fault are left out of `attributes`, except
 *   MP_REACH_NLRI / MP_UNREACH_NLRI with a flags fault, which stay so that their NLRI
 *   can be treated as withdrawn. Later copies of a repeated attribute are dropped.
 * - End-of-RIB (RFC 4724 §2) is recognised first: an UPDATE with no withdrawn routes,
 *   attributes or NLRI is IPv4 unicast's; one whose only content is an MP_UNREACH_NLRI
 *   with nothing after AFI/SAFI is that family's.
 * - Missing ORIGIN / AS_PATH (with any NLRI) and NEXT_HOP (with classic NLRI) are
 *   3/3 treat-as-withdraw (RFC 7606 §3 d).
 */
export function parseUpdate(m: UpdateMessage, ctx: CodecContext): ParsedUpdate {
  const addPath = ctx.addPath.has(IPV4_UNICAST);
  const withdrawn: Prefix[] = [];
  const nlri: Prefix[] = [];
  if (m.withdrawnRoutes.length > 0) {
    decodeNlri(m.withdrawnRoutes, 0, m.withdrawnRoutes.length, 1, addPath, withdrawn, 'sessionReset');
  }
  if (m.nlri.length > 0) decodeNlri(m.nlri, 0, m.nlri.length, 1, addPath, nlri, 'sessionReset');
  if (m.pathAttributes.length === 0 && withdrawn.length === 0 && nlri.length === 0) {
    return {
      withdrawn,
      attributes: [],
      nlri,
      endOfRib: { afi: 1, safi: 1 },
      issues: NO_ISSUES,
      action: undefined,
    };
  }

  const buf = m.pathAttributes;
  const end = buf.length;
  const classicNlri = nlri.length > 0;
  const attributes: PathAttribute[] = [];
  let issues: WireError[] | undefined;
  const report = (e: WireError): void => {
    if (e.action === 'sessionReset') throw e;
    if (issues === undefined) issues = [e];
    else issues.push(e);
  };
  // Whether an attribute other than MP_REACH_NLRI / MP_UNREACH_NLRI has been read in full (see attributeListOverrun).
  let afterOther = false;
  // Why the section could not be read to its end (RFC 7606 §4), if it could not.
  let overrun: string | undefined;
  seen.fill(0);
  let pos = 0;
  while (pos < end) {
    if (end - pos < 3) {
      overrun = `${end - pos} octets left in the attribute section`;
      break;
    }
    const flags = buf[pos]!;
    const code = buf[pos + 1]!;
    let header = 3;
    let length: number;
    if (flags & AttrFlag.EXTENDED_LENGTH) {
      if (end - pos < 4) {
        overrun = 'extended-length attribute header truncated';
        break;
      }
      header = 4;
      length = (buf[pos + 2]! << 8) | buf[pos + 3]!;
    } else {
      length = buf[pos + 2]!;
    }
    const next = pos + header + length;
    if (next > end) {
      overrun = `attribute ${code} of ${length} octets overruns the attribute section`;
      break;
    }
    const attr = buf.subarray(pos, next);
    pos = next;
    const isMp = code === AttrType.MP_REACH_NLRI || code === AttrType.MP_UNREACH_NLRI;
    if (!isMp) afterOther = true;
    if (seen[code]) {
      report(duplicateAttributeError(attr));
      continue;
    }
    seen[code] = 1;
    const codec = codecForCode(code);
    if (codec === undefined) {
      if (!(flags & AttrFlag.OPTIONAL)) throw unrecognizedWellKnownError(attr);
      attributes.push(decodeUnknownAttribute(attr, header));
      continue;
    }
    // A NEXT_HOP in an UPDATE without classic NLRI is to be ignored (RFC 4760 §3), so its faults only discard it.
    const lenient = code === AttrType.NEXT_HOP && !classicNlri;
    if (!flagsMatch(flags, codec.flags)) {
      const e = attributeFlagsError(attr, codec.flags);
      report(lenient ? e.withAction('attributeDiscard') : e);
      if (!isMp) continue;
    }
    try {
      attributes.push(codec.decode(attr, header, ctx));
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      report(lenient ? e.withAction('attributeDiscard') : e);
    }
  }
  if (overrun !== undefined) report(attributeListOverrun(overrun, afterOther));

  if (
    attributes.length === 1 &&
    issues === undefined &&
    withdrawn.length === 0 &&
    nlri.length === 0 &&
    isEndOfRibMarker(attributes[0]!)
  ) {
    const a = attributes[0] as MpUnreachNlriAttribute;
    return {
      withdrawn,
      attributes,
      nlri,
      endOfRib: { afi: a.afi, safi: a.safi },
      issues: NO_ISSUES,
      action: undefined,
    };
  }
  // After an overrun, what looks missing may be in the unread rest; the overrun already withdraws.
  if (overrun === undefined) {
    for (const e of missingMandatoryAttributes(seen, classicNlri, seen[AttrType.MP_REACH_NLRI] === 1))
      report(e);
  }
  if (issues !== undefined) {
    const reset = missingNlriReset(issues, classicNlri, attributes, seen);
    if (reset !== undefined) throw reset;
  }
  return {
    withdrawn,
    attributes,
    nlri,
    issues: issues ?? NO_ISSUES,
    action: issues === undefined ? undefined : strongestAction(issues),
  };
}

/**
 * RFC 7606 §5.2 (Missing NLRI): an UPDATE that carries path attributes other than
 * MP_UNREACH_NLRI but no reachable NLRI (none in the NLRI field, none in an
 * MP_REACH_NLRI) gives no confidence that its NLRI were located, so any fault whose
 * approach is stronger than attribute discard MUST be a session reset. Treat-as-withdraw
 * would withdraw nothing and leave the session up on a message that cannot be trusted.
 * Returns the strongest fault turned into a session reset, or undefined.
 */
function missingNlriReset(
  issues: readonly WireError[],
  classicNlri: boolean,
  attributes: readonly PathAttribute[],
  present: Uint8Array,
): WireError | undefined {
  if (classicNlri) return undefined;
  const action = strongestAction(issues);
  if (action === undefined || action === 'attributeDiscard') return undefined;
  const reachable = attributes.some(
    (a) => a.kind === 'mpReach' && (a.nlri?.length ?? a.raw?.length ?? 0) > 0,
  );
  if (reachable) return undefined;
  let otherThanUnreach = false;
  for (let code = 0; code < 256 && !otherThanUnreach; code++) {
    if (present[code] && code !== AttrType.MP_UNREACH_NLRI) otherThanUnreach = true;
  }
  if (!otherThanUnreach) return undefined;
  const worst = issues.find((e) => e.action === action) ?? issues[0]!;
  return worst.withAction('sessionReset');
}

/** An MP_UNREACH_NLRI with nothing after AFI/SAFI (RFC 4724 §2). */
function isEndOfRibMarker(a: PathAttribute): a is MpUnreachNlriAttribute {
  return (
    a.kind === 'mpUnreach' && (a.withdrawn === undefined ? a.raw?.length === 0 : a.withdrawn.length === 0)
  );
}

/**
 * Builds a whole UPDATE: IPv4 unicast withdrawals and NLRI in the classic fields
 * (with path ids when `ctx.addPath` has IPv4 unicast), attributes in the order given,
 * each with its own flags or the canonical ones (see `encodeAttribute`). Throws
 * `LocalProtocolError` for a non-IPv4 prefix in the classic fields, a bad address,
 * or a message over the context's size limit (4096, or 65535 with RFC 8654).
 * On a 2-octet context, an AS_PATH with an ASN above 65535 goes out with AS_TRANS
 * in its place and, unless the caller gave one, an AS4_PATH with the real path
 * (RFC 6793 §4.2.2).
 */
export function encodeUpdate(content: UpdateContent, ctx: CodecContext): Uint8Array {
  const addPath = ctx.addPath.has(IPV4_UNICAST);
  const withdrawn = content.withdrawn ?? [];
  const attributes = withAs4Path(content.attributes ?? [], ctx);
  const nlri = content.nlri ?? [];
  // One scratch writer for every call: the only allocation left is the final copy.
  const w = scratch;
  w.pos = 0;
  w.ensure(64 + (withdrawn.length + nlri.length) * (addPath ? 9 : 5) + attributes.length * 32);
  writeMarker(w.buf, 0);
  w.buf[18] = MessageType.UPDATE;
  w.pos = HEADER_LENGTH;
  const withdrawnAt = w.reserve16();
  encodeFamilyNlri(w, withdrawn, 1, addPath, 'Withdrawn Routes');
  w.fill16(withdrawnAt, w.pos - withdrawnAt - 2);
  const attributesAt = w.reserve16();
  for (const a of attributes) encodeAttribute(w, a, ctx);
  checkSize(w.pos, ctx);
  w.fill16(attributesAt, w.pos - attributesAt - 2);
  encodeFamilyNlri(w, nlri, 1, addPath, 'NLRI');
  checkSize(w.pos, ctx);
  w.fill16(16, w.pos);
  const out = w.finish();
  // Don't let one huge message pin a large scratch buffer for the life of the process.
  if (w.buf.length > 1 << 17) scratch = new Writer(4096);
  return out;
}

let scratch = new Writer(4096);

/**
 * RFC 6793 §4.2.2: a NEW speaker sending to an OLD one puts AS_TRANS in AS_PATH for
 * every ASN above 65535 and carries the real path in AS4_PATH (AS_SET and
 * AS_SEQUENCE only; confederation segments stay out of it). Returns `attributes`
 * unchanged when the context is 4-octet, AS4_PATH is already there, or no ASN needs it.
 * AS4_PATH (type 17) is placed before the first attribute of a higher type code.
 */
function withAs4Path(attributes: readonly PathAttribute[], ctx: CodecContext): readonly PathAttribute[] {
  if (ctx.fourOctetAs) return attributes;
  let asPath: PathAttribute | undefined;
  for (const a of attributes) {
    if (a.kind === 'as4Path') return attributes;
    if (a.kind === 'asPath') asPath = a;
  }
  if (asPath?.kind !== 'asPath' || !asPath.segments.some((s) => s.asns.some((n) => n > 0xffff))) {
    return attributes;
  }
  const segments = asPath.segments.filter((s) => s.type === 'set' || s.type === 'sequence');
  const as4Path: PathAttribute = { kind: 'as4Path', segments };
  const at = attributes.findIndex((a) => attributeCode(a) > AttrType.AS4_PATH);
  return at < 0 ? [...attributes, as4Path] : [...attributes.slice(0, at), as4Path, ...attributes.slice(at)];
}

function checkSize(length: number, ctx: CodecContext): void {
  const max = maxMessageLength(ctx);
  if (length > max) {
    throw new LocalProtocolError('ANYVIP_UPDATE_TOO_LARGE', `UPDATE of ${length} octets exceeds ${max}`);
  }
}
