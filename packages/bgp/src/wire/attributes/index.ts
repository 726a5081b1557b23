import { AttrFlag } from '../constants.js';
import type { CodecContext } from '../context.js';
import { LocalProtocolError } from '../errors.js';
import type { Writer } from '../writer.js';
import { aggregatorCodec, as4AggregatorCodec } from './aggregator.js';
import { as4PathCodec, asPathCodec } from './as-path.js';
import { atomicAggregateCodec } from './atomic-aggregate.js';
import { clusterListCodec } from './cluster-list.js';
import type { AttributeCodec } from './codec.js';
import { communitiesCodec } from './communities.js';
import { extendedCommunitiesCodec } from './extended-communities.js';
import { largeCommunitiesCodec } from './large-communities.js';
import { localPrefCodec } from './local-pref.js';
import { medCodec } from './med.js';
import { mpReachCodec } from './mp-reach.js';
import { mpUnreachCodec } from './mp-unreach.js';
import { nextHopCodec } from './next-hop.js';
import { originCodec } from './origin.js';
import { originatorIdCodec } from './originator-id.js';
import { otcCodec } from './otc.js';
import type { PathAttribute } from './path-attribute.js';

/**
 * Path attribute codecs by type code and by kind. A type code with no codec here is
 * kept as an `unknown` attribute (see `unknown.ts`).
 */

type KnownAttribute = Exclude<PathAttribute, { kind: 'unknown' }>;
type KnownKind = KnownAttribute['kind'];

/** One codec per recognized kind; the mapped type makes the table exhaustive. */
export const codecByKind: { readonly [K in KnownKind]: AttributeCodec<Extract<PathAttribute, { kind: K }>> } =
  {
    origin: originCodec,
    asPath: asPathCodec,
    nextHop: nextHopCodec,
    med: medCodec,
    localPref: localPrefCodec,
    atomicAggregate: atomicAggregateCodec,
    aggregator: aggregatorCodec,
    communities: communitiesCodec,
    originatorId: originatorIdCodec,
    clusterList: clusterListCodec,
    mpReach: mpReachCodec,
    mpUnreach: mpUnreachCodec,
    extendedCommunities: extendedCommunitiesCodec,
    as4Path: as4PathCodec,
    as4Aggregator: as4AggregatorCodec,
    largeCommunities: largeCommunitiesCodec,
    otc: otcCodec,
  };

const byCode: (AttributeCodec<KnownAttribute> | undefined)[] = new Array(256).fill(undefined);
for (const codec of Object.values(codecByKind) as AttributeCodec<KnownAttribute>[])
  byCode[codec.code] = codec;

/** The codec for a type code, or undefined when the type is not recognized. */
export function codecForCode(code: number): AttributeCodec<KnownAttribute> | undefined {
  return byCode[code];
}

/** The type code of an attribute. */
export function attributeCode(attr: PathAttribute): number {
  return attr.kind === 'unknown' ? attr.code : codecByKind[attr.kind].code;
}

/**
 * The flags an attribute is sent with when it carries none: the Optional and
 * Transitive bits its type prescribes (RFC 4271 §4.3, §5), Partial clear, Extended
 * Length clear (the encoder sets it when the value exceeds 255 octets). An unknown
 * attribute's flags are its own.
 */
export function canonicalFlags(attr: PathAttribute): number {
  return attr.kind === 'unknown' ? attr.flags : codecByKind[attr.kind].flags;
}

/** The IANA name of a type code (`ORIGIN`, `MP_REACH_NLRI`, …), or `ATTR_<n>`. */
export function attributeName(code: number): string {
  return byCode[code]?.name ?? `ATTR_${code}`;
}

/**
 * Appends one attribute: flags, type, length and value (RFC 4271 §4.3). The flags
 * are the attribute's own when it has them, else {@link canonicalFlags}; Extended
 * Length is added when the value exceeds 255 octets, and kept when already set on a
 * shorter value, so decoded attributes re-encode byte-exact.
 */
export function encodeAttribute(w: Writer, attr: PathAttribute, ctx: CodecContext): void {
  let flags = attr.flags ?? canonicalFlags(attr);
  const start = w.pos;
  w.u8(flags).u8(attributeCode(attr)).u16(0);
  const valueStart = w.pos;
  if (attr.kind === 'unknown') w.bytes(attr.value);
  else encodeKnown(w, attr, ctx);
  const length = w.pos - valueStart;
  if (length > 0xffff) {
    throw new LocalProtocolError(
      'ANYVIP_ATTRIBUTE_TOO_LARGE',
      `attribute ${attributeCode(attr)} value of ${length} octets exceeds 65535`,
    );
  }
  if (length > 0xff) flags |= AttrFlag.EXTENDED_LENGTH;
  if (flags & AttrFlag.EXTENDED_LENGTH) {
    w.buf[start] = flags;
    w.fill16(start + 2, length);
  } else {
    // One length octet: slide the value back over the spare octet reserved above.
    w.buf.copyWithin(start + 3, valueStart, w.pos);
    w.buf[start + 2] = length;
    w.pos -= 1;
  }
}

function encodeKnown(w: Writer, attr: KnownAttribute, ctx: CodecContext): void {
  // The cast is safe: codecByKind[k] is the codec of kind k by construction.
  (codecByKind[attr.kind] as AttributeCodec<KnownAttribute>).encode(w, attr, ctx);
}
