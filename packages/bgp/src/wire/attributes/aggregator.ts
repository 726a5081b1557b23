import { formatIpv4Bytes } from '../address.js';
import { AS_TRANS, AttrFlag, AttrType } from '../constants.js';
import type { CodecContext } from '../context.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import { ipv4OrThrow } from './next-hop.js';
import type { AggregatorAttribute, As4AggregatorAttribute, PathAttribute } from './path-attribute.js';

/**
 * AGGREGATOR (type 7, RFC 4271 §4.3 g, §5.1.7): optional transitive, the ASN (2
 * octets, or 4 on a 4-octet session, RFC 6793 §3) and IPv4 address of the speaker
 * that aggregated. A length other than 6 / 8 is attribute discard (RFC 7606 §7.7).
 * With 2-octet width an ASN above 65535 is sent as AS_TRANS (RFC 6793 §4.2.2).
 */
export const aggregatorCodec: AttributeCodec<AggregatorAttribute> = {
  code: AttrType.AGGREGATOR,
  kind: 'aggregator',
  name: 'AGGREGATOR',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  decode(attr, at, ctx) {
    const width = ctx.fourOctetAs ? 4 : 2;
    if (attr.length - at !== width + 4) {
      throw attributeLengthError(
        attr,
        'attributeDiscard',
        `AGGREGATOR length ${attr.length - at}, expected ${width + 4}`,
      );
    }
    const asn =
      width === 4
        ? ((attr[at]! << 24) | (attr[at + 1]! << 16) | (attr[at + 2]! << 8) | attr[at + 3]!) >>> 0
        : (attr[at]! << 8) | attr[at + 1]!;
    return { kind: 'aggregator', flags: attr[0]!, asn, address: formatIpv4Bytes(attr, at + width) };
  },
  encode(w, a, ctx) {
    if (ctx.fourOctetAs) w.u32(a.asn);
    else w.u16(a.asn > 0xffff ? AS_TRANS : a.asn);
    w.u32(ipv4OrThrow(a.address, 'AGGREGATOR address'));
  },
};

/**
 * AS4_AGGREGATOR (type 18, RFC 6793 §3): optional transitive, always a 4-octet ASN
 * and an IPv4 address. A length other than 8 is attribute discard (RFC 6793 §6).
 */
export const as4AggregatorCodec: AttributeCodec<As4AggregatorAttribute> = {
  code: AttrType.AS4_AGGREGATOR,
  kind: 'as4Aggregator',
  name: 'AS4_AGGREGATOR',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  decode(attr, at) {
    if (attr.length - at !== 8) {
      throw attributeLengthError(
        attr,
        'attributeDiscard',
        `AS4_AGGREGATOR length ${attr.length - at}, expected 8`,
      );
    }
    const asn = ((attr[at]! << 24) | (attr[at + 1]! << 16) | (attr[at + 2]! << 8) | attr[at + 3]!) >>> 0;
    return { kind: 'as4Aggregator', flags: attr[0]!, asn, address: formatIpv4Bytes(attr, at + 4) };
  },
  encode(w, a) {
    w.u32(a.asn);
    w.u32(ipv4OrThrow(a.address, 'AS4_AGGREGATOR address'));
  },
};

/**
 * The aggregator a route really has: on a 2-octet session, an AGGREGATOR holding
 * AS_TRANS is replaced by AS4_AGGREGATOR when one is present (RFC 6793 §4.2.3); on
 * a 4-octet session AS4_AGGREGATOR is ignored (RFC 6793 §4.1).
 */
export function effectiveAggregator(
  attributes: readonly PathAttribute[],
  ctx: CodecContext,
): { readonly asn: number; readonly address: string } | undefined {
  let aggregator: AggregatorAttribute | undefined;
  let as4: As4AggregatorAttribute | undefined;
  for (const a of attributes) {
    if (a.kind === 'aggregator') aggregator ??= a;
    else if (a.kind === 'as4Aggregator') as4 ??= a;
  }
  if (aggregator === undefined) return undefined;
  if (!ctx.fourOctetAs && aggregator.asn === AS_TRANS && as4 !== undefined) {
    return { asn: as4.asn, address: as4.address };
  }
  return { asn: aggregator.asn, address: aggregator.address };
}
