import { CapabilityCode } from '../constants.js';
import { LocalProtocolError } from '../errors.js';
import type { Writer } from '../writer.js';
import type { SoftwareVersionCapability, UnknownCapability } from './capability.js';
import { decodeUtf8, encodeUtf8 } from './utf8-text.js';

/**
 * Decodes the Software Version capability: Length(1) then UTF-8 text
 * (draft-ietf-idr-software-version). It is informational, so a value whose
 * length octet disagrees with the capability length, or that is not UTF-8, is kept
 * as `unknown`, byte-exact, instead of resetting the session.
 */
export function decodeSoftwareVersionCapability(
  value: Uint8Array,
): SoftwareVersionCapability | UnknownCapability {
  if (value.length >= 1 && value[0]! + 1 === value.length) {
    const version = decodeUtf8(value.subarray(1));
    if (version !== undefined) return { kind: 'softwareVersion', version };
  }
  return { kind: 'unknown', code: CapabilityCode.SOFTWARE_VERSION, value: value.slice() };
}

/** Writes the length-prefixed version text; it must fit the 1-octet capability length. */
export function encodeSoftwareVersionCapability(cap: SoftwareVersionCapability, w: Writer): void {
  const text = encodeUtf8(cap.version);
  if (1 + text.length > 255) {
    throw new LocalProtocolError(
      'ANYVIP_BAD_CAPABILITY',
      `software version of ${text.length} octets does not fit in 254`,
    );
  }
  w.u8(text.length).bytes(text);
}
