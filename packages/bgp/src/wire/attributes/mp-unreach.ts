import { AttrFlag, AttrType, familyKey } from '../constants.js';
import { LocalProtocolError } from '../errors.js';
import type { Prefix } from '../prefix.js';
import { optionalAttributeError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import { decodeFamilyNlri, encodeFamilyNlri, isPrefixFamily } from './mp-reach.js';
import type { MpUnreachNlriAttribute } from './path-attribute.js';

/**
 * MP_UNREACH_NLRI (type 15, RFC 4760 §4): optional non-transitive; AFI (2), SAFI (1),
 * then the withdrawn routes, with ADD-PATH path ids when negotiated (RFC 7911 §3).
 * IPv4/IPv6 unicast and multicast decode into prefixes; a syntax error there, or an
 * attribute too short for AFI/SAFI, is a session reset (RFC 7606 §7.12, §5.3) with
 * 3/9 and the attribute as data (RFC 4760 §7). Other families keep the withdrawn
 * routes byte-exact in `raw` and never fault. With nothing after AFI/SAFI it is an
 * End-of-RIB marker when alone in the UPDATE (RFC 4724 §2).
 */
export const mpUnreachCodec: AttributeCodec<MpUnreachNlriAttribute> = {
  code: AttrType.MP_UNREACH_NLRI,
  kind: 'mpUnreach',
  name: 'MP_UNREACH_NLRI',
  flags: AttrFlag.OPTIONAL,
  decode(attr, at, ctx) {
    if (attr.length - at < 3) {
      throw optionalAttributeError(
        attr,
        'sessionReset',
        `MP_UNREACH_NLRI of ${attr.length - at} octets has no AFI/SAFI`,
      );
    }
    const afi = (attr[at]! << 8) | attr[at + 1]!;
    const safi = attr[at + 2]!;
    const flags = attr[0]!;
    if (!isPrefixFamily(afi, safi)) {
      return { kind: 'mpUnreach', flags, afi, safi, withdrawn: undefined, raw: attr.slice(at + 3) };
    }
    const withdrawn: Prefix[] = [];
    decodeFamilyNlri(attr, at + 3, afi, ctx.addPath.has(familyKey(afi, safi)), withdrawn, 'MP_UNREACH_NLRI');
    return { kind: 'mpUnreach', flags, afi, safi, withdrawn };
  },
  encode(w, a, ctx) {
    w.u16(a.afi).u8(a.safi);
    if (a.withdrawn === undefined) {
      if (a.raw === undefined) {
        throw new LocalProtocolError('ANYVIP_BAD_ATTRIBUTE', 'MP_UNREACH_NLRI needs either withdrawn or raw');
      }
      w.bytes(a.raw);
      return;
    }
    encodeFamilyNlri(w, a.withdrawn, a.afi, ctx.addPath.has(familyKey(a.afi, a.safi)), 'MP_UNREACH_NLRI');
  },
};
