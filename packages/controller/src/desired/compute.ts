import { parseAddress, rangeContains } from '../address/ip-range.js';
import { defaultLinkBandwidthConfig } from '../config/link-bandwidth.js';
import type { ControllerConfig, FamilyName, VipConfig } from '../config/schema.js';
import { computeExport, type ExportPlan, type VipOwner } from './advertisements.js';
import { computeAnnouncedBy } from './announced-by.js';
import { computeApiServerAddresses } from './api-server-addresses.js';
import { serviceKey } from './cluster.js';
import type { FabricCondition, FabricSnapshot } from './fabric.js';
import { mergePools, withPoolUsage } from './fabric-pools.js';
import type { HealthLookup } from './health.js';
import { type Pool, type PoolError, parsePools } from './ipam.js';
import type { LastGood } from './last-good.js';
import { GRACEFUL_SHUTDOWN, type Lifecycle, running } from './lifecycle.js';
import { computeLinkBandwidthCommunity } from './link-bandwidth.js';
import { computeLiveNodes } from './node-liveness.js';
import type { ClusterInput, ClusterMemory, Observation } from './observation.js';
import { computeNodePeers, type NodePeersPlan } from './peers.js';
import { planServices, type ServicesPlan } from './services.js';
import type {
  BgpDesired,
  BgpRoute,
  DesiredState,
  KubernetesDesired,
  LoopbackAddress,
  RouteAttributes,
  ServiceDesired,
  TableRoute,
  VipHealth,
  VipPlan,
} from './types.js';
import { dampWeights } from './weight-damping.js';
import { computeLocalWeights } from './weighted-ecmp.js';

/**
 * The one function that builds the desired world ({@link DesiredState}): what the observers
 * saw in, what every sink should make true out (routes and attributes per peer, addresses on
 * lo, table routes, Service status, Kubernetes Events, the speaker's end). Pure and
 * level-triggered: the same observation always gives the same world, whatever happened
 * before, so a pass can be repeated at any time.
 *
 * Per VIP (from the configuration, or a Service address this node announces):
 * - announced (BGP route, or kernel table route in table mode) only while its check is `up`
 *   (a VIP without a check, as every Service address, is always up);
 * - bound to the loopback device once announced, and kept bound after its check went down
 *   when `loopback.keepWhenDown` (the default): routers stop sending new traffic as soon as
 *   the route is withdrawn, and packets already in flight are still accepted.
 *
 * The allowed-range rule is decided once per mode: a configuration file's VIPs at load
 * (`parseConfig` refuses the file), a Service's addresses in desired/services.ts.
 */
