import { formatIpv4Bytes, formatIpv6Bytes, parseIpv4, parseIpv6 } from '../address.js';
import { AttrFlag, AttrType, familyKey } from '../constants.js';
import { LocalProtocolError, WireError } from '../errors.js';
import type { UnicastAfi } from '../family.js';
import { decodeNlri, encodePrefix } from '../nlri.js';
import type { Prefix } from '../prefix.js';
import { optionalAttributeError } from '../validate.js';
import type { Writer } from '../writer.js';
import type { AttributeCodec } from './codec.js';
import type { MpReachNlriAttribute } from './path-attribute.js';

/**
 * MP_REACH_NLRI (type 14, RFC 4760 §3): optional non-transitive; AFI (2), SAFI (1),
 * next hop length (1), next hop, a reserved octet (RFC 4760 §3: sent as 0, ignored
 * on receipt), then NLRI, each with an ADD-PATH path id when the family negotiated it
 * (RFC 7911 §3).
 *
 * Families decoded into prefixes: AFI 1 and 2 with SAFI 1 (unicast) and 2 (multicast).
 * Their next hop must be 4 octets of IPv4, or 16 / 32 octets of IPv6 (global, then
 * link-local: RFC 2545 §3). Either is accepted for either AFI, whether or not the
 * Extended Next Hop capability (RFC 8950 §4) was exchanged, since the length says
 * unambiguously what the next hop is: IPv4 NLRI with an IPv6 next hop is RFC 8950 §3,
 * and ExaBGP sends IPv6 NLRI with a 4-octet IPv4 next hop when its capability lists
 * (2, 1, 1). Any other next-hop length, including 0, is malformed, and because the NLRI
 * cannot then be located reliably, RFC 7606 §7.11 requires a session reset (we never
 * use AFI/SAFI disable). A prefix that is syntactically wrong is the same
 * (RFC 7606 §5.3). The faults are 3/9 Optional Attribute Error with the attribute as
 * data (RFC 4760 §7).
 *
 * Every other family keeps the body after AFI/SAFI byte-exact in `raw`, `nlri`
 * undefined, and never raises a fault; `nextHops` is filled in when the next hop is a
 * plain address or an 8-octet RD followed by one (RFC 4364 §4.3.2, RFC 4659 §3.2).
 */
export const mpReachCodec: AttributeCodec<MpReachNlriAttribute> = {
  code: AttrType.MP_REACH_NLRI,
  kind: 'mpReach',
  name: 'MP_REACH_NLRI',
  flags: AttrFlag.OPTIONAL,
  decode(attr, at, ctx) {
    const end = attr.length;
    if (end - at < 3) {
      throw optionalAttributeError(
        attr,
        'sessionReset',
        `MP_REACH_NLRI of ${end - at} octets has no AFI/SAFI`,
      );
    }
    const afi = (attr[at]! << 8) | attr[at + 1]!;
    const safi = attr[at + 2]!;
    const flags = attr[0]!;
    if (!isPrefixFamily(afi, safi)) {
      return {
        kind: 'mpReach',
        flags,
        afi,
        safi,
        nextHops: otherFamilyNextHops(attr, at + 3),
        nlri: undefined,
        raw: attr.slice(at + 3),
      };
    }
    if (end - at < 4)
      throw optionalAttributeError(attr, 'sessionReset', 'MP_REACH_NLRI has no next hop length');
    const nhLength = attr[at + 3]!;
    const nhStart = at + 4;
    const nlriStart = nhStart + nhLength + 1;
    if (nlriStart > end) {
      throw optionalAttributeError(
        attr,
        'sessionReset',
        `MP_REACH_NLRI next hop of ${nhLength} octets overruns it`,
      );
    }
    let nextHops: string[];
    if (nhLength === 4) nextHops = [formatIpv4Bytes(attr, nhStart)];
    else if (nhLength === 16) nextHops = [formatIpv6Bytes(attr, nhStart)];
    else if (nhLength === 32)
      nextHops = [formatIpv6Bytes(attr, nhStart), formatIpv6Bytes(attr, nhStart + 16)];
    else {
      throw optionalAttributeError(
        attr,
        'sessionReset',
        `MP_REACH_NLRI next hop length ${nhLength} is not 4, 16 or 32 (RFC 7606 §7.11)`,
      );
    }
    const nlri: Prefix[] = [];
    decodeFamilyNlri(attr, nlriStart, afi, ctx.addPath.has(familyKey(afi, safi)), nlri, 'MP_REACH_NLRI');
    return { kind: 'mpReach', flags, afi, safi, nextHops, nlri };
  },
  encode(w, a, ctx) {
    w.u16(a.afi).u8(a.safi);
    if (a.nlri === undefined) {
      if (a.raw === undefined) {
        throw new LocalProtocolError('ANYVIP_BAD_ATTRIBUTE', 'MP_REACH_NLRI needs either nlri or raw');
      }
      w.bytes(a.raw);
      return;
    }
    const at = w.reserve8();
    for (const nh of a.nextHops) writeAddress(w, nh);
    w.fill8(at, w.pos - at - 1);
    w.u8(0);
    encodeFamilyNlri(w, a.nlri, a.afi, ctx.addPath.has(familyKey(a.afi, a.safi)), 'MP_REACH_NLRI');
  },
};

