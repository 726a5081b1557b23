import { AttrFlag, AttrType, names, WellKnownCommunity } from '../constants.js';
import { LocalProtocolError } from '../errors.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import type { CommunitiesAttribute } from './path-attribute.js';

/**
 * COMMUNITIES (type 8, RFC 1997): optional transitive, a list of 32-bit values.
 * A length that is not a non-zero multiple of 4 is treat-as-withdraw (RFC 7606 §7.8).
 */
export const communitiesCodec: AttributeCodec<CommunitiesAttribute> = {
  code: AttrType.COMMUNITIES,
  kind: 'communities',
  name: 'COMMUNITIES',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  decode(attr, at) {
    const n = attr.length - at;
    if (n === 0 || n % 4 !== 0) {
      throw attributeLengthError(
        attr,
        'treatAsWithdraw',
        `COMMUNITIES length ${n} is not a non-zero multiple of 4`,
      );
    }
    const values: number[] = new Array<number>(n >> 2);
    for (let i = 0, p = at; p < attr.length; i++, p += 4) {
      values[i] = ((attr[p]! << 24) | (attr[p + 1]! << 16) | (attr[p + 2]! << 8) | attr[p + 3]!) >>> 0;
    }
    return { kind: 'communities', flags: attr[0]!, values };
  },
  encode(w, a) {
    for (const v of a.values) w.u32(v);
  },
};

/**
 * Text of a community: always `high:low` in decimal (`65000:100`, `65535:65281`), the
 * one form that routers print, that {@link parseCommunity} reads back, and that
 * compares equal whether a caller announced `NO_EXPORT` or `65535:65281`. For the
 * IANA name of a well-known value use {@link communityName}.
 */
export function formatCommunity(value: number): string {
  return `${value >>> 16}:${value & 0xffff}`;
}

/**
 * The IANA name of a well-known community (`NO_EXPORT`, `GRACEFUL_SHUTDOWN`,
 * `BLACKHOLE`, …, RFC 1997 §3 and the IANA registry), or undefined for any other value.
 */
export function communityName(value: number): string | undefined {
  return names.wellKnownCommunity.get(value >>> 0);
}

/**
 * Parses `high:low` (each 0-65535), a well-known name (any case, `-` or `_`), or a
 * plain 32-bit decimal number. Throws `LocalProtocolError` on anything else.
 */
export function parseCommunity(text: string): number {
  const t = text.trim();
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(t);
  if (m) {
    const high = Number(m[1]);
    const low = Number(m[2]);
    if (high <= 0xffff && low <= 0xffff) return ((high << 16) | low) >>> 0;
  } else if (/^\d{1,10}$/.test(t) && Number(t) <= 0xffffffff) {
    return Number(t);
  } else {
    const named = (WellKnownCommunity as Record<string, number>)[t.toUpperCase().replace(/-/g, '_')];
    if (named !== undefined) return named;
  }
  throw new LocalProtocolError('ANYVIP_BAD_COMMUNITY', `not a community: ${JSON.stringify(text)}`);
}
