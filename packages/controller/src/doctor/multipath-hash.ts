import type { Finding } from './finding.js';
import { type HostFacts, sysctlInt } from './host-facts.js';

const POLICIES: Readonly<Record<number, string>> = {
  0: 'layer 3 (addresses only)',
  1: 'layer 4 (addresses, ports, protocol)',
  2: 'layer 3, inner header for tunnels',
  3: 'custom fields (fib_multipath_hash_fields)',
};

/**
 * `net.ipv4.fib_multipath_hash_policy` and `net.ipv6.fib_multipath_hash_policy`. They decide
 * how a Linux router spreads flows over ECMP next hops: with policy 0 every flow from one
 * client address takes the same node, so one busy client (or a NAT) lands on one node. It
 * matters where this host forwards to the VIPs over several next hops (a Linux router, the
 * lab's), not on a node that only originates them, so a non-L4 policy is `info`.
 */
export function checkMultipathHash(facts: HostFacts): Finding[] {
  return (['ipv4', 'ipv6'] as const).map((family) => {
    const name = `net.${family}.fib_multipath_hash_policy`;
    const value = sysctlInt(facts, name);
    const id = `multipath-hash.${family}`;
    if (value === undefined)
      return { id, severity: 'info', seen: `${name} not readable`, why: 'kernel without multipath hashing' };
    const seen = `${name} = ${value} (${POLICIES[value] ?? 'unknown'})`;
    if (value === 1 || value === 3)
      return { id, severity: 'ok', seen, why: 'flows spread by ports too over ECMP next hops' };
    return {
      id,
      severity: 'info',
      seen,
      why: 'on a Linux router in front of anyvip nodes, ECMP hashes by address only: all flows of one client go to one node',
      fix: `sysctl -w ${name}=1 && echo '${name} = 1' > /etc/sysctl.d/90-anyvip-multipath.conf`,
    };
  });
}
