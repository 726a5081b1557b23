import { canonicalAddress, type IpFamily, type IpRange, parseAddress } from '../address/ip-range.js';
import {
  type ClusterEndpointSlice,
  type ClusterNode,
  type ClusterService,
  serviceKey,
  serviceNameLabel,
} from './cluster.js';
import {
  AddressBook,
  admitAddress,
  type Forbidden,
  type Holder,
  type Pool,
  type RefusalCode,
} from './ipam.js';
import { type PlacementRequest, placeBalanced } from './placement.js';

/**
 * The Kubernetes decisions of one pass, pure: which Services this instance handles, which
 * addresses each has (asked for, held, or allocated from the pools), which of them may be
 * announced at all (the allowed-range rule), and which nodes announce them
 * (externalTrafficPolicy, single-announcer placement). O(Services + endpoints) per pass,
 * plus one sort of the Services (oldest first wins a contested address).
 */

/** Annotations we read. */
export const Annotation = {
  addresses: 'anyvip.io/addresses',
  kubeVipAddresses: 'kube-vip.io/loadbalancerIPs',
  sharing: 'anyvip.io/allow-shared-ip',
  metallbSharing: 'metallb.universe.tf/allow-shared-ip',
  singleAnnouncer: 'anyvip.io/single-announcer',
  preferredNode: 'anyvip.io/preferred-node',
  pool: 'anyvip.io/pool',
} as const;

/** The Node label that keeps a node out of every load balancer (as the service controller honours it). */
export const excludeFromLoadBalancersLabel = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** One refused address (or annotation) with its stable code. */
export interface Refusal {
  readonly address: string;
  readonly code: RefusalCode;
  readonly reason: string;
}

/** The decision on one Service. */
export interface ServiceDecision {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
  /** Admitted addresses that are announced (where the policy says). */
  readonly addresses: readonly string[];
  /** What `status.loadBalancer.ingress` should hold (the leader writes it); undefined: leave it. */
  readonly ingress: readonly string[] | undefined;
  /** Nodes announcing; `all` for every eligible ready node (Cluster, ECMP). */
  readonly announcers: 'all' | readonly string[];
  /** The addresses this node announces. */
  readonly announcedHere: readonly string[];
  readonly refused: readonly Refusal[];
}

/** Carried between passes. */
export interface ServicesState {
  /** Service key → node → when (nowMs) it last had an endpoint of that Local Service. */
  readonly localSeen: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /**
   * Service key → addresses allocated but not yet seen in its status (the write is in flight):
   * they are claimed again before anything new is allocated, so a Service created meanwhile
   * cannot take them and the two status writes never race for one address.
   */
  readonly allocated: ReadonlyMap<string, readonly string[]>;
  /** Single-announcer Services this node was placed on in the last pass. */
  readonly singleMine?: ReadonlySet<string>;
  /**
   * Single-announcer Services placed elsewhere that this node still announces until (nowMs)
   * the hand-over ends: make-before-break, so the new node has bound and announced first.
   */
  readonly releasing?: ReadonlyMap<string, number>;
}

export const initialServicesState: ServicesState = { localSeen: new Map(), allocated: new Map() };

export interface ServicesInput {
  readonly services: readonly ClusterService[];
  readonly endpointSlices: readonly ClusterEndpointSlice[];
  readonly nodes: readonly ClusterNode[];
  readonly pools: readonly Pool[];
  /** `--allowed-range`, parsed. */
  readonly allowList: readonly IpRange[];
  readonly apiServerAddresses: readonly string[];
  readonly loadBalancerClass: string | undefined;
  readonly nodeName: string;
  readonly singleAnnouncer: boolean;
  readonly localGraceMs: number;
  readonly nowMs: number;
  /**
   * Nodes whose anyvip renews its node lease (desired/node-liveness.ts); single-announcer
   * placement takes only these. Undefined: no node leases, every Ready node counts.
   */
  readonly liveNodes?: ReadonlySet<string>;
  /** How long a single-announcer VIP placed elsewhere stays announced here (make-before-break). Default 0. */
  readonly handoverMs?: number;
}