export function computeDesiredWorld(o: Observation): DesiredState {
  const { config, lifecycle } = o;
  const plan = o.cluster === undefined ? undefined : planCluster(o.cluster, o.nowMs, config);
  const sources: VipSource[] = config.vips.map((vip) => sourceOfConfig(vip, config));
  const owners = plan === undefined ? undefined : servicesByAddress(plan.plan);
  for (const a of plan?.plan.announce ?? [])
    sources.push(sourceOfAddress(a, plan?.weights.get(a), config, owners?.get(a)));

  const holds =
    lifecycle.kind === 'running' || lifecycle.kind === 'gracefulShutdown' || lifecycle.kind === 'restart';
  // Withdraw before unbind: `withdrawn` keeps the addresses, only `closed` removes them.
  const bound = holds || lifecycle.kind === 'withdrawn';
  const vips = new Map<string, VipPlan>();
  const addresses = new Map<string, LoopbackAddress>();
  const bgpRoutes = new Map<string, BgpRoute>();
  const tableRoutes = new Map<string, TableRoute>();
  for (const vip of sources) {
    const entry = vip.healthcheck === undefined ? undefined : o.health(vip.healthcheck);
    const state: VipHealth = vip.healthcheck === undefined ? 'none' : (entry?.state ?? 'unknown');
    const announce = state === 'none' || state === 'up';
    const bind =
      config.loopback.enabled && (announce || (config.loopback.keepWhenDown && (entry?.everUp ?? false)));
    vips.set(vip.prefix, {
      prefix: vip.prefix,
      address: vip.address,
      family: vip.family,
      healthcheck: vip.healthcheck,
      health: state,
      announce,
      bind,
      refused: undefined,
      ...(vip.services !== undefined ? { services: vip.services } : {}),
    });
    if (!bound) continue;
    if (bind) addresses.set(vip.prefix, { prefix: vip.prefix, address: vip.address, family: vip.family });
    if (!holds || !announce) continue;
    if (config.mode === 'bgp')
      bgpRoutes.set(vip.prefix, { prefix: vip.prefix, attributes: withLifecycle(vip.attributes, lifecycle) });
    else tableRoutes.set(vip.prefix, { prefix: vip.prefix, family: vip.family });
  }

  let bgp: BgpDesired | undefined;
  let exported: ExportPlan | undefined;
  if (config.mode === 'bgp' && config.bgp !== undefined) {
    const { asn, routerId, listen, peers } = config.bgp;
    const node = plan?.peers;
    const speaker =
      node !== undefined ? node.speaker : routerId === undefined ? undefined : { asn, routerId };
    const peerMap = node === undefined ? new Map(peers.map((p) => [p.address, p])) : node.peers;
    exported =
      plan === undefined || node === undefined
        ? undefined
        : computeExport({
            routes: bgpRoutes,
            owners: () => plan.owners(bgpRoutes),
            peers: peerMap,
            peerLabels: node.peerLabels,
            advertisements: plan.fabric?.advertisements,
            nodeLabels: plan.nodeLabels,
            lastGood: plan.lastGood,
          });
    if (speaker !== undefined)
      bgp = {
        speaker: { ...speaker, listen },
        peers: peerMap,
        routes: bgpRoutes,
        routesByPeer: exported?.routesByPeer ?? new Map([...peerMap.keys()].map((a) => [a, bgpRoutes])),
        restarting: o.restarting,
        ...(o.clusterPending === true ? { incomplete: true as const } : {}),
        end: endOf(lifecycle),
      };
  }
  const kubernetes: KubernetesDesired | undefined =
    plan === undefined
      ? undefined
      : {
          ...plan.kubernetes,
          fabric: {
            conditions: [
              ...(plan.peers?.conditions ?? []),
              ...(exported?.conditions ?? []),
              ...plan.poolConditions,
            ],
            nodeWarnings: plan.peers?.nodeWarnings ?? [],
            nodeName: o.cluster?.settings.nodeName ?? '',
          },
        };
  const lastGood = new Map([
    ...(plan?.peers?.lastGood ?? []),
    ...(exported?.lastGood ?? []),
    ...(plan?.poolsLastGood ?? []),
  ]);
  return {
    vips,
    loopback: { device: config.loopback.device, metric: config.loopback.metric, addresses },
    bgp,
    table: {
      table: config.table.id,
      protocol: config.table.protocol,
      device: config.loopback.device,
      routes: tableRoutes,
    },
    // Shutting down or restarting, the cluster is not told: Services keep their status, and
    // a node going away must not spam Withdrawn Events (its routes say it all).
    kubernetes:
      lifecycle.kind === 'running' && kubernetes !== undefined
        ? { ...kubernetes, ...(o.sessions !== undefined ? { sessions: o.sessions } : {}) }
        : undefined,
    lifecycle,
    carry: plan === undefined ? undefined : { ...plan.carry, lastGood },
    // Graceful shutdown holds the routes (with 65535:0) until its wait ends, then withdrawn holds
    // the addresses until its own; the runtime moves on at each wake-up.
    nextWakeMs:
      lifecycle.kind === 'gracefulShutdown' || lifecycle.kind === 'withdrawn'
        ? lifecycle.untilMs
        : plan?.nextWakeMs,
  };
}

