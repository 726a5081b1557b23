import { formatIpv4Bytes, formatIpv6Bytes } from '../wire/address.js';
import { ErrorCode, HeaderErrorSubcode } from '../wire/constants.js';
import { WireError } from '../wire/errors.js';
import type { UnicastAfi } from '../wire/family.js';
import { ipv4Prefix, ipv6Prefix, type Prefix } from '../wire/prefix.js';
import { Reader } from '../wire/reader.js';

/**
 * A cursor over one MRT record body. It is the codec's bounds-checked {@link Reader}
 * with a fault that names the MRT record, so that body decoders fail with one typed
 * error that the record reader turns into an error record.
 */
export function bodyReader(buf: Uint8Array, start: number, end: number): Reader {
  return new Reader(buf, start, end, (reason) => mrtFault(`record body too short: ${reason}`));
}

/** The error body decoders raise; {@link readMrt} reports it as an error record. */
export function mrtFault(reason: string): WireError {
  return new WireError(
    {
      errorCode: 'BGP_TRUNCATED',
      code: ErrorCode.MESSAGE_HEADER_ERROR,
      subcode: HeaderErrorSubcode.BAD_MESSAGE_LENGTH,
    },
    reason,
  );
}

/** An IPv4 (afi 1) or IPv6 (afi 2) address as text. */
export function readAddress(r: Reader, afi: number): string {
  if (afi === 1) {
    const b = r.bytes(4, 'IPv4 address');
    return formatIpv4Bytes(b);
  }
  if (afi === 2) {
    const b = r.bytes(16, 'IPv6 address');
    return formatIpv6Bytes(b);
  }
  throw mrtFault(`address family ${afi} is neither IPv4 nor IPv6`);
}

/** A prefix as stored in RIB records: length in bits, then ceil(length/8) octets (RFC 6396 §4.3.2). */
export function readPrefix(r: Reader, afi: UnicastAfi): Prefix {
  const length = r.u8('prefix length');
  const max = afi === 1 ? 32 : 128;
  if (length > max) throw mrtFault(`prefix length ${length} exceeds ${max}`);
  const bytes = r.bytes((length + 7) >> 3, 'prefix');
  if (afi === 1) {
    let v4 = 0;
    for (let i = 0; i < 4; i++) v4 = v4 * 256 + (bytes[i] ?? 0);
    return ipv4Prefix(v4, length);
  }
  return ipv6Prefix(bytes, length);
}
