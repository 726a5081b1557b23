import { CapabilityCode } from '../constants.js';
import { LocalProtocolError } from '../errors.js';
import type { Writer } from '../writer.js';
import type { FqdnCapability, UnknownCapability } from './capability.js';
import { decodeUtf8, encodeUtf8 } from './utf8-text.js';

/**
 * Decodes the FQDN (hostname) capability: Hostname Length(1), Hostname, Domain
 * Name Length(1), Domain Name (draft-walton-bgp-hostname-capability). It is
 * informational, so a value that does not parse exactly (lengths that disagree
 * with the capability length, invalid UTF-8) is kept as `unknown`, byte-exact,
 * instead of resetting the session.
 */
export function decodeFqdnCapability(value: Uint8Array): FqdnCapability | UnknownCapability {
  const hostnameLength = value[0];
  if (hostnameLength !== undefined && 1 + hostnameLength < value.length) {
    const domainLength = value[1 + hostnameLength]!;
    if (2 + hostnameLength + domainLength === value.length) {
      const hostname = decodeUtf8(value.subarray(1, 1 + hostnameLength));
      const domainName = decodeUtf8(value.subarray(2 + hostnameLength));
      if (hostname !== undefined && domainName !== undefined) return { kind: 'fqdn', hostname, domainName };
    }
  }
  return { kind: 'unknown', code: CapabilityCode.FQDN, value: value.slice() };
}

/** Writes both length-prefixed strings; they must fit the 1-octet capability length together. */
export function encodeFqdnCapability(cap: FqdnCapability, w: Writer): void {
  const hostname = encodeUtf8(cap.hostname);
  const domainName = encodeUtf8(cap.domainName);
  if (2 + hostname.length + domainName.length > 255) {
    throw new LocalProtocolError(
      'ANYVIP_BAD_CAPABILITY',
      `FQDN capability of ${hostname.length} + ${domainName.length} octets does not fit in 255`,
    );
  }
  w.u8(hostname.length).bytes(hostname).u8(domainName.length).bytes(domainName);
}
