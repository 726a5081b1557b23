import type { PathAttribute } from '../../src/wire/attributes/path-attribute.js';
import { formatPrefix } from '../../src/wire/prefix.js';
import { parseUpdate } from '../../src/wire/update.js';
import type { RouterEnd } from './memory-transport.js';

/**
 * What a router holds after applying every UPDATE it was sent, in order (IPv4 classic
 * NLRI and withdrawals): CIDR text → `describe` of the route's attributes.
 */
export function routerRib<V>(
  router: RouterEnd,
  describe: (attributes: readonly PathAttribute[]) => V,
): Map<string, V> {
  const rib = new Map<string, V>();
  for (const m of router.ofKind('update')) {
    const u = parseUpdate(m, router.ctx);
    for (const p of u.withdrawn) rib.delete(formatPrefix(p));
    if (u.nlri.length === 0) continue;
    const value = describe(u.attributes);
    for (const p of u.nlri) rib.set(formatPrefix(p), value);
  }
  return rib;
}

/** The MED of a route, -1 without one. */
export function medOf(attributes: readonly PathAttribute[]): number {
  const a = attributes.find((x) => x.kind === 'med');
  return a?.kind === 'med' ? a.value : -1;
}
