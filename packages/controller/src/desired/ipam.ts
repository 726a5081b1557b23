import {
  formatAddress,
  type IpAddress,
  type IpFamily,
  type IpRange,
  parseAddress,
  parseRange,
  rangeContains,
} from '../address/ip-range.js';
import { type LabelSelector, matchesSelector } from './label-selector.js';

/**
 * Address pools, the allowed-range rule, and allocation (IPAM) for Kubernetes Services. Pure:
 * every pass rebuilds the book from what the Services hold (level-triggered), so an address is
 * released when its Service is deleted, and allocation is deterministic, so every node (and a
 * new leader) computes the same answer.
 *
 * Pools ConfigMap format (`data`): one key per pool, the key is the pool's name; the value is
 * lines, each either `namespaces: a, b` (the pool serves only those namespaces; without the
 * line it serves all) or addresses: CIDRs, `A-B` ranges (no spaces around the dash) or single
 * addresses, separated by commas or blanks, optionally after `addresses:`. `#` starts a
 * comment; YAML list dashes (`- 10.0.0.0/24`), quotes and brackets are ignored, so a YAML or
 * JSON list pasted in works too.
 */

/** One pool (a pools ConfigMap key or an AnyvipPool). */
export interface Pool {
  readonly name: string;
  readonly ranges: readonly IpRange[];
  /** Undefined: every namespace. */
  readonly namespaces: readonly string[] | undefined;
  /** AnyvipPool `serviceAllocation.serviceSelector`: only Services it selects may draw. Undefined: any. */
  readonly serviceSelector?: LabelSelector;
  /** AnyvipPool `autoAssign: false`: only Services asking for it (address or `anyvip.io/pool`) draw. Default true. */
  readonly autoAssign?: boolean;
}

/** A pools ConfigMap key that does not parse; the whole pool is ignored (never half of it). */
export interface PoolError {
  readonly code: 'ANYVIP_POOL_INVALID';
  readonly key: string;
  readonly reason: string;
}

/** Stable codes for refused addresses (they lead the refusal's reason text). */
export type RefusalCode =
  | 'ANYVIP_VIP_OUTSIDE_POOL'
  | 'ANYVIP_VIP_POOL_NAMESPACE'
  | 'ANYVIP_VIP_NODE_ADDRESS'
  | 'ANYVIP_VIP_API_SERVER'
  | 'ANYVIP_VIP_IN_USE'
  | 'ANYVIP_BAD_ADDRESS'
  | 'ANYVIP_BAD_ANNOTATION'
  | 'ANYVIP_POOL_EXHAUSTED'
  | 'ANYVIP_POOL_UNKNOWN';

