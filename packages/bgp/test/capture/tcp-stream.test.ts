import { describe, expect, it } from 'vitest';
import { decodeTcpSegment, type TcpSegment } from '../../src/capture/tcp-segment.js';
import { TcpReassembler, type TcpStreamEvent } from '../../src/capture/tcp-stream.js';
import { concat, hex } from '../support/bytes.js';
import { ACK, PSH_ACK, RST, SYN, tcp } from './frames.js';

const A = '192.0.2.1:40000';
const B = '192.0.2.2:179';

function seg(seq: number, payload: string | Uint8Array, flags = PSH_ACK, ack = 0): TcpSegment {
  const bytes = tcp({
    src: '',
    dst: '',
    sport: 40000,
    dport: 179,
    seq,
    ack,
    flags,
    payload: typeof payload === 'string' ? hex(payload) : payload,
  });
  return decodeTcpSegment(bytes)!;
}

/** The bytes delivered and the gaps, as text, for compact assertions. */
function summary(events: readonly TcpStreamEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'data':
        return Array.from(e.bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      case 'gap':
        return `gap:${e.cause}:${e.missing}`;
      default:
        return `open:${e.initiator ? 'syn' : 'synack'}`;
    }
  });
}

function feed(r: TcpReassembler, segs: readonly TcpSegment[], src = A, dst = B): TcpStreamEvent[] {
  return segs.flatMap((s, i) => r.push(src, dst, s, i, i + 1));
}

describe('decodeTcpSegment (RFC 9293 §3.1)', () => {
  it('reads ports, sequence numbers, flags and the payload after the data offset', () => {
    const s = decodeTcpSegment(
      concat(hex('9c40 00b3 00000064 000000c8 6012 ffff 0000 0000 02040000'), hex('ab')),
    );
    expect(s).toEqual({ srcPort: 40000, dstPort: 179, seq: 100, ack: 200, flags: 0x12, payload: hex('ab') });
    expect(decodeTcpSegment(hex('9c40 00b3'))).toBeUndefined();
    expect(decodeTcpSegment(hex('9c40 00b3 00000064 000000c8 f012 ffff 0000 0000'))).toBeUndefined();
  });
});

describe('TcpReassembler', () => {
  it('delivers in-order data after the SYN, once', () => {
    const r = new TcpReassembler();
    expect(summary(feed(r, [seg(99, '', SYN), seg(100, '0102'), seg(102, '03')]))).toEqual([
      'open:syn',
      '0102',
      '03',
    ]);
  });

  it('drops a retransmission and keeps only the new tail of an overlapping segment', () => {
    const r = new TcpReassembler();
    expect(summary(feed(r, [seg(100, '010203'), seg(100, '010203'), seg(101, '02030405')]))).toEqual([
      '010203',
      '0405',
    ]);
  });

  it('holds out-of-order segments until the hole is filled', () => {
    const r = new TcpReassembler();
    expect(summary(feed(r, [seg(100, '01'), seg(103, '04'), seg(102, '03'), seg(101, '02')]))).toEqual([
      '01',
      '02',
      '03',
      '04',
    ]);
  });

  it('declares a gap when the other side acknowledges bytes never captured', () => {
    const r = new TcpReassembler();
    feed(r, [seg(100, '01'), seg(110, '0b')]);
    const ev = r.push(B, A, seg(0, '', ACK, 111), 9, 9);
    expect(summary(ev)).toEqual(['gap:lost:9', '0b']);
  });

  it('declares a gap for every hole left at the end of the capture', () => {
    const r = new TcpReassembler();
    feed(r, [seg(100, '01'), seg(105, '06'), seg(110, '0b')]);
    expect(summary(r.finish())).toEqual(['gap:lost:4', '06', 'gap:lost:4', '0b']);
  });

  it('declares the holes on RST', () => {
    const r = new TcpReassembler();
    feed(r, [seg(100, '01'), seg(105, '06')]);
    expect(summary(r.push(A, B, seg(106, '', RST), 5, 5))).toEqual(['gap:lost:4', '06']);
  });

  it('restarts the stream when a SYN with a new ISN reuses the ports', () => {
    const r = new TcpReassembler();
    feed(r, [seg(99, '', SYN), seg(100, '01')]);
    expect(summary(feed(r, [seg(5000, '', SYN), seg(5001, '02')]))).toEqual(['open:syn', '02']);
  });

  it('treats re-sent sequence numbers with different bytes as a new stream (conflict)', () => {
    const r = new TcpReassembler();
    expect(summary(feed(r, [seg(100, '0102'), seg(101, 'ffff')]))).toEqual([
      '0102',
      'gap:conflict:0',
      'ffff',
    ]);
  });

  it('turns a segment cut by the snapshot length into a gap of the missing octets', () => {
    const r = new TcpReassembler();
    const ev = r.push(A, B, seg(100, '0102'), 0, 1, 3);
    expect(summary(ev)).toEqual(['0102', 'gap:snapped:3']);
    expect(summary(r.push(A, B, seg(105, '06'), 1, 2))).toEqual(['06']);
  });

  it('handles sequence numbers that wrap around 2^32', () => {
    const r = new TcpReassembler();
    expect(summary(feed(r, [seg(0xfffffffe, '0102'), seg(1, '04'), seg(0, '03')]))).toEqual([
      '0102',
      '03',
      '04',
    ]);
  });

  it('starts mid-connection at the first segment seen, and keeps directions apart', () => {
    const r = new TcpReassembler();
    const ev = [...r.push(A, B, seg(7, 'aa'), 0, 1), ...r.push(B, A, seg(9, 'bb'), 0, 2)];
    expect(ev.map((e) => (e.kind === 'data' ? `${e.flow.src}>${e.flow.dst}` : ''))).toEqual([
      `${A}>${B}`,
      `${B}>${A}`,
    ]);
    expect(ev[0]!.flow.connection).toBe(ev[1]!.flow.connection);
  });
});
