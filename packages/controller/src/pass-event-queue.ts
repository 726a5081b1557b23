/** Events a deferred batch emits per macrotask: ~5–10 ms of logging and metrics at a time. */
const EVENTS_PER_SLICE = 1000;

/**
 * The events of a pass, emitted in order, and for a big pass after the current macrotask and
 * in slices: a first pass over 10,000 VIPs reports 20,000 changes (log lines, per-VIP
 * metrics), 0.1–0.2 s of work that the speaker's first UPDATEs (flushed on `setImmediate`)
 * and the session's own I/O would otherwise wait behind. Events of later passes queue behind
 * the deferred ones, so the order stays that of the passes.
 */
export class PassEventQueue<E> {
  readonly #emit: (event: E) => void;
  #queue: E[] = [];
  #head = 0;
  #scheduled = false;

  constructor(emit: (event: E) => void) {
    this.#emit = emit;
  }

  /** Events queued and not emitted yet. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Emits `events` now, or (when `defer`, or while earlier ones wait) in slices after this macrotask. */
  push(events: readonly E[], defer: boolean): void {
    if (!defer && this.pending === 0) {
      for (const e of events) this.#emit(e);
      return;
    }
    for (const e of events) this.#queue.push(e);
    this.#schedule();
  }

  /** Emits everything still queued now (before shutdown, so its events come after). */
  flush(): void {
    this.#drain(Number.POSITIVE_INFINITY);
  }

  #schedule(): void {
    if (this.#scheduled || this.pending === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#drain(EVENTS_PER_SLICE);
      this.#schedule();
    });
  }

  #drain(max: number): void {
    for (let n = 0; n < max && this.#head < this.#queue.length; n++) {
      const e = this.#queue[this.#head] as E;
      this.#head++;
      this.#emit(e);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
  }
}
