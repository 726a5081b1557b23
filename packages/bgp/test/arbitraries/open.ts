import fc from 'fast-check';
import type { Capability } from '../../src/wire/capabilities/capability.js';
import { type NotificationMessage, shutdownCommunication } from '../../src/wire/notification.js';
import type { OpenLayout, OpenMessage } from '../../src/wire/open.js';

/**
 * fast-check generators for OPEN, capabilities and NOTIFICATION. Generated values
 * are canonical: what the decoder would give back for their own encoding (no
 * reserved bits, ADD-PATH families that send or receive, text that fits).
 */

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u24 = fc.integer({ min: 0, max: 0xffffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** Capability codes with a typed decoder; `unknown` never uses them. */
const KNOWN_CODES = new Set([1, 2, 5, 6, 9, 64, 65, 69, 70, 71, 73, 75]);

/** UTF-8 text of at most `maxOctets` octets, any code point (surrogate halves excluded). */
export function utf8Text(maxOctets: number): fc.Arbitrary<string> {
  const encoder = new TextEncoder();
  return fc
    .string({ unit: 'binary', maxLength: Math.ceil(maxOctets / 2) })
    .filter((s) => encoder.encode(s).length <= maxOctets);
}

export const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ kind: fc.constant('multiprotocol' as const), afi: u16, safi: u8 }),
  fc.constant({ kind: 'routeRefresh' as const }),
  fc.record({
    kind: fc.constant('extendedNextHop' as const),
    entries: fc.array(fc.record({ afi: u16, safi: u16, nextHopAfi: u16 }), { maxLength: 6 }),
  }),
  fc.constant({ kind: 'extendedMessage' as const }),
  fc.record({ kind: fc.constant('role' as const), role: u8 }),
  fc.record({
    kind: fc.constant('gracefulRestart' as const),
    restartState: fc.boolean(),
    notification: fc.boolean(),
    restartTimeSec: fc.integer({ min: 0, max: 0xfff }),
    families: fc.array(fc.record({ afi: u16, safi: u8, forwardingPreserved: fc.boolean() }), {
      maxLength: 6,
    }),
  }),
  fc.record({ kind: fc.constant('fourOctetAs' as const), asn: u32 }),
  fc.record({
    kind: fc.constant('addPath' as const),
    families: fc.array(
      fc
        .record({ afi: u16, safi: u8, receive: fc.boolean(), send: fc.boolean() })
        .filter((f) => f.receive || f.send),
      { maxLength: 6 },
    ),
  }),
  fc.constant({ kind: 'enhancedRouteRefresh' as const }),
  fc.record({
    kind: fc.constant('longLivedGracefulRestart' as const),
    families: fc.array(
      fc.record({ afi: u16, safi: u8, forwardingPreserved: fc.boolean(), staleTimeSec: u24 }),
      { maxLength: 6 },
    ),
  }),
  fc.record({ kind: fc.constant('fqdn' as const), hostname: utf8Text(120), domainName: utf8Text(120) }),
  fc.record({ kind: fc.constant('softwareVersion' as const), version: utf8Text(200) }),
  fc.record({
    kind: fc.constant('unknown' as const),
    code: u8.filter((c) => !KNOWN_CODES.has(c)),
    value: fc.uint8Array({ maxLength: 64 }),
  }),
);

/** Splits `count` capabilities into parameters of 0 or more each (an arbitrary, possibly mixed, layout). */
function partitionArb(count: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: count }), { maxLength: 4 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), count];
    const sizes: number[] = [];
    for (let i = 1; i < points.length; i++) sizes.push(points[i]! - points[i - 1]!);
    return sizes;
  });
}

/**
 * The layout the decoder reports for Capabilities parameters holding `counts`
 * capabilities each: the spec of `OpenMessage.layout`, restated for the tests.
 */
export function canonicalLayout(counts: readonly number[], extendedLength: boolean): OpenLayout {
  if (counts.every((n) => n === 1)) return { grouping: 'perCapability', extendedLength };
  if (counts.length === 1 && counts[0]! > 1) return { grouping: 'packed', extendedLength };
  return {
    grouping: counts.some((n) => n > 1) ? 'packed' : 'perCapability',
    extendedLength,
    capabilitiesPerParameter: [...counts],
  };
}

const otherParameterArb = fc.record({
  // Not 2 (Capabilities) and not 255 (the RFC 9072 marker).
  type: fc.integer({ min: 0, max: 254 }).filter((t) => t !== 2),
  value: fc.uint8Array({ maxLength: 40 }),
});

const identifierArb = fc.tuple(u8, u8, u8, u8).map((q) => q.join('.'));

/**
 * An OPEN as the decoder would give it back (canonical layout), except that
 * `layout.extendedLength` may be false where the parameters need the extended
 * form: the encoder then switches, and decoding reports true.
 */
export const openArb: fc.Arbitrary<OpenMessage> = fc
  .record({
    myAsn: u16,
    holdTimeSec: u16,
    bgpIdentifier: identifierArb,
    capabilities: fc.array(capabilityArb, { maxLength: 12 }),
    otherParameters: fc.array(otherParameterArb, { maxLength: 2 }),
    extendedLength: fc.boolean(),
    grouping: fc.constantFrom('perCapability', 'packed', 'mixed'),
  })
  .chain((r) => {
    const n = r.capabilities.length;
    const counts: fc.Arbitrary<number[]> =
      r.grouping === 'mixed'
        ? partitionArb(n)
        : fc.constant(r.grouping === 'packed' && n > 0 ? [n] : new Array<number>(n).fill(1));
    return counts.map((c): OpenMessage => {
      const open: OpenMessage = {
        kind: 'open',
        version: 4,
        myAsn: r.myAsn,
        holdTimeSec: r.holdTimeSec,
        bgpIdentifier: r.bgpIdentifier,
        capabilities: r.capabilities,
        layout: canonicalLayout(c, r.extendedLength),
      };
      return r.otherParameters.length > 0 ? { ...open, otherParameters: r.otherParameters } : open;
    });
  });

/** Any layout, canonical or not (e.g. `packed` with one capability, sizes that do not add up). */
export const anyLayoutArb: fc.Arbitrary<OpenLayout> = fc.record(
  {
    grouping: fc.constantFrom('perCapability' as const, 'packed' as const),
    extendedLength: fc.boolean(),
    capabilitiesPerParameter: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
  },
  { requiredKeys: ['grouping', 'extendedLength'] },
);

/**
 * A NOTIFICATION as the decoder gives it back: for Cease 2/4, data holding a
 * shutdown communication of at most 255 octets (RFC 9003 §2); arbitrary data otherwise.
 */
export const notificationArb: fc.Arbitrary<NotificationMessage> = fc.oneof(
  fc
    .record({ code: u8, subcode: u8, data: fc.uint8Array({ maxLength: 64 }) })
    .filter((n) => !(n.code === 6 && (n.subcode === 2 || n.subcode === 4)))
    .map((n) => ({ kind: 'notification' as const, ...n })),
  fc.record({ subcode: fc.constantFrom(2, 4), text: utf8Text(255) }).map((n) => ({
    kind: 'notification' as const,
    code: 6,
    subcode: n.subcode,
    data: shutdownCommunication(n.text),
    shutdownMessage: n.text,
  })),
);
