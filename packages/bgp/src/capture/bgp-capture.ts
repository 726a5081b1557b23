import { assertNever } from '../wire/assert-never.js';
import type { WireError } from '../wire/errors.js';
import { BgpStreamFramer, type FramerFault } from './bgp-stream-framer.js';
import { readCaptureFile } from './capture-file.js';
import { IPPROTO_TCP, type IpPacket } from './ip-packet.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeLinkLayer } from './link-layer.js';
import { decodeTcpSegment } from './tcp-segment.js';
import { type TcpFlow, TcpReassembler, type TcpStreamEvent } from './tcp-stream.js';

/** The well-known BGP port (RFC 4271 §8.2.1). */
export const BGP_PORT = 179;

export interface BgpCaptureOptions {
  /** TCP ports that carry BGP; a segment is taken when either port is listed. Default [179]. */
  readonly ports?: readonly number[];
  /**
   * Largest legal message for a direction, asked before its bytes are framed:
   * 4096 unless both OPENs had Extended Message (RFC 8654). Default 4096.
   */
  readonly maxLengthFor?: (flow: TcpFlow) => number;
}

/** What {@link readBgpCapture} yields, in capture order. */
export type BgpCaptureEvent =
  | {
      readonly kind: 'message';
      readonly flow: TcpFlow;
      /** The whole BGP message, header included. */
      readonly bytes: Uint8Array;
      /** Time of the frame that completed the message. */
      readonly timeSec: number;
      readonly frame: number;
      /** Offset of the message in its direction's byte stream. */
      readonly offset: number;
    }
  | {
      /** A SYN: a new connection (`initiator`) or the answer to one. */
      readonly kind: 'connection';
      readonly flow: TcpFlow;
      readonly initiator: boolean;
    }
  | {
      /** Damage: in the file, a TCP gap, or a header that cannot be framed. */
      readonly kind: 'error';
      readonly source: 'file' | 'tcp' | 'framing';
      readonly reason: string;
      readonly flow?: TcpFlow;
      readonly error?: WireError;
      readonly timeSec?: number;
      readonly frame?: number;
      readonly offset?: number;
      /** Type octet of a message cut short, when its header was captured. */
      readonly messageType?: number;
    };

function framingError(
  fe: FramerFault,
  flow: TcpFlow,
  timeSec: number | undefined,
  frame: number | undefined,
): BgpCaptureEvent {
  return {
    kind: 'error',
    source: 'framing',
    reason: fe.error.message,
    error: fe.error,
    flow,
    timeSec,
    frame,
    offset: fe.offset,
    messageType: fe.messageType,
  };
}

function endpoint(ip: IpPacket, address: string, port: number): string {
  return ip.version === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Reads a pcap/pcapng capture and yields the BGP messages of every TCP connection
 * on the given ports, per direction and in stream order, after link-layer
 * stripping, TCP reassembly and BGP framing. Never throws on bad input: damage
 * comes out as `error` events and reading goes on where it can.
 */
export function* readBgpCapture(
  file: Uint8Array,
  options: BgpCaptureOptions = {},
): Generator<BgpCaptureEvent> {
  const ports = new Set(options.ports ?? [BGP_PORT]);
  const reassembler = new TcpReassembler();
  const framers = new Map<string, { readonly framer: BgpStreamFramer; readonly flow: TcpFlow }>();
  const framerOf = (flow: TcpFlow): BgpStreamFramer => {
    const key = `${flow.src}>${flow.dst}`;
    let entry = framers.get(key);
    if (entry === undefined) {
      entry = { framer: new BgpStreamFramer(), flow };
      framers.set(key, entry);
    }
    entry.framer.maxLength = options.maxLengthFor?.(flow) ?? 4096;
    return entry.framer;
  };

  function* streamEvents(events: readonly TcpStreamEvent[]): Generator<BgpCaptureEvent> {
    for (const ev of events) {
      switch (ev.kind) {
        case 'open':
          framerOf(ev.flow).reset();
          yield { kind: 'connection', flow: ev.flow, initiator: ev.initiator };
          break;
        case 'gap': {
          const framer = framerOf(ev.flow);
          const why =
            ev.cause === 'lost'
              ? `TCP gap: ${ev.missing} octets never captured`
              : ev.cause === 'snapped'
                ? `capture snap length cut ${ev.missing} octets of a segment`
                : 'a segment re-sent earlier sequence numbers with other contents';
          yield {
            kind: 'error',
            source: 'tcp',
            reason: `${why}; resynchronising on the next BGP marker`,
            flow: ev.flow,
            timeSec: ev.timeSec,
            frame: ev.frame,
          };
          for (const fe of framer.gap(ev.missing)) yield framingError(fe, ev.flow, ev.timeSec, ev.frame);
          break;
        }
        case 'data': {
          const framer = framerOf(ev.flow);
          framer.write(ev.bytes);
          // One message at a time: the consumer may learn from an OPEN that the
          // next message may be longer (RFC 8654), before it is framed.
          for (let fe = framer.read(); fe !== undefined; fe = framerOf(ev.flow).read()) {
            if (fe.kind === 'message') {
              yield {
                kind: 'message',
                flow: ev.flow,
                bytes: fe.bytes,
                timeSec: ev.timeSec,
                frame: ev.frame,
                offset: fe.offset,
              };
            } else {
              yield framingError(fe, ev.flow, ev.timeSec, ev.frame);
            }
          }
          break;
        }
        default:
          assertNever(ev);
      }
    }
  }

  for (const rec of readCaptureFile(file)) {
    if (rec.kind === 'fault') {
      yield { kind: 'error', source: 'file', reason: rec.reason, offset: rec.offset };
      continue;
    }
    const raw = decodeLinkLayer(rec.linkType, rec.data);
    if (raw === undefined) continue;
    const ip = raw[0]! >> 4 === 4 ? decodeIpv4(raw) : decodeIpv6(raw);
    if (ip === undefined || ip.protocol !== IPPROTO_TCP || ip.fragment) continue;
    const seg = decodeTcpSegment(ip.payload);
    if (seg === undefined || !(ports.has(seg.srcPort) || ports.has(seg.dstPort))) continue;
    const src = endpoint(ip, ip.src, seg.srcPort);
    const dst = endpoint(ip, ip.dst, seg.dstPort);
    yield* streamEvents(reassembler.push(src, dst, seg, rec.timeSec, rec.number, ip.snapped));
  }
  yield* streamEvents(reassembler.finish());
  for (const { framer, flow } of framers.values()) {
    for (const fe of framer.finish()) yield framingError(fe, flow, undefined, undefined);
  }
}
