import type { Writer } from '../writer.js';
import type { UnknownCapability } from './capability.js';

/** Keeps a capability we do not interpret, byte-exact (RFC 5492 §4: unknown ones are ignored, not refused). */
export function decodeUnknownCapability(code: number, value: Uint8Array): UnknownCapability {
  return { kind: 'unknown', code, value: value.slice() };
}

/** Writes the value as received. */
export function encodeUnknownCapability(cap: UnknownCapability, w: Writer): void {
  w.bytes(cap.value);
}
