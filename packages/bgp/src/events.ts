import type { BfdState } from './bfd/wire/control-packet.js';
import type { PeerEvent } from './events/peer-events.js';

export type {
  EorReceivedEvent,
  EorSentEvent,
  MalformedEvent,
  MaxPrefixEvent,
  NotificationReceivedEvent,
  NotificationSentEvent,
  PeerDownEvent,
  PeerEvent,
  PeerUpEvent,
  RouteRefreshEvent,
  RoutesReceivedEvent,
  RoutesRejectedEvent,
  SpeakerErrorEvent,
  StateChangeEvent,
} from './events/peer-events.js';

/**
 * Everything a `BgpSpeaker` reports, discriminated by `kind`: the per-peer events
 * (state changes, session up and down, NOTIFICATIONs, RFC 7606 faults, received
 * routes, End-of-RIB, maximum prefixes, route refresh, errors) and the speaker's own
 * (listening, refused connections). Events are public API; the speaker's log lines
 * are derived from them in one place.
 */
export type SpeakerEvent = PeerEvent | ListeningEvent | ConnectionRejectedEvent | BfdStateChangeEvent;

/**
 * A peer's BFD session changed state (RFC 5880 §6.8). `to: 'down'` from `up` with
 * `remoteState` other than `adminDown` is a failure: the BGP session is then
 * stopped with Cease / BFD Down (RFC 9384). A peer that signals AdminDown stopped
 * BFD on purpose and the BGP session is left alone (RFC 5882 §3.2).
 */
export interface BfdStateChangeEvent {
  readonly kind: 'bfdStateChange';
  readonly peer: string;
  readonly from: BfdState;
  readonly to: BfdState;
  /** Our Diag code and its RFC 5880 §4.1 name. */
  readonly diag: number;
  readonly diagName: string;
  readonly remoteState: BfdState;
  readonly remoteDiag: number;
  /** Whether this change took the BGP session down (Cease / BFD Down). */
  readonly bgpStopped: boolean;
}

/** A listening socket is up. */
export interface ListeningEvent {
  readonly kind: 'listening';
  readonly address: string;
  readonly port: number;
}

/** A connection was refused: from an address with no configured peer, or one whose session cannot take it. */
export interface ConnectionRejectedEvent {
  readonly kind: 'connectionRejected';
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly reason: string;
}

export type SpeakerEventKind = SpeakerEvent['kind'];
export type SpeakerEventOf<K extends SpeakerEventKind> = Extract<SpeakerEvent, { kind: K }>;
export type SpeakerListener<K extends SpeakerEventKind> = (event: SpeakerEventOf<K>) => void;
/** A listener for every event (`on('*', …)`). */
export type AnySpeakerListener = (event: SpeakerEvent) => void;

type StoredListener = (event: SpeakerEvent) => void;

/**
 * A small typed emitter for {@link SpeakerEvent}: `on(kind, listener)` with the
 * listener typed by kind, `on('*', listener)` for all events, `off` to remove.
 *
 * A listener that throws does not break the session that raised the event: the
 * exception is re-thrown on a fresh microtask (so it is as loud as an uncaught
 * EventEmitter error) after every other listener ran and the session finished its
 * step.
 */
export class SpeakerEvents {
  readonly #byKind = new Map<string, Set<StoredListener>>();

  on<K extends SpeakerEventKind>(kind: K, listener: SpeakerListener<K>): this;
  on(kind: '*', listener: AnySpeakerListener): this;
  on(kind: string, listener: StoredListener): this {
    let set = this.#byKind.get(kind);
    if (set === undefined) {
      set = new Set();
      this.#byKind.set(kind, set);
    }
    set.add(listener);
    return this;
  }

  off<K extends SpeakerEventKind>(kind: K, listener: SpeakerListener<K>): this;
  off(kind: '*', listener: AnySpeakerListener): this;
  off(kind: string, listener: StoredListener): this {
    const set = this.#byKind.get(kind);
    if (set !== undefined) {
      if (!set.delete(listener)) {
        // A listener added with once() is stored wrapped.
        for (const l of set) {
          if ((l as { listener?: StoredListener }).listener === listener) {
            set.delete(l);
            break;
          }
        }
      }
      if (set.size === 0) this.#byKind.delete(kind);
    }
    return this;
  }

  /**
   * Calls `listener` for the next event of `kind` only. With `addListener` and
   * `removeListener` this makes the speaker usable with Node's `events.once(speaker,
   * 'peerUp', { signal })` and `events.on(speaker, 'routesReceived', { signal })`. As
   * with an EventEmitter, those two also reject / end on an `error` event.
   */
  once<K extends SpeakerEventKind>(kind: K, listener: SpeakerListener<K>): this;
  once(kind: '*', listener: AnySpeakerListener): this;
  once(kind: string, listener: StoredListener): this {
    const wrapper: StoredListener & { listener?: StoredListener } = (event) => {
      this.off(kind as '*', wrapper);
      listener(event);
    };
    wrapper.listener = listener;
    return this.on(kind as '*', wrapper);
  }

  /** Same as `on` (EventEmitter name). */
  addListener<K extends SpeakerEventKind>(kind: K, listener: SpeakerListener<K>): this;
  addListener(kind: '*', listener: AnySpeakerListener): this;
  addListener(kind: string, listener: StoredListener): this {
    return this.on(kind as '*', listener);
  }

  /** Same as `off` (EventEmitter name); also removes a listener added with `once`. */
  removeListener<K extends SpeakerEventKind>(kind: K, listener: SpeakerListener<K>): this;
  removeListener(kind: '*', listener: AnySpeakerListener): this;
  removeListener(kind: string, listener: StoredListener): this {
    return this.off(kind as '*', listener);
  }

  /**
   * Resolves with the next event of `kind` for which `predicate` (if given) is true.
   * Rejects with `signal.reason` when `signal` aborts (use `AbortSignal.timeout(ms)`
   * for a deadline); the listener is removed either way.
   */
  waitFor<K extends SpeakerEventKind>(
    kind: K,
    predicate?: (event: SpeakerEventOf<K>) => boolean,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<SpeakerEventOf<K>> {
    const { signal } = options;
    return new Promise<SpeakerEventOf<K>>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.off(kind, listener);
        reject(signal?.reason);
      };
      const listener: SpeakerListener<K> = (event) => {
        if (predicate !== undefined && !predicate(event)) return;
        this.off(kind, listener);
        signal?.removeEventListener('abort', onAbort);
        resolve(event);
      };
      this.on(kind, listener);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Whether any listener would receive an event of `kind`. */
  listening(kind: SpeakerEventKind): boolean {
    return this.#byKind.has(kind) || this.#byKind.has('*');
  }

  /** Calls the listeners of `event.kind`, then the `*` ones. */
  emit(event: SpeakerEvent): void {
    const specific = this.#byKind.get(event.kind);
    const any = this.#byKind.get('*');
    if (specific !== undefined) for (const l of [...specific]) this.#call(l, event);
    if (any !== undefined) for (const l of [...any]) this.#call(l, event);
  }

  #call(listener: StoredListener, event: SpeakerEvent): void {
    try {
      listener(event);
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}
