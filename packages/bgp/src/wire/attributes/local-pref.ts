import { AttrFlag, AttrType } from '../constants.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import type { LocalPrefAttribute } from './path-attribute.js';

/**
 * LOCAL_PREF (type 5, RFC 4271 §4.3 e, §5.1.5): well-known, a 4-octet unsigned
 * integer, sent to internal peers only (ignoring it from external peers is the
 * caller's job). Any other length is treat-as-withdraw (RFC 7606 §7.5).
 */
export const localPrefCodec: AttributeCodec<LocalPrefAttribute> = {
  code: AttrType.LOCAL_PREF,
  kind: 'localPref',
  name: 'LOCAL_PREF',
  flags: AttrFlag.TRANSITIVE,
  decode(attr, at) {
    if (attr.length - at !== 4) {
      throw attributeLengthError(
        attr,
        'treatAsWithdraw',
        `LOCAL_PREF length ${attr.length - at}, expected 4`,
      );
    }
    return {
      kind: 'localPref',
      flags: attr[0]!,
      value: ((attr[at]! << 24) | (attr[at + 1]! << 16) | (attr[at + 2]! << 8) | attr[at + 3]!) >>> 0,
    };
  },
  encode(w, a) {
    w.u32(a.value);
  },
};