/** AFI 1/2 with SAFI 1/2: the families whose NLRI are plain prefixes (RFC 4760 §5, RFC 2545). */
export function isPrefixFamily(afi: number, safi: number): afi is UnicastAfi {
  return (afi === 1 || afi === 2) && (safi === 1 || safi === 2);
}

/**
 * Decodes the prefixes in `attr[start, end)`; a syntax error becomes 3/9 with the
 * attribute as data, session reset (RFC 7606 §5.3, §7.11, §7.12; RFC 4760 §7).
 */
export function decodeFamilyNlri(
  attr: Uint8Array,
  start: number,
  afi: UnicastAfi,
  addPath: boolean,
  out: Prefix[],
  what: string,
): void {
  try {
    decodeNlri(attr, start, attr.length, afi, addPath, out, 'sessionReset');
  } catch (e) {
    if (e instanceof WireError) throw optionalAttributeError(attr, 'sessionReset', `${what}: ${e.message}`);
    throw e;
  }
}

/** Appends prefixes, refusing one of another family (a local mistake). */
export function encodeFamilyNlri(
  w: Writer,
  prefixes: readonly Prefix[],
  afi: number,
  addPath: boolean,
  what: string,
): void {
  for (const p of prefixes) {
    if (p.afi !== afi) {
      throw new LocalProtocolError(
        'ANYVIP_BAD_PREFIX',
        `${what} for AFI ${afi} given a prefix of AFI ${p.afi}`,
      );
    }
    encodePrefix(w, p, addPath);
  }
}

/** Writes an IPv4 or IPv6 address given as text (4 or 16 octets). */
export function writeAddress(w: Writer, text: string): void {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) {
    w.u32(v4);
    return;
  }
  const v6 = parseIpv6(text);
  if (v6 === undefined) {
    throw new LocalProtocolError(
      'ANYVIP_BAD_ADDRESS',
      `next hop is not an IP address: ${JSON.stringify(text)}`,
    );
  }
  w.bytes(v6);
}

/** Best-effort next hops of a family kept raw; `[]` when the length is not one we can read. */
function otherFamilyNextHops(attr: Uint8Array, at: number): string[] {
  if (at >= attr.length) return [];
  const n = attr[at]!;
  const p = at + 1;
  if (p + n > attr.length) return [];
  switch (n) {
    case 4:
      return [formatIpv4Bytes(attr, p)];
    case 12:
      return [formatIpv4Bytes(attr, p + 8)];
    case 16:
      return [formatIpv6Bytes(attr, p)];
    case 24:
      return [formatIpv6Bytes(attr, p + 8)];
    case 32:
      return [formatIpv6Bytes(attr, p), formatIpv6Bytes(attr, p + 16)];
    case 48:
      return [formatIpv6Bytes(attr, p + 8), formatIpv6Bytes(attr, p + 32)];
    default:
      return [];
  }
}
