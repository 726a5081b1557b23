import { formatIpv4, parseIpv4 } from './address.js';
import type { Capability } from './capabilities/capability.js';
import { decodeCapability, encodeCapability } from './capabilities/index.js';
import {
  BGP_VERSION,
  HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  OpenErrorSubcode,
  OptParamType,
} from './constants.js';
import { LocalProtocolError, openError, type WireError } from './errors.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/**
 * OPEN (RFC 4271 §4.2). Capabilities (RFC 5492) are collected from every
 * Capabilities optional parameter, whether the sender packed them into one or spread
 * them over several; other parameter types are kept raw in `otherParameters`.
 */
export interface OpenMessage {
  readonly kind: 'open';
  readonly version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real ASN needs 4 octets). */
  readonly myAsn: number;
  readonly holdTimeSec: number;
  /** BGP Identifier as dotted-quad text. */
  readonly bgpIdentifier: string;
  readonly capabilities: readonly Capability[];
  /** Optional parameters other than Capabilities (type 2), byte-exact. */
  readonly otherParameters?: readonly { readonly type: number; readonly value: Uint8Array }[];
  /**
   * How the optional parameters were laid out: one Capabilities parameter per
   * capability (`perCapability`, what most routers send), all in one parameter
   * (`packed`), or a mix of both (`capabilitiesPerParameter`), and whether RFC 9072
   * extended lengths were used. Encoding follows it so that a decoded OPEN
   * re-encodes byte-exact, provided any `otherParameters` came before the
   * capabilities (they are always written first); the default is `perCapability`.
   */
  readonly layout?: OpenLayout;
}

/** See {@link OpenMessage.layout}. */
export interface OpenLayout {
  readonly grouping: 'perCapability' | 'packed';
  readonly extendedLength: boolean;
  /**
   * Only for a layout that is neither of the two groupings (some routers send one
   * capability alone and the rest together): how many capabilities each Capabilities
   * parameter held, in order. Used instead of `grouping` when its sum is the
   * number of capabilities; `grouping` then names the nearer of the two.
   */
  readonly capabilitiesPerParameter?: readonly number[];
}

/** The sender's real ASN: the 4-octet AS capability's when present (RFC 6793 §4.1), else My AS. */
export function openAsn(open: OpenMessage): number {
  for (const c of open.capabilities) if (c.kind === 'fourOctetAs') return c.asn;
  return open.myAsn;
}

/** Version(1) My AS(2) Hold Time(2) BGP Identifier(4) Opt Parm Len(1) (RFC 4271 §4.2). */
const FIXED_LENGTH = 10;
/** RFC 9072 §2: Non-Ext OP Len and Non-Ext OP Type both 255 mark the extended encoding. */
const EXTENDED_MARK = 255;

/**
 * A malformed OPEN: OPEN Message Error / Unspecific, as FRR and BIRD send for an
 * optional-parameter area whose lengths do not add up (RFC 4271 §6.2).
 */
function malformedOpen(reason: string): WireError {
  return openError('BGP_OPEN_MALFORMED', OpenErrorSubcode.UNSPECIFIC, `malformed OPEN: ${reason}`);
}

/**
 * Decodes a whole OPEN message (the 19-octet header included; the caller has checked
 * it with `decodeHeader`). The check is structural only: Hold Time, BGP
 * Identifier and My AS are judged by the OPEN negotiation, not here.
 *
 * Throws {@link WireError}:
 * - version other than 4: OPEN Message Error / Unsupported Version Number, data the
 *   largest version we support, 2 octets (RFC 4271 §6.2);
 * - lengths that overrun or do not fill the message, in the fixed part, the optional
 *   parameters (RFC 4271 §4.2, RFC 9072 §2) or a capability (RFC 5492 §4), and a
 *   known capability with a malformed value: OPEN Message Error / Unspecific.
 */
