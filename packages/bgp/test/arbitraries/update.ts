import fc from 'fast-check';
import { formatIpv4, formatIpv6Bytes } from '../../src/wire/address.js';
import type {
  AsPathSegment,
  MpReachNlriAttribute,
  MpUnreachNlriAttribute,
  PathAttribute,
} from '../../src/wire/attributes/path-attribute.js';
import { familyKey } from '../../src/wire/constants.js';
import { type CodecContext, makeContext } from '../../src/wire/context.js';
import { ipv4Prefix, ipv6Prefix, type Prefix } from '../../src/wire/prefix.js';
import type { UpdateContent } from '../../src/wire/update.js';

/**
 * fast-check generators for UPDATE property tests: prefixes, attributes (in the
 * shape `parseUpdate` returns, flags included, so that a round trip can be compared
 * with `toEqual`), codec contexts and whole UPDATE contents that fit in 4096 octets.
 */

const FLAG_EXT = 0x10;

/** A codec context: 2- or 4-octet AS, ADD-PATH on any of IPv4 / IPv6 unicast. */
export const arbContext: fc.Arbitrary<CodecContext> = fc
  .record({ fourOctetAs: fc.boolean(), addPath4: fc.boolean(), addPath6: fc.boolean() })
  .map(({ fourOctetAs, addPath4, addPath6 }) =>
    makeContext({
      fourOctetAs,
      addPath: [...(addPath4 ? [[1, 1] as const] : []), ...(addPath6 ? [[2, 1] as const] : [])],
    }),
  );

const arbPathId = (addPath: boolean): fc.Arbitrary<number | undefined> =>
  addPath ? fc.nat({ max: 0xffffffff }) : fc.constant(undefined);

/** An IPv4 prefix with host bits clear (as decoding yields it). */
export function arbIpv4Prefix(addPath = false): fc.Arbitrary<Prefix> {
  return fc
    .tuple(fc.nat({ max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), arbPathId(addPath))
    .map(([v4, length, pathId]) => ipv4Prefix(v4, length, pathId));
}

/** An IPv6 prefix with host bits clear. */
export function arbIpv6Prefix(addPath = false): fc.Arbitrary<Prefix> {
  return fc
    .tuple(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.integer({ min: 0, max: 128 }),
      arbPathId(addPath),
    )
    .map(([bytes, length, pathId]) => ipv6Prefix(bytes, length, pathId));
}

const arbIpv4Text = fc.nat({ max: 0xffffffff }).map(formatIpv4);
const arbIpv6Text = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIpv6Bytes(b));

/** Flags of a recognized attribute: the prescribed bits, sometimes with Extended Length on a short value. */
function arbFlags(base: number): fc.Arbitrary<number> {
  return fc.boolean().map((ext) => (ext ? base | FLAG_EXT : base));
}

function arbAsn(ctx: CodecContext): fc.Arbitrary<number> {
  return ctx.fourOctetAs ? fc.nat({ max: 0xffffffff }) : fc.nat({ max: 0xffff });
}

function arbSegments(asn: fc.Arbitrary<number>, confed: boolean): fc.Arbitrary<AsPathSegment[]> {
  const types = confed
    ? (['sequence', 'set', 'confedSequence', 'confedSet'] as const)
    : (['sequence', 'set'] as const);
  return fc.array(
    fc.record({ type: fc.constantFrom(...types), asns: fc.array(asn, { minLength: 1, maxLength: 8 }) }),
    { maxLength: 4 },
  );
}

