import { describe, expect, it } from 'vitest';
import { WireError } from '../../src/wire/errors.js';
import {
  decodeRouteRefresh,
  encodeRouteRefresh,
  type RouteRefreshMessage,
} from '../../src/wire/route-refresh.js';
import { hex, message, toHex } from '../support/bytes.js';

const ROUTE_REFRESH = 5;

describe('ROUTE-REFRESH (RFC 2918 §3, RFC 7313 §3.2)', () => {
  const vectors: [string, string, RouteRefreshMessage][] = [
    [
      'a normal request for IPv4 unicast: bgp-rs BGP_soft_reset.cap (RFC 2918 §3)',
      'ffffffffffffffffffffffffffffffff00170500010001',
      { kind: 'routeRefresh', afi: 1, safi: 1, subtype: 0 },
    ],
    [
      'a BoRR, subtype 1: tcpdump bgp-enhanced-route-refresh-subtype.pcapng (RFC 7313 §3.2)',
      'ffffffffffffffffffffffffffffffff00170500010101',
      { kind: 'routeRefresh', afi: 1, safi: 1, subtype: 1 },
    ],
    [
      'an EoRR, subtype 2: tcpdump bgp-enhanced-route-refresh-subtype.pcapng (RFC 7313 §3.2)',
      'ffffffffffffffffffffffffffffffff00170500010201',
      { kind: 'routeRefresh', afi: 1, safi: 1, subtype: 2 },
    ],
    [
      'a request for BGP-LS, AFI 16388 and SAFI 71 (RFC 2918 §3)',
      'ffffffffffffffffffffffffffffffff00170540040047',
      { kind: 'routeRefresh', afi: 16388, safi: 71, subtype: 0 },
    ],
  ];
  for (const [name, bytes, m] of vectors) {
    it(`decodes ${name}`, () => {
      expect(decodeRouteRefresh(hex(bytes))).toEqual(m);
    });
    it(`encodes ${name}`, () => {
      expect(toHex(encodeRouteRefresh(m))).toBe(bytes);
    });
  }

  it('keeps an unknown subtype for the session to ignore (RFC 7313 §5)', () => {
    expect(decodeRouteRefresh(message(ROUTE_REFRESH, '0002 ff 01'))).toEqual({
      kind: 'routeRefresh',
      afi: 2,
      safi: 1,
      subtype: 255,
    });
  });

  for (const body of ['0001 01 01 00', '0001 02 01 0000', '0001 00']) {
    it(`refuses a body of ${hex(body).length} octets with 7/1 and the whole message as data (RFC 7313 §5)`, () => {
      const b = message(ROUTE_REFRESH, body);
      let caught: unknown;
      try {
        decodeRouteRefresh(b);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(WireError);
      const err = caught as WireError;
      expect([err.code, err.subcode, err.errorCode]).toEqual([
        7,
        1,
        'BGP_ROUTE_REFRESH_INVALID_MESSAGE_LENGTH',
      ]);
      expect(toHex(err.data)).toBe(toHex(b));
      expect(err.codeName).toBe('ROUTE_REFRESH_MESSAGE_ERROR/INVALID_MESSAGE_LENGTH');
    });
  }
});

describe('ROUTE-REFRESH with Outbound Route Filtering (RFC 5291 §4)', () => {
  it('keeps ORF entries after a normal request byte-exact instead of refusing the length', () => {
    // AFI 1, subtype 0, SAFI 1, When-to-refresh IMMEDIATE (1), ORF type 64, length 0
    const msg = message(5, '0001 00 01 | 01 40 0000');
    const m = decodeRouteRefresh(msg);
    expect(m).toMatchObject({ afi: 1, safi: 1, subtype: 0 });
    expect(toHex(m.orf!)).toBe('01400000');
    expect(toHex(encodeRouteRefresh(m))).toBe(toHex(msg));
  });

  it('still refuses a BoRR longer than 4 octets with 7/1 (RFC 7313 §5)', () => {
    expect(() => decodeRouteRefresh(message(5, '0001 01 01 00'))).toThrow(/expected 4/);
  });
});
