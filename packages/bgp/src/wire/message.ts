import { assertNever } from './assert-never.js';
import { HEADER_LENGTH, MessageType } from './constants.js';
import { type CodecContext, maxMessageLength } from './context.js';
import { decodeHeader } from './header.js';
import { encodeKeepalive, type KeepaliveMessage, keepalive } from './keepalive.js';
import { decodeNotification, encodeNotification, type NotificationMessage } from './notification.js';
import { decodeOpen, encodeOpen, type OpenMessage } from './open.js';
import { decodeRouteRefresh, encodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';
import { decodeUpdate, encodeRawUpdate, type UpdateMessage } from './update.js';

/** Any BGP message, discriminated by `kind`. */
export type BgpMessage =
  | OpenMessage
  | UpdateMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage;

/**
 * Decodes one whole message (header included). Throws {@link WireError} for any
 * fault, with the RFC 4271 §6 code, subcode and data; never anything else.
 * UPDATEs come back in their raw first stage: see `parseUpdate`.
 */
export function decodeMessage(msg: Uint8Array, ctx: CodecContext): BgpMessage {
  const { type } = decodeHeader(msg, maxMessageLength(ctx));
  switch (type) {
    case MessageType.OPEN:
      return decodeOpen(msg);
    case MessageType.UPDATE:
      return decodeUpdate(msg);
    case MessageType.NOTIFICATION:
      return decodeNotification(msg);
    case MessageType.KEEPALIVE:
      return keepalive;
    default:
      // decodeHeader has refused every other type.
      return decodeRouteRefresh(msg);
  }
}

/** Encodes a message; UPDATEs are encoded from their raw sections (see `encodeUpdate` to build one). */
export function encodeMessage(m: BgpMessage, ctx: CodecContext): Uint8Array {
  switch (m.kind) {
    case 'open':
      return encodeOpen(m);
    case 'update':
      return encodeRawUpdate(m, ctx);
    case 'notification':
      return encodeNotification(m);
    case 'keepalive':
      return encodeKeepalive();
    case 'routeRefresh':
      return encodeRouteRefresh(m);
    default:
      return assertNever(m);
  }
}

/** Message type code of the message at the start of `msg` (after its header was checked). */
export function messageTypeOf(msg: Uint8Array): number {
  return msg.length > HEADER_LENGTH - 1 ? msg[HEADER_LENGTH - 1]! : 0;
}
