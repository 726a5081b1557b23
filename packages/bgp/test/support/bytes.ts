/**
 * Test-only byte builders, independent of the writer under test: expected bytes in
 * tests are written out by hand (hex) or built here, never with `Writer`.
 */

/** Bytes from hex text; spaces, newlines and `|` separators are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/[\s|_:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Hex text of bytes, for readable assertion failures. */
export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A whole BGP message: marker, length, type, then the body. */
export function message(type: number, body: Uint8Array | string): Uint8Array {
  const b = typeof body === 'string' ? hex(body) : body;
  const out = new Uint8Array(19 + b.length);
  out.fill(0xff, 0, 16);
  out[16] = (19 + b.length) >> 8;
  out[17] = (19 + b.length) & 0xff;
  out[18] = type;
  out.set(b, 19);
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
