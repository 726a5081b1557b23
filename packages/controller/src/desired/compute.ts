import { parsePrefix } from '@anyvip/bgp/wire';
import type { ControllerConfig, VipConfig } from '../config/schema.js';
import type { HealthLookup } from './health-gate.js';
import { computeLinkBandwidthCommunity, defaultLinkBandwidthConfig } from './link-bandwidth.js';
import { checkVipInPools, parseRanges } from './pools.js';
import type {
  BgpDesired,
  BgpRoute,
  DesiredState,
  LoopbackAddress,
  TableRoute,
  VipHealth,
  VipPlan,
} from './types.js';

/**
 * The one function that builds {@link DesiredState}: configuration and health in, what the
 * node should hold out. Pure and level-triggered: the same inputs always give the same state,
 * whatever happened before, so a pass can be repeated at any time.
 *
 * Per VIP:
 * - refused (outside `allowedRanges`): nothing;
 * - announced (BGP route, or kernel table route in table mode) only while its check is `up`
 *   (a VIP without a check is always up);
 * - bound to the loopback device once announced, and kept bound after its check went down
 *   when `loopback.keepWhenDown` (the default): routers stop sending new traffic as soon as
 *   the route is withdrawn, and packets already in flight are still accepted.
 */
export function computeDesiredState(config: ControllerConfig, health: HealthLookup): DesiredState {
  const ranges = parseRanges(config.allowedRanges);
  const vips = new Map<string, VipPlan>();
  const addresses = new Map<string, LoopbackAddress>();
  const bgpRoutes = new Map<string, BgpRoute>();
  const tableRoutes = new Map<string, TableRoute>();

  for (const vip of config.vips) {
    const verdict = checkVipInPools(parsePrefix(vip.prefix), ranges);
    const entry = vip.healthcheck === undefined ? undefined : health(vip.healthcheck);
    const state: VipHealth = vip.healthcheck === undefined ? 'none' : (entry?.state ?? 'unknown');
    const refused = verdict.kind === 'refused' ? verdict.reason : undefined;
    const announce = refused === undefined && (state === 'none' || state === 'up');
    const bind =
      refused === undefined &&
      config.loopback.enabled &&
      (announce || (config.loopback.keepWhenDown && (entry?.everUp ?? false)));
    vips.set(vip.prefix, {
      prefix: vip.prefix,
      address: vip.address,
      family: vip.family,
      healthcheck: vip.healthcheck,
      health: state,
      announce,
      bind,
      refused,
    });
    if (bind) addresses.set(vip.prefix, { prefix: vip.prefix, address: vip.address, family: vip.family });
    if (!announce) continue;
    if (config.mode === 'bgp')
      bgpRoutes.set(vip.prefix, { prefix: vip.prefix, attributes: attributesOf(vip, config) });
    else tableRoutes.set(vip.prefix, { prefix: vip.prefix, family: vip.family });
  }

  let bgp: BgpDesired | undefined;
  if (config.mode === 'bgp' && config.bgp !== undefined) {
    const { asn, routerId, listen, peers } = config.bgp;
    bgp = {
      speaker: { asn, routerId, listen },
      peers: new Map(peers.map((p) => [p.address, p])),
      routes: bgpRoutes,
    };
  }
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
  };
}

function attributesOf(vip: VipConfig, config: ControllerConfig): BgpRoute['attributes'] {
  const asn = config.bgp?.asn;
  return {
    communities: vip.communities,
    largeCommunities: vip.largeCommunities,
    med: vip.med,
    localPref: vip.localPref,
    asPathPrepend: vip.asPathPrepend,
    extendedCommunities:
      vip.weight === undefined || asn === undefined
        ? []
        : [
            computeLinkBandwidthCommunity(
              vip.weight,
              asn,
              config.bgp?.linkBandwidth ?? defaultLinkBandwidthConfig,
            ),
          ],
  };
}

/**
 * The state to converge to on shutdown: no routes and no addresses, while the speaker and its
 * peers stay, so that every VIP is withdrawn explicitly before the sessions end with Cease.
 */
export function computeShutdownState(last: DesiredState): DesiredState {
  return {
    vips: last.vips,
    loopback: { ...last.loopback, addresses: new Map() },
    bgp: last.bgp === undefined ? undefined : { ...last.bgp, routes: new Map() },
    table: { ...last.table, routes: new Map() },
  };
}
