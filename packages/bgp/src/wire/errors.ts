import { ErrorCode, names } from './constants.js';

/**
 * What a receiver does about a fault (RFC 7606 §2), weakest first. When one UPDATE
 * has several faults, the strongest action wins ({@link strongerAction}).
 */
export type ErrorAction = 'attributeDiscard' | 'treatAsWithdraw' | 'afiSafiDisable' | 'sessionReset';

const actionRank: Record<ErrorAction, number> = {
  attributeDiscard: 1,
  treatAsWithdraw: 2,
  afiSafiDisable: 3,
  sessionReset: 4,
};

/** The stronger of two RFC 7606 actions. */
export function strongerAction(a: ErrorAction, b: ErrorAction): ErrorAction {
  return actionRank[a] >= actionRank[b] ? a : b;
}

/**
 * Every code a {@link WireError} carries: a remote protocol fault, named after the
 * NOTIFICATION it maps to (RFC 4271 §4.5, §6). `BGP_HEADER_*` are 1/x, `BGP_OPEN_*`
 * 2/x, `BGP_UPDATE_*` 3/x, `BGP_ROUTE_REFRESH_*` 7/x (RFC 7313); `BGP_TRUNCATED` is
 * input that ends inside a message (captures, MRT), never sent.
 */
export type WireErrorCode =
  | 'BGP_HEADER_CONNECTION_NOT_SYNCHRONIZED'
  | 'BGP_HEADER_BAD_MESSAGE_LENGTH'
  | 'BGP_HEADER_BAD_MESSAGE_TYPE'
  | 'BGP_OPEN_MALFORMED'
  | 'BGP_OPEN_UNSUPPORTED_VERSION_NUMBER'
  | 'BGP_OPEN_BAD_PEER_AS'
  | 'BGP_OPEN_BAD_BGP_IDENTIFIER'
  | 'BGP_OPEN_UNSUPPORTED_OPTIONAL_PARAMETER'
  | 'BGP_OPEN_UNACCEPTABLE_HOLD_TIME'
  | 'BGP_OPEN_UNSUPPORTED_CAPABILITY'
  | 'BGP_OPEN_ROLE_MISMATCH'
  | 'BGP_UPDATE_MALFORMED_ATTRIBUTE_LIST'
  | 'BGP_UPDATE_UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE'
  | 'BGP_UPDATE_MISSING_WELL_KNOWN_ATTRIBUTE'
  | 'BGP_UPDATE_ATTRIBUTE_FLAGS_ERROR'
  | 'BGP_UPDATE_ATTRIBUTE_LENGTH_ERROR'
  | 'BGP_UPDATE_INVALID_ORIGIN_ATTRIBUTE'
  | 'BGP_UPDATE_INVALID_NEXT_HOP_ATTRIBUTE'
  | 'BGP_UPDATE_OPTIONAL_ATTRIBUTE_ERROR'
  | 'BGP_UPDATE_INVALID_NETWORK_FIELD'
  | 'BGP_UPDATE_MALFORMED_AS_PATH'
  | 'BGP_NOTIFICATION_MALFORMED'
  | 'BGP_ROUTE_REFRESH_INVALID_MESSAGE_LENGTH'
  | 'BGP_TRUNCATED';

export interface WireErrorInit {
  /** Stable code to match on. */
  readonly errorCode: WireErrorCode;
  /** NOTIFICATION error code (RFC 4271 §4.5). */
  readonly code: number;
  /** NOTIFICATION error subcode. */
  readonly subcode: number;
  /** The exact NOTIFICATION data field the RFC asks for (often the offending bytes). */
  readonly data?: Uint8Array;
  /** RFC 7606 action; structural message faults are `sessionReset`. */
  readonly action?: ErrorAction;
  /** The attribute type code concerned, when one is. */
  readonly attrType?: number;
}

/**
 * The only exception the codec throws: a remote protocol fault, with everything
 * needed to build the NOTIFICATION (RFC 4271 §6) or to apply RFC 7606 instead.
 */
export class WireError extends Error {
  readonly errorCode: WireErrorCode;
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  readonly action: ErrorAction;
  readonly attrType: number | undefined;

