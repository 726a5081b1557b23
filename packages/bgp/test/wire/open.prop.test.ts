import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Capability } from '../../src/wire/capabilities/capability.js';
import { decodeCapability, encodeCapability } from '../../src/wire/capabilities/index.js';
import { WireError } from '../../src/wire/errors.js';
import {
  decodeNotification,
  decodeShutdownCommunication,
  encodeNotification,
  shutdownCommunication,
} from '../../src/wire/notification.js';
import { decodeOpen, encodeOpen, type OpenMessage } from '../../src/wire/open.js';
import { Writer } from '../../src/wire/writer.js';
import { anyLayoutArb, capabilityArb, notificationArb, openArb, utf8Text } from '../arbitraries/open.js';
import { concat, message } from '../support/bytes.js';

const runs = { numRuns: 400 };

/** Short-form OPEN: 19 + 10 + at most 255 octets of parameters. */
const LONGEST_SHORT_FORM_OPEN = 19 + 10 + 255;

/** Runs `f`; a WireError is an acceptable outcome, anything else thrown fails the property. */
function valueOrWireError<T>(f: () => T): T | WireError {
  try {
    return f();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
}

/** A decoded OPEN survives encode → decode unchanged in content, and its encoding is then a fixpoint. */
function expectStable(m: OpenMessage): void {
  const once = encodeOpen(m);
  const again = decodeOpen(once);
  expect(again.capabilities).toEqual(m.capabilities);
  expect(again.otherParameters).toEqual(m.otherParameters);
  expect([again.version, again.myAsn, again.holdTimeSec, again.bgpIdentifier]).toEqual([
    m.version,
    m.myAsn,
    m.holdTimeSec,
    m.bgpIdentifier,
  ]);
  expect(encodeOpen(again)).toEqual(once);
}

/** Byte-level damage to a message body: overwrite, cut, insert. */
const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
  }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer T> ? T : never;

function mutate(msg: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = msg;
  for (const m of mutations) {
    // Keep the 19-octet header: the header check has run before decodeOpen is called.
    const span = Math.max(1, b.length - 19);
    const at = 19 + (m.at % span);
    if (m.kind === 'set') {
      b = b.slice();
      if (at < b.length) b[at] = m.value;
    } else if (m.kind === 'cut') {
      b = b.subarray(0, at);
    } else {
      b = concat(b.subarray(0, at), m.bytes, b.subarray(at));
    }
  }
  return b;
}

/** One capability TLV: a valid encoding, or one with its length octet off by a little, or random. */
const capabilityTlvArb = fc.oneof(
  { weight: 3, arbitrary: capabilityArb.map(tlvOf) },
  {
    weight: 1,
    arbitrary: fc.tuple(capabilityArb, fc.integer({ min: -2, max: 2 })).map(([cap, delta]) => {
      const tlv = tlvOf(cap).slice();
      tlv[1] = Math.max(0, Math.min(255, tlv[1]! + delta));
      return tlv;
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 12 }))
      .map(([code, value]) => concat(Uint8Array.of(code, value.length), value)),
  },
);

function tlvOf(cap: Capability): Uint8Array {
  const w = new Writer(16);
  encodeCapability(cap, w);
  return w.finish();
}

/** OPEN bodies that pass the version check, with parameter lengths mostly right. */
const structuredOpenBodyArb = fc
  .record({
    fixed: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    params: fc.array(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc
            .array(capabilityTlvArb, { maxLength: 4 })
            .map((tlvs) => concat(...tlvs))
            .filter((value) => value.length <= 255)
            .map((value) => concat(Uint8Array.of(2, value.length), value)),
        },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 10 }) },
      ),
      { maxLength: 4 },
    ),
    lengthDelta: fc.oneof(
      { weight: 4, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) },
    ),
  })
  .map(({ fixed, params, lengthDelta }) => {
    const area = concat(...params);
    const optLen = Math.max(0, Math.min(255, area.length + lengthDelta));
    return concat(Uint8Array.of(4), fixed, Uint8Array.of(optLen), area);
  });

