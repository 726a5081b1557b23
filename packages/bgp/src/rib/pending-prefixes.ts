import { ipv4Prefix, type Prefix } from '../wire/prefix.js';

/**
 * Checked prefixes waiting to be applied in order (`announceMany`, `withdrawMany` check every
 * prefix before applying any). An IPv4 prefix is kept as two numbers in one packed array
 * rather than as its object, so a million generated /32s do not live through the check as a
 * million objects; an IPv6 prefix is kept as itself (marked -1 and its index). `forEach`
 * visits equal Prefix values in the order they were pushed.
 */
export class PendingPrefixes {
  /** Pairs: (IPv4 address, length), or (-1, index into #v6). */
  readonly #order: number[] = [];
  readonly #v6: Prefix[] = [];
  /** Bit 1: an IPv4 prefix was pushed; bit 2: an IPv6 one. */
  families = 0;

  /** Adds a checked prefix (canonical: host bits clear, no path identifier). */
  push(prefix: Prefix): void {
    this.families |= prefix.afi;
    if (prefix.afi === 1) this.#order.push(prefix.v4, prefix.length);
    else this.#order.push(-1, this.#v6.push(prefix) - 1);
  }

  forEach(visit: (prefix: Prefix) => void): void {
    const order = this.#order;
    for (let k = 0; k < order.length; k += 2) {
      const a = order[k] as number;
      const b = order[k + 1] as number;
      visit(a === -1 ? (this.#v6[b] as Prefix) : ipv4Prefix(a, b));
    }
  }
}
