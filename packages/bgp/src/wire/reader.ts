import { ErrorCode, HeaderErrorSubcode } from './constants.js';
import { WireError } from './errors.js';

/** Builds the error a reader raises when asked for bytes past its end. */
export type OverrunError = (reason: string) => WireError;

const defaultOverrun: OverrunError = (reason) =>
  new WireError(
    {
      errorCode: 'BGP_TRUNCATED',
      code: ErrorCode.MESSAGE_HEADER_ERROR,
      subcode: HeaderErrorSubcode.BAD_MESSAGE_LENGTH,
    },
    reason,
  );

/**
 * A bounds-checked cursor over a byte range. Reading past `end` raises the
 * {@link WireError} given by `overrun` (never a RangeError), so a decoder's
 * only failure mode is a typed protocol error.
 */
export class Reader {
  pos: number;
  readonly end: number;
  readonly buf: Uint8Array;
  private readonly overrun: OverrunError;

  constructor(buf: Uint8Array, start = 0, end = buf.length, overrun: OverrunError = defaultOverrun) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.overrun = overrun;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw this.overrun(`truncated ${what}: need ${n} bytes, ${this.end - this.pos} left`);
    }
  }

  u8(what = 'field'): number {
    if (this.pos >= this.end) this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = 'field'): number {
    if (this.pos + 2 > this.end) this.need(2, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u32(what = 'field'): number {
    if (this.pos + 4 > this.end) this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** A view (not a copy) of the next `n` bytes. */
  bytes(n: number, what = 'field'): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A reader over the next `n` bytes, advancing this one past them. */
  sub(n: number, what: string, overrun: OverrunError = this.overrun): Reader {
    this.need(n, what);
    const r = new Reader(this.buf, this.pos, this.pos + n, overrun);
    this.pos += n;
    return r;
  }

  skip(n: number, what = 'field'): void {
    this.need(n, what);
    this.pos += n;
  }

  rest(): Uint8Array {
    const out = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return out;
  }
}
