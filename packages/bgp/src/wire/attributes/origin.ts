import { AttrFlag, AttrType } from '../constants.js';
import { attributeLengthError, invalidOriginError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import type { OriginAttribute } from './path-attribute.js';

/**
 * ORIGIN (type 1, RFC 4271 §4.3 a, §5.1.1): well-known mandatory, one octet,
 * 0 IGP, 1 EGP, 2 INCOMPLETE. A length other than 1 or another value is
 * treat-as-withdraw (RFC 7606 §7.1).
 */
export const originCodec: AttributeCodec<OriginAttribute> = {
  code: AttrType.ORIGIN,
  kind: 'origin',
  name: 'ORIGIN',
  flags: AttrFlag.TRANSITIVE,
  decode(attr, at) {
    if (attr.length - at !== 1) {
      throw attributeLengthError(attr, 'treatAsWithdraw', `ORIGIN length ${attr.length - at}, expected 1`);
    }
    const value = attr[at]!;
    if (value > 2) throw invalidOriginError(attr, value);
    return { kind: 'origin', flags: attr[0]!, value: value as 0 | 1 | 2 };
  },
  encode(w, a) {
    w.u8(a.value);
  },
};

const originNames = ['igp', 'egp', 'incomplete'] as const;

/** `igp`, `egp` or `incomplete`, as most BGP tools print it. */
export function formatOrigin(value: 0 | 1 | 2): string {
  return originNames[value];
}
