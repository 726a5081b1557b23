import { AttrFlag } from '../constants.js';
import type { PathAttribute, UnknownAttribute } from './path-attribute.js';

/**
 * Any attribute type we do not decode (RFC 4271 §5, §9): kept with its flags and
 * value byte-exact so it can be passed on. An unrecognized type whose Optional bit
 * is 0 never gets here: it is 3/2 Unrecognized Well-known Attribute, session reset
 * (RFC 4271 §6.3). An unrecognized optional non-transitive attribute is quietly kept
 * too; dropping it on re-advertisement (RFC 4271 §5) is the speaker's job.
 */
export function decodeUnknownAttribute(attr: Uint8Array, at: number): UnknownAttribute {
  return { kind: 'unknown', code: attr[1]!, flags: attr[0]!, value: attr.slice(at) };
}

/**
 * The attribute as it must be passed on to another peer: an unrecognized optional
 * transitive attribute is passed on with the Partial bit set to 1 (RFC 4271 §5);
 * anything else is returned unchanged.
 */
export function markPartial<A extends PathAttribute>(attr: A): A {
  if (attr.kind !== 'unknown') return attr;
  const optionalTransitive = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
  if ((attr.flags & optionalTransitive) !== optionalTransitive || attr.flags & AttrFlag.PARTIAL) return attr;
  return { ...attr, flags: attr.flags | AttrFlag.PARTIAL };
}
