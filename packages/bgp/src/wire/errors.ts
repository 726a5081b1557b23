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

/** Stable, greppable error codes; match on these rather than on messages. */
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

/** A misuse of the API by the local caller (a bad prefix, a value out of range): never a peer's fault. */
export class LocalProtocolError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LocalProtocolError';
    this.code = code;
  }
}
