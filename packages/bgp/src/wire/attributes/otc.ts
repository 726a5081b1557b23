import { AttrFlag, AttrType } from '../constants.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import type { OtcAttribute } from './path-attribute.js';

/**
 * Only to Customer (type 35, RFC 9234 §5): optional transitive, a 4-octet ASN.
 * Any other length is treat-as-withdraw (RFC 9234 §5). The route-leak rules that
 * use it need the session's BGP Role and are the caller's.
 */
export const otcCodec: AttributeCodec<OtcAttribute> = {
  code: AttrType.OTC,
  kind: 'otc',
  name: 'OTC',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  decode(attr, at) {
    if (attr.length - at !== 4) {
      throw attributeLengthError(attr, 'treatAsWithdraw', `OTC length ${attr.length - at}, expected 4`);
    }
    return {
      kind: 'otc',
      flags: attr[0]!,
      asn: ((attr[at]! << 24) | (attr[at + 1]! << 16) | (attr[at + 2]! << 8) | attr[at + 3]!) >>> 0,
    };
  },
  encode(w, a) {
    w.u32(a.asn);
  },
};