export function decodeOpen(msg: Uint8Array): OpenMessage {
  const r = new Reader(msg, HEADER_LENGTH, msg.length, malformedOpen);
  const version = r.u8('OPEN version');
  if (version !== BGP_VERSION) {
    throw openError(
      'BGP_OPEN_UNSUPPORTED_VERSION_NUMBER',
      OpenErrorSubcode.UNSUPPORTED_VERSION_NUMBER,
      `unsupported BGP version ${version}`,
      Uint8Array.of(0, BGP_VERSION),
    );
  }
  r.need(FIXED_LENGTH - 1, 'OPEN fixed fields');
  const myAsn = r.u16();
  const holdTimeSec = r.u16();
  const bgpIdentifier = formatIpv4(r.u32());
  let paramsLength = r.u8();
  let extendedLength = false;
  if (paramsLength === EXTENDED_MARK && r.remaining > 0 && msg[r.pos] === EXTENDED_MARK) {
    // RFC 9072 §2: Non-Ext OP Type 255, then a 2-octet Extended Opt. Parm. Length.
    r.skip(1);
    paramsLength = r.u16('extended optional parameters length');
    extendedLength = true;
  }
  if (paramsLength !== r.remaining) {
    throw malformedOpen(`optional parameters length ${paramsLength}, but ${r.remaining} octets follow`);
  }

  const capabilities: Capability[] = [];
  const perParameter: number[] = [];
  let otherParameters: { type: number; value: Uint8Array }[] | undefined;
  while (r.remaining > 0) {
    const type = r.u8('optional parameter type');
    const length = extendedLength ? r.u16('optional parameter length') : r.u8('optional parameter length');
    if (type !== OptParamType.CAPABILITIES) {
      otherParameters ??= [];
      otherParameters.push({ type, value: r.bytes(length, `optional parameter ${type}`).slice() });
      continue;
    }
    // RFC 5492 §4: Capability Code(1) Capability Length(1) Value, one or several per parameter.
    const p = r.sub(length, 'Capabilities parameter');
    let count = 0;
    while (p.remaining > 0) {
      const code = p.u8('capability code');
      const valueLength = p.u8('capability length');
      capabilities.push(decodeCapability(code, p.bytes(valueLength, `capability ${code}`)));
      count++;
    }
    perParameter.push(count);
  }

  const open: OpenMessage = {
    kind: 'open',
    version,
    myAsn,
    holdTimeSec,
    bgpIdentifier,
    capabilities,
    layout: layoutOf(perParameter, extendedLength),
  };
  return otherParameters ? { ...open, otherParameters } : open;
}

/** The layout that re-creates the Capabilities parameters seen, `counts` being capabilities per parameter. */
function layoutOf(counts: readonly number[], extendedLength: boolean): OpenLayout {
  if (counts.every((n) => n === 1)) return { grouping: 'perCapability', extendedLength };
  if (counts.length === 1 && counts[0]! > 1) return { grouping: 'packed', extendedLength };
  return {
    grouping: counts.some((n) => n > 1) ? 'packed' : 'perCapability',
    extendedLength,
    capabilitiesPerParameter: counts.slice(),
  };
}

/**
 * How many capabilities go in each Capabilities parameter under `layout`
 * (RFC 5492 §4 allows either one per parameter or several in one).
 */
function parameterGroups(layout: OpenLayout | undefined, count: number): readonly number[] {
  const explicit = layout?.capabilitiesPerParameter;
  if (
    explicit &&
    explicit.reduce((a, b) => a + b, 0) === count &&
    explicit.every((n) => Number.isInteger(n) && n >= 0)
  ) {
    return explicit;
  }
  if (count === 0) return [];
  if (layout?.grouping === 'packed') return [count];
  return new Array<number>(count).fill(1);
}

function checkField(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new LocalProtocolError('ANYVIP_BAD_OPEN', `OPEN ${what} ${value} is outside [0, ${max}]`);
  }
}

