/**
 * Test-only view of UPDATEs as a receiver sees them: every message decoded with
 * the real codec (header checks included) and summarised as the routes it
 * announces and withdraws, keyed by CIDR text (`#pathId` appended with ADD-PATH).
 */
import { AttributeSetTable } from '../../src/rib/attribute-set.js';
import type { PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import { type CodecContext, maxMessageLength } from '../../src/wire/context.js';
import { decodeMessage } from '../../src/wire/message.js';
import { formatPrefix, type Prefix } from '../../src/wire/prefix.js';
import { type ParsedUpdate, parseUpdate } from '../../src/wire/update.js';

export interface ReceivedRoute {
  readonly nextHop: string;
  /** Canonical key of the attributes other than NEXT_HOP / MP_REACH_NLRI / MP_UNREACH_NLRI. */
  readonly attributesKey: string;
}

export interface Received {
  readonly updates: ParsedUpdate[];
  /** Announced routes; a route announced twice keeps the last. */
  readonly announced: Map<string, ReceivedRoute>;
  readonly withdrawn: Set<string>;
  /** How many times each route appeared (announced or withdrawn) across all messages. */
  readonly appearances: Map<string, number>;
}

/** CIDR text, with `#pathId` when there is one. */
export function routeName(p: Prefix): string {
  return p.pathId === undefined ? formatPrefix(p) : `${formatPrefix(p)}#${p.pathId}`;
}

/** The canonical attribute-set key of received attributes, for comparison with a sent `AttributeSet.key`. */
export function attributesKeyOf(attributes: readonly PathAttribute[]): string {
  const shared = attributes.filter(
    (a) => a.kind !== 'nextHop' && a.kind !== 'mpReach' && a.kind !== 'mpUnreach',
  );
  return new AttributeSetTable().intern(shared).key;
}

/** Decodes and summarises `messages`; throws if one is not a clean UPDATE within the size limit. */
export function receive(messages: readonly Uint8Array[], ctx: CodecContext): Received {
  const out: Received = { updates: [], announced: new Map(), withdrawn: new Set(), appearances: new Map() };
  const seen = (name: string): void => {
    out.appearances.set(name, (out.appearances.get(name) ?? 0) + 1);
  };
  for (const m of messages) {
    if (m.length > maxMessageLength(ctx)) throw new Error(`UPDATE of ${m.length} octets`);
    const msg = decodeMessage(m, ctx);
    if (msg.kind !== 'update') throw new Error(`not an UPDATE: ${msg.kind}`);
    const u = parseUpdate(msg, ctx);
    if (u.issues.length > 0)
      throw new Error(`UPDATE with issues: ${u.issues.map((e) => e.message).join('; ')}`);
    out.updates.push(u);
    const attributesKey = attributesKeyOf(u.attributes);
    for (const p of u.withdrawn) {
      out.withdrawn.add(routeName(p));
      seen(routeName(p));
    }
    for (const a of u.attributes) {
      if (a.kind === 'mpUnreach') {
        for (const p of a.withdrawn ?? []) {
          out.withdrawn.add(routeName(p));
          seen(routeName(p));
        }
      }
    }
    const nextHop = u.attributes.find((a) => a.kind === 'nextHop');
    for (const p of u.nlri) {
      if (nextHop?.kind !== 'nextHop') throw new Error('classic NLRI without NEXT_HOP');
      out.announced.set(routeName(p), { nextHop: nextHop.address, attributesKey });
      seen(routeName(p));
    }
    for (const a of u.attributes) {
      if (a.kind === 'mpReach') {
        for (const p of a.nlri ?? []) {
          out.announced.set(routeName(p), { nextHop: a.nextHops[0]!, attributesKey });
          seen(routeName(p));
        }
      }
    }
  }
  return out;
}
