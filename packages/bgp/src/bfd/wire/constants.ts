/**
 * BFD numbers (RFC 5880 §4.1, IANA "Bidirectional Forwarding Detection (BFD)
 * Parameters"), spelled as the registries spell them.
 */

/** The protocol version this codec speaks (RFC 5880 §4.1). */
export const BFD_VERSION = 1;

/** UDP destination ports: single-hop (RFC 5881 §4), multihop (RFC 5883 §5). */
export const BfdPort = {
  SINGLE_HOP: 3784,
  MULTIHOP: 4784,
} as const;

/** The source port range a session's packets come from (RFC 5881 §4). */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;

/** Session states, the 2-bit Sta field (RFC 5880 §4.1). */
export const BfdStateCode = {
  ADMIN_DOWN: 0,
  DOWN: 1,
  INIT: 2,
  UP: 3,
} as const;

/** Diagnostic codes, the 5-bit Diag field (RFC 5880 §4.1). */
export const BfdDiag = {
  NO_DIAGNOSTIC: 0,
  CONTROL_DETECTION_TIME_EXPIRED: 1,
  ECHO_FUNCTION_FAILED: 2,
  NEIGHBOR_SIGNALED_SESSION_DOWN: 3,
  FORWARDING_PLANE_RESET: 4,
  PATH_DOWN: 5,
  CONCATENATED_PATH_DOWN: 6,
  ADMINISTRATIVELY_DOWN: 7,
  REVERSE_CONCATENATED_PATH_DOWN: 8,
} as const;

const DIAG_NAMES: Readonly<Record<number, string>> = {
  0: 'No Diagnostic',
  1: 'Control Detection Time Expired',
  2: 'Echo Function Failed',
  3: 'Neighbor Signaled Session Down',
  4: 'Forwarding Plane Reset',
  5: 'Path Down',
  6: 'Concatenated Path Down',
  7: 'Administratively Down',
  8: 'Reverse Concatenated Path Down',
};

/** A diagnostic code's RFC 5880 §4.1 name (`Unassigned (n)` for others). */
export function bfdDiagName(diag: number): string {
  return DIAG_NAMES[diag] ?? `Unassigned (${diag})`;
}

/** Length of the mandatory section (RFC 5880 §4.1). */
export const BFD_CONTROL_LENGTH = 24;
