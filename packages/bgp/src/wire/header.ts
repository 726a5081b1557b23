import { ErrorCode, HEADER_LENGTH, HeaderErrorSubcode, MARKER_LENGTH, MessageType } from './constants.js';
import { badMessageLength, WireError } from './errors.js';

/** The 19-octet message header (RFC 4271 §4.1). */
export interface MessageHeader {
  readonly length: number;
  readonly type: number;
}

/** Smallest legal length of each message type (RFC 4271 §4.2-4.5, RFC 2918 §3). */
const minLength: Record<number, number> = {
  [MessageType.OPEN]: 29,
  [MessageType.UPDATE]: 23,
  [MessageType.NOTIFICATION]: 21,
  [MessageType.KEEPALIVE]: 19,
  [MessageType.ROUTE_REFRESH]: 23,
};

/**
 * Reads the length of the message starting at `offset`, for framing a TCP stream.
 * Returns undefined while fewer than 19 octets are buffered. Throws
 * {@link WireError} for a bad marker or a length outside [19, maxLength]
 * (RFC 4271 §6.1), so a stream never waits on an impossible length.
 */
export function peekMessageLength(buf: Uint8Array, offset: number, maxLength: number): number | undefined {
  if (buf.length - offset < HEADER_LENGTH) return undefined;
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[offset + i] !== 0xff) {
      throw new WireError(
        {
          errorCode: 'BGP_HEADER_CONNECTION_NOT_SYNCHRONIZED',
          code: ErrorCode.MESSAGE_HEADER_ERROR,
          subcode: HeaderErrorSubcode.CONNECTION_NOT_SYNCHRONIZED,
        },
        'marker is not all ones',
      );
    }
  }
  const length = (buf[offset + 16]! << 8) | buf[offset + 17]!;
  if (length < HEADER_LENGTH || length > maxLength) {
    throw badMessageLength(length, `message length ${length} outside [${HEADER_LENGTH}, ${maxLength}]`);
  }
  return length;
}

/**
 * Checks a whole message's header: marker, length (against the buffer and the
 * per-type minimum, RFC 4271 §6.1) and type. Returns the header.
 */
export function decodeHeader(msg: Uint8Array, maxLength: number): MessageHeader {
  if (msg.length < HEADER_LENGTH) {
    throw badMessageLength(msg.length, `message of ${msg.length} octets is shorter than the header`);
  }
  const length = peekMessageLength(msg, 0, maxLength)!;
  if (length !== msg.length) {
    throw badMessageLength(length, `header says ${length} octets, message has ${msg.length}`);
  }
  const type = msg[18]!;
  const min = minLength[type];
  if (min === undefined) {
    throw new WireError(
      {
        errorCode: 'BGP_HEADER_BAD_MESSAGE_TYPE',
        code: ErrorCode.MESSAGE_HEADER_ERROR,
        subcode: HeaderErrorSubcode.BAD_MESSAGE_TYPE,
        data: Uint8Array.of(type),
      },
      `unknown message type ${type}`,
    );
  }
  if (length < min || (type === MessageType.KEEPALIVE && length !== HEADER_LENGTH)) {
    throw badMessageLength(length, `length ${length} is illegal for message type ${type}`);
  }
  return { length, type };
}

/** Writes a header with the given type and a length to be filled in; returns nothing. */
export function writeMarker(buf: Uint8Array, offset: number): void {
  buf.fill(0xff, offset, offset + MARKER_LENGTH);
}