export interface ServicesPlan {
  readonly state: ServicesState;
  readonly services: readonly ServiceDecision[];
  /** This node's VIPs, canonical, each once. */
  readonly announce: readonly string[];
  /** When a grace period ends (nowMs clock); undefined: none running. */
  readonly nextWakeMs: number | undefined;
}

/** Whether this instance handles `s`: type LoadBalancer and exactly our class (none: no class). */
export function handlesService(s: ClusterService, loadBalancerClass: string | undefined): boolean {
  if (s.spec?.type !== 'LoadBalancer') return false;
  const cls = s.spec.loadBalancerClass;
  return loadBalancerClass === undefined ? cls === undefined || cls === '' : cls === loadBalancerClass;
}

/** Node condition Ready is True. */
export function nodeReady(n: ClusterNode): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Nodes that may announce: Ready, and not labelled out of load balancers. Cordoned
 * (unschedulable) nodes stay in, as in Kubernetes since 1.26 (KEP-3458): their pods still
 * serve, and draining takes them out through endpoints (Local) or NotReady.
 */
export function eligibleNodes(nodes: readonly ClusterNode[]): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    const name = n.metadata?.name;
    if (name === undefined || !nodeReady(n)) continue;
    if (n.metadata?.labels?.[excludeFromLoadBalancersLabel] !== undefined) continue;
    out.push(name);
  }
  return out.sort();
}

/** Service key → nodes with a ready or serving endpoint, over all its slices; built once per pass. */
export function endpointNodesByService(slices: readonly ClusterEndpointSlice[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const sl of slices) {
    const svc = sl.metadata?.labels?.[serviceNameLabel];
    if (svc === undefined) continue;
    const key = `${sl.metadata?.namespace ?? ''}/${svc}`;
    for (const e of sl.endpoints ?? []) {
      // discovery/v1: an unset `ready` means ready; `serving` covers terminating endpoints.
      const c = e.conditions;
      if (e.nodeName === undefined || (c?.ready === false && c.serving !== true)) continue;
      let set = out.get(key);
      if (set === undefined) {
        set = new Set();
        out.set(key, set);
      }
      set.add(e.nodeName);
    }
  }
  return out;
}

/** The addresses a Service asks for: the first of our annotation, kube-vip's, spec.loadBalancerIP. */
function requestedAddresses(
  s: ClusterService,
): { readonly source: string; readonly texts: readonly string[] } | undefined {
  const ann = s.metadata?.annotations ?? {};
  for (const source of [Annotation.addresses, Annotation.kubeVipAddresses]) {
    const v = ann[source];
    if (v !== undefined && v.trim() !== '')
      return {
        source,
        texts: v
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== ''),
      };
  }
  const ip = s.spec?.loadBalancerIP;
  if (ip !== undefined && ip !== '') return { source: 'spec.loadBalancerIP', texts: [ip] };
  return undefined;
}

/** The families to allocate and whether each is required, from spec.ipFamilies / ipFamilyPolicy. */
function wantedFamilies(s: ClusterService): {
  readonly families: readonly IpFamily[];
  readonly requireAll: boolean;
} {
  const listed = (s.spec?.ipFamilies ?? []).flatMap((f): IpFamily[] =>
    f === 'IPv4' ? [4] : f === 'IPv6' ? [6] : [],
  );
  const first: IpFamily = listed[0] ?? 4;
  const policy = s.spec?.ipFamilyPolicy ?? 'SingleStack';
  if (policy === 'SingleStack') return { families: [first], requireAll: true };
  const both: IpFamily[] = [first, first === 4 ? 6 : 4];
  return { families: both, requireAll: policy === 'RequireDualStack' };
}

