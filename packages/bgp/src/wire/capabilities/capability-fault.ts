import { OpenErrorSubcode } from '../constants.js';
import { LocalProtocolError, openError, type WireError } from '../errors.js';

/**
 * A capability whose value cannot be what its code says (a Multiprotocol value that
 * is not 4 octets, a Graceful Restart tuple cut short). FRR and BIRD answer this with
 * OPEN Message Error / Unspecific (RFC 4271 §6.2, RFC 5492 §3), and so do we.
 */
export function malformedCapability(name: string, reason: string): WireError {
  return openError(
    'BGP_OPEN_MALFORMED',
    OpenErrorSubcode.UNSPECIFIC,
    `malformed ${name} capability: ${reason}`,
  );
}

/** Throws unless `value` is `length` octets long. */
export function expectCapabilityLength(value: Uint8Array, length: number, name: string): void {
  if (value.length !== length) {
    throw malformedCapability(name, `length ${value.length}, expected ${length}`);
  }
}

/** Throws unless `value` is a whole number of `tupleLength`-octet tuples after `headerLength` octets. */
export function expectCapabilityTuples(
  value: Uint8Array,
  headerLength: number,
  tupleLength: number,
  name: string,
): void {
  if (value.length < headerLength || (value.length - headerLength) % tupleLength !== 0) {
    throw malformedCapability(
      name,
      `length ${value.length} is not ${headerLength} + a multiple of ${tupleLength}`,
    );
  }
}

/**
 * Refuses a capability field the caller set out of range when encoding (a local
 * mistake, never the peer's), rather than silently truncating it on the wire.
 */
export function checkCapabilityField(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new LocalProtocolError('ANYVIP_BAD_CAPABILITY', `${what} ${value} is outside [0, ${max}]`);
  }
}
