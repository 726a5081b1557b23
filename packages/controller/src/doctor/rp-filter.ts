import type { Finding } from './finding.js';
import { type HostFacts, sysctlInt } from './host-facts.js';

/**
 * Reverse-path filtering (`net.ipv4.conf.*.rp_filter`; the kernel uses the larger of `all` and
 * the device's value). Strict mode (1) drops a packet whose source would not be routed back
 * out of the interface it came in on. With ECMP towards the node, several uplinks, or a VIP
 * answering from `lo`, traffic is asymmetric by design, so strict filtering on an uplink drops
 * VIP traffic. Loose mode (2), what Cilium and Calico recommend, keeps spoofing protection.
 * `default` is what new devices get; `lo` itself is never the ingress of VIP traffic but is
 * reported for completeness.
 */
export function checkRpFilter(facts: HostFacts): Finding[] {
  const all = sysctlInt(facts, 'net.ipv4.conf.all.rp_filter');
  const out: Finding[] = [];
  const devices = ['lo', ...facts.uplinks.filter((d) => d !== 'lo')];
  for (const dev of devices) {
    const own = sysctlInt(facts, `net.ipv4.conf.${dev}.rp_filter`);
    const id = `rp-filter.${dev}`;
    if (own === undefined && all === undefined) {
      out.push({ id, severity: 'info', seen: `rp_filter for ${dev} not readable`, why: 'cannot tell' });
      continue;
    }
    const effective = Math.max(all ?? 0, own ?? 0);
    const seen = `rp_filter all=${all ?? '?'} ${dev}=${own ?? '?'}: effective ${effective} (${modeName(effective)})`;
    if (effective !== 1 || dev === 'lo') {
      out.push({ id, severity: 'ok', seen, why: 'asymmetric VIP traffic is not dropped' });
      continue;
    }
    const fixes = [`sysctl -w net.ipv4.conf.${dev}.rp_filter=2`];
    if (all === 1) fixes.unshift('sysctl -w net.ipv4.conf.all.rp_filter=2');
    out.push({
      id,
      severity: 'warning',
      seen,
      why: `strict reverse-path filtering on uplink ${dev} drops VIP traffic that arrives on one uplink and is routed back out of another (ECMP, several uplinks)`,
      fix: fixes.join(' && '),
    });
  }
  const def = sysctlInt(facts, 'net.ipv4.conf.default.rp_filter');
  if (def === 1)
    out.push({
      id: 'rp-filter.default',
      severity: 'info',
      seen: 'net.ipv4.conf.default.rp_filter = 1 (strict)',
      why: 'interfaces created later (a new uplink, a VLAN) start strict',
      fix: 'sysctl -w net.ipv4.conf.default.rp_filter=2',
    });
  return out;
}

function modeName(v: number): string {
  return v === 0 ? 'off' : v === 1 ? 'strict' : v === 2 ? 'loose' : 'unknown';
}
