import { TcpFlag, type TcpSegment } from './tcp-segment.js';

/** One direction of one TCP connection: `src` sends to `dst` (both `ip:port`, IPv6 as `[ip]:port`). */
export interface TcpFlow {
  readonly src: string;
  readonly dst: string;
  /** Key of the connection, the same for both directions. */
  readonly connection: string;
}

/** What reassembly produces, per direction, in sequence order. */
export type TcpStreamEvent =
  | {
      /** A SYN started a connection in this direction (`initiator` when it had no ACK). */
      readonly kind: 'open';
      readonly flow: TcpFlow;
      readonly initiator: boolean;
    }
  | {
      /** In-order bytes, each delivered exactly once. */
      readonly kind: 'data';
      readonly flow: TcpFlow;
      readonly bytes: Uint8Array;
      readonly timeSec: number;
      /** Frame number of the segment that made these bytes contiguous. */
      readonly frame: number;
    }
  | {
      /**
       * A break in the stream: `missing` octets were never captured (`lost`), the
       * capture cut a segment short (`snapped`), or a segment re-sent bytes already
       * delivered with different contents (`conflict`, seen in crafted captures),
       * in which case the new bytes restart the stream.
       */
      readonly kind: 'gap';
      readonly flow: TcpFlow;
      readonly missing: number;
      readonly cause: 'lost' | 'snapped' | 'conflict';
      readonly timeSec: number;
      readonly frame: number;
    };

interface Pending {
  readonly seq: number;
  readonly bytes: Uint8Array;
  readonly timeSec: number;
  readonly frame: number;
}

interface Direction {
  readonly flow: TcpFlow;
  /** Initial sequence number from the SYN, when one was seen. */
  isn: number | undefined;
  /** Next sequence number expected (unsigned 32-bit), once known. */
  next: number | undefined;
  /** Out-of-order segments, sorted by sequence number. */
  pending: Pending[];
  pendingBytes: number;
  /** Highest acknowledgment number the other side sent for this direction. */
  acked: number | undefined;
  /** The last octets delivered (ending at `next`), to tell a retransmission from a conflict. */
  recent: Uint8Array;
  recentStart: number;
  recentEnd: number;
}

/** How many delivered octets are remembered for the retransmission check. */
const RECENT_WINDOW = 1 << 16;

/** Signed distance from `b` to `a` in sequence space (RFC 9293 §3.4 modular comparison). */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Out-of-order data held before the missing bytes are declared lost. */
const MAX_PENDING_BYTES = 1 << 20;
const MAX_PENDING_SEGMENTS = 1024;

/**
 * Per-direction TCP reassembly by sequence number, for captured traffic (not a
 * TCP implementation): retransmitted and overlapping bytes are delivered once,
 * out-of-order segments are held until the hole is filled, and a hole that will
 * never be filled (the other side acknowledged past it, too much is waiting, a
 * RST, or the capture ended) becomes a `gap` event so the consumer can resync.
 * A capture that starts mid-connection picks up at the first segment seen.
 */
export class TcpReassembler {
  private readonly directions = new Map<string, Direction>();

  /**
   * Feeds one segment sent from `src` to `dst` (`ip:port` text). `snapped` is how
   * many payload octets the capture cut off the end of this segment (snap length).
   */
  push(
    src: string,
    dst: string,
    seg: TcpSegment,
    timeSec: number,
    frame: number,
    snapped = 0,
  ): TcpStreamEvent[] {
    const out: TcpStreamEvent[] = [];
    const dir = this.direction(src, dst);
    const rev = this.directions.get(`${dst}>${src}`);
    if (rev !== undefined && seg.flags & TcpFlag.ACK) {
      if (rev.acked === undefined || seqDiff(seg.ack, rev.acked) > 0) rev.acked = seg.ack;
      // The peer acknowledged bytes the capture never showed: they will not come.
      if (rev.pending.length > 0 && rev.next !== undefined && seqDiff(rev.acked, rev.next) > 0) {
        this.skipGap(rev, out, timeSec, frame);
      }
    }
    let start = seg.seq;
    if (seg.flags & TcpFlag.SYN) {
      if (dir.isn !== seg.seq) {
        // A first SYN, or a new connection reusing the same ports.
        dir.isn = seg.seq;
        dir.next = (seg.seq + 1) >>> 0;
        dir.pending = [];
        dir.pendingBytes = 0;
        dir.acked = undefined;
        dir.recentStart = 0;
        dir.recentEnd = 0;
        out.push({ kind: 'open', flow: dir.flow, initiator: (seg.flags & TcpFlag.ACK) === 0 });
      }
      start = (seg.seq + 1) >>> 0;
    }
    if (seg.payload.length > 0 || snapped > 0) {
      if (dir.next === undefined) dir.next = start;
      this.deliver(dir, start, seg.payload, timeSec, frame, out);
      const end = (start + seg.payload.length) >>> 0;
      if (snapped > 0 && dir.next === end) {
        out.push({ kind: 'gap', flow: dir.flow, missing: snapped, cause: 'snapped', timeSec, frame });
        dir.next = (end + snapped) >>> 0;
        dir.recentStart = 0;
        dir.recentEnd = 0;
        this.drain(dir, timeSec, frame, out);
      }
      if (
        dir.pending.length > 0 &&
        (dir.pendingBytes > MAX_PENDING_BYTES ||
          dir.pending.length > MAX_PENDING_SEGMENTS ||
          (dir.acked !== undefined && seqDiff(dir.acked, dir.next) > 0))
      ) {
        this.skipGap(dir, out, timeSec, frame);
      }
    }
    if (seg.flags & TcpFlag.RST) {
      while (dir.pending.length > 0) this.skipGap(dir, out, timeSec, frame);
    }
    return out;
  }

