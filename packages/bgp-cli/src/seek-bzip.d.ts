// Type declarations for the untyped `seek-bzip` package (bzip2 decompression in pure JS).
declare module 'seek-bzip' {
  interface Bunzip {
    /** Decompresses a whole buffer; with `multistream`, concatenated bzip2 streams too. */
    decode(input: Buffer, output?: number | Buffer, multistream?: boolean): Buffer;
  }
  const bunzip: Bunzip;
  export default bunzip;
}
