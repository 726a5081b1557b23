import { attributeCode, encodeAttribute } from './attributes/index.js';
import { writeAddress } from './attributes/mp-reach.js';
import type { PathAttribute } from './attributes/path-attribute.js';
import { AttrFlag, AttrType, familyKey, HEADER_LENGTH, MessageType } from './constants.js';
import { type CodecContext, maxMessageLength } from './context.js';
import { LocalProtocolError } from './errors.js';
import type { UnicastAfi } from './family.js';
import { writeMarker } from './header.js';
import { encodedPrefixLength, encodePrefix } from './nlri.js';
import type { Prefix } from './prefix.js';
import { Writer } from './writer.js';

/**
 * Builds the fewest UPDATEs that carry a set of prefixes sharing one attribute set
 * (RFC 4271 §4.3, §9.2). The attribute block is encoded once and copied into every
 * message; the only per-message work is the MP_REACH_NLRI header, when there is
 * one, and the prefixes themselves, which are measured with `encodedPrefixLength`
 * and written with `encodePrefix` into a buffer of the exact final size.
 */

/** What {@link packUpdates} takes. */
export interface PackUpdatesOptions {
  readonly afi: UnicastAfi;
  /** SAFI for MP_REACH_NLRI: 1 unicast (default) or 2 multicast. */
  readonly safi?: 1 | 2;
  /** The path attributes, without NEXT_HOP-for-MP, MP_REACH_NLRI or MP_UNREACH_NLRI. */
  readonly attributes: readonly PathAttribute[];
  /** Next hop: IPv4 for classic IPv4, IPv4 or IPv6 (RFC 8950) for MP IPv4, IPv6 for IPv6. */
  readonly nextHop: string;
  /** IPv6 link-local next hop sent after the global one (RFC 2545 §3), MP only. */
  readonly linkLocalNextHop?: string;
  readonly nlri: readonly Prefix[];
  readonly ctx: CodecContext;
  /** Carry IPv4 in MP_REACH_NLRI rather than the classic NLRI field (RFC 4760 §5). */
  readonly useMpForIpv4?: boolean;
}

/** What {@link packWithdrawals} takes. */
export interface PackWithdrawalsOptions {
  readonly afi: UnicastAfi;
  readonly safi?: 1 | 2;
  readonly prefixes: readonly Prefix[];
  readonly ctx: CodecContext;
  /** Withdraw IPv4 in MP_UNREACH_NLRI rather than the classic Withdrawn Routes field. */
  readonly useMpForIpv4?: boolean;
}

/** Marker, length, type 2, then `withdrawnLength` (RFC 4271 §4.1, §4.3). */
function writeUpdateStart(b: Uint8Array, total: number, withdrawnLength: number): void {
  writeMarker(b, 0);
  b[16] = total >>> 8;
  b[17] = total & 0xff;
  b[18] = MessageType.UPDATE;
  b[19] = withdrawnLength >>> 8;
  b[20] = withdrawnLength & 0xff;
}

/**
 * How many of `prefixes[from..]` fit in `budget` octets, and their octets; at
 * least one must fit.
 */
function fit(
  prefixes: readonly Prefix[],
  from: number,
  budget: number,
  afi: UnicastAfi,
  addPath: boolean,
): { readonly to: number; readonly bytes: number } {
  let bytes = 0;
  let to = from;
  for (; to < prefixes.length; to++) {
    const p = prefixes[to]!;
    if (p.afi !== afi) {
      throw new LocalProtocolError('ANYVIP_BAD_PREFIX', `AFI ${afi} UPDATE given a prefix of AFI ${p.afi}`);
    }
    const n = encodedPrefixLength(p, addPath);
    if (bytes + n > budget) break;
    bytes += n;
  }
  if (to === from) {
    throw new LocalProtocolError(
      'ANYVIP_UPDATE_TOO_LARGE',
      'the attributes leave no room for a single prefix',
    );
  }
  return { to, bytes };
}

/**
 * A writer whose buffer holds a message of `total` octets without growing:
 * `encodePrefix` reserves room for a path id even without one, hence the 4 spare octets.
 */
function messageWriter(total: number): Writer {
  return new Writer(total + 4);
}