/**
 * Standalone and control-plane modes' world for a configuration and health, running. Kept
 * for callers that have no cluster and no lifecycle (tests, tools).
 */
export function computeDesiredState(config: ControllerConfig, health: HealthLookup): DesiredState {
  return computeDesiredWorld({
    config,
    health,
    cluster: undefined,
    lifecycle: running,
    restarting: false,
    nowMs: 0,
  });
}

/**
 * The state to converge to on shutdown: no routes and no addresses, while the speaker and its
 * peers stay, so that every VIP is withdrawn explicitly before the sessions end with Cease.
 * (The `withdrawn` lifecycle state of {@link computeDesiredWorld}, from a world already computed.)
 */
export function computeShutdownState(last: DesiredState): DesiredState {
  return {
    ...last,
    loopback: { ...last.loopback, addresses: new Map() },
    bgp:
      last.bgp === undefined
        ? undefined
        : {
            ...last.bgp,
            routes: new Map(),
            routesByPeer: new Map([...last.bgp.routesByPeer.keys()].map((a) => [a, new Map()])),
          },
    table: { ...last.table, routes: new Map() },
    kubernetes: undefined,
    lifecycle: { kind: 'withdrawn' },
  };
}

/** A VIP as the world computes it, from a configuration row or a Service address. */
interface VipSource {
  readonly prefix: string;
  readonly address: string;
  readonly family: FamilyName;
  readonly healthcheck: string | undefined;
  readonly attributes: RouteAttributes;
  /** The Services a Service address belongs to (`namespace/name`, sorted). */
  readonly services?: readonly string[];
}

const noAttributes: RouteAttributes = {
  communities: [],
  largeCommunities: [],
  med: undefined,
  localPref: undefined,
  asPathPrepend: 0,
  extendedCommunities: [],
};

function sourceOfConfig(vip: VipConfig, config: ControllerConfig): VipSource {
  return {
    prefix: vip.prefix,
    address: vip.address,
    family: vip.family,
    healthcheck: vip.healthcheck,
    attributes: {
      communities: vip.communities,
      largeCommunities: vip.largeCommunities,
      med: vip.med,
      localPref: vip.localPref,
      asPathPrepend: vip.asPathPrepend,
      extendedCommunities: weightCommunities(vip.weight, config),
    },
  };
}

/**
 * A Service address (canonical text, from desired/services.ts): a host prefix, no check, no
 * attributes but the link bandwidth of a weighted ECMP VIP (desired/weighted-ecmp.ts).
 */
function sourceOfAddress(
  address: string,
  weight: number | undefined,
  config: ControllerConfig,
  services: readonly string[] | undefined,
): VipSource {
  const v6 = address.includes(':');
  return {
    ...(services !== undefined ? { services } : {}),
    prefix: `${address}/${v6 ? 128 : 32}`,
    address,
    family: v6 ? 'ipv6' : 'ipv4',
    healthcheck: undefined,
    attributes:
      weight === undefined
        ? noAttributes
        : { ...noAttributes, extendedCommunities: weightCommunities(weight, config) },
  };
}

/** A VIP's weight as the link-bandwidth extended community (none without a weight or an AS). */
function weightCommunities(weight: number | undefined, config: ControllerConfig): readonly string[] {
  const asn = config.bgp?.asn;
  if (weight === undefined || asn === undefined) return [];
  return [
    computeLinkBandwidthCommunity(weight, asn, config.bgp?.linkBandwidth ?? defaultLinkBandwidthConfig),
  ];
}

function withLifecycle(a: RouteAttributes, lifecycle: Lifecycle): RouteAttributes {
  if (lifecycle.kind !== 'gracefulShutdown' || a.communities.includes(GRACEFUL_SHUTDOWN)) return a;
  return { ...a, communities: [...a.communities, GRACEFUL_SHUTDOWN] };
}

