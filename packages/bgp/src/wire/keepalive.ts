import { HEADER_LENGTH, MessageType } from './constants.js';
import { writeMarker } from './header.js';

/** KEEPALIVE: a header and nothing else (RFC 4271 §4.4). */
export interface KeepaliveMessage {
  readonly kind: 'keepalive';
}

export const keepalive: KeepaliveMessage = Object.freeze({ kind: 'keepalive' });

const KEEPALIVE_BYTES = (() => {
  const b = new Uint8Array(HEADER_LENGTH);
  writeMarker(b, 0);
  b[17] = HEADER_LENGTH;
  b[18] = MessageType.KEEPALIVE;
  return b;
})();

/** The 19 octets of a KEEPALIVE (a fresh copy). */
export function encodeKeepalive(): Uint8Array {
  return KEEPALIVE_BYTES.slice();
}
