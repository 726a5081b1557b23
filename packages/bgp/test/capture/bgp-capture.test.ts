import { describe, expect, it } from 'vitest';
import { type BgpCaptureEvent, readBgpCapture } from '../../src/capture/bgp-capture.js';
import { concat, hex, message } from '../support/bytes.js';
import { ACK, ethernet, type Frame, ipv6, pcapFile, pcapngFile, SYN, tcp, tcp4 } from './frames.js';

const keepalive = message(4, '');
const open = message(1, '04 fde9 00b4 0a000001 00');
const update = message(2, '0000 0007 400101 00 400200 18 0a0a0a');

function frames(...datas: Uint8Array[]): Frame[] {
  return datas.map((data, i) => ({ timeSec: 100 + i, fraction: 0, data }));
}

function msgs(events: Iterable<BgpCaptureEvent>): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.kind === 'message') out.push(`${e.flow.src}>${e.flow.dst} type${e.bytes[18]} frame${e.frame}`);
    else if (e.kind === 'error') out.push(`error:${e.source}`);
    else out.push(`connection:${e.initiator}`);
  }
  return out;
}

const c = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 179 };
const s = { src: '10.0.0.2', dst: '10.0.0.1', sport: 179, dport: 40000 };

describe('readBgpCapture (pcap → TCP → BGP messages)', () => {
  it('reassembles messages split across segments, per direction, in stream order', () => {
    const stream = concat(open, keepalive, update);
    const file = pcapFile(
      frames(
        ethernet(tcp4({ ...c, seq: 999, flags: SYN })),
        ethernet(tcp4({ ...s, seq: 4999, ack: 1000, flags: SYN | ACK })),
        ethernet(tcp4({ ...c, seq: 1000, payload: stream.subarray(0, 10) })),
        ethernet(tcp4({ ...s, seq: 5000, payload: keepalive })),
        ethernet(tcp4({ ...c, seq: 1010, payload: stream.subarray(10, 40) })),
        ethernet(tcp4({ ...c, seq: 1040, payload: stream.subarray(40) })),
      ),
    );
    expect(msgs(readBgpCapture(file))).toEqual([
      'connection:true',
      'connection:false',
      '10.0.0.2:179>10.0.0.1:40000 type4 frame4',
      '10.0.0.1:40000>10.0.0.2:179 type1 frame5',
      '10.0.0.1:40000>10.0.0.2:179 type4 frame6',
      '10.0.0.1:40000>10.0.0.2:179 type2 frame6',
    ]);
  });

  it('delivers a retransmitted segment once and reorders out-of-order segments', () => {
    const stream = concat(keepalive, update);
    const file = pcapngFile(
      frames(
        ethernet(tcp4({ ...c, seq: 1, payload: stream.subarray(0, 19) })),
        ethernet(tcp4({ ...c, seq: 30, payload: stream.subarray(29) })),
        ethernet(tcp4({ ...c, seq: 20, payload: stream.subarray(19, 29) })),
        ethernet(tcp4({ ...c, seq: 1, payload: stream.subarray(0, 19) })),
      ),
    );
    expect(msgs(readBgpCapture(file))).toEqual([
      '10.0.0.1:40000>10.0.0.2:179 type4 frame1',
      '10.0.0.1:40000>10.0.0.2:179 type2 frame3',
    ]);
  });

  it('reports a lost segment and resyncs on the next marker', () => {
    const file = pcapFile(
      frames(
        ethernet(tcp4({ ...c, seq: 1, payload: concat(keepalive, update.subarray(0, 25)) })),
        ethernet(tcp4({ ...c, seq: 60, payload: keepalive })),
      ),
    );
    expect(msgs(readBgpCapture(file))).toEqual([
      '10.0.0.1:40000>10.0.0.2:179 type4 frame1',
      'error:tcp',
      'error:framing',
      '10.0.0.1:40000>10.0.0.2:179 type4 frame2',
    ]);
  });

  it('reads BGP over IPv6 and names endpoints [address]:port', () => {
    const a = 'fd000250000000000000000000000001';
    const b = 'fd000250000000000000000000000002';
    const file = pcapFile(frames(ethernet(ipv6(a, b, tcp({ ...c, seq: 1, payload: keepalive })), 0x86dd)));
    expect(msgs(readBgpCapture(file))).toEqual(['[fd00:250::1]:40000>[fd00:250::2]:179 type4 frame1']);
  });

  it('takes only the configured ports (179 by default)', () => {
    const onOther = pcapFile(frames(ethernet(tcp4({ ...c, dport: 1179, seq: 1, payload: keepalive }))));
    expect(msgs(readBgpCapture(onOther))).toEqual([]);
    expect(msgs(readBgpCapture(onOther, { ports: [1179] }))).toEqual([
      '10.0.0.1:40000>10.0.0.2:1179 type4 frame1',
    ]);
  });

  it('ignores non-IP frames and non-TCP packets, and reports a damaged file', () => {
    const arp = ethernet(hex('0001 0800 0604 0001'), 0x0806);
    const file = pcapFile(frames(arp, ethernet(tcp4({ ...c, seq: 1, payload: keepalive }))));
    expect(msgs(readBgpCapture(file))).toEqual(['10.0.0.1:40000>10.0.0.2:179 type4 frame2']);
    expect(msgs(readBgpCapture(file.subarray(0, file.length - 3)))).toEqual(['error:file']);
  });

  it('asks maxLengthFor before framing each message, so an OPEN can allow extended messages', () => {
    const big = message(2, concat(hex('0000 0000'), new Uint8Array(5000)));
    const file = pcapFile(
      frames(
        ethernet(tcp4({ ...c, seq: 1, payload: concat(keepalive, big.subarray(0, 1400)) })),
        ethernet(tcp4({ ...c, seq: 1420, payload: big.subarray(1400) })),
      ),
    );
    let allowed = 4096;
    const out: string[] = [];
    for (const e of readBgpCapture(file, { maxLengthFor: () => allowed })) {
      if (e.kind === 'message') {
        out.push(`type${e.bytes[18]}:${e.bytes.length}`);
        allowed = 65535;
      }
    }
    expect(out).toEqual(['type4:19', 'type2:5023']);
  });
});
