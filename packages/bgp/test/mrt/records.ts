/** Test-only MRT record builders (RFC 6396 §2), independent of the reader under test. */
import { concat, hex } from '../support/bytes.js';

/** One MRT record: timestamp, type, subtype, length, then the body. */
export function mrtRecord(
  type: number,
  subtype: number,
  body: Uint8Array | string,
  time = 0x5f5e1000,
): Uint8Array {
  const b = typeof body === 'string' ? hex(body) : body;
  const h = new Uint8Array(12);
  const v = new DataView(h.buffer);
  v.setUint32(0, time);
  v.setUint16(4, type);
  v.setUint16(6, subtype);
  v.setUint32(8, b.length);
  return concat(h, b);
}

export { concat, hex };
