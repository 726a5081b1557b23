import { AS_TRANS, AsPathSegmentType, AttrFlag, AttrType } from '../constants.js';
import type { CodecContext } from '../context.js';
import type { WireError } from '../errors.js';
import { malformedAsPathError, optionalAttributeError } from '../validate.js';
import type { Writer } from '../writer.js';
import type { AttributeCodec } from './codec.js';
import type {
  As4PathAttribute,
  AsPathAttribute,
  AsPathSegment,
  AsPathSegmentKind,
  PathAttribute,
} from './path-attribute.js';

/**
 * AS_PATH (type 2, RFC 4271 §4.3 b, §5.1.2) and AS4_PATH (type 17, RFC 6793 §3)
 * share one segment encoding: type (1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE,
 * 4 AS_CONFED_SET, RFC 5065 §3), a count of ASNs, then the ASNs, 2 or 4 octets each.
 * AS_PATH's width is the session's (RFC 6793 §4); AS4_PATH's is always 4.
 */

const kindByType: readonly (AsPathSegmentKind | undefined)[] = [
  undefined,
  'set',
  'sequence',
  'confedSequence',
  'confedSet',
];

const typeByKind: Record<AsPathSegmentKind, number> = {
  set: AsPathSegmentType.AS_SET,
  sequence: AsPathSegmentType.AS_SEQUENCE,
  confedSequence: AsPathSegmentType.AS_CONFED_SEQUENCE,
  confedSet: AsPathSegmentType.AS_CONFED_SET,
};

/**
 * Decodes the segments in `buf[start, end)`. A segment of unknown type, with zero
 * ASNs, running past the end, or a lone trailing octet is malformed (RFC 7606 §7.2);
 * `malformed` builds the fault for the caller's attribute.
 */
export function decodeAsPathSegments(
  buf: Uint8Array,
  start: number,
  end: number,
  width: 2 | 4,
  malformed: (reason: string) => WireError,
): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  let p = start;
  while (p < end) {
    if (end - p < 2) throw malformed('AS path segment header truncated');
    const type = kindByType[buf[p]!];
    const count = buf[p + 1]!;
    if (type === undefined) throw malformed(`unknown AS path segment type ${buf[p]}`);
    if (count === 0) throw malformed('AS path segment with no ASNs');
    p += 2;
    if (p + count * width > end) throw malformed(`AS path segment of ${count} ASNs overruns the attribute`);
    const asns: number[] = new Array<number>(count);
    if (width === 4) {
      for (let i = 0; i < count; i++, p += 4) {
        asns[i] = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
      }
    } else {
      for (let i = 0; i < count; i++, p += 2) asns[i] = (buf[p]! << 8) | buf[p + 1]!;
    }
    segments.push({ type, asns });
  }
  return segments;
}

/**
 * Appends segments. A segment of more than 255 ASNs is split into several of the
 * same type (RFC 4271 §4.3 b allows at most 255 per segment). With 2-octet width,
 * an ASN above 65535 is sent as AS_TRANS (RFC 6793 §4.2.2); the caller adds
 * AS4_PATH when it needs the real path to survive.
 */
export function encodeAsPathSegments(w: Writer, segments: readonly AsPathSegment[], width: 2 | 4): void {
  for (const s of segments) {
    const type = typeByKind[s.type];
    for (let from = 0; from < s.asns.length; from += 255) {
      const to = Math.min(from + 255, s.asns.length);
      w.u8(type).u8(to - from);
      for (let i = from; i < to; i++) {
        const asn = s.asns[i]!;
        if (width === 4) w.u32(asn);
        else w.u16(asn > 0xffff ? AS_TRANS : asn);
      }
    }
  }
}

/** AS_PATH; malformed is 3/11, treat-as-withdraw (RFC 7606 §7.2). An empty AS_PATH is valid (iBGP). */
export const asPathCodec: AttributeCodec<AsPathAttribute> = {
  code: AttrType.AS_PATH,
  kind: 'asPath',
  name: 'AS_PATH',
  flags: AttrFlag.TRANSITIVE,
  decode(attr, at, ctx) {
    const segments = decodeAsPathSegments(
      attr,
      at,
      attr.length,
      ctx.fourOctetAs ? 4 : 2,
      malformedAsPathError,
    );
    return { kind: 'asPath', flags: attr[0]!, segments };
  },
  encode(w, a, ctx) {
    encodeAsPathSegments(w, a.segments, ctx.fourOctetAs ? 4 : 2);
  },
};

