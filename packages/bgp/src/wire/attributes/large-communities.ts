import { AttrFlag, AttrType } from '../constants.js';
import { LocalProtocolError } from '../errors.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import type { LargeCommunitiesAttribute } from './path-attribute.js';

type LargeCommunity = readonly [globalAdmin: number, localData1: number, localData2: number];

/**
 * LARGE_COMMUNITY (type 32, RFC 8092 §3): optional transitive, a list of 12-octet
 * values (global administrator, local data part 1, local data part 2). A length
 * that is not a non-zero multiple of 12 is treat-as-withdraw (RFC 8092 §5).
 */
export const largeCommunitiesCodec: AttributeCodec<LargeCommunitiesAttribute> = {
  code: AttrType.LARGE_COMMUNITY,
  kind: 'largeCommunities',
  name: 'LARGE_COMMUNITY',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  decode(attr, at) {
    const n = attr.length - at;
    if (n === 0 || n % 12 !== 0) {
      throw attributeLengthError(
        attr,
        'treatAsWithdraw',
        `LARGE_COMMUNITY length ${n} is not a non-zero multiple of 12`,
      );
    }
    const values: LargeCommunity[] = [];
    for (let p = at; p < attr.length; p += 12)
      values.push([u32(attr, p), u32(attr, p + 4), u32(attr, p + 8)]);
    return { kind: 'largeCommunities', flags: attr[0]!, values };
  },
  encode(w, a) {
    for (const [g, l1, l2] of a.values) w.u32(g).u32(l1).u32(l2);
  },
};

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/** `global:local1:local2` in decimal (RFC 8092 §4). */
export function formatLargeCommunity(value: LargeCommunity): string {
  return `${value[0]}:${value[1]}:${value[2]}`;
}

/** Parses `global:local1:local2`, each a 32-bit decimal; throws `LocalProtocolError` otherwise. */
export function parseLargeCommunity(text: string): LargeCommunity {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text.trim());
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (parts.length !== 3 || parts.some((v) => v > 0xffffffff)) {
    throw new LocalProtocolError('ANYVIP_BAD_COMMUNITY', `not a large community: ${JSON.stringify(text)}`);
  }
  return [parts[0]!, parts[1]!, parts[2]!];
}