  constructor(init: WireErrorInit, reason: string) {
    super(reason);
    this.name = 'WireError';
    this.errorCode = init.errorCode;
    this.code = init.code;
    this.subcode = init.subcode;
    this.data = init.data ?? new Uint8Array(0);
    this.action = init.action ?? 'sessionReset';
    this.attrType = init.attrType;
  }

  /** Name of the code and subcode, e.g. `UPDATE_MESSAGE_ERROR/MALFORMED_AS_PATH`. */
  get codeName(): string {
    return `${names.errorCode.get(this.code) ?? this.code}/${names.subcodes.get(this.code)?.get(this.subcode) ?? this.subcode}`;
  }

  /** The same fault with another RFC 7606 action. */
  withAction(action: ErrorAction): WireError {
    return new WireError(
      {
        errorCode: this.errorCode,
        code: this.code,
        subcode: this.subcode,
        data: this.data,
        action,
        attrType: this.attrType,
      },
      this.message,
    );
  }
}

/** Message Header Error, Bad Message Length, with the offending length as data (RFC 4271 §6.1). */
export function badMessageLength(length: number, reason: string): WireError {
  return new WireError(
    {
      errorCode: 'BGP_HEADER_BAD_MESSAGE_LENGTH',
      code: ErrorCode.MESSAGE_HEADER_ERROR,
      subcode: 2,
      data: Uint8Array.of((length >> 8) & 0xff, length & 0xff),
    },
    reason,
  );
}

/** UPDATE Message Error with a given subcode. */
export function updateError(
  errorCode: WireErrorCode,
  subcode: number,
  reason: string,
  options: { data?: Uint8Array; action?: ErrorAction; attrType?: number } = {},
): WireError {
  return new WireError({ errorCode, code: ErrorCode.UPDATE_MESSAGE_ERROR, subcode, ...options }, reason);
}

/** OPEN Message Error with a given subcode. */
export function openError(
  errorCode: WireErrorCode,
  subcode: number,
  reason: string,
  data?: Uint8Array,
): WireError {
  return new WireError({ errorCode, code: ErrorCode.OPEN_MESSAGE_ERROR, subcode, data }, reason);
}

/**
 * Every code a {@link LocalProtocolError} carries: API misuse by the local caller,
 * never a peer's fault. Match on these, not on messages.
 *
 * | Code | Thrown when |
 * |---|---|
 * | `ANYVIP_BAD_PREFIX` | a prefix does not parse, has host bits set, a bad length, or a leading-zero octet |
 * | `ANYVIP_BAD_ADDRESS` | an address does not parse or is of the wrong family |
 * | `ANYVIP_BAD_NEXT_HOP` | a next hop does not fit the prefix's family or the session |
 * | `ANYVIP_BAD_COMMUNITY` | a community, extended or large community does not parse |
 * | `ANYVIP_BAD_ATTRIBUTE` | an attribute value out of range or inconsistent (encoding) |
 * | `ANYVIP_DUPLICATE_ATTRIBUTE` | the same attribute twice in one encoded list |
 * | `ANYVIP_ATTRIBUTE_TOO_LARGE` | an attribute over 65535 octets |
 * | `ANYVIP_ATTRIBUTE_NOT_IN_SET` | an attribute set lookup for a kind it does not hold |
 * | `ANYVIP_ATTRIBUTE_SET_RELEASED` | an attribute set used after its last reference was released |
 * | `ANYVIP_BAD_CAPABILITY` | a capability value out of range (encoding) |
 * | `ANYVIP_BAD_OPEN` | an OPEN to encode is inconsistent |
 * | `ANYVIP_BAD_NOTIFICATION` | a NOTIFICATION code, subcode or shutdown text out of range |
 * | `ANYVIP_BAD_FAMILY` | a family name other than `'ipv4'` / `'ipv6'` |
 * | `ANYVIP_UNSUPPORTED_FAMILY` | an AFI/SAFI this library does not carry |
 * | `ANYVIP_BAD_ARGUMENT` | another argument out of range |
 * | `ANYVIP_UPDATE_TOO_LARGE` | an UPDATE over 4096 octets (65535 with RFC 8654) |
 * | `ANYVIP_ADD_PATH_NOT_NEGOTIATED` | a path id where ADD-PATH was not negotiated |
 * | `ANYVIP_FAMILY_NOT_NEGOTIATED` | an operation on a family the session did not negotiate |
 * | `ANYVIP_ROUTE_REFRESH_NOT_NEGOTIATED` | `refresh()` towards a peer that did not offer ROUTE-REFRESH |
 * | `ANYVIP_PEER_NOT_ESTABLISHED` | an operation that needs an Established session |
 * | `ANYVIP_INVALID_PEER_CONFIG` | `addPeer()` options out of range or inconsistent |
 * | `ANYVIP_INVALID_SPEAKER_CONFIG` | `new BgpSpeaker()` options out of range |
 * | `ANYVIP_INVALID_LISTEN` | `listen()` options out of range |
 * | `ANYVIP_DUPLICATE_PEER` | `addPeer()` for an address that already has a peer |
 * | `ANYVIP_UNKNOWN_PEER` | an address that has no peer |
 * | `ANYVIP_SPEAKER_CLOSED` | a call after `close()` |
 * | `ANYVIP_PASSWORD_FILE_UNREADABLE` | a TCP-MD5 password file cannot be read |
 * | `ANYVIP_TCP_AUTH_UNAVAILABLE` | TCP-MD5 or GTSM asked without the `@anyvip/tcp-auth` addon |
 * | `ANYVIP_TCP_AUTH_FAILED` | the kernel refused the TCP-MD5 / GTSM socket options |
 */
