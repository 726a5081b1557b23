import { AttrFlag, AttrType } from '../constants.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import type { AtomicAggregateAttribute } from './path-attribute.js';

/**
 * ATOMIC_AGGREGATE (type 6, RFC 4271 §4.3 f, §5.1.6): well-known discretionary,
 * no value. A non-zero length is attribute discard (RFC 7606 §7.6).
 */
export const atomicAggregateCodec: AttributeCodec<AtomicAggregateAttribute> = {
  code: AttrType.ATOMIC_AGGREGATE,
  kind: 'atomicAggregate',
  name: 'ATOMIC_AGGREGATE',
  flags: AttrFlag.TRANSITIVE,
  decode(attr, at) {
    if (attr.length !== at) {
      throw attributeLengthError(
        attr,
        'attributeDiscard',
        `ATOMIC_AGGREGATE length ${attr.length - at}, expected 0`,
      );
    }
    return { kind: 'atomicAggregate', flags: attr[0]! };
  },
  encode() {},
};
