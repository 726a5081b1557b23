import type { Writer } from '../writer.js';
import type { RoleCapability } from './capability.js';
import { checkCapabilityField, expectCapabilityLength } from './capability-fault.js';

/**
 * Decodes BGP Role: one octet (RFC 9234 §4.1). Any value is accepted here; whether
 * the role pair is legal is for the OPEN negotiation (RFC 9234 §4.2).
 */
export function decodeRoleCapability(value: Uint8Array): RoleCapability {
  expectCapabilityLength(value, 1, 'BGP Role');
  return { kind: 'role', role: value[0]! };
}

/** Writes the one-octet role (RFC 9234 §4.1). */
export function encodeRoleCapability(cap: RoleCapability, w: Writer): void {
  checkCapabilityField(cap.role, 0xff, 'BGP Role');
  w.u8(cap.role);
}