  /** End of capture: every hole left is a gap; pending data is delivered after it. */
  finish(): TcpStreamEvent[] {
    const out: TcpStreamEvent[] = [];
    for (const dir of this.directions.values()) {
      while (dir.pending.length > 0) {
        const first = dir.pending[0]!;
        this.skipGap(dir, out, first.timeSec, first.frame);
      }
    }
    return out;
  }

  private direction(src: string, dst: string): Direction {
    const key = `${src}>${dst}`;
    let dir = this.directions.get(key);
    if (dir === undefined) {
      const connection = src < dst ? `${src}<>${dst}` : `${dst}<>${src}`;
      dir = {
        flow: { src, dst, connection },
        isn: undefined,
        next: undefined,
        pending: [],
        pendingBytes: 0,
        acked: undefined,
        recent: new Uint8Array(2 * RECENT_WINDOW),
        recentStart: 0,
        recentEnd: 0,
      };
      this.directions.set(key, dir);
    }
    return dir;
  }

  private deliver(
    dir: Direction,
    seq: number,
    bytes: Uint8Array,
    timeSec: number,
    frame: number,
    out: TcpStreamEvent[],
  ): void {
    const rel = seqDiff(seq, dir.next!);
    if (rel > 0) {
      this.hold(dir, { seq, bytes, timeSec, frame });
      return;
    }
    if (rel < 0 && !this.matchesRecent(dir, -rel, bytes)) {
      // Same sequence numbers, other bytes: not a retransmission but a new stream.
      out.push({ kind: 'gap', flow: dir.flow, missing: 0, cause: 'conflict', timeSec, frame });
      dir.recentStart = 0;
      dir.recentEnd = 0;
      this.emit(dir, bytes, timeSec, frame, out);
      dir.next = (seq + bytes.length) >>> 0;
      this.drain(dir, timeSec, frame, out);
      return;
    }
    if (rel + bytes.length <= 0) return; // all of it was delivered before: a retransmission
    this.emit(dir, bytes.subarray(-rel), timeSec, frame, out);
    dir.next = (seq + bytes.length) >>> 0;
    this.drain(dir, timeSec, frame, out);
  }

  private emit(
    dir: Direction,
    bytes: Uint8Array,
    timeSec: number,
    frame: number,
    out: TcpStreamEvent[],
  ): void {
    out.push({ kind: 'data', flow: dir.flow, bytes, timeSec, frame });
    // Remember the tail of what was delivered; compact when the double-size buffer fills.
    if (bytes.length >= RECENT_WINDOW) {
      dir.recent.set(bytes.subarray(bytes.length - RECENT_WINDOW), 0);
      dir.recentStart = 0;
      dir.recentEnd = RECENT_WINDOW;
      return;
    }
    if (dir.recentEnd + bytes.length > dir.recent.length) {
      const keep = Math.min(dir.recentEnd - dir.recentStart, RECENT_WINDOW - bytes.length);
      dir.recent.copyWithin(0, dir.recentEnd - keep, dir.recentEnd);
      dir.recentStart = 0;
      dir.recentEnd = keep;
    }
    dir.recent.set(bytes, dir.recentEnd);
    dir.recentEnd += bytes.length;
  }

  /**
   * Whether the first min(`back`, length) octets of `bytes`, which start `back` octets
   * before `next`, equal what was delivered. Octets no longer remembered count as equal.
   */
  private matchesRecent(dir: Direction, back: number, bytes: Uint8Array): boolean {
    const held = dir.recentEnd - dir.recentStart;
    if (back > held) return true;
    const from = dir.recentEnd - back;
    const n = Math.min(back, bytes.length);
    const r = dir.recent;
    for (let i = 0; i < n; i++) if (r[from + i] !== bytes[i]) return false;
    return true;
  }

  /** Delivers held segments that have become contiguous. */
  private drain(dir: Direction, timeSec: number, frame: number, out: TcpStreamEvent[]): void {
    while (dir.pending.length > 0) {
      const first = dir.pending[0]!;
      const rel = seqDiff(first.seq, dir.next!);
      if (rel > 0) return;
      dir.pending.shift();
      dir.pendingBytes -= first.bytes.length;
      if (rel + first.bytes.length <= 0) continue;
      this.emit(dir, first.bytes.subarray(-rel), timeSec, frame, out);
      dir.next = (first.seq + first.bytes.length) >>> 0;
    }
  }

  private hold(dir: Direction, p: Pending): void {
    const list = dir.pending;
    let i = list.length;
    while (i > 0 && seqDiff(list[i - 1]!.seq, p.seq) > 0) i--;
    const same = list[i - 1];
    if (same !== undefined && same.seq === p.seq) {
      // A retransmission of a held segment: keep the longer copy.
      if (same.bytes.length >= p.bytes.length) return;
      list[i - 1] = p;
      dir.pendingBytes += p.bytes.length - same.bytes.length;
      return;
    }
    list.splice(i, 0, p);
    dir.pendingBytes += p.bytes.length;
  }

  /** Gives up on the hole before the first held segment and moves past it. */
  private skipGap(dir: Direction, out: TcpStreamEvent[], timeSec: number, frame: number): void {
    const first = dir.pending[0];
    if (first === undefined || dir.next === undefined) return;
    const missing = seqDiff(first.seq, dir.next);
    if (missing > 0) {
      out.push({ kind: 'gap', flow: dir.flow, missing, cause: 'lost', timeSec, frame });
      dir.next = first.seq;
      dir.recentStart = 0;
      dir.recentEnd = 0;
    }
    this.drain(dir, timeSec, frame, out);
  }
}
