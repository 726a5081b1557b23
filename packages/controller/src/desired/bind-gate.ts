import { compareCodeUnits } from './code-unit-order.js';
import type { BgpRoute, DesiredState, TableRoute, VipPlan } from './types.js';

/**
 * The bind gate: **never announce an address that is not there.** A VIP whose address should
 * be on the loopback device (`plan.bind`) but is not (iproute2 missing, CAP_NET_ADMIN denied,
 * the device gone) must not reach a router: a BGP route for it, or a kernel table route that
 * BIRD/FRR export, would draw traffic to a node that drops it (a blackhole).
 *
 * Pure: the desired state, what the loopback sink really holds and its failures (by VIP
 * prefix, or by another key for a failure about the device) in, the state the later
 * sinks (BGP, route table) may apply out. Each withheld VIP's plan says why
 * (`withheld`), which status, `/readyz`, metrics and Events show.
 *
 * A VIP that should not be bound (loopback disabled: the operator binds it some other way)
 * passes untouched; so does one whose route is not wanted anyway, and every VIP of a world
 * that holds no addresses (the `withdrawn` and `closed` lifecycle states).
 *
 * `held` and `failures` are the loopback sink's applied state, fed back by the reconcile
 * loop right after lo's add phase (reconcile/loop.ts `AppliedFeedback`), so the order within
 * one pass is bind, then announce.
 */
export function gateOnBinding(
  desired: DesiredState,
  held: ReadonlySet<string>,
  failures: ReadonlyMap<string, string> = new Map(),
): DesiredState {
  let withheld: Map<string, string> | undefined;
  // A failure not about one VIP (the device could not be read, `ip` is missing) explains them all.
  const general = [...failures].find(([key]) => !desired.vips.has(key))?.[1];
  for (const plan of desired.vips.values()) {
    // Only a VIP this world announces and binds (not one on its way out: shutting down, the
    // addresses go after the routes, and nothing is withheld).
    if (!plan.announce || !desired.loopback.addresses.has(plan.prefix) || held.has(plan.prefix)) continue;
    withheld ??= new Map();
    const cause = failures.get(plan.prefix) ?? general;
    withheld.set(
      plan.prefix,
      `address not bound to ${desired.loopback.device}${cause === undefined ? '' : `: ${cause}`}`,
    );
  }
  if (withheld === undefined) return desired;
  const vips = new Map<string, VipPlan>();
  for (const [prefix, plan] of desired.vips) {
    const reason = withheld.get(prefix);
    vips.set(prefix, reason === undefined ? plan : { ...plan, announce: false, withheld: reason });
  }
  // A plain loop: at 10,000 VIPs this runs on every early apply while lo is being bound.
  const keep = <V>(routes: ReadonlyMap<string, V>): Map<string, V> => {
    const kept = new Map<string, V>();
    for (const [prefix, route] of routes) if (!withheld.has(prefix)) kept.set(prefix, route);
    return kept;
  };
  return {
    ...desired,
    vips,
    bgp:
      desired.bgp === undefined
        ? undefined
        : {
            ...desired.bgp,
            routes: keep<BgpRoute>(desired.bgp.routes),
            routesByPeer: new Map(
              [...desired.bgp.routesByPeer].map(([peer, routes]) => [peer, keep<BgpRoute>(routes)]),
            ),
          },
    table: { ...desired.table, routes: keep<TableRoute>(desired.table.routes) },
  };
}

/** The VIPs the gate withheld, with why, in prefix order. Pure. */
export function withheldVips(desired: DesiredState): { readonly vip: string; readonly reason: string }[] {
  const out: { vip: string; reason: string }[] = [];
  for (const plan of desired.vips.values())
    if (plan.withheld !== undefined) out.push({ vip: plan.prefix, reason: plan.withheld });
  return out.sort((a, b) => compareCodeUnits(a.vip, b.vip));
}
