import {
  CeaseSubcode,
  ErrorCode,
  HEADER_LENGTH,
  HeaderErrorSubcode,
  MessageType,
  names,
} from './constants.js';
import { LocalProtocolError, WireError } from './errors.js';
import { writeMarker } from './header.js';

/**
 * NOTIFICATION (RFC 4271 §4.5). For Cease / Administrative Shutdown and
 * Administrative Reset, the data may hold a shutdown communication (RFC 9003: a
 * length octet and up to 255 octets of UTF-8), decoded into `shutdownMessage`.
 * For Cease / Hard Reset (RFC 8538 §3) the data holds the inner code and subcode.
 */
export interface NotificationMessage {
  readonly kind: 'notification';
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  /** RFC 9003 shutdown communication, when the data carries a well-formed one. */
  readonly shutdownMessage?: string;
}

/** Error Code(1) Error Subcode(1) (RFC 4271 §4.5). */
const NOTIFICATION_MIN_LENGTH = HEADER_LENGTH + 2;
/** The longest shutdown communication, in octets (RFC 9003 §2). */
const SHUTDOWN_COMMUNICATION_MAX = 255;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * Decodes a whole NOTIFICATION message (header included). The only structural
 * fault is a message too short for code and subcode (the header check already
 * refuses it); it throws {@link WireError} Message Header Error / Bad Message
 * Length, though RFC 4271 §6.4 says an error in a NOTIFICATION is only logged.
 * Anything in the data is accepted: a malformed shutdown communication leaves
 * `shutdownMessage` undefined and never throws.
 */
export function decodeNotification(msg: Uint8Array): NotificationMessage {
  if (msg.length < NOTIFICATION_MIN_LENGTH) {
    throw new WireError(
      {
        errorCode: 'BGP_NOTIFICATION_MALFORMED',
        code: ErrorCode.MESSAGE_HEADER_ERROR,
        subcode: HeaderErrorSubcode.BAD_MESSAGE_LENGTH,
        data: Uint8Array.of(msg.length >>> 8, msg.length & 0xff),
      },
      `NOTIFICATION of ${msg.length} octets has no room for code and subcode`,
    );
  }
  return notificationOf(msg[HEADER_LENGTH]!, msg[HEADER_LENGTH + 1]!, msg.slice(NOTIFICATION_MIN_LENGTH));
}

/** A NOTIFICATION value with `shutdownMessage` filled in from the data when it holds one. */
function notificationOf(code: number, subcode: number, data: Uint8Array): NotificationMessage {
  const shutdownMessage = carriesShutdownCommunication(code, subcode)
    ? decodeShutdownCommunication(data)
    : undefined;
  return shutdownMessage === undefined
    ? { kind: 'notification', code, subcode, data }
    : { kind: 'notification', code, subcode, data, shutdownMessage };
}

/** Cease / Administrative Shutdown and Administrative Reset carry a shutdown communication (RFC 9003 §2). */
function carriesShutdownCommunication(code: number, subcode: number): boolean {
  return (
    code === ErrorCode.CEASE &&
    (subcode === CeaseSubcode.ADMINISTRATIVE_SHUTDOWN || subcode === CeaseSubcode.ADMINISTRATIVE_RESET)
  );
}

/**
 * Encodes a whole NOTIFICATION message: header, code, subcode, data as given
 * (RFC 4271 §4.5). `shutdownMessage` is not consulted: build the data with
 * {@link shutdownCommunication}. Keeping the message within the negotiated size
 * (4096 octets unless RFC 8654) is the sender's job; the header field caps it at
 * 65535. Throws LocalProtocolError for a code or subcode out of range.
 */
export function encodeNotification(m: NotificationMessage): Uint8Array {
  checkCodes(m.code, m.subcode);
  const length = NOTIFICATION_MIN_LENGTH + m.data.length;
  if (length > 0xffff) {
    throw new LocalProtocolError('ANYVIP_BAD_NOTIFICATION', `NOTIFICATION of ${length} octets exceeds 65535`);
  }
  const b = new Uint8Array(length);
  writeMarker(b, 0);
  b[16] = length >>> 8;
  b[17] = length & 0xff;
  b[18] = MessageType.NOTIFICATION;
  b[19] = m.code;
  b[20] = m.subcode;
  b.set(m.data, NOTIFICATION_MIN_LENGTH);
  return b;
}

/** Refuses a code or subcode that does not fit its octet (a local mistake). */
function checkCodes(code: number, subcode: number): void {
  for (const [what, v] of [
    ['code', code],
    ['subcode', subcode],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) {
      throw new LocalProtocolError(
        'ANYVIP_BAD_NOTIFICATION',
        `NOTIFICATION ${what} ${v} is outside [0, 255]`,
      );
    }
  }
}

