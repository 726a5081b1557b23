import type { Writer } from '../writer.js';
import type { GracefulRestartCapability } from './capability.js';
import { checkCapabilityField, expectCapabilityTuples } from './capability-fault.js';

/** Restart Flags in the top 4 bits of the first 2 octets (RFC 4724 §3, RFC 8538 §2). */
const RESTART_STATE = 0x8000;
const NOTIFICATION = 0x4000;
const RESTART_TIME_MASK = 0x0fff;
/** Forwarding State bit of the per-family flags (RFC 4724 §3). */
const FORWARDING_STATE = 0x80;

/**
 * Decodes Graceful Restart: Restart Flags(4 bits) and Restart Time(12 bits), then
 * AFI(2) SAFI(1) Flags(1) tuples (RFC 4724 §3); the N bit is RFC 8538 §2's.
 * Reserved bits are ignored, as RFC 4724 §3 asks.
 */
export function decodeGracefulRestartCapability(value: Uint8Array): GracefulRestartCapability {
  expectCapabilityTuples(value, 2, 4, 'Graceful Restart');
  const head = (value[0]! << 8) | value[1]!;
  const families: { afi: number; safi: number; forwardingPreserved: boolean }[] = [];
  for (let i = 2; i < value.length; i += 4) {
    families.push({
      afi: (value[i]! << 8) | value[i + 1]!,
      safi: value[i + 2]!,
      forwardingPreserved: (value[i + 3]! & FORWARDING_STATE) !== 0,
    });
  }
  return {
    kind: 'gracefulRestart',
    restartState: (head & RESTART_STATE) !== 0,
    notification: (head & NOTIFICATION) !== 0,
    restartTimeSec: head & RESTART_TIME_MASK,
    families,
  };
}

/** Writes the flags/time word and one tuple per family, reserved bits 0 (RFC 4724 §3). */
export function encodeGracefulRestartCapability(cap: GracefulRestartCapability, w: Writer): void {
  checkCapabilityField(cap.restartTimeSec, RESTART_TIME_MASK, 'Graceful Restart time');
  w.u16((cap.restartState ? RESTART_STATE : 0) | (cap.notification ? NOTIFICATION : 0) | cap.restartTimeSec);
  for (const f of cap.families) {
    checkCapabilityField(f.afi, 0xffff, 'Graceful Restart AFI');
    checkCapabilityField(f.safi, 0xff, 'Graceful Restart SAFI');
    w.u16(f.afi)
      .u8(f.safi)
      .u8(f.forwardingPreserved ? FORWARDING_STATE : 0);
  }
}
