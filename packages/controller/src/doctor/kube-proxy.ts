import type { Finding } from './finding.js';
import { type DoctorTarget, type HostFacts, sysctlInt } from './host-facts.js';

const STRICT_ARP_FIX =
  'kubectl -n kube-system get configmap kube-proxy -o yaml | sed -e "s/strictARP: false/strictARP: true/" | kubectl apply -f - && kubectl -n kube-system rollout restart daemonset kube-proxy';

/**
 * kube-proxy's mode, from its `/proxyMode` endpoint (127.0.0.1:10249) and the `kube-ipvs0`
 * device that IPVS mode creates.
 *
 * - iptables / nftables: a LoadBalancer IP is matched by DNAT rules without being bound
 *   anywhere; anyvip binds it to `lo` and announces it, nothing else claims it.
 * - IPVS: kube-proxy binds every ClusterIP and LoadBalancer IP to the dummy `kube-ipvs0`, so
 *   the node accepts VIP traffic even where anyvip withdrew the route (fine: the route is what
 *   attracts traffic), and anyvip's address on `lo` is a harmless duplicate. Without
 *   `strictARP: true` (which sets `arp_ignore=1`, `arp_announce=2` on `all`), the node answers
 *   ARP for all of those addresses on its uplinks.
 */
export function checkKubeProxy(facts: HostFacts, target: DoctorTarget): Finding[] {
  const ipvsDev = facts.interfaces.find((i) => i.name === 'kube-ipvs0');
  const mode = facts.kubeProxyMode ?? (ipvsDev !== undefined ? 'ipvs' : undefined);
  if (mode === undefined)
    return [
      {
        id: 'kube-proxy.absent',
        severity: 'info',
        seen: 'no answer from kube-proxy on 127.0.0.1:10249/proxyMode and no kube-ipvs0 device',
        why: 'not a Kubernetes node, or kube-proxy is replaced (Cilium kube-proxy replacement handles LoadBalancer IPs in eBPF and needs no address on a device)',
      },
    ];
  if (mode !== 'ipvs')
    return [
      {
        id: `kube-proxy.${mode}`,
        severity: 'ok',
        seen: `kube-proxy mode ${mode}${facts.kubeProxyMode === undefined ? ' (guessed)' : ''}`,
        why: 'LoadBalancer IPs are matched by rules, not bound to a device; anyvip binds them to lo',
      },
    ];
  const out: Finding[] = [];
  const onIpvs = new Set((ipvsDev?.addresses ?? []).map((a) => a.address));
  const vipsOnIpvs = target.vips.filter((v) => onIpvs.has(v));
  out.push({
    id: 'kube-proxy.ipvs',
    severity: 'info',
    seen: `kube-proxy mode ipvs; kube-ipvs0 holds ${onIpvs.size} addresses${vipsOnIpvs.length > 0 ? ` (VIPs among them: ${vipsOnIpvs.join(', ')})` : ''}`,
    why: 'IPVS binds LoadBalancer IPs to kube-ipvs0, so this node accepts VIP traffic whether or not it announces it; the BGP route alone decides where traffic goes',
  });
  const ignore = sysctlInt(facts, 'net.ipv4.conf.all.arp_ignore') ?? 0;
  const announce = sysctlInt(facts, 'net.ipv4.conf.all.arp_announce') ?? 0;
  if (ignore < 1 || announce < 2)
    out.push({
      id: 'kube-proxy.ipvs.strict-arp',
      severity: 'warning',
      seen: `net.ipv4.conf.all.arp_ignore ${ignore}, arp_announce ${announce}: strictARP is off`,
      why: 'every Service IP on kube-ipvs0 is answered by ARP on the uplinks; a VIP in an uplink subnet is claimed by every node',
      fix: STRICT_ARP_FIX,
    });
  return out;
}
