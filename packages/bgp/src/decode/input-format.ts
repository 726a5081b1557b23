import { gunzipSync } from 'node:zlib';
import { captureFormatOf } from '../capture/capture-file.js';
import { looksLikeMrt } from '../mrt/reader.js';

/** How `decodeInput` reads its input (`anyvip-bgp decode --format`). */
export type InputFormat = 'auto' | 'hex' | 'raw' | 'pcap' | 'mrt';

/** Whether bytes are gzip (RFC 1952) or bzip2 compressed, by their magic numbers. */
export function compressionOf(buf: Uint8Array): 'gzip' | 'bzip2' | undefined {
  if (buf.length >= 3 && buf[0] === 0x1f && buf[1] === 0x8b && buf[2] === 0x08) return 'gzip';
  // "BZh" and a block size digit.
  if (
    buf.length >= 4 &&
    buf[0] === 0x42 &&
    buf[1] === 0x5a &&
    buf[2] === 0x68 &&
    buf[3]! >= 0x31 &&
    buf[3]! <= 0x39
  ) {
    return 'bzip2';
  }
  return undefined;
}

/** A bzip2 decompressor (whole input, concatenated streams too); the caller brings one. */
export type Bunzip2 = (compressed: Uint8Array) => Uint8Array;

/**
 * Decompresses gzip (node:zlib; concatenated members too) or, with `bunzip2`, bzip2
 * input, or returns it unchanged. The library has no bzip2 decoder of its own (it
 * has no dependencies; `anyvip-bgp` passes seek-bzip's): bzip2 without `bunzip2`
 * throws. Throws the decompressor's error.
 */
export function decompress(buf: Uint8Array, bunzip2?: Bunzip2): Uint8Array {
  switch (compressionOf(buf)) {
    case 'gzip':
      return gunzipSync(buf);
    case 'bzip2':
      if (bunzip2 === undefined)
        throw new Error('bzip2 input, and no bzip2 decompressor was given (bunzip2)');
      return bunzip2(buf);
    default:
      return buf;
  }
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * Whether the input is hex text: hex digits separated by whitespace, colons or
 * commas, optionally `0x`-prefixed, with `#` comments to the end of a line.
 */
export function looksLikeHex(buf: Uint8Array): boolean {
  let digits = 0;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (isHexDigit(c)) {
      if (c === 0x30 && (buf[i + 1] === 0x78 || buf[i + 1] === 0x58)) i++;
      else digits++;
    } else if (c === 0x23) {
      while (i < buf.length && buf[i] !== 0x0a) i++;
    } else if (!(c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x3a || c === 0x2c)) {
      return false;
    }
  }
  return digits >= 2;
}

/** Bytes of hex text (see {@link looksLikeHex}); undefined when it is not valid hex. */
export function parseHexText(buf: Uint8Array): Uint8Array | undefined {
  const text = new TextDecoder()
    .decode(buf)
    .replace(/#[^\n]*/g, '')
    .replace(/0x/gi, '')
    .replace(/[\s:,]/g, '');
  if (text.length % 2 !== 0 || /[^0-9a-fA-F]/.test(text)) return undefined;
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/**
 * Guesses the format of (decompressed) input: pcap/pcapng by magic number, a raw
 * BGP stream by its leading marker (16 × 0xFF), MRT by the sanity of its first two
 * record headers (MRT has no magic), hex text by its characters; anything else is
 * treated as a raw stream, whose framer then reports what is wrong.
 */
export function detectFormat(buf: Uint8Array): Exclude<InputFormat, 'auto'> {
  if (captureFormatOf(buf) !== undefined) return 'pcap';
  if (buf.length >= 16 && buf.subarray(0, 16).every((b) => b === 0xff)) return 'raw';
  if (looksLikeMrt(buf)) return 'mrt';
  if (looksLikeHex(buf)) return 'hex';
  return 'raw';
}
