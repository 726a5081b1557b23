import { familyKey } from './constants.js';

/**
 * What the OPEN exchange negotiated, for one direction of one session. Decoding and
 * encoding depend on it, so it is passed explicitly, never held globally
 * (RFC 6793 4-octet AS, RFC 7911 ADD-PATH, RFC 8654 extended message, RFC 8950).
 */
export interface CodecContext {
  /** AS numbers in AS_PATH and AGGREGATOR are 4 octets (RFC 6793). */
  readonly fourOctetAs: boolean;
  /** Families (see {@link familyKey}) whose NLRI carry a path identifier in this direction (RFC 7911). */
  readonly addPath: ReadonlySet<number>;
  /** Messages may be up to 65535 octets (RFC 8654). */
  readonly extendedMessage: boolean;
  /** Families (keys) whose NLRI may have an IPv6 next hop (RFC 8950), e.g. IPv4 unicast over IPv6. */
  readonly extendedNextHop: ReadonlySet<number>;
}

/** What a session assumes before OPEN: 2-octet AS, no ADD-PATH, 4096-octet messages. */
export const defaultContext: CodecContext = Object.freeze({
  fourOctetAs: false,
  addPath: new Set<number>(),
  extendedMessage: false,
  extendedNextHop: new Set<number>(),
});

/** A context with 4-octet AS and nothing else, as most modern sessions negotiate. */
export const modernContext: CodecContext = Object.freeze({
  ...defaultContext,
  fourOctetAs: true,
});

/** Builds a context from partial settings. */
export function makeContext(
  init: Partial<Omit<CodecContext, 'addPath' | 'extendedNextHop'>> & {
    addPath?: Iterable<readonly [afi: number, safi: number]> | ReadonlySet<number>;
    extendedNextHop?: Iterable<readonly [afi: number, safi: number]> | ReadonlySet<number>;
  } = {},
): CodecContext {
  const keys = (
    v: Iterable<readonly [number, number]> | ReadonlySet<number> | undefined,
  ): ReadonlySet<number> => {
    const out = new Set<number>();
    if (v === undefined) return out;
    for (const item of v as Iterable<unknown>) {
      if (typeof item === 'number') out.add(item);
      else {
        const [afi, safi] = item as readonly [number, number];
        out.add(familyKey(afi, safi));
      }
    }
    return out;
  };
  return {
    fourOctetAs: init.fourOctetAs ?? true,
    extendedMessage: init.extendedMessage ?? false,
    addPath: keys(init.addPath),
    extendedNextHop: keys(init.extendedNextHop),
  };
}

/** Largest message this context allows. */
export function maxMessageLength(ctx: CodecContext): number {
  return ctx.extendedMessage ? 65535 : 4096;
}