describe('OPEN property tests (RFC 4271 §4.2, RFC 5492, RFC 9072)', () => {
  it('decode(encode(x)) deep-equals x for generated OPENs', () => {
    fc.assert(
      fc.property(openArb, (x) => {
        const bytes = encodeOpen(x);
        // The encoder must switch to RFC 9072 when the short form cannot hold the parameters.
        const forcedExtended = bytes.length > LONGEST_SHORT_FORM_OPEN;
        const expected: OpenMessage = {
          ...x,
          layout: { ...x.layout!, extendedLength: x.layout!.extendedLength || forcedExtended },
        };
        expect(decodeOpen(bytes)).toEqual(expected);
      }),
      runs,
    );
  });

  it('encoding with any layout re-encodes to the same bytes after one decode', () => {
    fc.assert(
      fc.property(openArb, anyLayoutArb, (x, layout) => {
        expectStable({ ...x, layout });
      }),
      runs,
    );
  });

  it('decodeCapability(encodeCapability(c)) deep-equals c (RFC 5492 §4)', () => {
    fc.assert(
      fc.property(capabilityArb, (cap) => {
        const w = new Writer(4);
        encodeCapability(cap, w);
        const tlv = w.finish();
        expect(tlv[1]).toBe(tlv.length - 2);
        expect(decodeCapability(tlv[0]!, tlv.subarray(2))).toEqual(cap);
      }),
      runs,
    );
  });

  it('random bodies only ever decode or throw WireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (body, version4) => {
        const msg = message(1, version4 ? concat(Uint8Array.of(4), body) : body);
        const r = valueOrWireError(() => decodeOpen(msg));
        if (!(r instanceof WireError)) expectStable(r);
      }),
      runs,
    );
  });

  it('structured random bodies (right and wrong lengths) only ever decode or throw WireError', () => {
    fc.assert(
      fc.property(structuredOpenBodyArb, (body) => {
        const r = valueOrWireError(() => decodeOpen(message(1, body)));
        if (r instanceof WireError) {
          expect(r.code).toBe(2);
          expect(r.errorCode).toBe('BGP_OPEN_MALFORMED');
        } else {
          expectStable(r);
        }
      }),
      runs,
    );
  });

  it('mutated valid OPENs only ever decode or throw an OPEN Message Error', () => {
    fc.assert(
      fc.property(openArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (x, mutations) => {
        const msg = mutate(encodeOpen(x), mutations);
        const r = valueOrWireError(() => decodeOpen(msg));
        if (r instanceof WireError) expect(r.code).toBe(2);
        else expectStable(r);
      }),
      runs,
    );
  });

  it('any byte array, even shorter than a header, only ever decodes or throws WireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        valueOrWireError(() => decodeOpen(b));
      }),
      runs,
    );
  });
});

describe('NOTIFICATION property tests (RFC 4271 §4.5, RFC 9003)', () => {
  it('decode(encode(x)) deep-equals x for generated NOTIFICATIONs', () => {
    fc.assert(
      fc.property(notificationArb, (x) => {
        expect(decodeNotification(encodeNotification(x))).toEqual(x);
      }),
      runs,
    );
  });

  it('random bytes only ever decode or throw WireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.boolean(), (b, framed) => {
        const r = valueOrWireError(() => decodeNotification(framed ? message(3, b) : b));
        if (!(r instanceof WireError)) expect(decodeNotification(encodeNotification(r))).toEqual(r);
      }),
      runs,
    );
  });

  it('a shutdown communication is the longest whole-character prefix of the text within 255 octets', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(utf8Text(600), (text) => {
        const data = shutdownCommunication(text);
        const decoded = decodeShutdownCommunication(data);
        expect(decoded).toBeDefined();
        expect(data[0]).toBe(data.length - 1);
        expect(data.length - 1).toBeLessThanOrEqual(255);
        expect(text.startsWith(decoded!)).toBe(true);
        const full = encoder.encode(text).length;
        if (full <= 255) expect(decoded).toBe(text);
        else expect(data.length - 1).toBeGreaterThan(255 - 4);
      }),
      runs,
    );
  });
});
