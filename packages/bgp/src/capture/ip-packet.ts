/** The parts of an IPv4 or IPv6 packet that TCP reassembly needs. */
export interface IpPacket {
  readonly version: 4 | 6;
  /** Source and destination addresses as text. */
  readonly src: string;
  readonly dst: string;
  /** Upper-layer protocol number (6 = TCP). */
  readonly protocol: number;
  /** Upper-layer bytes, trimmed to the length the IP header states (link padding removed). */
  readonly payload: Uint8Array;
  /** A non-first fragment of a datagram; fragments are not reassembled. */
  readonly fragment: boolean;
  /** Octets the header declares beyond what was captured (cut by the snapshot length). */
  readonly snapped: number;
}

/** IANA protocol number of TCP. */
export const IPPROTO_TCP = 6;
