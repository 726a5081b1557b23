import type { CodecContext } from '../context.js';
import type { Writer } from '../writer.js';
import type { PathAttribute } from './path-attribute.js';

/**
 * The contract every recognized path attribute codec meets (one file per type in
 * this folder; `index.ts` maps type codes to them).
 *
 * `decode` receives the whole attribute as a view, `attr` (flags, type, length and
 * value, so a fault can carry it as NOTIFICATION data, RFC 4271 §6.3), and `at`,
 * the offset of the value in it; the value is `attr[at, attr.length)`. It returns
 * the attribute with the flags octet as received, or throws a `WireError` whose
 * action is the one RFC 7606 gives this type (see `validate.ts`). Values that
 * outlive the message (byte strings) are copied, never views.
 *
 * `encode` appends the value only; the caller writes flags, type and length.
 */
export interface AttributeCodec<A extends PathAttribute> {
  /** Type code (IANA "BGP Path Attributes"). */
  readonly code: number;
  readonly kind: A['kind'];
  /** IANA name, for logs and JSON. */
  readonly name: string;
  /** The Optional and Transitive bits the type prescribes; also the canonical flags when encoding. */
  readonly flags: number;
  decode(attr: Uint8Array, at: number, ctx: CodecContext): A;
  encode(w: Writer, attr: A, ctx: CodecContext): void;
}
