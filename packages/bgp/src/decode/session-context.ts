import type { Capability } from '../wire/capabilities/capability.js';
import { familyKey } from '../wire/constants.js';
import type { CodecContext } from '../wire/context.js';
import type { OpenMessage } from '../wire/open.js';

/**
 * What the decoder knows about one direction of a session: the codec context to
 * decode its messages with, and which parts of it were seen negotiated rather than
 * assumed. Parts not known may be guessed per message (see `decode.ts`).
 */
export interface DirectionContext {
  readonly ctx: CodecContext;
  /** 4-octet AS support is known (both OPENs seen, or fixed by the input format). */
  readonly fourOctetAsKnown: boolean;
  /** ADD-PATH use is known (both OPENs seen, or fixed by the input format). */
  readonly addPathKnown: boolean;
}

/** Families an ADD-PATH guess switches on: the ones whose NLRI this codec decodes. */
export const GUESSED_ADD_PATH_FAMILIES: ReadonlySet<number> = new Set([
  familyKey(1, 1),
  familyKey(2, 1),
  familyKey(1, 2),
  familyKey(2, 2),
]);

function has(caps: readonly Capability[], kind: Capability['kind']): boolean {
  return caps.some((c) => c.kind === kind);
}

/**
 * The context for messages sent by the speaker whose OPEN is `sent` to the one whose
 * OPEN is `received`, as the two OPENs negotiate it (the way Wireshark follows a
 * session): 4-octet AS when both carry capability 65 (RFC 6793 §3); ADD-PATH for a
 * family when the sender can send and the receiver can receive (RFC 7911 §5);
 * extended messages when both carry capability 6 (RFC 8654 §3); an IPv6 next hop for
 * the families the receiver listed in capability 5 (RFC 8950 §3). When only one OPEN
 * was captured, the other speaker is assumed to have mirrored it. With neither,
 * `fallback` is returned and nothing is known.
 */
export function computeDirectionContext(
  sent: OpenMessage | undefined,
  received: OpenMessage | undefined,
  fallback: CodecContext,
): DirectionContext {
  if (sent === undefined && received === undefined) {
    return { ctx: fallback, fourOctetAsKnown: false, addPathKnown: false };
  }
  const s = (sent ?? received)!.capabilities;
  const r = (received ?? sent)!.capabilities;
  const addPath = new Set<number>();
  for (const c of s) {
    if (c.kind !== 'addPath') continue;
    for (const f of c.families) {
      if (!f.send) continue;
      const peerReceives = r.some(
        (rc) =>
          rc.kind === 'addPath' &&
          rc.families.some((rf) => rf.afi === f.afi && rf.safi === f.safi && rf.receive),
      );
      if (peerReceives) addPath.add(familyKey(f.afi, f.safi));
    }
  }
  const extendedNextHop = new Set<number>();
  for (const c of r) {
    if (c.kind === 'extendedNextHop')
      for (const e of c.entries) extendedNextHop.add(familyKey(e.afi, e.safi));
  }
  const both = sent !== undefined && received !== undefined;
  return {
    ctx: {
      fourOctetAs: has(s, 'fourOctetAs') && has(r, 'fourOctetAs'),
      addPath,
      extendedMessage: has(s, 'extendedMessage') && has(r, 'extendedMessage'),
      extendedNextHop,
    },
    fourOctetAsKnown: both,
    addPathKnown: both,
  };
}

/**
 * Tracks the OPEN exchange of every session seen in an input (a TCP connection in a
 * capture, a peer in an MRT file) and derives each direction's context. A session is
 * keyed by any string; a speaker within it by its address text.
 */
export class SessionContexts {
  private readonly opens = new Map<string, Map<string, OpenMessage>>();
  private readonly cache = new Map<string, DirectionContext>();
  /** Guesses that worked for directions whose OPENs were not seen. */
  private readonly guesses = new Map<string, { fourOctetAs?: boolean; addPath?: boolean }>();
  private readonly fallback: CodecContext;

  constructor(fallback: CodecContext) {
    this.fallback = fallback;
  }

  /** Records the OPEN `speaker` sent in `session`. */
  recordOpen(session: string, speaker: string, open: OpenMessage): void {
    let m = this.opens.get(session);
    if (m === undefined) {
      m = new Map();
      this.opens.set(session, m);
    }
    m.set(speaker, open);
    this.forget(session);
  }

  /** Forgets a session (a new TCP connection, a peer going down). */
  reset(session: string): void {
    this.opens.delete(session);
    this.forget(session);
  }

  /** The context for messages `sender` sends to `receiver` in `session`. */
  directionContext(session: string, sender: string, receiver: string): DirectionContext {
    const key = `${session}\u0000${sender}`;
    let dc = this.cache.get(key);
    if (dc === undefined) {
      const m = this.opens.get(session);
      dc = computeDirectionContext(m?.get(sender), m?.get(receiver), this.fallback);
      this.cache.set(key, dc);
    }
    return dc;
  }

  /** The guess that last worked for this direction, if any. */
  guessFor(session: string, sender: string): { fourOctetAs?: boolean; addPath?: boolean } | undefined {
    return this.guesses.get(`${session}\u0000${sender}`);
  }

  rememberGuess(session: string, sender: string, guess: { fourOctetAs?: boolean; addPath?: boolean }): void {
    this.guesses.set(`${session}\u0000${sender}`, guess);
  }

  private forget(session: string): void {
    const prefix = `${session}\u0000`;
    for (const k of this.cache.keys()) if (k.startsWith(prefix)) this.cache.delete(k);
    for (const k of this.guesses.keys()) if (k.startsWith(prefix)) this.guesses.delete(k);
  }
}