function writePrefixes(
  w: Writer,
  prefixes: readonly Prefix[],
  from: number,
  to: number,
  addPath: boolean,
): void {
  for (let i = from; i < to; i++) encodePrefix(w, prefixes[i]!, addPath);
}

/** Encodes attributes once, for copying into every message. */
function encodeAttributeBlock(attributes: readonly PathAttribute[], ctx: CodecContext): Uint8Array {
  const w = new Writer(256);
  for (const a of attributes) encodeAttribute(w, a, ctx);
  return w.finish();
}

/**
 * The attributes for the classic NLRI field: NEXT_HOP is `nextHop`, replacing one in
 * `attributes` in place (its flags kept) or else inserted in type-code order.
 */
function withNextHop(attributes: readonly PathAttribute[], nextHop: string): PathAttribute[] {
  const out: PathAttribute[] = [];
  let placed = false;
  for (const a of attributes) {
    if (a.kind === 'nextHop') {
      if (!placed) out.push({ ...a, address: nextHop });
      placed = true;
      continue;
    }
    if (!placed && attributeCode(a) > AttrType.NEXT_HOP) {
      out.push({ kind: 'nextHop', address: nextHop });
      placed = true;
    }
    out.push(a);
  }
  if (!placed) out.push({ kind: 'nextHop', address: nextHop });
  return out;
}

function refuseMp(attributes: readonly PathAttribute[]): void {
  for (const a of attributes) {
    if (a.kind === 'mpReach' || a.kind === 'mpUnreach') {
      throw new LocalProtocolError(
        'ANYVIP_BAD_ATTRIBUTE',
        `${a.kind} is built by the packer; leave it out of attributes`,
      );
    }
  }
}

/** How the UPDATEs of one packUpdates call are laid out: everything but the NLRI. */
interface ReachLayout {
  /** IPv4 in the classic NLRI field (else MP_REACH_NLRI). */
  readonly classic: boolean;
  readonly safi: number;
  readonly addPath: boolean;
  /** The other attributes, encoded once. */
  readonly block: Uint8Array;
  /** MP_REACH_NLRI's next hop field (MP only). */
  readonly nextHop: Uint8Array;
  /** Octets of a message besides its NLRI (with a 2-octet MP_REACH_NLRI length when MP). */
  readonly fixed: number;
}

function reachLayout(opts: Omit<PackUpdatesOptions, 'nlri'>): ReachLayout {
  const { afi, ctx } = opts;
  refuseMp(opts.attributes);
  if (afi === 1 && !opts.useMpForIpv4) {
    const block = encodeAttributeBlock(withNextHop(opts.attributes, opts.nextHop), ctx);
    return {
      classic: true,
      safi: 1,
      addPath: ctx.addPath.has(familyKey(1, 1)),
      block,
      nextHop: new Uint8Array(0),
      fixed: HEADER_LENGTH + 4 + block.length,
    };
  }
  const safi = opts.safi ?? 1;
  const block = encodeAttributeBlock(
    opts.attributes.filter((a) => a.kind !== 'nextHop'),
    ctx,
  );
  const nh = new Writer(32);
  writeAddress(nh, opts.nextHop);
  if (opts.linkLocalNextHop !== undefined) writeAddress(nh, opts.linkLocalNextHop);
  const nextHop = nh.finish();
  const n = nextHop.length;
  if (!(n === 16 || n === 32 || (afi === 1 && n === 4))) {
    throw new LocalProtocolError(
      'ANYVIP_BAD_ADDRESS',
      `next hop ${opts.nextHop} cannot be sent for AFI ${afi}`,
    );
  }
  // MP_REACH_NLRI with a 2-octet attribute length; one octet less when the value fits in
  // 255 octets. Its value: AFI, SAFI, next hop length, next hop, reserved (RFC 4760 §3).
  const fixed = HEADER_LENGTH + 4 + 4 + 5 + nextHop.length + block.length;
  return { classic: false, safi, addPath: ctx.addPath.has(familyKey(afi, safi)), block, nextHop, fixed };
}

/**
 * Octets of NLRI that one UPDATE built by {@link packUpdates} with these options
 * holds at most: what a caller needs to offer just enough prefixes for a number of
 * messages (a message holds less when the next prefix does not fit in what is left).
 */
export function updateNlriCapacity(opts: Omit<PackUpdatesOptions, 'nlri'>): number {
  return maxMessageLength(opts.ctx) - reachLayout(opts).fixed;
}

