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