/** AS4_PATH; malformed is attribute discard (RFC 6793 §6), reported as 3/9 with the attribute. */
export const as4PathCodec: AttributeCodec<As4PathAttribute> = {
  code: AttrType.AS4_PATH,
  kind: 'as4Path',
  name: 'AS4_PATH',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  decode(attr, at) {
    const segments = decodeAsPathSegments(attr, at, attr.length, 4, (reason) =>
      optionalAttributeError(attr, 'attributeDiscard', `AS4_PATH: ${reason}`),
    );
    return { kind: 'as4Path', flags: attr[0]!, segments };
  },
  encode(w, a) {
    encodeAsPathSegments(w, a.segments, 4);
  },
};

function isConfed(s: AsPathSegment): boolean {
  return s.type === 'confedSequence' || s.type === 'confedSet';
}

/**
 * The number of ASNs a path counts for when AS_PATH and AS4_PATH are compared
 * (RFC 6793 §4.2.3) and in route selection (RFC 4271 §9.1.2.2 a): an AS_SET counts
 * as one, confederation segments count as none (RFC 5065 §5.3).
 */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'sequence') n += s.asns.length;
    else if (s.type === 'set') n += 1;
  }
  return n;
}

/**
 * Rebuilds the path a 2-octet session hides behind AS_TRANS (RFC 6793 §4.2.3).
 * Confederation segments in AS4_PATH are dropped (RFC 6793 §5). If AS_PATH counts
 * fewer ASNs than AS4_PATH, AS4_PATH is ignored; otherwise the leading ASNs of
 * AS_PATH that AS4_PATH lacks are prepended to it, together with any confederation
 * segment that leads AS_PATH or is adjacent to a prepended segment.
 */
export function mergeAs4Path(
  asPath: readonly AsPathSegment[],
  as4Path: readonly AsPathSegment[],
): AsPathSegment[] {
  const as4 = as4Path.filter((s) => !isConfed(s));
  let need = asPathLength(asPath) - asPathLength(as4);
  if (need < 0) return [...asPath];
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (isConfed(s)) {
      out.push(s);
      continue;
    }
    if (need === 0) break;
    if (s.type === 'set') {
      out.push(s);
      need -= 1;
    } else if (s.asns.length <= need) {
      out.push(s);
      need -= s.asns.length;
    } else {
      out.push({ type: 'sequence', asns: s.asns.slice(0, need) });
      need = 0;
      break;
    }
  }
  // Join the seam when both sides are AS_SEQUENCEs: the same path, written as one segment.
  const last = out[out.length - 1];
  const first = as4[0];
  if (last?.type === 'sequence' && first?.type === 'sequence') {
    out[out.length - 1] = { type: 'sequence', asns: [...last.asns, ...first.asns] };
    return [...out, ...as4.slice(1)];
  }
  return [...out, ...as4];
}

/**
 * The AS path a route really has. On a 4-octet session AS_PATH is complete and any
 * AS4_PATH is ignored (RFC 6793 §4.1). On a 2-octet session AS4_PATH is merged in
 * ({@link mergeAs4Path}), unless an AGGREGATOR whose ASN is not AS_TRANS is present,
 * in which case AS4_PATH is ignored (RFC 6793 §4.2.3). No AS_PATH gives an empty path.
 */
export function effectiveAsPath(attributes: readonly PathAttribute[], ctx: CodecContext): AsPathSegment[] {
  let asPath: AsPathAttribute | undefined;
  let as4Path: As4PathAttribute | undefined;
  let aggregatorAsn: number | undefined;
  for (const a of attributes) {
    if (a.kind === 'asPath') asPath ??= a;
    else if (a.kind === 'as4Path') as4Path ??= a;
    else if (a.kind === 'aggregator') aggregatorAsn ??= a.asn;
  }
  const segments = asPath?.segments ?? [];
  if (ctx.fourOctetAs || as4Path === undefined) return [...segments];
  if (aggregatorAsn !== undefined && aggregatorAsn !== AS_TRANS) return [...segments];
  return mergeAs4Path(segments, as4Path.segments);
}

/**
 * Text like `65001 65002 {65003,65004} (65005)`: AS_SETs in braces, AS_CONFED_SEQUENCEs in
 * parentheses, AS_CONFED_SETs in brackets.
 */
export function formatAsPath(segments: readonly AsPathSegment[]): string {
  return segments
    .map((s) => {
      switch (s.type) {
        case 'sequence':
          return s.asns.join(' ');
        case 'set':
          return `{${s.asns.join(',')}}`;
        case 'confedSequence':
          return `(${s.asns.join(' ')})`;
        case 'confedSet':
          return `[${s.asns.join(',')}]`;
        default:
          return unreachable(s.type);
      }
    })
    .join(' ');
}

function unreachable(x: never): never {
  throw new Error(`unexpected AS path segment type ${String(x)}`);
}
