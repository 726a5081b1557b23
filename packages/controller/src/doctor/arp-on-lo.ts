import type { Finding } from './finding.js';
import { type DoctorTarget, type HostFacts, type InterfaceAddress, sysctlInt } from './host-facts.js';

/**
 * ARP for IPv4 addresses on `lo`. Linux answers ARP for any local address on any interface by
 * default (`arp_ignore=0`), so a VIP bound to `lo` is also claimed by ARP on every uplink:
 * when the VIP lies inside an uplink's subnet, every node answers for it and the segment's
 * traffic goes wherever the last reply won, bypassing BGP. `arp_ignore=1` answers only for
 * addresses on the receiving interface; `arp_announce=2` keeps the VIP out of the source
 * address of our own ARP requests (the pair IPVS direct routing and kube-proxy's strictARP
 * set). The kernel uses the larger of `all` and the device's value. IPv6 neighbour discovery
 * answers only for the receiving interface's addresses, so only IPv4 is checked.
 */
export function checkArpOnLo(facts: HostFacts, target: DoctorTarget): Finding[] {
  const lo = facts.interfaces.find((i) => i.name === target.loopbackDevice);
  const vips = new Set(target.vips);
  const onLo = (lo?.addresses ?? []).filter(
    (a) =>
      a.family === 'ipv4' &&
      !a.address.startsWith('127.') &&
      (vips.size === 0 || vips.has(a.address) || a.metric === 7717),
  );
  const candidates = [
    ...new Set([...onLo.map((a) => a.address), ...target.vips.filter((v) => !v.includes(':'))]),
  ];
  if (candidates.length === 0)
    return [
      {
        id: 'arp.no-vips',
        severity: 'ok',
        seen: `no IPv4 VIPs on ${target.loopbackDevice}`,
        why: 'nothing to answer ARP for',
      },
    ];
  const out: Finding[] = [];
  const allIgnore = sysctlInt(facts, 'net.ipv4.conf.all.arp_ignore');
  const allAnnounce = sysctlInt(facts, 'net.ipv4.conf.all.arp_announce');
  for (const dev of facts.uplinks) {
    if (dev === target.loopbackDevice) continue;
    const ignore = Math.max(allIgnore ?? 0, sysctlInt(facts, `net.ipv4.conf.${dev}.arp_ignore`) ?? 0);
    const announce = Math.max(allAnnounce ?? 0, sysctlInt(facts, `net.ipv4.conf.${dev}.arp_announce`) ?? 0);
    const subnets = (facts.interfaces.find((i) => i.name === dev)?.addresses ?? []).filter(
      (a) => a.family === 'ipv4',
    );
    const inside = candidates.filter((v) => subnets.some((s) => ipv4InSubnet(v, s)));
    const seen = `uplink ${dev}: arp_ignore ${ignore}, arp_announce ${announce}; VIPs on ${target.loopbackDevice}: ${candidates.join(', ')}`;
    const fix = 'sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2';
    if (ignore < 1) {
      out.push({
        id: inside.length > 0 ? `arp.ignore.${dev}.vip-in-subnet` : `arp.ignore.${dev}`,
        severity: inside.length > 0 ? 'error' : 'warning',
        seen: inside.length > 0 ? `${seen}; inside ${dev}'s subnet: ${inside.join(', ')}` : seen,
        why:
          inside.length > 0
            ? `this node answers ARP for ${inside.join(', ')} on ${dev}: hosts on that segment send VIP traffic here whether or not it is announced`
            : `this node answers ARP for its VIPs on ${dev}; harmless while no VIP is in ${dev}'s subnet`,
        fix,
      });
    } else if (announce < 2) {
      out.push({
        id: `arp.announce.${dev}`,
        severity: 'warning',
        seen,
        why: `ARP requests from ${dev} may carry a VIP as their source address, teaching neighbours that the VIP is here`,
        fix,
      });
    } else {
      out.push({
        id: `arp.${dev}`,
        severity: 'ok',
        seen,
        why: 'VIPs on lo are not answered by ARP on the uplink',
      });
    }
  }
  return out;
}

/** Whether an IPv4 address lies in the subnet of an interface address. */
export function ipv4InSubnet(address: string, subnet: InterfaceAddress): boolean {
  if (subnet.family !== 'ipv4' || subnet.prefixLength === 32) return false;
  const a = ipv4ToInt(address);
  const s = ipv4ToInt(subnet.address);
  if (a === undefined || s === undefined) return false;
  const mask = subnet.prefixLength === 0 ? 0 : (0xffffffff << (32 - subnet.prefixLength)) >>> 0;
  return (a & mask) >>> 0 === (s & mask) >>> 0;
}

function ipv4ToInt(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}
