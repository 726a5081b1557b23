import { describe, expect, it } from 'vitest';
import { BgpStreamFramer, type FramerEvent } from '../../src/capture/bgp-stream-framer.js';
import { concat, hex, message } from '../support/bytes.js';

const keepalive = message(4, '');
const update = message(2, '0000 0000');
const stream = concat(keepalive, update, keepalive);

function kinds(events: readonly FramerEvent[]): string[] {
  return events.map((e) =>
    e.kind === 'message' ? `msg${e.bytes[18]}@${e.offset}` : `err:${e.error.errorCode}@${e.offset}`,
  );
}

describe('BgpStreamFramer (RFC 4271 §4.1 framing of a captured stream)', () => {
  it('yields the same messages whatever the split point of the stream', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = new BgpStreamFramer();
      const events = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))];
      expect(kinds(events)).toEqual(['msg4@0', 'msg2@19', 'msg4@42']);
    }
  });

  it('yields messages byte by byte too', () => {
    const f = new BgpStreamFramer();
    const events = Array.from(stream).flatMap((b) => f.push(Uint8Array.of(b)));
    expect(kinds(events)).toEqual(['msg4@0', 'msg2@19', 'msg4@42']);
    expect(f.buffered).toBe(0);
  });

  it('reports a bad marker once, then resyncs on the next header (Connection Not Synchronized)', () => {
    const f = new BgpStreamFramer();
    const events = f.push(concat(hex('00112233445566778899'), keepalive, update));
    expect(kinds(events)).toEqual(['err:BGP_HEADER_CONNECTION_NOT_SYNCHRONIZED@0', 'msg4@10', 'msg2@29']);
  });

  it('reports an impossible length (Bad Message Length) and skips that marker', () => {
    const bad = message(2, '0000 0000');
    bad[16] = 0x20; // 8215 octets: above 4096
    const f = new BgpStreamFramer();
    expect(kinds(f.push(concat(bad, keepalive)))).toEqual(['err:BGP_HEADER_BAD_MESSAGE_LENGTH@0', 'msg4@23']);
  });

  it('accepts lengths up to 65535 when extended messages were negotiated (RFC 8654)', () => {
    const big = message(2, concat(hex('0000 0000'), new Uint8Array(5000)));
    const f = new BgpStreamFramer(65535);
    expect(kinds(f.push(big))).toEqual(['msg2@0']);
  });

  it('reports the message a gap cut short, with its type, and resyncs after the gap', () => {
    const f = new BgpStreamFramer();
    expect(f.push(update.subarray(0, 20))).toEqual([]);
    const cut = f.gap(7);
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatchObject({ kind: 'error', offset: 0, messageType: 2 });
    expect(kinds(f.push(concat(hex('0000'), keepalive)))).toEqual(['msg4@29']);
  });

  it('reports a message left incomplete at the end of the stream', () => {
    const f = new BgpStreamFramer();
    f.push(concat(keepalive, update.subarray(0, 10)));
    expect(f.finish()).toMatchObject([{ kind: 'error', offset: 19, messageType: undefined }]);
    expect(f.finish()).toEqual([]);
  });

  it('lets the caller raise maxLength between messages when pulling with read()', () => {
    const big = message(2, concat(hex('0000 0000'), new Uint8Array(5000)));
    const f = new BgpStreamFramer(4096);
    f.write(concat(keepalive, big));
    expect(f.read()).toMatchObject({ kind: 'message', offset: 0 });
    f.maxLength = 65535;
    expect(f.read()).toMatchObject({ kind: 'message', offset: 19 });
    expect(f.read()).toBeUndefined();
  });
});
