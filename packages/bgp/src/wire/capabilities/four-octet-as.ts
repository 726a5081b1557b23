import type { Writer } from '../writer.js';
import type { FourOctetAsCapability } from './capability.js';
import { checkCapabilityField, expectCapabilityLength } from './capability-fault.js';

/** Decodes Support for 4-octet AS Number: the sender's 4-octet ASN (RFC 6793 §3). */
export function decodeFourOctetAsCapability(value: Uint8Array): FourOctetAsCapability {
  expectCapabilityLength(value, 4, '4-octet AS');
  const asn = ((value[0]! << 24) | (value[1]! << 16) | (value[2]! << 8) | value[3]!) >>> 0;
  return { kind: 'fourOctetAs', asn };
}

/** Writes the 4-octet ASN (RFC 6793 §3). */
export function encodeFourOctetAsCapability(cap: FourOctetAsCapability, w: Writer): void {
  checkCapabilityField(cap.asn, 0xffffffff, '4-octet AS number');
  w.u32(cap.asn);
}
