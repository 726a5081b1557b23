import type { Writer } from '../writer.js';
import type { ExtendedNextHopCapability } from './capability.js';
import { checkCapabilityField, expectCapabilityTuples } from './capability-fault.js';

/**
 * Decodes Extended Next Hop Encoding: tuples of NLRI AFI(2), NLRI SAFI(2) and
 * Nexthop AFI(2) (RFC 8950 §3). Note the 2-octet SAFI, unlike other capabilities.
 */
export function decodeExtendedNextHopCapability(value: Uint8Array): ExtendedNextHopCapability {
  expectCapabilityTuples(value, 0, 6, 'Extended Next Hop');
  const entries: { afi: number; safi: number; nextHopAfi: number }[] = [];
  for (let i = 0; i < value.length; i += 6) {
    entries.push({
      afi: (value[i]! << 8) | value[i + 1]!,
      safi: (value[i + 2]! << 8) | value[i + 3]!,
      nextHopAfi: (value[i + 4]! << 8) | value[i + 5]!,
    });
  }
  return { kind: 'extendedNextHop', entries };
}

/** Writes the 6-octet tuples (RFC 8950 §3). */
export function encodeExtendedNextHopCapability(cap: ExtendedNextHopCapability, w: Writer): void {
  for (const e of cap.entries) {
    checkCapabilityField(e.afi, 0xffff, 'Extended Next Hop NLRI AFI');
    checkCapabilityField(e.safi, 0xffff, 'Extended Next Hop NLRI SAFI');
    checkCapabilityField(e.nextHopAfi, 0xffff, 'Extended Next Hop Nexthop AFI');
    w.u16(e.afi).u16(e.safi).u16(e.nextHopAfi);
  }
}
