/**
 * bzip2 for the tests that read .bz2 corpus files: the library brings no decoder
 * (it has no dependencies), so the tests pass seek-bzip's, as `anyvip-bgp` does.
 * Loaded with require(): seek-bzip ships no types, and only this one call is used.
 */
import { createRequire } from 'node:module';
import type { Bunzip2 } from '../../src/decode/input-format.js';

const seekBzip = createRequire(import.meta.url)('seek-bzip') as {
  decode(input: Buffer, output: undefined, multistream: boolean): Buffer;
};

export const bunzip2: Bunzip2 = (compressed) =>
  seekBzip.decode(
    Buffer.from(compressed.buffer, compressed.byteOffset, compressed.byteLength),
    undefined,
    true,
  );
