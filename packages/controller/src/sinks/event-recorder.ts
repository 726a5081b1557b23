import type { Clock } from '@anyvip/healthcheck';
import type { CoreV1Event } from '@kubernetes/client-node';
import { describeError } from '../errors.js';
import type { CoreApi } from '../kubernetes/api-clients.js';
import { wireNow } from '../kubernetes/wire-date.js';

/** The object an Event is about. */
export interface EventSubject {
  /** `Service`, `Node`, `AnyvipPeer`, … */
  readonly kind: string;
  /** Default `v1`. */
  readonly apiVersion?: string;
  /** Empty for a cluster-scoped object (a Node, the anyvip.io kinds): its Events go to `default`, as kubectl looks for them. */
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
}

/** Where Events about cluster-scoped objects live (kubectl describe looks there). */
const clusterScopedEventNamespace = 'default';

export type EventType = 'Normal' | 'Warning';

/** One Event to record. `reason` is a short UpperCamel word, as Kubernetes reasons are. */
export interface EventNote {
  readonly subject: EventSubject;
  readonly type: EventType;
  /** `IPAllocated`, `Announced`, `Withdrawn`, `Refused`, … */
  readonly reason: string;
  readonly message: string;
}

export interface EventRecorderOptions {
  readonly api: CoreApi;
  /** `source.component` and `reportingController`. */
  readonly component: string;
  /** `source.host` and `reportingInstance`: the node name. */
  readonly host: string;
  readonly clock: Clock;
  readonly onError?: (reason: string) => void;
  /** Spam filter per object, as client-go's: a burst of 25, then one per 5 minutes. */
  readonly burst?: number;
  readonly refillMs?: number;
  /** The same Event again within this window updates the count of the first one. Default 10 min. */
  readonly dedupWindowMs?: number;
  /** At most this many writes waiting; more are dropped, as client-go's broadcaster drops. Default 1000. */
  readonly queueLimit?: number;
}

/** What the dedup keeps of an Event: enough to rebuild it (bodies are not kept: 10,000 Services × 3 nodes). */
interface Seen {
  readonly name: string;
  readonly note: EventNote;
  count: number;
  readonly firstTimestamp: Date;
  atMs: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * Records core/v1 Events on Services the way client-go's recorder does (EventCorrelator):
 * the same event (object, type, reason, message) within the dedup window is not created
 * again but increments `count` and `lastTimestamp` of the first; a token bucket per object
 * bounds the rate; writes go out one at a time from a bounded queue, and a failed write is
 * dropped with a log line (Events are best effort, never a reason to retry a reconcile).
 */
export class EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #seen = new Map<string, Seen>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #queue: (() => Promise<void>)[] = [];
  #draining = false;
  #sequence = 0;
  /** Events dropped by the spam filter or a full queue. */
  dropped = 0;

  constructor(options: EventRecorderOptions) {
    this.#o = options;
  }

  record(note: EventNote): void {
    const now = this.#o.clock.now();
    const s = note.subject;
    const objectKey = `${s.kind}/${s.namespace}/${s.name}/${s.uid ?? ''}`;
    const key = `${objectKey}|${note.type}|${note.reason}|${note.message}`;
    const seen = this.#seen.get(key);
    if (seen !== undefined && now - seen.atMs < (this.#o.dedupWindowMs ?? 600_000)) {
      if (!this.#take(objectKey, now)) return;
      seen.count += 1;
      seen.atMs = now;
      const count = seen.count;
      const last = wireNow();
      this.#enqueue(async () => {
        await this.#o.api.replaceNamespacedEvent({
          name: seen.name,
          namespace: s.namespace || clusterScopedEventNamespace,
          body: this.#body(seen.name, seen.note, count, seen.firstTimestamp, last),
        });
      });
      return;
    }
    if (!this.#take(objectKey, now)) return;
    const wall = wireNow();
    const name = this.#newName(s.name, wall);
    const created: Seen = { name, note, count: 1, firstTimestamp: wall, atMs: now };
    this.#seen.set(key, created);
    this.#prune(now);
    this.#enqueue(async () => {
      try {
        await this.#o.api.createNamespacedEvent({
          namespace: s.namespace || clusterScopedEventNamespace,
          body: this.#body(name, note, 1, wall, wall),
        });
      } catch (err) {
        // Not created: the next record of this Event creates it again rather than bumping the
        // count of an Event that does not exist (a replace would fail for the whole window).
        if (this.#seen.get(key) === created) this.#seen.delete(key);
        throw err;
      }
    });
  }

  /**
   * A name no other Event of ours takes: client-go's `<object>.<timestamp in ns, hex>` has no
   * nanoseconds here, so the millisecond is followed by this recorder's sequence number (two
   * Events about one object in the same millisecond, e.g. two refused addresses in one pass)
   * and 32 random bits (another node recording about the same object in that millisecond).
   */
  #newName(object: string, wall: Date): string {
    const seq = (this.#sequence++ % 0x10000).toString(16).padStart(4, '0');
    const random = Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
    return `${object}.${wall.getTime().toString(16)}${seq}${random}`;
  }

  #body(name: string, note: EventNote, count: number, first: Date, last: Date): CoreV1Event {
    const s = note.subject;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: s.namespace || clusterScopedEventNamespace },
      involvedObject: {
        apiVersion: s.apiVersion ?? 'v1',
        kind: s.kind,
        ...(s.namespace !== '' ? { namespace: s.namespace } : {}),
        name: s.name,
        ...(s.uid !== undefined ? { uid: s.uid } : {}),
      },
      type: note.type,
      reason: note.reason,
      message: note.message,
      source: { component: this.#o.component, host: this.#o.host },
      reportingComponent: this.#o.component,
      reportingInstance: this.#o.host,
      count,
      firstTimestamp: first,
      lastTimestamp: last,
    };
  }

  /** Resolves when every queued write has been tried. */
  async flush(): Promise<void> {
    while (this.#draining || this.#queue.length > 0) await new Promise((r) => setImmediate(r));
  }

  #take(objectKey: string, now: number): boolean {
    const burst = this.#o.burst ?? 25;
    const refillMs = this.#o.refillMs ?? 300_000;
    const b = this.#buckets.get(objectKey) ?? { tokens: burst, atMs: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.atMs) / refillMs);
    b.atMs = now;
    this.#buckets.set(objectKey, b);
    if (b.tokens < 1) {
      this.dropped += 1;
      return false;
    }
    b.tokens -= 1;
    return true;
  }

  /** Forgets dedup entries older than the window, so the maps stay bounded by recent activity. */
  #prune(now: number): void {
    if (this.#seen.size < 4096) return;
    const window = this.#o.dedupWindowMs ?? 600_000;
    for (const [k, v] of this.#seen) if (now - v.atMs >= window) this.#seen.delete(k);
    for (const [k, b] of this.#buckets) if (now - b.atMs >= window) this.#buckets.delete(k);
  }

  #enqueue(write: () => Promise<void>): void {
    if (this.#queue.length >= (this.#o.queueLimit ?? 1000)) {
      this.dropped += 1;
      return;
    }
    this.#queue.push(write);
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (let w = this.#queue.shift(); w !== undefined; w = this.#queue.shift()) {
        try {
          await w();
        } catch (err) {
          this.#o.onError?.(describeError(err));
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}
