import { assertNever } from '../wire/assert-never.js';
import { attributeCode, canonicalFlags } from '../wire/attributes/index.js';
import type { AsPathSegment, PathAttribute } from '../wire/attributes/path-attribute.js';
import { LocalProtocolError } from '../wire/errors.js';

/**
 * An interned set of path attributes: every route announced or received with the
 * same attributes holds the same `AttributeSet`, so a RIB compares paths by
 * identity, stores one reference per route, and packs all routes of one set into
 * shared UPDATEs (RFC 4271 §4.3: one attribute list, many NLRI).
 *
 * A set never holds NEXT_HOP, MP_REACH_NLRI or MP_UNREACH_NLRI: those carry the
 * next hop and the NLRI, which belong to each route (see `Route.nextHop`). Its
 * attributes are kept in ascending type-code order, the order a sender SHOULD use
 * (RFC 4271 §5).
 *
 * Sets are reference-counted: {@link AttributeSetTable.intern} hands the caller one
 * reference, RIBs {@link retain} one per use, and when the last one is
 * {@link release}d the set leaves its table.
 */
export class AttributeSet {
  /** Canonical key, equal for equal attribute lists whatever their order; computed once. */
  readonly key: string;
  /** The attributes in ascending type-code order (frozen). */
  readonly attributes: readonly PathAttribute[];
  #refs = 0;
  readonly #table: AttributeSetTable;

  /** @internal Use {@link AttributeSetTable.intern}. */
  constructor(table: AttributeSetTable, key: string, attributes: readonly PathAttribute[]) {
    this.#table = table;
    this.key = key;
    this.attributes = attributes;
  }

  /** References currently held. */
  get refCount(): number {
    return this.#refs;
  }

  /** Takes one more reference. */
  retain(): this {
    if (this.#refs++ === 0) this.#table.adopt(this);
    return this;
  }

  /** Drops one reference; the last one removes the set from its table. */
  release(): void {
    if (this.#refs <= 0) {
      throw new LocalProtocolError(
        'ANYVIP_ATTRIBUTE_SET_RELEASED',
        'attribute set released more often than retained',
      );
    }
    if (--this.#refs === 0) this.#table.drop(this);
  }
}

/** Interns attribute lists into shared {@link AttributeSet}s. One table is typically shared by a whole speaker. */
export class AttributeSetTable {
  readonly #sets = new Map<string, AttributeSet>();

  /**
   * The set equal to `attributes`, created if new, with one reference taken for the
   * caller (release it when done). Throws {@link LocalProtocolError} if the list
   * holds NEXT_HOP, MP_REACH_NLRI or MP_UNREACH_NLRI, or one type code twice.
   */
  intern(attributes: readonly PathAttribute[]): AttributeSet {
    const sorted = [...attributes].sort((a, b) => attributeCode(a) - attributeCode(b));
    const key = attributeSetKey(sorted);
    const found = this.#sets.get(key);
    if (found !== undefined) return found.retain();
    return new AttributeSet(this, key, Object.freeze(sorted)).retain();
  }

  /** Distinct sets in use. */
  get size(): number {
    return this.#sets.size;
  }

  /** The set with this key, if one is in use. */
  get(key: string): AttributeSet | undefined {
    return this.#sets.get(key);
  }

  /** @internal A set went from 0 to 1 reference. */
  adopt(set: AttributeSet): void {
    // A set dropped and then retained again comes back, unless an equal one took its place.
    if (!this.#sets.has(set.key)) this.#sets.set(set.key, set);
  }

  /** @internal A set's last reference was released. */
  drop(set: AttributeSet): void {
    if (this.#sets.get(set.key) === set) this.#sets.delete(set.key);
  }
}

/**
 * A stable serialisation of attributes already in type-code order: one line per
 * attribute, `code/flags:value`, with every field written in a fixed order so that
 * equal attributes give equal text whatever order their object properties were
 * created in. The flags are part of the key, since they change the bytes sent; an
 * attribute without flags counts as having its canonical ones, which it is sent with.
 */
function attributeSetKey(sorted: readonly PathAttribute[]): string {
  let key = '';
  let last = -1;
  for (const a of sorted) {
    const code = attributeCode(a);
    if (code === last) {
      throw new LocalProtocolError('ANYVIP_DUPLICATE_ATTRIBUTE', `attribute type ${code} given twice`);
    }
    last = code;
    key += `${code}/${a.flags ?? canonicalFlags(a)}:${attributeValueText(a)}\n`;
  }
  return key;
}

function attributeValueText(a: PathAttribute): string {
  switch (a.kind) {
    case 'origin':
    case 'med':
    case 'localPref':
      return String(a.value);
    case 'asPath':
    case 'as4Path':
      return segmentsText(a.segments);
    case 'atomicAggregate':
      return '';
    case 'aggregator':
    case 'as4Aggregator':
      return `${a.asn},${a.address}`;
    case 'communities':
      return a.values.join(',');
    case 'originatorId':
      return a.id;
    case 'clusterList':
      return a.ids.join(',');
    case 'extendedCommunities':
      return a.values.map(hexText).join(',');
    case 'largeCommunities':
      return a.values.map((v) => v.join(':')).join(',');
    case 'otc':
      return String(a.asn);
    case 'unknown':
      return hexText(a.value);
    case 'nextHop':
    case 'mpReach':
    case 'mpUnreach':
      throw new LocalProtocolError(
        'ANYVIP_ATTRIBUTE_NOT_IN_SET',
        `${a.kind} belongs to each route (its next hop or NLRI), not to an attribute set`,
      );
    default:
      return assertNever(a);
  }
}

function segmentsText(segments: readonly AsPathSegment[]): string {
  return segments.map((s) => `${s.type}(${s.asns.join(' ')})`).join('');
}

function hexText(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16);
  return s;
}