function endOf(lifecycle: Lifecycle): BgpDesired['end'] {
  if (lifecycle.kind === 'closed') return { reason: lifecycle.reason, restart: false };
  if (lifecycle.kind === 'restart') return { reason: lifecycle.reason, restart: true };
  return undefined;
}

/** Parsed pools by the ConfigMap data object they came from: parsed once per change, not per pass. */
const parsedPools = new WeakMap<
  object,
  { readonly pools: readonly Pool[]; readonly errors: readonly PoolError[] }
>();
const noPools = { pools: [], errors: [] } as const;

function poolsOf(data: Readonly<Record<string, string>> | undefined): {
  readonly pools: readonly Pool[];
  readonly errors: readonly PoolError[];
} {
  if (data === undefined) return noPools;
  let parsed = parsedPools.get(data);
  if (parsed === undefined) {
    parsed = parsePools(data);
    parsedPools.set(data, parsed);
  }
  return parsed;
}

/** Kubernetes mode's part of the world, and what it carries to the next computation. */
interface ClusterPlan {
  readonly plan: ServicesPlan;
  /** This node's speaker and peers (mode bgp). */
  readonly peers: NodePeersPlan | undefined;
  readonly fabric: FabricSnapshot | undefined;
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** The Services each announced prefix belongs to, for advertisements. */
  readonly owners: (routes: ReadonlyMap<string, BgpRoute>) => ReadonlyMap<string, readonly VipOwner[]>;
  readonly poolConditions: readonly FabricCondition[];
  readonly poolsLastGood: ReadonlyMap<string, LastGood>;
  /** What the previous computation kept in force. */
  readonly lastGood: ReadonlyMap<string, LastGood>;
  /** Weighted ECMP: address → the weight announced now (damped). */
  readonly weights: ReadonlyMap<string, number>;
  readonly kubernetes: Omit<KubernetesDesired, 'fabric'>;
  readonly carry: ClusterMemory;
  /** The earliest of a grace period's end and a held weight change falling due. */
  readonly nextWakeMs: number | undefined;
}

