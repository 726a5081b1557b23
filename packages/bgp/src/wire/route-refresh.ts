import { ErrorCode, MessageType, RouteRefreshErrorSubcode } from './constants.js';
import { WireError } from './errors.js';
import { writeMarker } from './header.js';

/**
 * ROUTE-REFRESH (RFC 2918 §3), with the RFC 7313 §3.2 subtype in the formerly
 * reserved octet: 0 normal request, 1 BoRR, 2 EoRR.
 */
export interface RouteRefreshMessage {
  readonly kind: 'routeRefresh';
  readonly afi: number;
  readonly safi: number;
  readonly subtype: number;
  /**
   * Outbound Route Filtering entries after the 4 fixed octets of a normal request
   * (RFC 5291 §4: When-to-refresh, then ORF types), kept byte-exact; absent when none.
   */
  readonly orf?: Uint8Array;
}

/**
 * Decodes a whole message (header included). A BoRR or EoRR body that is not 4 octets
 * is RFC 7313 §5's error; a normal request may carry RFC 5291 ORF entries after them.
 */
export function decodeRouteRefresh(msg: Uint8Array): RouteRefreshMessage {
  const body = msg.subarray(19);
  const subtype = body[2]!;
  if (body.length > 4 && subtype === 0) {
    return {
      kind: 'routeRefresh',
      afi: (body[0]! << 8) | body[1]!,
      safi: body[3]!,
      subtype,
      orf: body.slice(4),
    };
  }
  if (body.length !== 4) {
    // RFC 7313 §5: ROUTE-REFRESH Message Error / Invalid Message Length, data = the whole message.
    throw new WireError(
      {
        errorCode: 'BGP_ROUTE_REFRESH_INVALID_MESSAGE_LENGTH',
        code: ErrorCode.ROUTE_REFRESH_MESSAGE_ERROR,
        subcode: RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH,
        data: msg,
      },
      `ROUTE-REFRESH body of ${body.length} octets, expected 4`,
    );
  }
  return { kind: 'routeRefresh', afi: (body[0]! << 8) | body[1]!, safi: body[3]!, subtype: body[2]! };
}

export function encodeRouteRefresh(m: RouteRefreshMessage): Uint8Array {
  const orf = m.orf ?? new Uint8Array(0);
  const length = 23 + orf.length;
  const b = new Uint8Array(length);
  writeMarker(b, 0);
  b[16] = length >>> 8;
  b[17] = length & 0xff;
  b.set(orf, 23);
  b[18] = MessageType.ROUTE_REFRESH;
  b[19] = m.afi >>> 8;
  b[20] = m.afi & 0xff;
  b[21] = m.subtype;
  b[22] = m.safi;
  return b;
}
