import { ErrorCode, HEADER_LENGTH, HeaderErrorSubcode, MARKER_LENGTH } from '../wire/constants.js';
import { WireError } from '../wire/errors.js';
import { peekMessageLength } from '../wire/header.js';

/** What the framer yields for one direction of a captured BGP byte stream. */
export type FramerEvent =
  | {
      readonly kind: 'message';
      /** The whole message (a copy), header included. */
      readonly bytes: Uint8Array;
      /** Stream offset of its first octet. */
      readonly offset: number;
    }
  | {
      /**
       * A header that cannot be framed (bad marker or length), or a message cut short
       * by a gap or the end of the stream; the framer then resyncs.
       */
      readonly kind: 'error';
      readonly error: WireError;
      readonly offset: number;
      /** Type octet of the cut-short message, when its header was whole. */
      readonly messageType?: number;
    };

/** The error variant of {@link FramerEvent}. */
export type FramerFault = Extract<FramerEvent, { readonly kind: 'error' }>;

/**
 * Cuts a captured byte stream into BGP messages with {@link peekMessageLength}
 * (RFC 4271 §4.1). Unlike a live session, which must close on a bad header
 * (RFC 4271 §6.1), a decoder of captures wants to go on: after a bad header or a
 * TCP gap it scans for the next position that looks like a header (16 octets of
 * 0xFF followed by a legal length) and carries on from there.
 */
export class BgpStreamFramer {
  private buf = new Uint8Array(0);
  private head = 0;
  private tail = 0;
  /** Stream offset of `buf[head]`. */
  private offset = 0;
  private resyncing = false;

  /** Largest legal message: 4096, or 65535 after RFC 8654 extended message. */
  maxLength: number;

  constructor(maxLength = 4096) {
    this.maxLength = maxLength;
  }

  /** Appends stream bytes and returns the messages (and framing faults) now complete. */
  push(chunk: Uint8Array): FramerEvent[] {
    this.write(chunk);
    const out: FramerEvent[] = [];
    for (let ev = this.read(); ev !== undefined; ev = this.read()) out.push(ev);
    return out;
  }

  /** Appends stream bytes without framing them; see {@link read}. */
  write(chunk: Uint8Array): void {
    this.append(chunk);
  }

  /**
   * The next complete message or framing fault, or undefined until more bytes
   * arrive. Pulling one at a time lets the caller change `maxLength` between
   * messages (after an OPEN exchange that negotiated extended messages).
   */
  read(): FramerEvent | undefined {
    for (;;) {
      if (this.resyncing && !this.resync()) return undefined;
      let length: number | undefined;
      try {
        length = peekMessageLength(this.buf.subarray(0, this.tail), this.head, this.maxLength);
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        const at = this.offset;
        this.advance(1);
        this.resyncing = true;
        return { kind: 'error', error: e, offset: at };
      }
      if (length === undefined || this.tail - this.head < length) return undefined;
      const ev: FramerEvent = {
        kind: 'message',
        bytes: this.buf.slice(this.head, this.head + length),
        offset: this.offset,
      };
      this.advance(length);
      return ev;
    }
  }

  /**
   * The stream skips `missing` octets that were never seen: a buffered partial
   * message is lost (and reported), and the framer resyncs on the next header.
   */
  gap(missing: number): FramerFault[] {
    const out = this.partial('a gap in the stream');
    this.offset += this.tail - this.head + missing;
    this.head = 0;
    this.tail = 0;
    this.resyncing = true;
    return out;
  }

  /** Forgets everything (a new TCP connection on the same ports). */
  reset(): void {
    this.head = 0;
    this.tail = 0;
    this.offset = 0;
    this.resyncing = false;
  }

  /** End of stream: a buffered partial message is reported as truncated. */
  finish(): FramerFault[] {
    return this.gap(0);
  }

  /** The fault for a partial message held when the stream breaks, if any. */
  private partial(cause: string): FramerFault[] {
    const left = this.tail - this.head;
    if (left === 0 || this.resyncing) return [];
    const view = this.buf.subarray(this.head, this.tail);
    const whole = left >= HEADER_LENGTH;
    const declared = whole ? (view[16]! << 8) | view[17]! : -1;
    const error = new WireError(
      {
        errorCode: 'BGP_TRUNCATED',
        code: ErrorCode.MESSAGE_HEADER_ERROR,
        subcode: HeaderErrorSubcode.BAD_MESSAGE_LENGTH,
        data: whole ? Uint8Array.of(declared >> 8, declared & 0xff) : undefined,
      },
      `message cut short by ${cause}: ${left} octets of ${whole ? declared : 'an unknown length'}`,
    );
    return [{ kind: 'error', error, offset: this.offset, messageType: whole ? view[18] : undefined }];
  }

  /** Octets held that do not form a whole message yet. */
  get buffered(): number {
    return this.tail - this.head;
  }

  /** Moves to the next plausible header; false when none is buffered yet. */
  private resync(): boolean {
    const b = this.buf;
    const last = this.tail - HEADER_LENGTH;
    for (let i = this.head; i <= last; i++) {
      if (b[i] !== 0xff) continue;
      let j = 1;
      while (j < MARKER_LENGTH && b[i + j] === 0xff) j++;
      if (j < MARKER_LENGTH) {
        i += j - 1;
        continue;
      }
      const length = (b[i + 16]! << 8) | b[i + 17]!;
      if (length >= HEADER_LENGTH && length <= this.maxLength) {
        this.advance(i - this.head);
        this.resyncing = false;
        return true;
      }
    }
    // Keep the tail that could still begin a header once more bytes arrive.
    const keep = Math.min(this.tail - this.head, HEADER_LENGTH - 1);
    this.advance(this.tail - this.head - keep);
    return false;
  }

  private advance(n: number): void {
    this.head += n;
    this.offset += n;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
    }
  }

  private append(chunk: Uint8Array): void {
    if (this.tail + chunk.length > this.buf.length) {
      const live = this.tail - this.head;
      const need = live + chunk.length;
      if (need <= this.buf.length) {
        this.buf.copyWithin(0, this.head, this.tail);
      } else {
        let size = Math.max(this.buf.length * 2, 8192);
        while (size < need) size *= 2;
        const next = new Uint8Array(size);
        next.set(this.buf.subarray(this.head, this.tail));
        this.buf = next;
      }
      this.head = 0;
      this.tail = live;
    }
    this.buf.set(chunk, this.tail);
    this.tail += chunk.length;
  }
}
