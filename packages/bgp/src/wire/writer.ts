/**
 * A growable byte writer. Length fields are reserved first and filled in once the
 * body is written, so encoders never compute sizes twice.
 */
export class Writer {
  buf: Uint8Array;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): this {
    if (this.pos + 1 > this.buf.length) this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    if (this.pos + 2 > this.buf.length) this.ensure(2);
    const b = this.buf;
    b[this.pos++] = v >>> 8;
    b[this.pos++] = v;
    return this;
  }

  u32(v: number): this {
    if (this.pos + 4 > this.buf.length) this.ensure(4);
    const b = this.buf;
    b[this.pos++] = v >>> 24;
    b[this.pos++] = v >>> 16;
    b[this.pos++] = v >>> 8;
    b[this.pos++] = v;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  /** Reserves a 1-octet length and returns its position for {@link fill8}. */
  reserve8(): number {
    this.u8(0);
    return this.pos - 1;
  }

  /** Reserves a 2-octet length and returns its position for {@link fill16}. */
  reserve16(): number {
    this.u16(0);
    return this.pos - 2;
  }

  fill8(at: number, v: number): void {
    this.buf[at] = v;
  }

  fill16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
  }

  /** Rewinds to `pos`, dropping what was written after it. */
  truncate(pos: number): void {
    this.pos = pos;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
