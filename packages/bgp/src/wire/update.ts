import type { PathAttribute } from './attributes/path-attribute.js';
import type { ErrorAction, WireError } from './errors.js';
import type { Prefix } from './prefix.js';

/**
 * UPDATE (RFC 4271 §4.3), first stage: the three sections as raw views, checked
 * only for consistent lengths. {@link parseUpdate} is the second stage, which needs
 * the session's codec context (4-octet AS, ADD-PATH).
 */
export interface UpdateMessage {
  readonly kind: 'update';
  readonly withdrawnRoutes: Uint8Array;
  readonly pathAttributes: Uint8Array;
  readonly nlri: Uint8Array;
}

/**
 * An UPDATE decoded against a context: IPv4 withdrawals and NLRI from the classic
 * fields, the attributes in received order (MP_REACH_NLRI / MP_UNREACH_NLRI among
 * them), End-of-RIB when the message is one (RFC 4724 §2), and the RFC 7606 faults
 * found. With `action` = `treatAsWithdraw`, every NLRI in the message must be
 * handled as withdrawn; `attributeDiscard` faults have already had their attribute
 * removed from `attributes`. Faults that need a session reset are thrown instead.
 */
export interface ParsedUpdate {
  readonly withdrawn: readonly Prefix[];
  readonly attributes: readonly PathAttribute[];
  readonly nlri: readonly Prefix[];
  readonly endOfRib?: { readonly afi: number; readonly safi: number };
  readonly issues: readonly WireError[];
  readonly action: ErrorAction | undefined;
}

/** What {@link encodeUpdate} takes: the same fields as {@link ParsedUpdate} without the findings. */
export interface UpdateContent {
  readonly withdrawn?: readonly Prefix[];
  readonly attributes?: readonly PathAttribute[];
  readonly nlri?: readonly Prefix[];
}
