import type { Writer } from '../writer.js';
import type { MultiprotocolCapability } from './capability.js';
import { checkCapabilityField, expectCapabilityLength } from './capability-fault.js';

/** Decodes Multiprotocol Extensions: AFI(2) Reserved(1) SAFI(1) (RFC 4760 §8). The reserved octet is ignored. */
export function decodeMultiprotocolCapability(value: Uint8Array): MultiprotocolCapability {
  expectCapabilityLength(value, 4, 'Multiprotocol');
  return { kind: 'multiprotocol', afi: (value[0]! << 8) | value[1]!, safi: value[3]! };
}

/** Writes the 4-octet Multiprotocol value, reserved octet 0 (RFC 4760 §8). */
export function encodeMultiprotocolCapability(cap: MultiprotocolCapability, w: Writer): void {
  checkCapabilityField(cap.afi, 0xffff, 'Multiprotocol AFI');
  checkCapabilityField(cap.safi, 0xff, 'Multiprotocol SAFI');
  w.u16(cap.afi).u8(0).u8(cap.safi);
}