export type LocalProtocolErrorCode =
  | 'ANYVIP_BAD_PREFIX'
  | 'ANYVIP_BAD_ADDRESS'
  | 'ANYVIP_BAD_NEXT_HOP'
  | 'ANYVIP_BAD_COMMUNITY'
  | 'ANYVIP_BAD_ATTRIBUTE'
  | 'ANYVIP_DUPLICATE_ATTRIBUTE'
  | 'ANYVIP_ATTRIBUTE_TOO_LARGE'
  | 'ANYVIP_ATTRIBUTE_NOT_IN_SET'
  | 'ANYVIP_ATTRIBUTE_SET_RELEASED'
  | 'ANYVIP_BAD_CAPABILITY'
  | 'ANYVIP_BAD_OPEN'
  | 'ANYVIP_BAD_NOTIFICATION'
  | 'ANYVIP_BAD_FAMILY'
  | 'ANYVIP_UNSUPPORTED_FAMILY'
  | 'ANYVIP_BAD_ARGUMENT'
  | 'ANYVIP_UPDATE_TOO_LARGE'
  | 'ANYVIP_ADD_PATH_NOT_NEGOTIATED'
  | 'ANYVIP_FAMILY_NOT_NEGOTIATED'
  | 'ANYVIP_ROUTE_REFRESH_NOT_NEGOTIATED'
  | 'ANYVIP_PEER_NOT_ESTABLISHED'
  | 'ANYVIP_INVALID_PEER_CONFIG'
  | 'ANYVIP_INVALID_SPEAKER_CONFIG'
  | 'ANYVIP_INVALID_LISTEN'
  | 'ANYVIP_DUPLICATE_PEER'
  | 'ANYVIP_UNKNOWN_PEER'
  | 'ANYVIP_SPEAKER_CLOSED'
  | 'ANYVIP_PASSWORD_FILE_UNREADABLE'
  | 'ANYVIP_TCP_AUTH_UNAVAILABLE'
  | 'ANYVIP_TCP_AUTH_FAILED';

/** A misuse of the API by the local caller (a bad prefix, a value out of range): never a peer's fault. */
export class LocalProtocolError extends Error {
  /** Stable code to match on; the list is {@link LocalProtocolErrorCode}. */
  readonly code: LocalProtocolErrorCode;
  constructor(code: LocalProtocolErrorCode, message: string) {
    super(message);
    this.name = 'LocalProtocolError';
    this.code = code;
  }
}
