import { describe, expect, it } from 'vitest';
import { computeDirectionContext, SessionContexts } from '../../src/decode/session-context.js';
import type { Capability } from '../../src/wire/capabilities/capability.js';
import { familyKey } from '../../src/wire/constants.js';
import { defaultContext } from '../../src/wire/context.js';
import type { OpenMessage } from '../../src/wire/open.js';

function open(...capabilities: Capability[]): OpenMessage {
  return { kind: 'open', version: 4, myAsn: 23456, holdTimeSec: 90, bgpIdentifier: '10.0.0.1', capabilities };
}

const as4 = (asn: number): Capability => ({ kind: 'fourOctetAs', asn });
const addPath = (send: boolean, receive: boolean, afi = 1, safi = 1): Capability => ({
  kind: 'addPath',
  families: [{ afi, safi, send, receive }],
});
const extMsg: Capability = { kind: 'extendedMessage' };

describe('computeDirectionContext (what the OPEN exchange negotiated, per direction)', () => {
  it('uses 4-octet AS only when both OPENs carry capability 65 (RFC 6793 §3)', () => {
    expect(computeDirectionContext(open(as4(1)), open(as4(2)), defaultContext).ctx.fourOctetAs).toBe(true);
    expect(computeDirectionContext(open(as4(1)), open(), defaultContext).ctx.fourOctetAs).toBe(false);
  });

  it('gives a direction path ids when the sender may send and the receiver may receive (RFC 7911 §5)', () => {
    const sender = open(addPath(true, false));
    const receiver = open(addPath(false, true));
    expect([...computeDirectionContext(sender, receiver, defaultContext).ctx.addPath]).toEqual([
      familyKey(1, 1),
    ]);
    expect(computeDirectionContext(receiver, sender, defaultContext).ctx.addPath.size).toBe(0);
  });

  it('allows extended messages only when both OPENs carry capability 6 (RFC 8654 §3)', () => {
    expect(computeDirectionContext(open(extMsg), open(extMsg), defaultContext).ctx.extendedMessage).toBe(
      true,
    );
    expect(computeDirectionContext(open(extMsg), open(), defaultContext).ctx.extendedMessage).toBe(false);
  });

  it('takes the extended next hop families the receiver listed (RFC 8950 §3)', () => {
    const receiver = open({ kind: 'extendedNextHop', entries: [{ afi: 1, safi: 128, nextHopAfi: 2 }] });
    const dc = computeDirectionContext(open(), receiver, defaultContext);
    expect([...dc.ctx.extendedNextHop]).toEqual([familyKey(1, 128)]);
  });

  it('assumes a missing OPEN mirrored the one seen, and marks the result as not known', () => {
    const dc = computeDirectionContext(open(as4(1), addPath(true, true), extMsg), undefined, defaultContext);
    expect(dc.ctx.fourOctetAs).toBe(true);
    expect(dc.ctx.extendedMessage).toBe(true);
    expect(dc.ctx.addPath.has(familyKey(1, 1))).toBe(true);
    expect(dc.fourOctetAsKnown).toBe(false);
    expect(computeDirectionContext(undefined, undefined, defaultContext)).toEqual({
      ctx: defaultContext,
      fourOctetAsKnown: false,
      addPathKnown: false,
    });
  });
});

describe('SessionContexts', () => {
  it('derives each direction from the OPENs recorded and forgets them on reset', () => {
    const s = new SessionContexts(defaultContext);
    s.recordOpen('c', 'a', open(as4(1)));
    s.recordOpen('c', 'b', open(as4(2)));
    expect(s.directionContext('c', 'a', 'b')).toMatchObject({
      fourOctetAsKnown: true,
      ctx: { fourOctetAs: true },
    });
    s.rememberGuess('c', 'a', { addPath: true });
    s.reset('c');
    expect(s.directionContext('c', 'a', 'b').fourOctetAsKnown).toBe(false);
    expect(s.guessFor('c', 'a')).toBeUndefined();
  });
});
