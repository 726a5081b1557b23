import { AttrFlag, AttrType } from '../constants.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import type { MultiExitDiscAttribute } from './path-attribute.js';

/**
 * MULTI_EXIT_DISC (type 4, RFC 4271 §4.3 d, §5.1.4): optional non-transitive,
 * a 4-octet unsigned integer. Any other length is treat-as-withdraw (RFC 7606 §7.4).
 */
export const medCodec: AttributeCodec<MultiExitDiscAttribute> = {
  code: AttrType.MULTI_EXIT_DISC,
  kind: 'med',
  name: 'MULTI_EXIT_DISC',
  flags: AttrFlag.OPTIONAL,
  decode(attr, at) {
    if (attr.length - at !== 4) {
      throw attributeLengthError(
        attr,
        'treatAsWithdraw',
        `MULTI_EXIT_DISC length ${attr.length - at}, expected 4`,
      );
    }
    return {
      kind: 'med',
      flags: attr[0]!,
      value: ((attr[at]! << 24) | (attr[at + 1]! << 16) | (attr[at + 2]! << 8) | attr[at + 3]!) >>> 0,
    };
  },
  encode(w, a) {
    w.u32(a.value);
  },
};
