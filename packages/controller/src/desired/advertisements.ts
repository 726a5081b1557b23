import { formatCommunity, formatLargeCommunity, parseCommunity, parseLargeCommunity } from '@anyvip/bgp/wire';
import type { PeerConfig } from '../config/schema.js';
import { compareCodeUnits } from './code-unit-order.js';
import type { AdvertisementSpec, FabricCondition, FabricObject } from './fabric.js';
import { matchesSelector } from './label-selector.js';
import { checkWithLastGood, type LastGood, lastGoodKey, refused, type Verdict } from './last-good.js';
import { GRACEFUL_SHUTDOWN } from './lifecycle.js';
import type { BgpRoute, RouteAttributes } from './types.js';

/**
 * Per-peer export from AnyvipAdvertisement objects (pure), as docs/configuration.md states:
 *
 * - with no accepted AnyvipAdvertisement, every VIP goes to every peer with its own attributes
 *   (flags alone keep working);
 * - once one exists, a VIP goes to a peer only if at least one advertisement that applies on
 *   this node (`nodeSelector`) selects both the VIP (a Service by `serviceSelector`,
 *   `namespaces`, `pools`) and the peer (`peerSelector` on the AnyvipPeer's labels; flag and
 *   node-annotation peers have none, so only an absent or empty selector takes them);
 * - the attributes of every advertisement selecting the pair combine: communities and large
 *   communities are the union (sorted, deduplicated; `noExport` adds NO_EXPORT), LOCAL_PREF the
 *   highest, MED the lowest, AS-path prepend the largest, on top of the VIP's own attributes.
 *
 * Nothing here adds a VIP: advertisements only choose among the routes the world already
 * allows (pools, allowed ranges, health), so a bad object can never announce an address.
 */

/** A Service a VIP belongs to, as advertisements select it. */
export interface VipOwner {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The pools (AnyvipPool or ConfigMap names) whose ranges hold the address. */
  readonly pools: readonly string[];
}

export interface ExportInput {
  readonly routes: ReadonlyMap<string, BgpRoute>;
  /**
   * Prefix → the Services it belongs to (several when shared); absent: a VIP of no Service.
   * Asked for only when some advertisement is in force (10,000 Services cost nothing otherwise).
   */
  readonly owners: () => ReadonlyMap<string, readonly VipOwner[]>;
  readonly peers: ReadonlyMap<string, PeerConfig>;
  readonly peerLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Undefined: the CRD is not installed. */
  readonly advertisements: readonly FabricObject<AdvertisementSpec>[] | undefined;
  readonly nodeLabels: Readonly<Record<string, string>>;
  readonly lastGood: ReadonlyMap<string, LastGood>;
}

export interface ExportPlan {
  /** Peer address → prefix → route: the complete export to each peer. */
  readonly routesByPeer: ReadonlyMap<string, ReadonlyMap<string, BgpRoute>>;
  readonly conditions: readonly FabricCondition[];
  readonly lastGood: ReadonlyMap<string, LastGood>;
}

/** An advertisement's attributes, checked and canonical. */
interface Policy {
  /** uid and generation of the spec in force: the same key is the same attributes. */
  readonly key: string;
  readonly spec: AdvertisementSpec;
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
}

const NO_EXPORT = formatCommunity(parseCommunity('NO_EXPORT'));

/**
 * A route's own attributes → advertisements in force (keys) → the combined attributes. The
 * same route with the same advertisements is one object for every peer and every pass, so the
 * sink sees "alike" and "unchanged" by identity (10,000 VIPs × peers, no deep compare) and the
 * speaker shares one attribute set. Memoization of a pure function (held weakly by the route's
 * attributes, which live as long as the route's world).
 */
const combinedAttributes = new WeakMap<RouteAttributes, Map<string, RouteAttributes>>();

export function computeExport(input: ExportInput): ExportPlan {
  const conditions: FabricCondition[] = [];
  const lastGood = new Map<string, LastGood>();
  const policies: Policy[] = [];
  for (const given of [...(input.advertisements ?? [])].sort((a, b) => compareCodeUnits(a.name, b.name))) {
    const checked = checkWithLastGood('AnyvipAdvertisement', given, input.lastGood, checkAdvertisement);
    conditions.push(checked.condition);
    if (checked.used === undefined) continue;
    const { o, verdict } = checked.used;
    lastGood.set(lastGoodKey('AnyvipAdvertisement', o), { generation: o.generation, spec: o.spec });
    policies.push({
      key: `${o.uid ?? o.name}@${o.generation ?? ''}`,
      spec: o.spec,
      communities: verdict.communities,
      largeCommunities: verdict.largeCommunities,
    });
  }

  const routesByPeer = new Map<string, ReadonlyMap<string, BgpRoute>>();
  if (policies.length === 0) {
    for (const address of input.peers.keys()) routesByPeer.set(address, input.routes);
    return { routesByPeer, conditions, lastGood };
  }
  const here = policies.filter((p) => matchesSelector(p.spec.nodeSelector, input.nodeLabels));
  const owners = input.owners();
  const combined = (own: RouteAttributes, selecting: readonly Policy[]): RouteAttributes => {
    const key = selecting.map((p) => p.key).join(',');
    let byKey = combinedAttributes.get(own);
    if (byKey === undefined) {
      byKey = new Map();
      combinedAttributes.set(own, byKey);
    }
    let a = byKey.get(key);
    if (a === undefined) {
      a = selecting.every(addsNothing) ? own : combine(own, selecting);
      byKey.set(key, a);
    }
    return a;
  };
  for (const address of input.peers.keys()) {
    const labels = input.peerLabels.get(address) ?? {};
    const forPeer = here.filter((p) => matchesSelector(p.spec.peerSelector, labels));
    const out = new Map<string, BgpRoute>();
    for (const [prefix, route] of input.routes) {
      const vipOwners = owners.get(prefix) ?? [];
      const selecting = forPeer.filter((p) => selectsVip(p.spec, vipOwners));
      if (selecting.length === 0) continue;
      out.set(prefix, { prefix, attributes: combined(route.attributes, selecting) });
    }
    routesByPeer.set(address, out);
  }
  return { routesByPeer, conditions, lastGood };
}