/**
 * The registry name of a code and subcode, e.g. `CEASE/ADMINISTRATIVE_SHUTDOWN`
 * (RFC 4271 §4.5, RFC 4486, RFC 6608, RFC 7313, RFC 8538, RFC 9384). A code without
 * subcodes and subcode 0 gives the code's name alone (`HOLD_TIMER_EXPIRED`);
 * unknown numbers are written as numbers (`CEASE/99`, `42/1`).
 */
export function notificationName(code: number, subcode: number): string {
  const codeName = names.errorCode.get(code);
  if (codeName === undefined) return `${code}/${subcode}`;
  const subcodeName = names.subcodes.get(code)?.get(subcode);
  if (subcodeName !== undefined) return `${codeName}/${subcodeName}`;
  return subcode === 0 ? codeName : `${codeName}/${subcode}`;
}

/**
 * The data of a Cease / Administrative Shutdown or Reset carrying `text` as a
 * shutdown communication: a length octet then UTF-8 (RFC 9003 §2). Text longer
 * than 255 octets is cut at the last character boundary that fits, so the
 * result is always valid UTF-8.
 */
export function shutdownCommunication(text: string): Uint8Array {
  const bytes = utf8Encoder.encode(text);
  let length = bytes.length;
  if (length > SHUTDOWN_COMMUNICATION_MAX) {
    length = SHUTDOWN_COMMUNICATION_MAX;
    // Back off over continuation octets (10xxxxxx) to the start of the cut character.
    while (length > 0 && (bytes[length]! & 0xc0) === 0x80) length--;
  }
  const out = new Uint8Array(1 + length);
  out[0] = length;
  out.set(bytes.subarray(0, length), 1);
  return out;
}

/**
 * The shutdown communication in Cease data (RFC 9003 §2), or undefined when the
 * data holds none or a malformed one: empty data, a length octet that runs past
 * the data, or invalid UTF-8. Octets after the communication are ignored (they
 * stay in the data), as tcpdump and FRR do. Never throws.
 */
export function decodeShutdownCommunication(data: Uint8Array): string | undefined {
  const length = data[0];
  if (length === undefined || 1 + length > data.length) return undefined;
  try {
    return utf8Decoder.decode(data.subarray(1, 1 + length));
  } catch {
    return undefined;
  }
}

/**
 * The NOTIFICATION a Cease / Hard Reset encapsulates: its data is the inner Error
 * Code, Error Subcode and data (RFC 8538 §3), decoded like a NOTIFICATION (so an
 * inner Administrative Shutdown has its shutdown communication). Undefined for any
 * other NOTIFICATION, or when the data is too short to hold a code and subcode.
 */
export function hardResetCause(m: NotificationMessage): NotificationMessage | undefined {
  if (m.code !== ErrorCode.CEASE || m.subcode !== CeaseSubcode.HARD_RESET || m.data.length < 2)
    return undefined;
  return notificationOf(m.data[0]!, m.data[1]!, m.data.subarray(2));
}

/** The data of a Cease / Hard Reset wrapping `inner` (RFC 8538 §3): its code, subcode, then its data. */
export function hardResetData(inner: Pick<NotificationMessage, 'code' | 'subcode' | 'data'>): Uint8Array {
  checkCodes(inner.code, inner.subcode);
  const out = new Uint8Array(2 + inner.data.length);
  out[0] = inner.code;
  out[1] = inner.subcode;
  out.set(inner.data, 2);
  return out;
}

/** Cease subcodes that someone chose on purpose (RFC 4486 §4), not faults. */
const deliberateCeaseSubcodes: ReadonlySet<number> = new Set([
  CeaseSubcode.ADMINISTRATIVE_SHUTDOWN,
  CeaseSubcode.PEER_DE_CONFIGURED,
  CeaseSubcode.ADMINISTRATIVE_RESET,
  CeaseSubcode.OTHER_CONFIGURATION_CHANGE,
  CeaseSubcode.CONNECTION_COLLISION_RESOLUTION,
]);

/**
 * Whether a NOTIFICATION ends a session on purpose rather than on a fault: Cease with
 * Administrative Shutdown, Peer De-configured, Administrative Reset, Other
 * Configuration Change or Connection Collision Resolution (RFC 4486 §4, RFC 4271
 * §6.8), bare or inside a Hard Reset (RFC 8538 §3). Our own `close()` and
 * `removePeer()` send these; logs keep WARN for the rest.
 */
export function isDeliberateCease(m: Pick<NotificationMessage, 'code' | 'subcode' | 'data'>): boolean {
  if (m.code !== ErrorCode.CEASE) return false;
  if (m.subcode === CeaseSubcode.HARD_RESET) {
    return m.data.length >= 2 && m.data[0] === ErrorCode.CEASE && deliberateCeaseSubcodes.has(m.data[1]!);
  }
  return deliberateCeaseSubcodes.has(m.subcode);
}
