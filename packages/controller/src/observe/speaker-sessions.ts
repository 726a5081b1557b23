import { describeDownReason, type PeerInfo } from '@anyvip/bgp';
import type { BfdStateName, SessionObservation } from '../desired/session-observation.js';
import type { ControllerEvent } from '../events.js';

export interface SessionObserverOptions {
  /** The speaker's peers now (`BgpSpeaker.peers()`: state and O(1) counters); empty without one. */
  readonly peers: () => readonly PeerInfo[];
  /** Wall-clock ms, for `since` (status shows RFC 3339 times). Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * The BGP speaker as an observer: it turns the speaker's reports into
 * {@link SessionObservation}s, the runtime facts the node status shows (state, since when,
 * the last error, prefixes, negotiated hold time, BFD). It only reads: the speaker's
 * `peers()` at the start of a pass (every field O(1)) and the controller events for what
 * `peers()` does not keep (when the state last changed, the BFD state).
 *
 * {@link observe} says whether an event changed what a status shows (a state or BFD
 * change, a peer removed), so that the runtime raises a pass; counters that move without an
 * event (prefixes) are picked up by the next pass, at least the periodic one.
 */
export class SessionObserver {
  readonly #peers: () => readonly PeerInfo[];
  readonly #now: () => number;
  readonly #since = new Map<string, number>();
  readonly #bfd = new Map<string, BfdStateName>();
  /** The last NOTIFICATION or session loss per peer, as text (also for sessions never Established). */
  readonly #lastError = new Map<string, string>();

  constructor(options: SessionObserverOptions) {
    this.#peers = options.peers;
    this.#now = options.now ?? Date.now;
  }

  /** Takes in one controller event; true when the sessions as a status shows them changed. */
  observe(e: ControllerEvent): boolean {
    switch (e.kind) {
      case 'peerStateChanged':
        this.#since.set(e.peer, this.#now());
        return true;
      case 'bfdStateChanged':
        this.#bfd.set(e.peer, e.to);
        return true;
      case 'peerDown':
        this.#lastError.set(e.peer, e.reason);
        return true;
      case 'applied':
        // A de-configured peer: forget what its events said (a new session starts afresh).
        if (e.sink === 'bgp' && e.peer !== undefined && e.vip === undefined && e.action === 'remove') {
          this.#since.delete(e.peer);
          this.#bfd.delete(e.peer);
          this.#lastError.delete(e.peer);
        }
        return false;
      default:
        return false;
    }
  }

  /**
   * A NOTIFICATION sent or received (the speaker's `notificationSent` / `notificationReceived`):
   * the error a session stuck before Established shows (an OPEN refused for a bad peer AS),
   * which `peerDown` never reports. `name` is the registry name (`OPEN_MESSAGE_ERROR/BAD_PEER_AS`).
   */
  noteNotification(peer: string, direction: 'sent' | 'received', name: string, message?: string): void {
    this.#lastError.set(peer, `${direction} ${name}${message ? `: ${message}` : ''}`);
  }

  /** Every session the speaker holds now, in its order. */
  snapshot(): readonly SessionObservation[] {
    return this.#peers().map((p) => ({
      peerAddress: p.address,
      state: p.state,
      sinceMs: this.#since.get(p.address),
      localAddress: p.localAddress,
      lastError:
        this.#lastError.get(p.address) ??
        (p.lastDownReason === undefined ? undefined : describeDownReason(p.lastDownReason)),
      prefixesSent: p.prefixesSent,
      prefixesReceived: p.prefixesReceived,
      holdTimeSec: p.negotiated?.holdTimeSec,
      bfd: this.#bfd.get(p.address),
    }));
  }
}