/** Parses the pools ConfigMap's `data`; pools sorted by name, errors name their key. */
export function parsePools(data: Readonly<Record<string, string>> | undefined): {
  readonly pools: readonly Pool[];
  readonly errors: readonly PoolError[];
} {
  const pools: Pool[] = [];
  const errors: PoolError[] = [];
  for (const key of Object.keys(data ?? {}).sort()) {
    const text = data?.[key] ?? '';
    const ranges: IpRange[] = [];
    let namespaces: string[] | undefined;
    const problems: string[] = [];
    for (const raw of text.split('\n')) {
      let line = raw.replace(/#.*$/, '').trim();
      if (line.startsWith('- ')) line = line.slice(2).trim();
      if (line === '') continue;
      const ns = /^namespaces?\s*:(.*)$/.exec(line);
      const words = (ns?.[1] ?? line.replace(/^addresses\s*:/, ''))
        .split(/[\s,]+/)
        .map((w) => w.replace(/^[-"'[\]]+|["'[\]]+$/g, ''))
        .filter((w) => w !== '');
      if (ns !== null) {
        namespaces = [...(namespaces ?? []), ...words];
        continue;
      }
      for (const w of words) {
        const r = parseRange(w);
        if ('error' in r) problems.push(r.error);
        else ranges.push(r);
      }
    }
    if (problems.length === 0 && ranges.length === 0) problems.push('no addresses');
    if (problems.length > 0)
      errors.push({
        code: 'ANYVIP_POOL_INVALID',
        key,
        reason: `pools ConfigMap key ${JSON.stringify(key)}: ${problems.join('; ')}`,
      });
    else pools.push({ name: key, ranges, namespaces });
  }
  return { pools, errors };
}

/** The verdict on one address. */
export type Admission =
  | { readonly kind: 'allowed'; readonly address: IpAddress; readonly text: string }
  | { readonly kind: 'refused'; readonly code: RefusalCode; readonly reason: string };

/** Addresses never announced whatever the ranges say: every node's own, the API server's. */
export interface Forbidden {
  /** Canonical address → node name. */
  readonly nodeAddresses: ReadonlyMap<string, string>;
  /** Canonical. */
  readonly apiServerAddresses: ReadonlySet<string>;
}

function servesNamespace(
  p: Pool,
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return (
    (p.namespaces === undefined || p.namespaces.includes(namespace)) &&
    (p.serviceSelector === undefined || matchesSelector(p.serviceSelector, labels))
  );
}

/**
 * Whether a Service in `namespace` may have `text` announced: inside a pool that serves the
 * namespace or inside the allow list, and neither a node's address nor the API server's.
 * Nothing configured allows nothing (a Service must not pick an arbitrary network's address).
 */
export function admitAddress(
  text: string,
  namespace: string,
  pools: readonly Pool[],
  allowList: readonly IpRange[],
  forbidden: Forbidden,
  /** The Service's labels, for pools with a `serviceSelector`. */
  labels?: Readonly<Record<string, string>>,
): Admission {
  const a = parseAddress(text);
  if (a === undefined)
    return {
      kind: 'refused',
      code: 'ANYVIP_BAD_ADDRESS',
      reason: `ANYVIP_BAD_ADDRESS: ${JSON.stringify(text)} is not an IP address`,
    };
  const canonical = formatAddress(a);
  if (forbidden.apiServerAddresses.has(canonical))
    return {
      kind: 'refused',
      code: 'ANYVIP_VIP_API_SERVER',
      reason: `ANYVIP_VIP_API_SERVER: ${canonical} is the API server's address`,
    };
  const node = forbidden.nodeAddresses.get(canonical);
  if (node !== undefined)
    return {
      kind: 'refused',
      code: 'ANYVIP_VIP_NODE_ADDRESS',
      reason: `ANYVIP_VIP_NODE_ADDRESS: ${canonical} is an address of node ${node}`,
    };
  if (allowList.some((r) => rangeContains(r, a))) return { kind: 'allowed', address: a, text: canonical };
  const holders = pools.filter((p) => p.ranges.some((r) => rangeContains(r, a)));
  if (holders.some((p) => servesNamespace(p, namespace, labels)))
    return { kind: 'allowed', address: a, text: canonical };
  if (holders.length > 0)
    return {
      kind: 'refused',
      code: 'ANYVIP_VIP_POOL_NAMESPACE',
      reason: `ANYVIP_VIP_POOL_NAMESPACE: ${canonical} is in pool ${holders.map((p) => p.name).join(', ')}, which does not serve ${holders.some((p) => p.serviceSelector !== undefined) ? 'this Service in ' : ''}namespace ${namespace}`,
    };
  const ranges = [...pools.flatMap((p) => p.ranges), ...allowList].map((r) => r.text);
  return {
    kind: 'refused',
    code: 'ANYVIP_VIP_OUTSIDE_POOL',
    reason:
      ranges.length === 0
        ? `ANYVIP_VIP_OUTSIDE_POOL: ${canonical} is outside the allowed ranges (no pools and no --allowed-range configured)`
        : `ANYVIP_VIP_OUTSIDE_POOL: ${canonical} is outside the allowed ranges (${ranges.join(', ')})`,
  };
}

/** Who holds an address: sharing needs the same key on both and no port in common. */
export interface Holder {
  readonly service: string;
  /** `anyvip.io/allow-shared-ip` (or MetalLB's); undefined: exclusive. */
  readonly sharingKey: string | undefined;
  /** `PROTOCOL/port` of every `spec.ports[]` entry. */
  readonly ports: readonly string[];
}

function compatible(a: Holder, b: Holder): boolean {
  if (a.service === b.service) return true;
  if (a.sharingKey === undefined || a.sharingKey !== b.sharingKey) return false;
  return !a.ports.some((p) => b.ports.includes(p));
}

/**
 * The address book of one pass: claims first (addresses Services hold or ask for, oldest
 * Service first so it keeps a contested address), then allocation of the lowest free address.
 * Per range a cursor only moves forward within the pass, so allocating N addresses costs
 * O(N + addresses in use), not O(N²).
 */
export class AddressBook {
  readonly #held = new Map<string, Holder[]>();
  /** Sharing key → addresses held under it, so finding a shareable address is not a scan of the book. */
  readonly #shared = new Map<string, string[]>();
  readonly #cursor = new Map<IpRange, bigint>();
  readonly #pools: readonly Pool[];
  readonly #forbidden: Forbidden;

  constructor(pools: readonly Pool[], forbidden: Forbidden) {
    this.#pools = pools;
    this.#forbidden = forbidden;
  }

  /** Records `holder` on `address` (canonical); returns the conflicting Service when it may not. */
  claim(
    address: string,
    holder: Holder,
  ): { readonly kind: 'claimed' } | { readonly kind: 'inUse'; readonly by: string } {
    const list = this.#held.get(address);
    if (list === undefined) {
      this.#held.set(address, [holder]);
      this.#share(address, holder);
      return { kind: 'claimed' };
    }
    const clash = list.find((h) => !compatible(h, holder));
    if (clash !== undefined) return { kind: 'inUse', by: clash.service };
    if (!list.some((h) => h.service === holder.service)) list.push(holder);
    return { kind: 'claimed' };
  }

  #share(address: string, holder: Holder): void {
    if (holder.sharingKey === undefined) return;
    const list = this.#shared.get(holder.sharingKey);
    if (list === undefined) this.#shared.set(holder.sharingKey, [address]);
    else list.push(address);
  }

  /**
   * The pools a Service in `namespace` allocates from (optionally only `poolName`), namespaced
   * ones first; a pool with `autoAssign: false` only when named.
   */
  poolsFor(
    namespace: string,
    poolName: string | undefined,
    labels?: Readonly<Record<string, string>>,
  ): readonly Pool[] {
    const usable = this.#pools.filter(
      (p) =>
        servesNamespace(p, namespace, labels) &&
        (poolName === undefined ? p.autoAssign !== false : p.name === poolName),
    );
    return [
      ...usable.filter((p) => p.namespaces !== undefined),
      ...usable.filter((p) => p.namespaces === undefined),
    ];
  }

  /**
   * Gives `holder` an address of `family` from `pools`: one it may share (same sharing key,
   * disjoint ports) if any, else the lowest free one. Undefined when the pools are full.
   */
  allocate(holder: Holder, family: IpFamily, pools: readonly Pool[]): string | undefined {
    if (holder.sharingKey !== undefined)
      for (const address of this.#shared.get(holder.sharingKey) ?? []) {
        const list = this.#held.get(address) ?? [];
        if (!list.every((h) => compatible(h, holder)) || list.every((h) => h.service === holder.service))
          continue;
        const a = parseAddress(address);
        if (a === undefined || a.family !== family) continue;
        if (!pools.some((p) => p.ranges.some((r) => rangeContains(r, a)))) continue;
        list.push(holder);
        return address;
      }
    for (const p of pools)
      for (const r of p.ranges) {
        if (r.family !== family) continue;
        let v = this.#cursor.get(r) ?? r.first;
        for (; v <= r.last; v++) {
          const text = formatAddress({ family, value: v });
          if (
            this.#held.has(text) ||
            this.#forbidden.nodeAddresses.has(text) ||
            this.#forbidden.apiServerAddresses.has(text)
          )
            continue;
          this.#cursor.set(r, v + 1n);
          this.#held.set(text, [holder]);
          this.#share(text, holder);
          return text;
        }
        this.#cursor.set(r, v);
      }
    return undefined;
  }
}