function planCluster(c: ClusterInput, nowMs: number, config: ControllerConfig): ClusterPlan {
  const { snapshot, settings } = c;
  const configMapPools = poolsOf(snapshot.poolsData);
  const errors = configMapPools.errors;
  const fabric = snapshot.fabric;
  const lastGood = c.memory.lastGood ?? new Map<string, LastGood>();
  const merged = mergePools(configMapPools.pools, fabric?.pools, lastGood);
  const pools = merged.pools;
  const node = snapshot.nodes.find((n) => n.metadata?.name === settings.nodeName);
  const peers =
    config.mode === 'bgp'
      ? computeNodePeers({
          flags: config.bgp,
          nodeName: settings.nodeName,
          node,
          peers: fabric?.peers,
          secrets: fabric?.secrets ?? new Map(),
          ...(fabric?.pendingSecrets !== undefined ? { pendingSecrets: fabric.pendingSecrets } : {}),
          network: fabric?.network,
          kubeVipPrefix: settings.kubeVipAnnotationPrefix ?? 'kube-vip.io',
          lastGood,
        })
      : undefined;
  const interval = settings.nodeLeaseIntervalMs;
  const leases = snapshot.nodeLeases;
  const live =
    leases !== undefined && interval !== undefined
      ? computeLiveNodes(leases, 3 * interval, settings.nodeName)
      : undefined;
  const plan = planServices(c.memory.services, {
    services: snapshot.services,
    endpointSlices: snapshot.endpointSlices,
    nodes: snapshot.nodes,
    pools,
    allowList: settings.allowList,
    // From the cluster itself (default/kubernetes), the same on every node: never announced.
    apiServerAddresses: computeApiServerAddresses(snapshot.services, snapshot.endpointSlices),
    loadBalancerClass: settings.loadBalancerClass,
    nodeName: settings.nodeName,
    singleAnnouncer: settings.singleAnnouncer,
    localGraceMs: settings.localGraceMs,
    nowMs,
    ...(live !== undefined ? { liveNodes: live } : {}),
    // Make-before-break: a VIP placed elsewhere stays here one lease interval longer.
    handoverMs: interval ?? 0,
  });
  const announcedBy =
    snapshot.leader && snapshot.nodeStatuses !== undefined
      ? computeAnnouncedBy(snapshot.nodeStatuses, snapshot.nodes, nowMs, live)
      : undefined;
  const services = new Map<string, ServiceDesired>();
  for (const s of plan.services)
    services.set(s.key, {
      namespace: s.namespace,
      name: s.name,
      uid: s.uid,
      ingress: snapshot.leader ? s.ingress : undefined,
      announcedHere: s.announcedHere,
      refused: s.refused,
      addresses: s.addresses,
      announcers: s.announcers,
      ...(announcedBy !== undefined ? { announcedBy: announcedBy.get(s.key) ?? [] } : {}),
    });
  // Weighted ECMP: each weighted VIP's ready endpoints here, at most one change per VIP per
  // interval (the held change wakes the loop when it falls due).
  const damped = dampWeights(
    c.memory.weights,
    computeLocalWeights({
      services: snapshot.services,
      endpointSlices: snapshot.endpointSlices,
      nodeName: settings.nodeName,
      globalDefault: settings.weightedEcmp,
      announcedHere: new Map(plan.services.map((s) => [s.key, s.announcedHere])),
    }),
    nowMs,
    settings.weightedEcmpIntervalMs,
  );
  const labelsOf = new Map(snapshot.services.map((s) => [serviceKey(s), s.metadata?.labels ?? {}]));
  const owners = (routes: ReadonlyMap<string, BgpRoute>): ReadonlyMap<string, readonly VipOwner[]> => {
    const out = new Map<string, VipOwner[]>();
    for (const s of plan.services)
      for (const a of s.announcedHere) {
        const prefix = `${a}/${a.includes(':') ? 128 : 32}`;
        if (!routes.has(prefix)) continue;
        const address = parseAddress(a);
        const owner: VipOwner = {
          namespace: s.namespace,
          labels: labelsOf.get(s.key) ?? {},
          pools:
            address === undefined
              ? []
              : pools.filter((p) => p.ranges.some((r) => rangeContains(r, address))).map((p) => p.name),
        };
        const list = out.get(prefix);
        if (list === undefined) out.set(prefix, [owner]);
        else list.push(owner);
      }
    return out;
  };
  return {
    plan,
    peers,
    fabric,
    nodeLabels: node?.metadata?.labels ?? {},
    owners,
    // Usage counts what Services hold (status) or were just given, once per pass.
    poolConditions: withPoolUsage(merged.conditions, pools, () =>
      plan.services.flatMap((s) => [...s.addresses, ...(s.ingress ?? [])]),
    ),
    poolsLastGood: merged.lastGood,
    lastGood,
    weights: damped.weights,
    carry: { services: plan.state, weights: damped.state },
    nextWakeMs: earliest(plan.nextWakeMs, damped.nextWakeMs),
    kubernetes: {
      services,
      leader: snapshot.leader,
      poolErrors: errors,
      poolsConfigMap: settings.poolsConfigMap,
      nodeName: settings.nodeName,
    },
  };
}

/** Address → the Services announcing it from here (`namespace/name`, sorted; shared addresses have several). */
function servicesByAddress(plan: ServicesPlan): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of plan.services)
    for (const a of s.announcedHere) {
      const keys = out.get(a);
      if (keys === undefined) out.set(a, [s.key]);
      else if (!keys.includes(s.key)) keys.push(s.key);
    }
  for (const keys of out.values()) keys.sort();
  return out;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
