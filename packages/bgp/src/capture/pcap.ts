import type { CaptureRecord } from './capture-record.js';

/**
 * Classic libpcap files (the tcpdump.org "pcap" format, draft-ietf-opsawg-pcap):
 * a 24-octet file header whose magic number gives the byte order and the time
 * resolution (microseconds for 0xa1b2c3d4, nanoseconds for 0xa1b23c4d), then
 * 16-octet record headers each followed by the captured bytes.
 */

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
/** No real snapshot is larger; a bigger record length means the file is damaged. */
const MAX_RECORD_LENGTH = 0x4000000;

/** The byte order and time unit of a pcap file, or undefined if `buf` is not one. */
export function pcapLayout(buf: Uint8Array): { littleEndian: boolean; nanos: boolean } | undefined {
  if (buf.length < 4) return undefined;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (const littleEndian of [true, false]) {
    const magic = view.getUint32(0, littleEndian);
    if (magic === MAGIC_MICRO) return { littleEndian, nanos: false };
    if (magic === MAGIC_NANO) return { littleEndian, nanos: true };
  }
  return undefined;
}

/** True when `buf` starts with a pcap magic number in either byte order. */
export function isPcap(buf: Uint8Array): boolean {
  return pcapLayout(buf) !== undefined;
}

/**
 * Reads every record of a pcap file. A truncated last record (a capture cut short
 * while being written) or an impossible record length yields one fault and ends
 * the iteration; nothing is thrown.
 */
export function* readPcap(buf: Uint8Array): Generator<CaptureRecord> {
  const layout = pcapLayout(buf);
  if (layout === undefined) {
    yield { kind: 'fault', offset: 0, reason: 'not a pcap file (bad magic number)' };
    return;
  }
  if (buf.length < FILE_HEADER_LENGTH) {
    yield { kind: 'fault', offset: 0, reason: `pcap file header truncated (${buf.length} of 24 octets)` };
    return;
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = layout.littleEndian;
  // The upper 16 bits of the link-type field carry FCS information, not the type.
  const linkType = view.getUint32(20, le) & 0xffff;
  const fraction = layout.nanos ? 1e-9 : 1e-6;
  let pos = FILE_HEADER_LENGTH;
  let number = 0;
  while (pos < buf.length) {
    if (pos + RECORD_HEADER_LENGTH > buf.length) {
      yield {
        kind: 'fault',
        offset: pos,
        reason: `record header truncated (${buf.length - pos} of 16 octets)`,
      };
      return;
    }
    const sec = view.getUint32(pos, le);
    const frac = view.getUint32(pos + 4, le);
    const capLen = view.getUint32(pos + 8, le);
    if (capLen > MAX_RECORD_LENGTH) {
      yield { kind: 'fault', offset: pos, reason: `record length ${capLen} is impossible` };
      return;
    }
    const start = pos + RECORD_HEADER_LENGTH;
    if (start + capLen > buf.length) {
      yield {
        kind: 'fault',
        offset: pos,
        reason: `record truncated (${buf.length - start} of ${capLen} octets)`,
      };
      return;
    }
    number++;
    yield {
      kind: 'frame',
      number,
      timeSec: sec + frac * fraction,
      linkType,
      data: buf.subarray(start, start + capLen),
    };
    pos = start + capLen;
  }
}