/**
 * Packs `nlri` (all of family `afi`) with one attribute set into the fewest UPDATEs
 * of at most 4096 octets (65535 with `ctx.extendedMessage`, RFC 8654), in order.
 * IPv4 goes in the classic NLRI field with a NEXT_HOP attribute of `nextHop`, unless
 * `useMpForIpv4`; IPv6 (and IPv4 with `useMpForIpv4`) goes in an MP_REACH_NLRI placed
 * first (RFC 7606 §5.1) with `nextHop` (and `linkLocalNextHop`), and any NEXT_HOP in
 * `attributes` is left out (RFC 4760 §3). Path ids are written when `ctx.addPath` has
 * the family (RFC 7911). No prefixes, no messages.
 */
export function packUpdates(opts: PackUpdatesOptions): Uint8Array[] {
  return packUpdatesUpTo(opts, Number.POSITIVE_INFINITY).messages;
}

/** What a packer call with a message limit did. */
export interface PackResult {
  readonly messages: Uint8Array[];
  /** How many of the prefixes given, from the first, the messages carry; the rest did not fit. */
  readonly packed: number;
}

/**
 * {@link packUpdates}, but at most `maxMessages` UPDATEs (at least one if there are
 * prefixes): the packer says how many prefixes fit, so the caller keeps the rest.
 */
export function packUpdatesUpTo(opts: PackUpdatesOptions, maxMessages: number): PackResult {
  const { afi, nlri, ctx } = opts;
  refuseMp(opts.attributes);
  if (nlri.length === 0) return { messages: [], packed: 0 };
  const layout = reachLayout(opts);
  const max = maxMessageLength(ctx);
  const out: Uint8Array[] = [];
  const { block, fixed, addPath } = layout;
  let i = 0;
  if (layout.classic) {
    while (i < nlri.length && out.length < maxMessages) {
      const { to, bytes } = fit(nlri, i, max - fixed, 1, addPath);
      const total = fixed + bytes;
      const w = messageWriter(total);
      const b = w.buf;
      writeUpdateStart(b, total, 0);
      b[21] = block.length >>> 8;
      b[22] = block.length & 0xff;
      b.set(block, 23);
      w.pos = 23 + block.length;
      writePrefixes(w, nlri, i, to, addPath);
      out.push(b.subarray(0, total));
      i = to;
    }
    return { messages: out, packed: i };
  }

  const { nextHop, safi } = layout;
  const mpFixed = 5 + nextHop.length;
  while (i < nlri.length && out.length < maxMessages) {
    const { to, bytes } = fit(nlri, i, max - fixed, afi, addPath);
    const valueLength = mpFixed + bytes;
    const extended = valueLength > 255;
    const total = fixed + bytes - (extended ? 0 : 1);
    const w = messageWriter(total);
    const b = w.buf;
    writeUpdateStart(b, total, 0);
    const attributesLength = total - HEADER_LENGTH - 4;
    b[21] = attributesLength >>> 8;
    b[22] = attributesLength & 0xff;
    let p = 23;
    if (extended) {
      b[p++] = AttrFlag.OPTIONAL | AttrFlag.EXTENDED_LENGTH;
      b[p++] = AttrType.MP_REACH_NLRI;
      b[p++] = valueLength >>> 8;
      b[p++] = valueLength & 0xff;
    } else {
      b[p++] = AttrFlag.OPTIONAL;
      b[p++] = AttrType.MP_REACH_NLRI;
      b[p++] = valueLength;
    }
    b[p++] = afi >>> 8;
    b[p++] = afi & 0xff;
    b[p++] = safi;
    b[p++] = nextHop.length;
    b.set(nextHop, p);
    p += nextHop.length;
    b[p++] = 0;
    w.pos = p;
    writePrefixes(w, nlri, i, to, addPath);
    b.set(block, w.pos);
    out.push(b.subarray(0, total));
    i = to;
  }
  return { messages: out, packed: i };
}

/**
 * Packs withdrawals into the fewest UPDATEs: IPv4 in the classic Withdrawn Routes
 * field (unless `useMpForIpv4`), IPv6 in an MP_UNREACH_NLRI (RFC 4760 §4), with path
 * ids when `ctx.addPath` has the family (RFC 7911). No prefixes, no messages.
 */
