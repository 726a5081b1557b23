/** TCP header flag bits (RFC 9293 §3.1). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
} as const;

/** The fields of a TCP segment that reassembly uses (RFC 9293 §3.1). */
export interface TcpSegment {
  readonly srcPort: number;
  readonly dstPort: number;
  /** Sequence and acknowledgment numbers, unsigned 32-bit. */
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** Decodes a TCP header; undefined when the data offset is impossible or the header is cut. */
export function decodeTcpSegment(b: Uint8Array): TcpSegment | undefined {
  if (b.length < 20) return undefined;
  const dataOffset = (b[12]! >> 4) * 4;
  if (dataOffset < 20 || dataOffset > b.length) return undefined;
  return {
    srcPort: (b[0]! << 8) | b[1]!,
    dstPort: (b[2]! << 8) | b[3]!,
    seq: ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0,
    ack: ((b[8]! << 24) | (b[9]! << 16) | (b[10]! << 8) | b[11]!) >>> 0,
    flags: b[13]!,
    payload: b.subarray(dataOffset),
  };
}
