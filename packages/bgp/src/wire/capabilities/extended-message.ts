import type { Writer } from '../writer.js';
import type { ExtendedMessageCapability } from './capability.js';
import { expectCapabilityLength } from './capability-fault.js';

const extendedMessage: ExtendedMessageCapability = Object.freeze({ kind: 'extendedMessage' });

/** Decodes BGP Extended Message, whose value is empty (RFC 8654 §3). */
export function decodeExtendedMessageCapability(value: Uint8Array): ExtendedMessageCapability {
  expectCapabilityLength(value, 0, 'Extended Message');
  return extendedMessage;
}

/** Extended Message has no value (RFC 8654 §3). */
export function encodeExtendedMessageCapability(_cap: ExtendedMessageCapability, _w: Writer): void {}