/** Every recognized attribute kind except the MP ones, plus unknown optional ones, for a context. */
function arbPlainAttributes(ctx: CodecContext): fc.Arbitrary<PathAttribute>[] {
  return [
    fc.record({
      kind: fc.constant('med' as const),
      flags: arbFlags(0x80),
      value: fc.nat({ max: 0xffffffff }),
    }),
    fc.record({
      kind: fc.constant('localPref' as const),
      flags: arbFlags(0x40),
      value: fc.nat({ max: 0xffffffff }),
    }),
    fc.record({ kind: fc.constant('atomicAggregate' as const), flags: arbFlags(0x40) }),
    fc.record({
      kind: fc.constant('aggregator' as const),
      flags: arbFlags(0xc0),
      asn: arbAsn(ctx),
      address: arbIpv4Text,
    }),
    fc.record({
      kind: fc.constant('communities' as const),
      flags: arbFlags(0xc0),
      values: fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 40 }),
    }),
    fc.record({ kind: fc.constant('originatorId' as const), flags: arbFlags(0x80), id: arbIpv4Text }),
    fc.record({
      kind: fc.constant('clusterList' as const),
      flags: arbFlags(0x80),
      ids: fc.array(arbIpv4Text, { minLength: 1, maxLength: 8 }),
    }),
    fc.record({
      kind: fc.constant('extendedCommunities' as const),
      flags: arbFlags(0xc0),
      values: fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 20 }),
    }),
    fc.record({
      kind: fc.constant('as4Path' as const),
      flags: arbFlags(0xc0),
      segments: arbSegments(fc.nat({ max: 0xffffffff }), false),
    }),
    fc.record({
      kind: fc.constant('as4Aggregator' as const),
      flags: arbFlags(0xc0),
      asn: fc.nat({ max: 0xffffffff }),
      address: arbIpv4Text,
    }),
    fc.record({
      kind: fc.constant('largeCommunities' as const),
      flags: arbFlags(0xc0),
      values: fc.array(
        fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })),
        { minLength: 1, maxLength: 15 },
      ),
    }),
    fc.record({ kind: fc.constant('otc' as const), flags: arbFlags(0xc0), asn: fc.nat({ max: 0xffffffff }) }),
  ];
}

/** Type codes no codec claims, for unknown attributes. */
const unknownCodes = [19, 20, 21, 22, 23, 25, 26, 29, 33, 40, 99, 128, 153, 200, 255];

const arbUnknown = fc.record({
  kind: fc.constant('unknown' as const),
  code: fc.constantFrom(...unknownCodes),
  // Optional, with any Transitive / Partial / Extended Length bits.
  flags: fc.integer({ min: 0, max: 7 }).map((bits) => 0x80 | (bits << 4)),
  value: fc.uint8Array({ maxLength: 40 }),
});

function arbMpReach(ctx: CodecContext): fc.Arbitrary<MpReachNlriAttribute> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('mpReach' as const),
      flags: fc.constant(0x90),
      afi: fc.constant(2),
      safi: fc.constant(1),
      nextHops: fc.oneof(fc.tuple(arbIpv6Text), fc.tuple(arbIpv6Text, arbIpv6Text)),
      nlri: fc.array(arbIpv6Prefix(ctx.addPath.has(familyKey(2, 1))), { maxLength: 30 }),
    }),
    fc.constantFrom(1, 2).chain((safi) =>
      fc.record({
        kind: fc.constant('mpReach' as const),
        flags: fc.constant(0x90),
        afi: fc.constant(1),
        safi: fc.constant(safi),
        // RFC 8950: IPv4 NLRI may have an IPv6 next hop.
        nextHops: fc.oneof(fc.tuple(arbIpv4Text), fc.tuple(arbIpv6Text)),
        nlri: fc.array(arbIpv4Prefix(ctx.addPath.has(familyKey(1, safi))), { maxLength: 30 }),
      }),
    ),
    // A family kept raw: VPNv4 (1/128), body bytes as they come.
    fc.record({
      kind: fc.constant('mpReach' as const),
      flags: fc.constant(0x90),
      afi: fc.constant(1),
      safi: fc.constant(128),
      nextHops: fc.constant([]),
      nlri: fc.constant(undefined),
      raw: fc.uint8Array({ minLength: 1, maxLength: 60 }).map((b) => {
        // A next-hop length octet that no reader of raw next hops interprets.
        const out = b.slice();
        out[0] = 0xff;
        return out;
      }),
    }),
  );
}

