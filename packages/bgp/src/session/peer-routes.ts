import { RouteTable, type RouteWalk } from '../rib/route-table.js';
import type { RouteTemplate } from '../rib/route-template.js';
import type { UnicastAfi } from '../wire/family.js';
import type { Prefix } from '../wire/prefix.js';
import type { OriginatedRoutes } from './peer-session-options.js';

/**
 * What one peer is sent: its own routes (`Peer.announce`), which override the
 * speaker-wide route of the same prefix for this peer, and the speaker-wide routes
 * unless `exportSpeakerRoutes` is off. Pure data, no I/O.
 *
 * The own table is created by the first own route, so a peer without any costs one
 * field and one comparison per speaker-wide change: the shared routes keep their
 * fast path (one interned template per attribute set, one export cache per peer).
 */
export class PeerRoutes implements OriginatedRoutes {
  readonly #speaker: OriginatedRoutes;
  /** Whether the speaker-wide routes go to this peer at all. */
  readonly exportSpeakerRoutes: boolean;
  #own: RouteTable | undefined;

  constructor(speaker: OriginatedRoutes, exportSpeakerRoutes: boolean) {
    this.#speaker = speaker;
    this.exportSpeakerRoutes = exportSpeakerRoutes;
  }

  /** How many own routes the peer has. */
  get ownCount(): number {
    return this.#own?.size ?? 0;
  }

  /** Whether an own route stands in for the speaker-wide route of `prefix`. */
  shadows(prefix: Prefix): boolean {
    const own = this.#own;
    return own !== undefined && own.size !== 0 && own.get(prefix) !== undefined;
  }

  /** Sets the own route of `prefix`; returns the own template it replaces. */
  setOwn(prefix: Prefix, template: RouteTemplate): RouteTemplate | undefined {
    this.#own ??= new RouteTable();
    return this.#own.set(prefix, template);
  }

  /** Removes the own route of `prefix`; returns its template, undefined if there was none. */
  deleteOwn(prefix: Prefix): RouteTemplate | undefined {
    return this.#own?.delete(prefix);
  }

  /**
   * IPv4 routes per prefix length this peer may be sent: its own and the speaker-wide
   * ones (an upper bound where an own route overrides a shared one).
   */
  ipv4Lengths(): number[] {
    const counts = this.exportSpeakerRoutes ? [...this.#speaker.ipv4Lengths()] : [];
    const own = this.#own;
    if (own !== undefined && own.size !== 0) {
      own.ipv4Lengths().forEach((n, length) => {
        counts[length] = (counts[length] ?? 0) + n;
      });
    }
    return counts;
  }

  /** The speaker-wide route this peer gets for `prefix` when it has no own route. */
  fallback(prefix: Prefix): RouteTemplate | undefined {
    return this.exportSpeakerRoutes ? this.#speaker.get(prefix) : undefined;
  }

  /** Own routes using `template`. */
  ownRefs(template: RouteTemplate): number {
    return this.#own?.refs(template) ?? 0;
  }

  /** The own routes. */
  *ownEntries(): Generator<[Prefix, RouteTemplate]> {
    if (this.#own !== undefined) yield* this.#own.entries();
  }

  /** The route the peer gets for `prefix`: its own, else the speaker-wide one (if exported). */
  get(prefix: Prefix): RouteTemplate | undefined {
    return this.#own?.get(prefix) ?? this.fallback(prefix);
  }

  /**
   * The initial table for a session: the own routes, then the speaker-wide ones
   * that no own route overrides. Routes changed during the walk reach the session
   * directly, so a walk only has to cover what existed when it started.
   */
  walk(afis: readonly UnicastAfi[]): RouteWalk {
    let own = this.#own !== undefined && this.#own.size !== 0 ? this.#own.walk(afis) : undefined;
    const shared = this.exportSpeakerRoutes ? this.#speaker.walk(afis) : undefined;
    return {
      next: (max, visit) => {
        if (own !== undefined) {
          if (own.next(max, visit)) return true;
          own = undefined;
          return shared !== undefined;
        }
        if (shared === undefined) return false;
        const table = this.#own;
        // Checked once per slice: no own route can appear while a slice runs.
        if (table === undefined || table.size === 0) return shared.next(max, visit);
        return shared.next(max, (p, t) => {
          if (table.get(p) === undefined) visit(p, t);
        });
      },
    };
  }
}
