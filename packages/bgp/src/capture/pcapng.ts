import type { CaptureRecord } from './capture-record.js';

/**
 * pcapng files (draft-ietf-opsawg-pcapng): a sequence of blocks, each
 * `type, total length, body, total length`. A Section Header Block (SHB) sets the
 * byte order for its section; Interface Description Blocks (IDB) give each
 * interface's link type and time resolution; packets come in Enhanced Packet
 * Blocks (EPB), Simple Packet Blocks (SPB) or the obsolete Packet Block. Every
 * other block type is skipped.
 */

const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  PACKET_OBSOLETE: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;

interface Interface {
  readonly linkType: number;
  readonly snapLength: number;
  /** Seconds per timestamp unit. */
  readonly resolution: number;
  readonly offsetSec: number;
}

/** True when `buf` starts with a pcapng Section Header Block. */
export function isPcapng(buf: Uint8Array): boolean {
  return buf.length >= 12 && buf[0] === 0x0a && buf[1] === 0x0d && buf[2] === 0x0d && buf[3] === 0x0a;
}

/**
 * Reads the packets of a pcapng file. Damage (a block length that does not fit, a
 * packet on an undeclared interface) yields a fault; the reader then stops, since
 * block boundaries can no longer be trusted. Nothing is thrown.
 */
export function* readPcapng(buf: Uint8Array): Generator<CaptureRecord> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let le = true;
  let interfaces: Interface[] = [];
  let pos = 0;
  let number = 0;
  let lastTime = 0;
  while (pos < buf.length) {
    if (pos + 12 > buf.length) {
      yield {
        kind: 'fault',
        offset: pos,
        reason: `block header truncated (${buf.length - pos} octets left)`,
      };
      return;
    }
    const rawType = view.getUint32(pos, le);
    if (rawType === BlockType.SECTION_HEADER) {
      // The byte-order magic, not the previous section, says how to read this section.
      const magicLe = view.getUint32(pos + 8, true);
      if (magicLe === BYTE_ORDER_MAGIC) le = true;
      else if (view.getUint32(pos + 8, false) === BYTE_ORDER_MAGIC) le = false;
      else {
        yield { kind: 'fault', offset: pos, reason: 'section header with a bad byte-order magic' };
        return;
      }
      interfaces = [];
    }
    const type = view.getUint32(pos, le);
    const total = view.getUint32(pos + 4, le);
    if (total < 12 || total % 4 !== 0 || pos + total > buf.length) {
      yield { kind: 'fault', offset: pos, reason: `block of type ${type} has an impossible length ${total}` };
      return;
    }
    const bodyStart = pos + 8;
    const bodyEnd = pos + total - 4;
    switch (type) {
      case BlockType.SECTION_HEADER:
        break;
      case BlockType.INTERFACE_DESCRIPTION: {
        if (bodyEnd - bodyStart < 8) {
          yield { kind: 'fault', offset: pos, reason: 'interface description block too short' };
          return;
        }
        let resolution = 1e-6;
        let offsetSec = 0;
        for (const opt of options(view, bodyStart + 8, bodyEnd, le)) {
          if (opt.code === OPTION_IF_TSRESOL && opt.length >= 1) {
            const v = buf[opt.start]!;
            resolution = v & 0x80 ? 2 ** -(v & 0x7f) : 10 ** -v;
          } else if (opt.code === OPTION_IF_TSOFFSET && opt.length >= 8) {
            const hi = view.getInt32(opt.start + (le ? 4 : 0), le);
            const lo = view.getUint32(opt.start + (le ? 0 : 4), le);
            offsetSec = hi * 2 ** 32 + lo;
          }
        }
        interfaces.push({
          linkType: view.getUint16(bodyStart, le),
          snapLength: view.getUint32(bodyStart + 4, le),
          resolution,
          offsetSec,
        });
        break;
      }
      case BlockType.ENHANCED_PACKET:
      case BlockType.PACKET_OBSOLETE: {
        const obsolete = type === BlockType.PACKET_OBSOLETE;
        if (bodyEnd - bodyStart < 20) {
          yield { kind: 'fault', offset: pos, reason: 'packet block too short' };
          return;
        }
        const ifId = obsolete ? view.getUint16(bodyStart, le) : view.getUint32(bodyStart, le);
        const iface = interfaces[ifId];
        if (iface === undefined) {
          yield { kind: 'fault', offset: pos, reason: `packet on undeclared interface ${ifId}` };
          break;
        }
        const hi = view.getUint32(bodyStart + 4, le);
        const lo = view.getUint32(bodyStart + 8, le);
        const capLen = view.getUint32(bodyStart + 12, le);
        const dataStart = bodyStart + 20;
        if (dataStart + capLen > bodyEnd) {
          yield { kind: 'fault', offset: pos, reason: `packet data (${capLen} octets) overruns its block` };
          break;
        }
        lastTime = iface.offsetSec + hi * 2 ** 32 * iface.resolution + lo * iface.resolution;
        number++;
        yield {
          kind: 'frame',
          number,
          timeSec: lastTime,
          linkType: iface.linkType,
          data: buf.subarray(dataStart, dataStart + capLen),
        };
        break;
      }
      case BlockType.SIMPLE_PACKET: {
        // RFC: an SPB belongs to interface 0 and carries no timestamp.
        const iface = interfaces[0];
        if (iface === undefined || bodyEnd - bodyStart < 4) {
          yield { kind: 'fault', offset: pos, reason: 'simple packet block without an interface' };
          break;
        }
        const origLen = view.getUint32(bodyStart, le);
        let capLen = Math.min(origLen, bodyEnd - bodyStart - 4);
        if (iface.snapLength > 0) capLen = Math.min(capLen, iface.snapLength);
        number++;
        yield {
          kind: 'frame',
          number,
          timeSec: lastTime,
          linkType: iface.linkType,
          data: buf.subarray(bodyStart + 4, bodyStart + 4 + capLen),
        };
        break;
      }
      default:
        // Name resolution, statistics, custom blocks…: nothing BGP needs.
        break;
    }
    pos += total;
  }
}

/** Options of a block body (code, length, value padded to 4 octets), up to opt_endofopt. */
function* options(
  view: DataView,
  start: number,
  end: number,
  le: boolean,
): Generator<{ code: number; length: number; start: number }> {
  let pos = start;
  while (pos + 4 <= end) {
    const code = view.getUint16(pos, le);
    const length = view.getUint16(pos + 2, le);
    if (code === 0) return;
    if (pos + 4 + length > end) return;
    yield { code, length, start: pos + 4 };
    pos += 4 + ((length + 3) & ~3);
  }
}
