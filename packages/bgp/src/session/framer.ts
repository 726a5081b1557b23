import { peekMessageLength } from '../wire/header.js';

/**
 * Collects TCP chunks and yields whole BGP messages (RFC 4271 §4.1 framing). A
 * message split across chunks is held until complete; several messages in one
 * chunk come out one by one. Memory is bounded: at most one partial message (the
 * largest legal size) is ever buffered, and an impossible length or a bad marker
 * throws the header's WireError at once instead of waiting for more bytes.
 */
export class Framer {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;

  /** Largest legal message: 4096, or 65535 after RFC 8654 extended message. */
  maxLength: number;

  constructor(maxLength = 4096) {
    this.maxLength = maxLength;
  }

  /** Appends a chunk. */
  push(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) this.compact(chunk.length);
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /**
   * The next whole message, or undefined until more bytes arrive. The returned view is
   * valid until the next `push`; copy it to keep it.
   */
  next(): Uint8Array | undefined {
    const view = this.buf.subarray(0, this.end);
    const length = peekMessageLength(view, this.start, this.maxLength);
    if (length === undefined || this.end - this.start < length) return undefined;
    const msg = this.buf.subarray(this.start, this.start + length);
    this.start += length;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return msg;
  }

  /** Octets held that do not yet form a whole message. */
  get buffered(): number {
    return this.end - this.start;
  }

  private compact(incoming: number): void {
    const live = this.end - this.start;
    const need = live + incoming;
    if (need <= this.buf.length && this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      let size = Math.max(this.buf.length * 2, 8192);
      while (size < need) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
    }
    this.start = 0;
    this.end = live;
  }
}
