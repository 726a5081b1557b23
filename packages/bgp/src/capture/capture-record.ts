/**
 * What a capture-file reader yields: link-layer frames in file order, and faults
 * where the file itself is damaged. A fault never ends in an exception; the reader
 * reports it and stops (or skips the block) cleanly.
 */
export type CaptureRecord = CaptureFrame | CaptureFault;

/** One captured packet, still carrying its link-layer header. */
export interface CaptureFrame {
  readonly kind: 'frame';
  /** 1-based frame number, as Wireshark counts. */
  readonly number: number;
  /** Capture time, seconds since the Unix epoch (fractional). */
  readonly timeSec: number;
  /** LINKTYPE_* value of the interface (see {@link LinkType}). */
  readonly linkType: number;
  /** The captured bytes (possibly shorter than the packet on the wire). */
  readonly data: Uint8Array;
}

/** Damage in the capture file (truncated block, impossible length). */
export interface CaptureFault {
  readonly kind: 'fault';
  /** Byte offset in the file where the damage was found. */
  readonly offset: number;
  readonly reason: string;
}

/** LINKTYPE_* values (tcpdump.org link-layer header types) that the readers understand. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  RAW_OPENBSD: 12,
  RAW_BSDOS: 14,
  PPP_HDLC: 50,
  PPP_ETHER: 51,
  RAW: 101,
  C_HDLC: 104,
  LOOP: 108,
  LINUX_SLL: 113,
  JUNIPER_ETHER: 178,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;
