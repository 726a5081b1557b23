import type { Bunzip2 } from '@anyvip/bgp/decode';
import bunzip from 'seek-bzip';

/**
 * bzip2 for `decode` (RouteViews and RIPE RIS dumps come as .bz2): seek-bzip, pure
 * JavaScript, concatenated streams too. The library has no decoder of its own, so
 * that it keeps no dependencies.
 */
export const bunzip2: Bunzip2 = (compressed) =>
  bunzip.decode(
    Buffer.from(compressed.buffer, compressed.byteOffset, compressed.byteLength),
    undefined,
    true,
  );
