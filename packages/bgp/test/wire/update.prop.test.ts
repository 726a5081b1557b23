import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { familyKey } from '../../src/wire/constants.js';
import { type CodecContext, makeContext } from '../../src/wire/context.js';
import { WireError } from '../../src/wire/errors.js';
import { prefixKey } from '../../src/wire/prefix.js';
import { decodeUpdate, encodeUpdate, type ParsedUpdate, parseUpdate } from '../../src/wire/update.js';
import { packUpdates, packWithdrawals } from '../../src/wire/update-packer.js';
import { arbContext, arbIpv4Prefix, arbIpv6Prefix, arbUpdate } from '../arbitraries/update.js';
import { message, toHex } from '../support/bytes.js';

/** Decodes and parses, returning the result or the WireError; anything else escapes and fails the property. */
function decodeAndParse(msg: Uint8Array, ctx: CodecContext): ParsedUpdate | WireError {
  try {
    return parseUpdate(decodeUpdate(msg), ctx);
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
}

/** What any input must give: a WireError, or a parse whose findings are all non-reset WireErrors. */
function checkOutcome(r: ParsedUpdate | WireError): void {
  if (r instanceof WireError) {
    expect(r.code).toBeGreaterThanOrEqual(1);
    return;
  }
  for (const e of r.issues) {
    expect(e).toBeInstanceOf(WireError);
    expect(e.action).not.toBe('sessionReset');
  }
  expect(r.action === undefined).toBe(r.issues.length === 0);
}

describe('UPDATE round trips (fast-check)', () => {
  it('parse(decode(encode(x))) equals x for generated UPDATEs, with no findings', () => {
    fc.assert(
      fc.property(arbUpdate, ({ ctx, content }) => {
        const u = parseUpdate(decodeUpdate(encodeUpdate(content, ctx)), ctx);
        expect(u.issues).toEqual([]);
        expect(u.withdrawn).toEqual(content.withdrawn);
        expect(u.nlri).toEqual(content.nlri);
        expect(u.attributes).toEqual(content.attributes);
      }),
      { numRuns: 300 },
    );
  });

  it('encode(parse(decode(b))) equals b for canonical b', () => {
    fc.assert(
      fc.property(arbUpdate, ({ ctx, content }) => {
        const b = encodeUpdate(content, ctx);
        expect(toHex(encodeUpdate(parseUpdate(decodeUpdate(b), ctx), ctx))).toBe(toHex(b));
      }),
      { numRuns: 300 },
    );
  });
});

describe('hostile input (fast-check): only WireError, never TypeError or RangeError', () => {
  it('random UPDATE bodies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), arbContext, (body, ctx) => {
        checkOutcome(decodeAndParse(message(2, body), ctx));
      }),
      { numRuns: 3000 },
    );
  });

  it('random bodies that start with plausible section lengths', () => {
    const arbBody = fc
      .tuple(
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 40 }),
      )
      .map(([w, a, n]) => {
        const out = new Uint8Array(4 + w.length + a.length + n.length);
        out[0] = w.length >> 8;
        out[1] = w.length & 0xff;
        out.set(w, 2);
        out[2 + w.length] = a.length >> 8;
        out[3 + w.length] = a.length & 0xff;
        out.set(a, 4 + w.length);
        out.set(n, 4 + w.length + a.length);
        return out;
      });
    fc.assert(
      fc.property(arbBody, arbContext, (body, ctx) => {
        checkOutcome(decodeAndParse(message(2, body), ctx));
      }),
      { numRuns: 3000 },
    );
  });

  it('random byte strings of any length as whole messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), arbContext, (bytes, ctx) => {
        checkOutcome(decodeAndParse(bytes, ctx));
      }),
      { numRuns: 2000 },
    );
  });

  it('bit flips, byte overwrites and truncations of valid UPDATEs', () => {
    const arbMutation = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({
          kind: fc.constant('set' as const),
          at: fc.nat(),
          value: fc.integer({ min: 0, max: 255 }),
        }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      ),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(arbUpdate, arbMutation, arbContext, ({ ctx, content }, mutations, otherCtx) => {
        let b = encodeUpdate(content, ctx).slice();
        for (const m of mutations) {
          // Keep the marker and type so that the fault lands in UPDATE decoding.
          const span = b.length - 19;
          if (span <= 0) break;
          const at = 19 + (m.at % span);
          if (m.kind === 'flip') b[at]! ^= 1 << m.bit;
          else if (m.kind === 'set') b[at] = m.value;
          else {
            b = b.slice(0, at);
            b[16] = b.length >> 8;
            b[17] = b.length & 0xff;
          }
        }
        checkOutcome(decodeAndParse(b, ctx));
        checkOutcome(decodeAndParse(b, otherCtx));
      }),
      { numRuns: 2000 },
    );
  });

  it('finishes quickly on a large hostile input', () => {
    const ctx = makeContext({ extendedMessage: true, addPath: [[1, 1]] });
    const body = new Uint8Array(65_000 - 19);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7919) & 0xff;
    const started = performance.now();
    for (let i = 0; i < 50; i++) checkOutcome(decodeAndParse(message(2, body), ctx));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('update packer (fast-check)', () => {
  it('every IPv4 prefix comes back once, in order, in messages that fit', () => {
    fc.assert(
      fc.property(arbContext, fc.boolean(), fc.integer({ min: 0, max: 3000 }), (ctx, withdraw, count) => {
        const addPath = ctx.addPath.has(familyKey(1, 1));
        const prefixes = fc.sample(arbIpv4Prefix(addPath), { numRuns: count, seed: count });
        const msgs = withdraw
          ? packWithdrawals({ afi: 1, prefixes, ctx })
          : packUpdates({
              afi: 1,
              attributes: [
                { kind: 'origin', value: 0 },
                { kind: 'asPath', segments: [] },
              ],
              nextHop: '10.250.0.1',
              nlri: prefixes,
              ctx,
            });
        const back = msgs.flatMap((m) => {
          expect(m.length).toBeLessThanOrEqual(4096);
          const u = parseUpdate(decodeUpdate(m), ctx);
          expect(u.issues).toEqual([]);
          return withdraw ? u.withdrawn : u.nlri;
        });
        expect(back.map(prefixKey)).toEqual(prefixes.map(prefixKey));
      }),
      { numRuns: 40 },
    );
  });

  it('every IPv6 prefix comes back once, in order, in MP_REACH_NLRI / MP_UNREACH_NLRI', () => {
    fc.assert(
      fc.property(arbContext, fc.boolean(), fc.integer({ min: 1, max: 1500 }), (ctx, withdraw, count) => {
        const addPath = ctx.addPath.has(familyKey(2, 1));
        const prefixes = fc.sample(arbIpv6Prefix(addPath), { numRuns: count, seed: count });
        const msgs = withdraw
          ? packWithdrawals({ afi: 2, prefixes, ctx })
          : packUpdates({
              afi: 2,
              attributes: [
                { kind: 'origin', value: 2 },
                { kind: 'asPath', segments: [] },
              ],
              nextHop: 'fd00:250::1',
              nlri: prefixes,
              ctx,
            });
        const back = msgs.flatMap((m) => {
          expect(m.length).toBeLessThanOrEqual(4096);
          const u = parseUpdate(decodeUpdate(m), ctx);
          expect(u.issues).toEqual([]);
          return u.attributes.flatMap((a) =>
            a.kind === 'mpReach' ? (a.nlri ?? []) : a.kind === 'mpUnreach' ? (a.withdrawn ?? []) : [],
          );
        });
        expect(back.map(prefixKey)).toEqual(prefixes.map(prefixKey));
      }),
      { numRuns: 40 },
    );
  });
});
