/**
 * The router's side of test sessions: messages written out as hex by hand (with the
 * independent builders of support/bytes.ts), never with the codec under test.
 */
import { concat, hex, message } from '../support/bytes.js';

const h8 = (n: number): string => n.toString(16).padStart(2, '0');
const h16 = (n: number): string => n.toString(16).padStart(4, '0');
const h32 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const ip = (text: string): string =>
  text
    .split('.')
    .map((p) => h8(Number(p)))
    .join('');

/** A capability TLV (RFC 5492 §4). */
export function cap(code: number, valueHex = ''): string {
  return h8(code) + h8(valueHex.length / 2) + valueHex;
}

export const CAP_IPV4_UNICAST = cap(1, '00010001');
export const CAP_IPV6_UNICAST = cap(1, '00020001');
export const CAP_ROUTE_REFRESH = cap(2);
export const CAP_ENHANCED_ROUTE_REFRESH = cap(70);
export const capFourOctetAs = (asn: number): string => cap(65, h32(asn));

/** An OPEN (RFC 4271 §4.2) with one Capabilities parameter per capability. */
export function openMessage(o: {
  asn?: number;
  holdTimeSec?: number;
  id?: string;
  capabilities?: string[];
}): Uint8Array {
  const asn = o.asn ?? 65002;
  const caps = o.capabilities ?? [CAP_IPV4_UNICAST, CAP_ROUTE_REFRESH, capFourOctetAs(asn)];
  const params = caps.map((c) => `02${h8(c.length / 2)}${c}`).join('');
  const body = `04${h16(asn > 0xffff ? 23456 : asn)}${h16(o.holdTimeSec ?? 90)}${ip(o.id ?? '192.0.2.2')}${h8(params.length / 2)}${params}`;
  return message(1, body);
}

export const KEEPALIVE = message(4, '');

/** NOTIFICATION with code, subcode and data hex. */
export function notificationMessage(code: number, subcode: number, dataHex = ''): Uint8Array {
  return message(3, `${h8(code)}${h8(subcode)}${dataHex}`);
}

/** RFC 9003 shutdown communication data: a length octet, then UTF-8. */
export function shutdownData(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return h8(bytes.length) + Array.from(bytes, h8).join('');
}

/** ROUTE-REFRESH (RFC 2918, subtype per RFC 7313). */
export function routeRefreshMessage(afi: number, safi: number, subtype = 0): Uint8Array {
  return message(5, `${h16(afi)}${h8(subtype)}${h8(safi)}`);
}

/** IPv4 prefix NLRI hex, e.g. nlri('198.51.100.0', 24) → '18c63364'. */
export function nlri(address: string, length: number): string {
  const bytes = ip(address).slice(0, Math.ceil(length / 8) * 2);
  return h8(length) + bytes;
}

/** An attribute TLV with flags, type and value hex (1-octet length). */
export function attr(flags: number, type: number, valueHex: string): string {
  return h8(flags) + h8(type) + h8(valueHex.length / 2) + valueHex;
}

export const origin = (value: number): string => attr(0x40, 1, h8(value));
/** AS_PATH of one AS_SEQUENCE, 4-octet ASNs. */
export const asPath = (...asns: number[]): string =>
  attr(0x40, 2, asns.length === 0 ? '' : `02${h8(asns.length)}${asns.map(h32).join('')}`);
export const nextHop = (address: string): string => attr(0x40, 3, ip(address));

/** An IPv4 UPDATE: withdrawn NLRI hex, attribute hex, NLRI hex. */
export function updateMessage(withdrawnHex: string, attributesHex: string, nlriHex: string): Uint8Array {
  return message(
    2,
    `${h16(withdrawnHex.length / 2)}${withdrawnHex}${h16(attributesHex.length / 2)}${attributesHex}${nlriHex}`,
  );
}

/** An ordinary IPv4 announcement from AS 65002 via `via`. */
export function announcement(
  prefixes: [string, number][],
  via = '192.0.2.2',
  path: number[] = [65002],
): Uint8Array {
  return updateMessage(
    '',
    origin(0) + asPath(...path) + nextHop(via),
    prefixes.map(([a, l]) => nlri(a, l)).join(''),
  );
}

export const EOR_IPV4 = message(2, '0000 0000');

export { concat, hex };
