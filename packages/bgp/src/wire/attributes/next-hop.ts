import { formatIpv4Bytes, parseIpv4 } from '../address.js';
import { AttrFlag, AttrType } from '../constants.js';
import { LocalProtocolError } from '../errors.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import type { NextHopAttribute } from './path-attribute.js';

/**
 * NEXT_HOP (type 3, RFC 4271 §4.3 c, §5.1.3): well-known, four octets of IPv4.
 * A length other than 4 is treat-as-withdraw (RFC 7606 §7.3); `parseUpdate` lowers
 * that to attribute discard when the UPDATE has no classic NLRI, since such a
 * NEXT_HOP is to be ignored anyway (RFC 4760 §3).
 */
export const nextHopCodec: AttributeCodec<NextHopAttribute> = {
  code: AttrType.NEXT_HOP,
  kind: 'nextHop',
  name: 'NEXT_HOP',
  flags: AttrFlag.TRANSITIVE,
  decode(attr, at) {
    if (attr.length - at !== 4) {
      throw attributeLengthError(attr, 'treatAsWithdraw', `NEXT_HOP length ${attr.length - at}, expected 4`);
    }
    return { kind: 'nextHop', flags: attr[0]!, address: formatIpv4Bytes(attr, at) };
  },
  encode(w, a) {
    w.u32(ipv4OrThrow(a.address, 'NEXT_HOP'));
  },
};

/** The 32-bit value of dotted-quad text; a local caller's mistake otherwise. */
export function ipv4OrThrow(text: string, what: string): number {
  const v = parseIpv4(text);
  if (v === undefined) {
    throw new LocalProtocolError(
      'ANYVIP_BAD_ADDRESS',
      `${what} is not an IPv4 address: ${JSON.stringify(text)}`,
    );
  }
  return v;
}
