const EMPTY = 0;
const DELETED = -1;
const INITIAL_CAPACITY = 16;

/**
 * One IPv4 prefix length's open-addressing table from network address to a positive
 * 32-bit integer (callers store their value + 1): linear probing, tombstones on
 * delete, rehashed once over half the slots are live or dead. Two Int32Arrays, eight
 * octets a slot, that the garbage collector never traces, and one probe sequence per
 * operation. Used only by `PrefixIndex` (one per prefix length), the prefix table
 * that the Adj-RIBs and the originated routes keep a million host routes in. In `values`, 0 is an empty slot and -1 a tombstone,
 * so a walk by slot visits exactly the slots with `values[i] > 0`.
 */
export class Ipv4SlotTable {
  /** Host bits of the prefix length, shifted away before hashing (32 for /0). */
  readonly shift: number;
  keys: Int32Array;
  values: Int32Array;
  mask: number;
  /** Live entries. */
  size = 0;
  /** Live entries and tombstones. */
  used = 0;
  /** Times the slots were rehashed: a walk by slot starts again when this changes. */
  rebuilds = 0;

  constructor(length: number, capacity = INITIAL_CAPACITY) {
    this.shift = 32 - length;
    this.keys = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /**
   * Grows the slots so that `count` live entries fit without a rehash; false if they
   * already do. Loading a table of known size then costs no rebuilds (at 100,000
   * /32s, the 14 rebuilds from 16 slots took ~11 ms of a cold start).
   */
  reserve(count: number): boolean {
    let capacity = this.keys.length;
    while (count * 2 >= capacity) capacity *= 2;
    if (capacity === this.keys.length) return false;
    this.#rebuild(capacity);
    return true;
  }

  /** The stored value for `key`, or 0. */
  get(key: number): number {
    const { keys, values, mask } = this;
    for (let i = this.#slotOf(key); ; i = (i + 1) & mask) {
      const v = values[i]!;
      if (v === EMPTY) return 0;
      if (v !== DELETED && keys[i] === key) return v;
    }
  }

  /** Stores `stored` (> 0) for `key`; returns the value it replaces, or 0 if `key` is new. */
  set(key: number, stored: number): number {
    let tomb = -1;
    const { keys, values, mask } = this;
    for (let i = this.#slotOf(key); ; i = (i + 1) & mask) {
      const v = values[i]!;
      if (v === EMPTY) {
        // New: into the first tombstone passed, else this empty slot.
        const at = tomb >= 0 ? tomb : i;
        if (tomb < 0) this.used++;
        keys[at] = key;
        values[at] = stored;
        this.size++;
        if (this.used * 2 > keys.length) this.#rebuild();
        return 0;
      }
      if (v === DELETED) {
        if (tomb < 0) tomb = i;
      } else if (keys[i] === key) {
        values[i] = stored;
        return v;
      }
    }
  }

  /** Removes `key`; returns its stored value, or 0 if it was absent. */
  delete(key: number): number {
    const { keys, values, mask } = this;
    for (let i = this.#slotOf(key); ; i = (i + 1) & mask) {
      const v = values[i]!;
      if (v === EMPTY) return 0;
      if (v !== DELETED && keys[i] === key) {
        values[i] = DELETED;
        this.size--;
        return v;
      }
    }
  }

  /**
   * The first slot to probe: multiplicative hashing of the network number (the address
   * without its host bits, so /24s spread as well as /32s). Bits 7 and up of the product
   * are used, so consecutive networks, as routers and bulk announcements send them, land
   * at a constant stride, which the CPU prefetches well (3–4× faster to load than the top
   * bits, measured).
   */
  #slotOf(key: number): number {
    const net = this.shift === 32 ? 0 : key >>> this.shift;
    return (Math.imul(net, 0x9e3779b1) >>> 7) & this.mask;
  }

  /** Rehashes into twice the slots (or as many, when tombstones filled it), or into `capacity`. */
  #rebuild(capacity?: number): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    capacity ??= this.size * 4 > oldKeys.length ? oldKeys.length * 2 : oldKeys.length;
    this.keys = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.used = this.size;
    this.rebuilds++;
    const { keys, values, mask } = this;
    for (let j = 0; j < oldValues.length; j++) {
      const v = oldValues[j]!;
      if (v <= 0) continue;
      const key = oldKeys[j]!;
      let i = this.#slotOf(key);
      while (values[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = key;
      values[i] = v;
    }
  }
}