function arbMpUnreach(ctx: CodecContext): fc.Arbitrary<MpUnreachNlriAttribute> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('mpUnreach' as const),
      flags: fc.constant(0x90),
      afi: fc.constant(2),
      safi: fc.constant(1),
      withdrawn: fc.array(arbIpv6Prefix(ctx.addPath.has(familyKey(2, 1))), { minLength: 1, maxLength: 30 }),
    }),
    fc.record({
      kind: fc.constant('mpUnreach' as const),
      flags: fc.constant(0x90),
      afi: fc.constant(25),
      safi: fc.constant(65),
      withdrawn: fc.constant(undefined),
      raw: fc.uint8Array({ minLength: 1, maxLength: 40 }),
    }),
  );
}

/** One attribute of any kind valid in `ctx` (MP ones included). */
export function arbAttribute(ctx: CodecContext): fc.Arbitrary<PathAttribute> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('origin' as const),
      flags: arbFlags(0x40),
      value: fc.constantFrom(0, 1, 2),
    }),
    fc.record({
      kind: fc.constant('asPath' as const),
      flags: arbFlags(0x40),
      segments: arbSegments(arbAsn(ctx), true),
    }),
    fc.record({ kind: fc.constant('nextHop' as const), flags: arbFlags(0x40), address: arbIpv4Text }),
    ...arbPlainAttributes(ctx),
    arbUnknown,
    arbMpReach(ctx),
    arbMpUnreach(ctx),
  );
}

/** Deduplicates by type code, keeping the first (as a receiver does, RFC 7606 §3 g). */
function uniqueByCode(attrs: PathAttribute[]): PathAttribute[] {
  const seen = new Set<string>();
  return attrs.filter((a) => {
    const key = a.kind === 'unknown' ? `u${a.code}` : a.kind;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A valid UPDATE for `ctx`: IPv4 withdrawals and NLRI, unique attributes in random
 * order, with ORIGIN, AS_PATH and NEXT_HOP present whenever there is NLRI so that
 * parsing finds no fault. Sizes keep it under 4096 octets.
 */
export function arbUpdateContent(ctx: CodecContext): fc.Arbitrary<UpdateContent> {
  const addPath = ctx.addPath.has(familyKey(1, 1));
  return fc
    .record({
      withdrawn: fc.array(arbIpv4Prefix(addPath), { maxLength: 40 }),
      nlri: fc.array(arbIpv4Prefix(addPath), { maxLength: 40 }),
      others: fc.array(arbAttribute(ctx), { maxLength: 8 }),
      mandatory: fc.tuple(
        fc.record({
          kind: fc.constant('origin' as const),
          flags: arbFlags(0x40),
          value: fc.constantFrom(0, 1, 2),
        }),
        fc.record({
          kind: fc.constant('asPath' as const),
          flags: arbFlags(0x40),
          segments: arbSegments(arbAsn(ctx), true),
        }),
        fc.record({ kind: fc.constant('nextHop' as const), flags: arbFlags(0x40), address: arbIpv4Text }),
      ),
      seed: fc.nat(),
    })
    .map(({ withdrawn, nlri, others, mandatory, seed }) => {
      const all = uniqueByCode([...mandatory, ...others]);
      // A deterministic shuffle from the seed keeps shrinking meaningful.
      const attributes = all
        .map((a, i) => ({ a, k: (seed * 2654435761 + i * 40503) % 1000003 }))
        .sort((x, y) => x.k - y.k)
        .map((x) => x.a);
      return { withdrawn, attributes, nlri };
    });
}

/** A context and a valid UPDATE for it. */
export const arbUpdate: fc.Arbitrary<{ ctx: CodecContext; content: UpdateContent }> = arbContext.chain(
  (ctx) => arbUpdateContent(ctx).map((content) => ({ ctx, content })),
);