export function packWithdrawals(opts: PackWithdrawalsOptions): Uint8Array[] {
  return packWithdrawalsUpTo(opts, Number.POSITIVE_INFINITY).messages;
}

/** Octets of a withdrawal UPDATE besides its prefixes (MP_UNREACH_NLRI with a 2-octet length). */
function withdrawalFixed(opts: Omit<PackWithdrawalsOptions, 'prefixes'>): number {
  return opts.afi === 1 && !opts.useMpForIpv4 ? HEADER_LENGTH + 4 : HEADER_LENGTH + 4 + 4 + 3;
}

/** Octets of withdrawn prefixes one UPDATE built by {@link packWithdrawals} holds at most. */
export function withdrawalNlriCapacity(opts: Omit<PackWithdrawalsOptions, 'prefixes'>): number {
  return maxMessageLength(opts.ctx) - withdrawalFixed(opts);
}

/** {@link packWithdrawals}, but at most `maxMessages` UPDATEs; see {@link packUpdatesUpTo}. */
export function packWithdrawalsUpTo(opts: PackWithdrawalsOptions, maxMessages: number): PackResult {
  const { afi, prefixes, ctx } = opts;
  if (prefixes.length === 0) return { messages: [], packed: 0 };
  const max = maxMessageLength(ctx);
  const out: Uint8Array[] = [];
  if (afi === 1 && !opts.useMpForIpv4) {
    const addPath = ctx.addPath.has(familyKey(1, 1));
    const fixed = withdrawalFixed(opts);
    let i = 0;
    while (i < prefixes.length && out.length < maxMessages) {
      const { to, bytes } = fit(prefixes, i, max - fixed, 1, addPath);
      const total = fixed + bytes;
      const w = messageWriter(total);
      writeUpdateStart(w.buf, total, bytes);
      w.pos = 21;
      writePrefixes(w, prefixes, i, to, addPath);
      // Total Path Attribute Length is already 0.
      out.push(w.buf.subarray(0, total));
      i = to;
    }
    return { messages: out, packed: i };
  }
  const safi = opts.safi ?? 1;
  const addPath = ctx.addPath.has(familyKey(afi, safi));
  const fixed = withdrawalFixed(opts);
  let i = 0;
  while (i < prefixes.length && out.length < maxMessages) {
    const { to, bytes } = fit(prefixes, i, max - fixed, afi, addPath);
    const valueLength = 3 + bytes;
    const extended = valueLength > 255;
    const total = fixed + bytes - (extended ? 0 : 1);
    const w = messageWriter(total);
    const b = w.buf;
    writeUpdateStart(b, total, 0);
    const attributesLength = total - HEADER_LENGTH - 4;
    b[21] = attributesLength >>> 8;
    b[22] = attributesLength & 0xff;
    let p = 23;
    b[p++] = extended ? AttrFlag.OPTIONAL | AttrFlag.EXTENDED_LENGTH : AttrFlag.OPTIONAL;
    b[p++] = AttrType.MP_UNREACH_NLRI;
    if (extended) b[p++] = valueLength >>> 8;
    b[p++] = valueLength & 0xff;
    b[p++] = afi >>> 8;
    b[p++] = afi & 0xff;
    b[p++] = safi;
    w.pos = p;
    writePrefixes(w, prefixes, i, to, addPath);
    out.push(b.subarray(0, total));
    i = to;
  }
  return { messages: out, packed: i };
}

/**
 * The End-of-RIB marker of a family (RFC 4724 §2): for IPv4 unicast an UPDATE with
 * no withdrawn routes, attributes or NLRI; for any other family an UPDATE holding
 * only an MP_UNREACH_NLRI with that AFI/SAFI and no withdrawn routes.
 */
export function endOfRib(afi: number, safi: number, _ctx?: CodecContext): Uint8Array {
  if (afi === 1 && safi === 1) {
    const b = new Uint8Array(HEADER_LENGTH + 4);
    writeUpdateStart(b, b.length, 0);
    return b;
  }
  const b = new Uint8Array(HEADER_LENGTH + 4 + 6);
  writeUpdateStart(b, b.length, 0);
  b.set([0, 6, AttrFlag.OPTIONAL, AttrType.MP_UNREACH_NLRI, 3, afi >>> 8, afi & 0xff, safi], 21);
  return b;
}
