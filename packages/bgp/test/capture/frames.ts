/**
 * Test-only builders for captured frames and capture files, written from the format
 * specifications independently of the readers under test (checksums are left 0:
 * the readers never check them).
 */
import { concat, hex } from '../support/bytes.js';

export interface TcpSpec {
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack?: number;
  /** TCP flags octet; default PSH|ACK (0x18). */
  readonly flags?: number;
  readonly payload?: Uint8Array;
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH_ACK = 0x18;
export const ACK = 0x10;

function u16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

function u32be(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function u32le(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

function v4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** A TCP header (20 octets, no options) and payload. */
export function tcp(s: TcpSpec): Uint8Array {
  return concat(
    u16(s.sport),
    u16(s.dport),
    u32be(s.seq >>> 0),
    u32be((s.ack ?? 0) >>> 0),
    Uint8Array.of(0x50, s.flags ?? PSH_ACK),
    u16(65535),
    u16(0),
    u16(0),
    s.payload ?? new Uint8Array(0),
  );
}

/** An IPv4 packet (RFC 791) carrying `payload` with the given protocol. */
export function ipv4(
  src: string,
  dst: string,
  payload: Uint8Array,
  protocol = 6,
  flagsOffset = 0,
): Uint8Array {
  const total = 20 + payload.length;
  return concat(
    Uint8Array.of(
      0x45,
      0,
      total >> 8,
      total & 0xff,
      0,
      1,
      flagsOffset >> 8,
      flagsOffset & 0xff,
      64,
      protocol,
      0,
      0,
    ),
    v4(src),
    v4(dst),
    payload,
  );
}

/** An IPv6 packet (RFC 8200); `src`/`dst` are 16-octet hex strings. */
export function ipv6(src: string, dst: string, payload: Uint8Array, nextHeader = 6): Uint8Array {
  return concat(
    hex('60000000'),
    u16(payload.length),
    Uint8Array.of(nextHeader, 64),
    hex(src),
    hex(dst),
    payload,
  );
}

/** An IPv4 TCP segment. */
export function tcp4(s: TcpSpec): Uint8Array {
  return ipv4(s.src, s.dst, tcp(s));
}

/** An Ethernet II frame; `vlans` adds 802.1Q tags. */
export function ethernet(payload: Uint8Array, etherType = 0x0800, vlans: readonly number[] = []): Uint8Array {
  const tags = vlans.map((id) => concat(u16(0x8100), u16(id)));
  return concat(hex('020000000002 020000000001'), ...tags, u16(etherType), payload);
}

export interface Frame {
  readonly timeSec: number;
  readonly fraction: number;
  readonly data: Uint8Array;
}

/** A classic pcap file: little- or big-endian, microsecond or nanosecond timestamps. */
export function pcapFile(
  frames: readonly Frame[],
  opts: { linkType?: number; bigEndian?: boolean; nanos?: boolean } = {},
): Uint8Array {
  const w = opts.bigEndian ? u32be : u32le;
  const w16 = (n: number) => (opts.bigEndian ? u16(n) : Uint8Array.of(n & 0xff, n >> 8));
  const parts: Uint8Array[] = [
    w(opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4),
    w16(2),
    w16(4),
    w(0),
    w(0),
    w(65535),
    w(opts.linkType ?? 1),
  ];
  for (const f of frames) parts.push(w(f.timeSec), w(f.fraction), w(f.data.length), w(f.data.length), f.data);
  return concat(...parts);
}

function pad4(b: Uint8Array): Uint8Array {
  const n = (4 - (b.length % 4)) % 4;
  return concat(b, new Uint8Array(n));
}

/** A pcapng block: type, total length, body (padded), total length. */
export function pcapngBlock(type: number, body: Uint8Array, bigEndian = false): Uint8Array {
  const w = bigEndian ? u32be : u32le;
  const b = pad4(body);
  return concat(w(type), w(12 + b.length), b, w(12 + b.length));
}

/** A pcapng file with one section and one interface, packets as EPBs (or SPBs). */
export function pcapngFile(
  frames: readonly Frame[],
  opts: { linkType?: number; bigEndian?: boolean; tsresol?: number; simple?: boolean } = {},
): Uint8Array {
  const be = opts.bigEndian ?? false;
  const w = be ? u32be : u32le;
  const w16 = (n: number) => (be ? u16(n) : Uint8Array.of(n & 0xff, n >> 8));
  const shb = pcapngBlock(0x0a0d0d0a, concat(w(0x1a2b3c4d), w16(1), w16(0), hex('ffffffffffffffff')), be);
  const idbOptions =
    opts.tsresol === undefined
      ? new Uint8Array(0)
      : concat(w16(9), w16(1), pad4(Uint8Array.of(opts.tsresol)), w(0));
  const idb = pcapngBlock(1, concat(w16(opts.linkType ?? 1), w16(0), w(0), idbOptions), be);
  const blocks = [shb, idb];
  for (const f of frames) {
    if (opts.simple) {
      blocks.push(pcapngBlock(3, concat(w(f.data.length), f.data), be));
      continue;
    }
    // The timestamp is one 64-bit count of units: seconds × units + fraction.
    const units = opts.tsresol === undefined ? 1e6 : 10 ** opts.tsresol;
    const ts = BigInt(f.timeSec) * BigInt(units) + BigInt(f.fraction);
    const hi = Number(ts >> 32n);
    const lo = Number(ts & 0xffffffffn);
    blocks.push(pcapngBlock(6, concat(w(0), w(hi), w(lo), w(f.data.length), w(f.data.length), f.data), be));
  }
  return concat(...blocks);
}
