import type { CaptureRecord } from './capture-record.js';
import { isPcap, readPcap } from './pcap.js';
import { isPcapng, readPcapng } from './pcapng.js';

/** Which capture format `buf` is in, by its magic number. */
export function captureFormatOf(buf: Uint8Array): 'pcap' | 'pcapng' | undefined {
  if (isPcapng(buf)) return 'pcapng';
  if (isPcap(buf)) return 'pcap';
  return undefined;
}

/** Reads the frames of a pcap or pcapng file; anything else yields one fault. */
export function readCaptureFile(buf: Uint8Array): Iterable<CaptureRecord> {
  switch (captureFormatOf(buf)) {
    case 'pcapng':
      return readPcapng(buf);
    case 'pcap':
      return readPcap(buf);
    default:
      return [{ kind: 'fault', offset: 0, reason: 'neither pcap nor pcapng (unknown magic number)' }];
  }
}