function creationMs(s: ClusterService): number {
  const t = s.metadata?.creationTimestamp;
  const ms = t === undefined ? Number.NaN : t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

interface Working {
  readonly service: ClusterService;
  readonly key: string;
  readonly namespace: string;
  readonly holder: Holder;
  readonly refused: Refusal[];
  /** Admitted and claimed: announced. */
  readonly addresses: string[];
  /** Allocated this pass: written to status by the leader, announced once status shows them. */
  readonly allocated: string[];
  /** Admitted address → its position in what the Service asked for or holds. */
  readonly order: Map<string, number>;
  /** Whether status is ours to write (asked for, or pools in use). */
  writesStatus: boolean;
}

/**
 * Plans every Service for one pass. Address sources, first present wins: the annotation
 * `anyvip.io/addresses` (comma-separated), kube-vip's `kube-vip.io/loadbalancerIPs`,
 * `spec.loadBalancerIP`; else what `status.loadBalancer.ingress` holds (our earlier
 * allocation), completed from the pools when some family is missing.
 */
export function planServices(prev: ServicesState, input: ServicesInput): ServicesPlan {
  const nodeAddresses = new Map<string, string>();
  for (const n of input.nodes)
    for (const a of n.status?.addresses ?? []) {
      const c = canonicalAddress(a.address);
      if (c !== undefined) nodeAddresses.set(c, n.metadata?.name ?? '');
    }
  const forbidden: Forbidden = {
    nodeAddresses,
    apiServerAddresses: new Set(input.apiServerAddresses.flatMap((a) => canonicalAddress(a) ?? [])),
  };
  const book = new AddressBook(input.pools, forbidden);
  const ours = input.services
    .filter((s) => handlesService(s, input.loadBalancerClass))
    .map((s) => ({ s, t: creationMs(s), key: serviceKey(s) }))
    .sort((a, b) => a.t - b.t || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  // Claims: every address a Service holds (status) or asks for. Held ones first, so a
  // newcomer's annotation cannot take an address away; within each, the oldest Service first.
  const work: Working[] = [];
  const granted: { readonly w: Working; readonly text: string }[] = [];
  const asked: { readonly w: Working; readonly text: string }[] = [];
  for (const { s, key } of ours) {
    const ann = s.metadata?.annotations ?? {};
    const namespace = s.metadata?.namespace ?? '';
    const sharing = ann[Annotation.sharing] ?? ann[Annotation.metallbSharing];
    const holder: Holder = {
      service: key,
      sharingKey: sharing === undefined || sharing === '' ? undefined : sharing,
      ports: (s.spec?.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`),
    };
    const w: Working = {
      service: s,
      key,
      namespace,
      holder,
      refused: [],
      addresses: [],
      allocated: [],
      order: new Map(),
      writesStatus: false,
    };
    work.push(w);
    const requested = requestedAddresses(s);
    const texts =
      requested?.texts ??
      (s.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined ? [] : [i.ip]));
    w.writesStatus = requested !== undefined || input.pools.length > 0;
    const held = new Set(
      (s.status?.loadBalancer?.ingress ?? []).flatMap((i) => canonicalAddress(i.ip ?? '') ?? []),
    );
    const order = w.order;
    for (const text of texts) {
      if (requested !== undefined && parseAddress(text) === undefined) {
        w.refused.push({
          address: text,
          code: 'ANYVIP_BAD_ANNOTATION',
          reason: `ANYVIP_BAD_ANNOTATION: ${requested.source} holds ${JSON.stringify(text)}, which is not an IP address`,
        });
        continue;
      }
      const verdict = admitAddress(
        text,
        namespace,
        input.pools,
        input.allowList,
        forbidden,
        s.metadata?.labels,
      );
      if (verdict.kind === 'refused') {
        w.refused.push({ address: text, code: verdict.code, reason: verdict.reason });
        continue;
      }
      if (order.has(verdict.text)) continue;
      order.set(verdict.text, order.size);
      // What a Service already holds in status comes before what another merely asks for.
      (requested === undefined || held.has(verdict.text) ? granted : asked).push({ w, text: verdict.text });
    }
  }

  for (const { w, text } of [...granted, ...asked]) {
    const c = book.claim(text, w.holder);
    if (c.kind === 'inUse')
      w.refused.push({
        address: text,
        code: 'ANYVIP_VIP_IN_USE',
        reason: `ANYVIP_VIP_IN_USE: ${text} is held by Service ${c.by} (sharing needs the same ${Annotation.sharing} on both and no common port)`,
      });
    else w.addresses.push(text);
  }
  for (const w of work)
    if (w.addresses.length > 1) w.addresses.sort((a, b) => (w.order.get(a) ?? 0) - (w.order.get(b) ?? 0));

  // Allocations still in flight keep their addresses, before anything new is handed out.
  const allocated = new Map<string, string[]>();
  if (input.pools.length > 0)
    for (const w of work) {
      const before = prev.allocated.get(w.key);
      if (before === undefined || requestedAddresses(w.service) !== undefined) continue;
      const pools = book.poolsFor(
        w.namespace,
        w.service.metadata?.annotations?.[Annotation.pool] || undefined,
        w.service.metadata?.labels,
      );
      for (const a of before) {
        const fam = parseAddress(a)?.family;
        if (w.addresses.some((x) => parseAddress(x)?.family === fam)) continue;
        const verdict = admitAddress(a, w.namespace, pools, [], forbidden, w.service.metadata?.labels);
        if (verdict.kind === 'allowed' && book.claim(a, w.holder).kind === 'claimed') w.allocated.push(a);
      }
    }

  // Allocation, for Services that ask for nothing and lack a family (same order).
  if (input.pools.length > 0)
    for (const w of work) {
      if (requestedAddresses(w.service) !== undefined) continue;
      const ann = w.service.metadata?.annotations ?? {};
      const poolName = ann[Annotation.pool];
      const pools = book.poolsFor(
        w.namespace,
        poolName === '' ? undefined : poolName,
        w.service.metadata?.labels,
      );
      if (poolName !== undefined && poolName !== '' && pools.length === 0) {
        w.refused.push({
          address: poolName,
          code: 'ANYVIP_POOL_UNKNOWN',
          reason: `ANYVIP_POOL_UNKNOWN: ${Annotation.pool} names ${JSON.stringify(poolName)}, which is no valid pool serving namespace ${w.namespace}`,
        });
        continue;
      }
      const { families, requireAll } = wantedFamilies(w.service);
      const have = new Set([...w.addresses, ...w.allocated].map((a) => parseAddress(a)?.family));
      const missing: IpFamily[] = [];
      for (const f of families) {
        if (have.has(f)) continue;
        const got = book.allocate(w.holder, f, pools);
        if (got === undefined) missing.push(f);
        else {
          w.allocated.push(got);
          have.add(f);
        }
      }
      if (w.allocated.length > 0) allocated.set(w.key, w.allocated);
      const failed = requireAll ? missing : have.size === 0 ? missing : [];
      for (const f of failed)
        w.refused.push({
          address: `IPv${f}`,
          code: 'ANYVIP_POOL_EXHAUSTED',
          reason: `ANYVIP_POOL_EXHAUSTED: no free IPv${f} address in ${pools.length === 0 ? 'any pool serving this namespace' : `pools ${pools.map((p) => p.name).join(', ')}`}`,
        });
    }

  // Where: eligible nodes, Local endpoints with grace, single-announcer placement.
  const ready = eligibleNodes(input.nodes);
  const readySet = new Set(ready);
  const endpoints = endpointNodesByService(input.endpointSlices);
  const localSeen = new Map<string, Map<string, number>>();
  let nextWakeMs: number | undefined;
  const localEligible = new Map<string, string[]>();
  const single: PlacementRequest[] = [];
  const singleRefusals = new Map<string, Refusal>();
  for (const w of work) {
    const s = w.service;
    const ann = s.metadata?.annotations ?? {};
    if (s.spec?.externalTrafficPolicy === 'Local') {
      const seen = new Map<string, number>();
      for (const n of endpoints.get(w.key) ?? []) seen.set(n, input.nowMs);
      for (const [n, t] of prev.localSeen.get(w.key) ?? []) {
        if (seen.has(n) || input.nowMs - t >= input.localGraceMs) continue;
        seen.set(n, t);
        const end = t + input.localGraceMs;
        nextWakeMs = nextWakeMs === undefined ? end : Math.min(nextWakeMs, end);
      }
      if (seen.size > 0) localSeen.set(w.key, seen);
      localEligible.set(w.key, [...seen.keys()].filter((n) => readySet.has(n)).sort());
    }
    const flag = ann[Annotation.singleAnnouncer];
    let isSingle = input.singleAnnouncer;
    if (flag === 'true') isSingle = true;
    else if (flag === 'false') isSingle = false;
    else if (flag !== undefined)
      singleRefusals.set(w.key, {
        address: flag,
        code: 'ANYVIP_BAD_ANNOTATION',
        reason: `ANYVIP_BAD_ANNOTATION: ${Annotation.singleAnnouncer} must be "true" or "false", not ${JSON.stringify(flag)}`,
      });
    if (isSingle)
      single.push({
        key: w.key,
        eligible: localEligible.get(w.key) ?? ready,
        preferred: ann[Annotation.preferredNode],
      });
  }
  // Single-announcer VIPs go only to nodes whose anyvip is alive (fresh node lease).
  const live = input.liveNodes;
  const placeable =
    live === undefined
      ? single
      : single.map((r) => ({ ...r, eligible: r.eligible.filter((n) => live.has(n)) }));
  const placed = placeBalanced(
    placeable,
    live === undefined ? ready.length : ready.filter((n) => live.has(n)).length,
  );
  const singleMine = new Set<string>();
  const releasing = new Map<string, number>();
  const handoverMs = input.handoverMs ?? 0;
  const singleKeys = new Set(single.map((r) => r.key));

  const announce = new Set<string>();
  const services: ServiceDecision[] = [];
  const here = input.nodeName;
  for (const w of work) {
    const bad = singleRefusals.get(w.key);
    if (bad !== undefined) w.refused.push(bad);
    const local = localEligible.get(w.key);
    let announcers: ServiceDecision['announcers'];
    let mine: boolean;
    if (singleKeys.has(w.key)) {
      const n = placed.get(w.key);
      announcers = n === undefined ? [] : [n];
      mine = n === here;
      if (mine) singleMine.add(w.key);
      else if (handoverMs > 0 && n !== undefined) {
        // Placed elsewhere: keep announcing until the hand-over ends (the new node binds and
        // announces meanwhile), so the VIP is never without a route.
        const until =
          prev.singleMine?.has(w.key) === true ? input.nowMs + handoverMs : prev.releasing?.get(w.key);
        if (until !== undefined && until > input.nowMs) {
          releasing.set(w.key, until);
          nextWakeMs = nextWakeMs === undefined ? until : Math.min(nextWakeMs, until);
          mine = true;
        }
      }
    } else if (local !== undefined) {
      announcers = local;
      mine = local.includes(here);
    } else {
      announcers = 'all';
      mine = readySet.has(here);
    }
    const announcedHere = mine ? w.addresses : [];
    for (const a of announcedHere) announce.add(a);
    services.push({
      key: w.key,
      namespace: w.namespace,
      name: w.service.metadata?.name ?? '',
      uid: w.service.metadata?.uid,
      addresses: w.addresses,
      ingress: w.writesStatus ? [...w.addresses, ...w.allocated] : undefined,
      announcers,
      announcedHere,
      refused: w.refused,
    });
  }
  return {
    state: { localSeen, allocated, singleMine, releasing },
    services,
    announce: [...announce],
    nextWakeMs,
  };
}