/**
 * Encodes a whole OPEN message (header included, RFC 4271 §4.2). Optional
 * parameters are written `otherParameters` first, in order, then the Capabilities
 * parameters grouped as `layout` says: a decoded OPEN that interleaved other
 * parameters between capabilities re-encodes with the same content in that order.
 * RFC 9072 extended lengths are used when `layout.extendedLength` is set or when
 * the parameters do not fit in 255 octets (RFC 9072 §2).
 *
 * Throws LocalProtocolError for a field out of range, a BGP Identifier that is not
 * dotted-quad text, or an OPEN over 4096 octets (RFC 8654 §4 never extends OPEN).
 */
export function encodeOpen(m: OpenMessage): Uint8Array {
  checkField(m.version, 0xff, 'version');
  checkField(m.myAsn, 0xffff, 'My Autonomous System');
  checkField(m.holdTimeSec, 0xffff, 'Hold Time');
  const identifier = parseIpv4(m.bgpIdentifier);
  if (identifier === undefined) {
    throw new LocalProtocolError(
      'ANYVIP_BAD_OPEN',
      `BGP Identifier ${JSON.stringify(m.bgpIdentifier)} is not dotted-quad`,
    );
  }

  // Capability TLVs first, into one buffer, so that the parameter lengths are known.
  const caps = new Writer(128);
  const ends: number[] = [];
  for (const cap of m.capabilities) {
    encodeCapability(cap, caps);
    ends.push(caps.pos);
  }
  const params: { type: number; value: Uint8Array }[] = [];
  for (const p of m.otherParameters ?? []) {
    checkField(p.type, 0xff, 'optional parameter type');
    params.push(p);
  }
  let capIndex = 0;
  for (const n of parameterGroups(m.layout, m.capabilities.length)) {
    const start = capIndex === 0 ? 0 : ends[capIndex - 1]!;
    capIndex += n;
    const end = capIndex === 0 ? 0 : ends[capIndex - 1]!;
    params.push({ type: OptParamType.CAPABILITIES, value: caps.buf.subarray(start, end) });
  }

  let shortLength = 0;
  let longest = 0;
  for (const p of params) {
    shortLength += 2 + p.value.length;
    longest = Math.max(longest, p.value.length);
  }
  // A Non-Ext OP Len of 255 followed by a parameter of type 255 would read as RFC 9072's
  // marker, so such a list takes the extended form too (RFC 9072 §2).
  const ambiguous = shortLength === EXTENDED_MARK && params[0]?.type === EXTENDED_MARK;
  const extended = m.layout?.extendedLength === true || shortLength > 0xff || longest > 0xff || ambiguous;
  const paramsLength = extended ? shortLength + params.length : shortLength;
  checkField(paramsLength, 0xffff, 'optional parameters length');

  const w = new Writer(HEADER_LENGTH + FIXED_LENGTH + 3 + paramsLength);
  w.u32(0xffffffff).u32(0xffffffff).u32(0xffffffff).u32(0xffffffff);
  const lengthAt = w.reserve16();
  w.u8(MessageType.OPEN).u8(m.version).u16(m.myAsn).u16(m.holdTimeSec).u32(identifier);
  if (extended) {
    w.u8(EXTENDED_MARK).u8(EXTENDED_MARK).u16(paramsLength);
    for (const p of params) w.u8(p.type).u16(p.value.length).bytes(p.value);
  } else {
    w.u8(paramsLength);
    for (const p of params) w.u8(p.type).u8(p.value.length).bytes(p.value);
  }
  if (w.pos > MAX_MESSAGE_LENGTH) {
    throw new LocalProtocolError('ANYVIP_BAD_OPEN', `OPEN of ${w.pos} octets exceeds ${MAX_MESSAGE_LENGTH}`);
  }
  w.fill16(lengthAt, w.pos);
  return w.finish();
}
