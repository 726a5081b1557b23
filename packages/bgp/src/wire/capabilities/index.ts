import { CapabilityCode } from '../constants.js';
import { LocalProtocolError } from '../errors.js';
import type { Writer } from '../writer.js';
import { decodeAddPathCapability, encodeAddPathCapability } from './add-path.js';
import type { Capability } from './capability.js';
import {
  decodeEnhancedRouteRefreshCapability,
  encodeEnhancedRouteRefreshCapability,
} from './enhanced-route-refresh.js';
import { decodeExtendedMessageCapability, encodeExtendedMessageCapability } from './extended-message.js';
import { decodeExtendedNextHopCapability, encodeExtendedNextHopCapability } from './extended-next-hop.js';
import { decodeFourOctetAsCapability, encodeFourOctetAsCapability } from './four-octet-as.js';
import { decodeFqdnCapability, encodeFqdnCapability } from './fqdn.js';
import { decodeGracefulRestartCapability, encodeGracefulRestartCapability } from './graceful-restart.js';
import {
  decodeLongLivedGracefulRestartCapability,
  encodeLongLivedGracefulRestartCapability,
} from './long-lived-graceful-restart.js';
import { decodeMultiprotocolCapability, encodeMultiprotocolCapability } from './multiprotocol.js';
import { decodeRoleCapability, encodeRoleCapability } from './role.js';
import { decodeRouteRefreshCapability, encodeRouteRefreshCapability } from './route-refresh.js';
import { decodeSoftwareVersionCapability, encodeSoftwareVersionCapability } from './software-version.js';
import { decodeUnknownCapability, encodeUnknownCapability } from './unknown.js';

/**
 * Decodes one capability's value by its code (RFC 5492 §4). Throws
 * {@link WireError} OPEN Message Error / Unspecific when a known capability's value
 * is malformed; FQDN and Software Version are informational and fall back to
 * `unknown` instead, and so does an unknown code.
 */
export function decodeCapability(code: number, value: Uint8Array): Capability {
  switch (code) {
    case CapabilityCode.MULTIPROTOCOL:
      return decodeMultiprotocolCapability(value);
    case CapabilityCode.ROUTE_REFRESH:
      return decodeRouteRefreshCapability(value);
    case CapabilityCode.EXTENDED_NEXT_HOP:
      return decodeExtendedNextHopCapability(value);
    case CapabilityCode.EXTENDED_MESSAGE:
      return decodeExtendedMessageCapability(value);
    case CapabilityCode.BGP_ROLE:
      return decodeRoleCapability(value);
    case CapabilityCode.GRACEFUL_RESTART:
      return decodeGracefulRestartCapability(value);
    case CapabilityCode.FOUR_OCTET_AS:
      return decodeFourOctetAsCapability(value);
    case CapabilityCode.ADD_PATH:
      return decodeAddPathCapability(value);
    case CapabilityCode.ENHANCED_ROUTE_REFRESH:
      return decodeEnhancedRouteRefreshCapability(value);
    case CapabilityCode.LONG_LIVED_GRACEFUL_RESTART:
      return decodeLongLivedGracefulRestartCapability(value);
    case CapabilityCode.FQDN:
      return decodeFqdnCapability(value);
    case CapabilityCode.SOFTWARE_VERSION:
      return decodeSoftwareVersionCapability(value);
    default:
      return decodeUnknownCapability(code, value);
  }
}

/** The capability code a capability is sent with (RFC 5492 §4, IANA "Capability Codes"). */
export function capabilityCode(cap: Capability): number {
  switch (cap.kind) {
    case 'multiprotocol':
      return CapabilityCode.MULTIPROTOCOL;
    case 'routeRefresh':
      return CapabilityCode.ROUTE_REFRESH;
    case 'extendedNextHop':
      return CapabilityCode.EXTENDED_NEXT_HOP;
    case 'extendedMessage':
      return CapabilityCode.EXTENDED_MESSAGE;
    case 'role':
      return CapabilityCode.BGP_ROLE;
    case 'gracefulRestart':
      return CapabilityCode.GRACEFUL_RESTART;
    case 'fourOctetAs':
      return CapabilityCode.FOUR_OCTET_AS;
    case 'addPath':
      return CapabilityCode.ADD_PATH;
    case 'enhancedRouteRefresh':
      return CapabilityCode.ENHANCED_ROUTE_REFRESH;
    case 'longLivedGracefulRestart':
      return CapabilityCode.LONG_LIVED_GRACEFUL_RESTART;
    case 'fqdn':
      return CapabilityCode.FQDN;
    case 'softwareVersion':
      return CapabilityCode.SOFTWARE_VERSION;
    case 'unknown':
      return cap.code;
    default:
      return unexpectedCapability(cap);
  }
}

function encodeValue(cap: Capability, w: Writer): void {
  switch (cap.kind) {
    case 'multiprotocol':
      encodeMultiprotocolCapability(cap, w);
      break;
    case 'routeRefresh':
      encodeRouteRefreshCapability(cap, w);
      break;
    case 'extendedNextHop':
      encodeExtendedNextHopCapability(cap, w);
      break;
    case 'extendedMessage':
      encodeExtendedMessageCapability(cap, w);
      break;
    case 'role':
      encodeRoleCapability(cap, w);
      break;
    case 'gracefulRestart':
      encodeGracefulRestartCapability(cap, w);
      break;
    case 'fourOctetAs':
      encodeFourOctetAsCapability(cap, w);
      break;
    case 'addPath':
      encodeAddPathCapability(cap, w);
      break;
    case 'enhancedRouteRefresh':
      encodeEnhancedRouteRefreshCapability(cap, w);
      break;
    case 'longLivedGracefulRestart':
      encodeLongLivedGracefulRestartCapability(cap, w);
      break;
    case 'fqdn':
      encodeFqdnCapability(cap, w);
      break;
    case 'softwareVersion':
      encodeSoftwareVersionCapability(cap, w);
      break;
    case 'unknown':
      encodeUnknownCapability(cap, w);
      break;
    default:
      unexpectedCapability(cap);
  }
}

/**
 * Writes one capability as Code(1) Length(1) Value (RFC 5492 §4). Throws
 * LocalProtocolError when a field is out of range or the value exceeds 255 octets:
 * even with RFC 9072 extended parameter lengths, a capability's length is one octet.
 */
export function encodeCapability(cap: Capability, w: Writer): void {
  const code = capabilityCode(cap);
  if (!Number.isInteger(code) || code < 0 || code > 0xff) {
    throw new LocalProtocolError('ANYVIP_BAD_CAPABILITY', `capability code ${code} is outside [0, 255]`);
  }
  w.u8(code);
  const at = w.reserve8();
  encodeValue(cap, w);
  const length = w.pos - at - 1;
  if (length > 0xff) {
    throw new LocalProtocolError(
      'ANYVIP_BAD_CAPABILITY',
      `capability ${code} value of ${length} octets exceeds 255`,
    );
  }
  w.fill8(at, length);
}

/** The exhaustiveness check of the switches above (a `kind` outside the union is a caller bug). */
function unexpectedCapability(cap: never): never {
  throw new LocalProtocolError('ANYVIP_BAD_CAPABILITY', `unexpected capability ${JSON.stringify(cap)}`);
}