function selectsVip(spec: AdvertisementSpec, owners: readonly VipOwner[]): boolean {
  // A VIP of no Service (none in Kubernetes mode today) is selected only by an advertisement
  // that narrows nothing about Services.
  const list: readonly VipOwner[] = owners.length > 0 ? owners : [{ namespace: '', labels: {}, pools: [] }];
  return list.some(
    (o) =>
      matchesSelector(spec.serviceSelector, o.labels) &&
      (spec.namespaces === undefined ||
        spec.namespaces.length === 0 ||
        spec.namespaces.includes(o.namespace)) &&
      (spec.pools === undefined || spec.pools.length === 0 || spec.pools.some((p) => o.pools.includes(p))),
  );
}

/** An advertisement that only selects (no attribute of its own). */
function addsNothing(p: Policy): boolean {
  const s = p.spec;
  return (
    p.communities.length === 0 &&
    p.largeCommunities.length === 0 &&
    s.noExport !== true &&
    s.localPref === undefined &&
    s.med === undefined &&
    (s.asPathPrepend ?? 0) === 0
  );
}

function combine(own: RouteAttributes, policies: readonly Policy[]): RouteAttributes {
  const communities = new Set(own.communities);
  const large = new Set(own.largeCommunities);
  let localPref = own.localPref;
  let med = own.med;
  let prepend = own.asPathPrepend;
  for (const p of policies) {
    for (const c of p.communities) communities.add(c);
    for (const c of p.largeCommunities) large.add(c);
    if (p.spec.noExport === true) communities.add(NO_EXPORT);
    const s = p.spec;
    if (s.localPref !== undefined)
      localPref = localPref === undefined ? s.localPref : Math.max(localPref, s.localPref);
    if (s.med !== undefined) med = med === undefined ? s.med : Math.min(med, s.med);
    if (s.asPathPrepend !== undefined) prepend = Math.max(prepend, s.asPathPrepend);
  }
  return {
    ...own,
    communities: [...communities].sort(compareCommunity),
    largeCommunities: [...large].sort(compareCommunity),
    localPref,
    med,
    asPathPrepend: prepend,
  };
}

/** Numeric order, part by part (`65000:9` before `65000:100`). */
function compareCommunity(a: string, b: string): number {
  const x = a.split(':').map(Number);
  const y = b.split(':').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return compareCodeUnits(a, b);
}

type AdvertisementVerdict = Verdict<{
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
}>;

function checkAdvertisement(o: FabricObject<AdvertisementSpec>): AdvertisementVerdict {
  if (o.invalid !== undefined) return refused(o.invalidReason ?? 'InvalidSpec', o.invalid);
  const s = o.spec;
  const communities: string[] = [];
  for (const text of s.communities ?? []) {
    let value: number;
    try {
      value = parseCommunity(text);
    } catch {
      return refused('InvalidCommunity', `communities: ${JSON.stringify(text)} is not a community`);
    }
    const canonical = formatCommunity(value);
    if (canonical === GRACEFUL_SHUTDOWN)
      return refused(
        'InvalidCommunity',
        'communities: graceful-shutdown (65535:0) is anyvip’s own, set on shutdown (RFC 8326); remove it',
      );
    communities.push(canonical);
  }
  const largeCommunities: string[] = [];
  for (const text of s.largeCommunities ?? []) {
    try {
      largeCommunities.push(formatLargeCommunity(parseLargeCommunity(text)));
    } catch {
      return refused(
        'InvalidCommunity',
        `largeCommunities: ${JSON.stringify(text)} is not a large community`,
      );
    }
  }
  for (const [key, value, max] of [
    ['localPref', s.localPref, 0xffffffff],
    ['med', s.med, 0xffffffff],
    ['asPathPrepend', s.asPathPrepend, 16],
  ] as const)
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > max))
      return refused('InvalidSpec', `${key} must be 0-${max}, got ${value}`);
  return { kind: 'ok', communities, largeCommunities };
}
