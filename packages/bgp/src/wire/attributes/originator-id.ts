import { formatIpv4Bytes } from '../address.js';
import { AttrFlag, AttrType } from '../constants.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import { ipv4OrThrow } from './next-hop.js';
import type { OriginatorIdAttribute } from './path-attribute.js';

/**
 * ORIGINATOR_ID (type 9, RFC 4456 §8): optional non-transitive, the 4-octet BGP
 * Identifier of the route's originator in the AS. Any other length is
 * treat-as-withdraw (RFC 7606 §7.9).
 */
export const originatorIdCodec: AttributeCodec<OriginatorIdAttribute> = {
  code: AttrType.ORIGINATOR_ID,
  kind: 'originatorId',
  name: 'ORIGINATOR_ID',
  flags: AttrFlag.OPTIONAL,
  decode(attr, at) {
    if (attr.length - at !== 4) {
      throw attributeLengthError(
        attr,
        'treatAsWithdraw',
        `ORIGINATOR_ID length ${attr.length - at}, expected 4`,
      );
    }
    return { kind: 'originatorId', flags: attr[0]!, id: formatIpv4Bytes(attr, at) };
  },
  encode(w, a) {
    w.u32(ipv4OrThrow(a.id, 'ORIGINATOR_ID'));
  },
};
