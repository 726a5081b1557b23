import type { DesiredState, LoopbackAddress } from '../../src/desired/types.js';

/**
 * A running desired state holding `prefixes` (IPv4) as loopback addresses and nothing else: what
 * the reconcile loop's fake sinks read.
 */
export function loopbackWorld(prefixes: readonly string[]): DesiredState {
  const addresses = new Map<string, LoopbackAddress>(
    prefixes.map((p) => [p, { prefix: p, address: p.split('/')[0] ?? '', family: 'ipv4' }]),
  );
  return {
    vips: new Map(),
    loopback: { device: 'lo', metric: 1, addresses },
    bgp: undefined,
    table: { table: 198, protocol: 248, device: 'lo', routes: new Map() },
    kubernetes: undefined,
    lifecycle: { kind: 'running' },
    carry: undefined,
    nextWakeMs: undefined,
  };
}
