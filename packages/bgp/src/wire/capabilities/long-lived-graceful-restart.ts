import type { Writer } from '../writer.js';
import type { LongLivedGracefulRestartCapability } from './capability.js';
import { checkCapabilityField, expectCapabilityTuples } from './capability-fault.js';

/** Forwarding State bit of the per-family flags (RFC 9494 §3). */
const FORWARDING_STATE = 0x80;

/**
 * Decodes Long-Lived Graceful Restart: AFI(2) SAFI(1) Flags(1) Long-Lived Stale
 * Time(3) tuples (RFC 9494 §3). An empty value (no families) is legal and is
 * what some routers send to say "LLGR-aware".
 */
export function decodeLongLivedGracefulRestartCapability(
  value: Uint8Array,
): LongLivedGracefulRestartCapability {
  expectCapabilityTuples(value, 0, 7, 'Long-Lived Graceful Restart');
  const families: { afi: number; safi: number; forwardingPreserved: boolean; staleTimeSec: number }[] = [];
  for (let i = 0; i < value.length; i += 7) {
    families.push({
      afi: (value[i]! << 8) | value[i + 1]!,
      safi: value[i + 2]!,
      forwardingPreserved: (value[i + 3]! & FORWARDING_STATE) !== 0,
      staleTimeSec: (value[i + 4]! << 16) | (value[i + 5]! << 8) | value[i + 6]!,
    });
  }
  return { kind: 'longLivedGracefulRestart', families };
}

/** Writes one 7-octet tuple per family, reserved flag bits 0 (RFC 9494 §3). */
export function encodeLongLivedGracefulRestartCapability(
  cap: LongLivedGracefulRestartCapability,
  w: Writer,
): void {
  for (const f of cap.families) {
    checkCapabilityField(f.afi, 0xffff, 'LLGR AFI');
    checkCapabilityField(f.safi, 0xff, 'LLGR SAFI');
    checkCapabilityField(f.staleTimeSec, 0xffffff, 'LLGR stale time');
    w.u16(f.afi)
      .u8(f.safi)
      .u8(f.forwardingPreserved ? FORWARDING_STATE : 0)
      .u8(f.staleTimeSec >>> 16)
      .u16(f.staleTimeSec & 0xffff);
  }
}
