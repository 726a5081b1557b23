import type { Finding } from './finding.js';
import type { DoctorTarget, HostFacts } from './host-facts.js';

/** Capability numbers (linux/capability.h). */
export const CAP_NET_BIND_SERVICE = 10;
export const CAP_NET_ADMIN = 12;

/** Whether the capability bit is set in a `CapEff:` hex mask. */
export function hasCapability(capEffHex: string, bit: number): boolean {
  return ((BigInt(`0x${capEffHex.trim()}`) >> BigInt(bit)) & 1n) === 1n;
}

/**
 * The capabilities anyvip needs: CAP_NET_ADMIN for `ip addr` on `lo` and `ip route` in table
 * mode (the `ip` it runs needs it; the image gives `ip` a file capability, see the
 * Dockerfile); CAP_NET_BIND_SERVICE only to listen for BGP below port 1024 (179). This reads
 * doctor's own process (/proc/self/status), so run doctor the way anyvip runs.
 */
export function checkCapabilities(facts: HostFacts, target: DoctorTarget): Finding[] {
  if (facts.capEffHex === undefined)
    return [
      {
        id: 'cap.unreadable',
        severity: 'info',
        seen: '/proc/self/status has no CapEff line',
        why: 'cannot tell',
      },
    ];
  const out: Finding[] = [];
  const seen = `CapEff ${facts.capEffHex}`;
  if (hasCapability(facts.capEffHex, CAP_NET_ADMIN))
    out.push({
      id: 'cap.net-admin',
      severity: 'ok',
      seen: `${seen} has CAP_NET_ADMIN`,
      why: 'VIPs can be bound to lo',
    });
  else
    out.push({
      id: 'cap.net-admin.missing',
      severity: 'error',
      seen: `${seen} lacks CAP_NET_ADMIN (bit ${CAP_NET_ADMIN})`,
      why: 'anyvip cannot add VIPs to lo or write table routes (unless `ip` itself has the file capability)',
      fix: 'run as root, or in Kubernetes: securityContext.capabilities.add: [NET_ADMIN]; outside: setcap cap_net_admin+ep "$(command -v ip)"',
    });
  const port = target.listenPort;
  if (port !== undefined && port < 1024) {
    if (hasCapability(facts.capEffHex, CAP_NET_BIND_SERVICE))
      out.push({
        id: 'cap.net-bind-service',
        severity: 'ok',
        seen: `${seen} has CAP_NET_BIND_SERVICE`,
        why: `can listen on port ${port}`,
      });
    else
      out.push({
        id: 'cap.net-bind-service.missing',
        severity: 'error',
        seen: `${seen} lacks CAP_NET_BIND_SERVICE (bit ${CAP_NET_BIND_SERVICE}); bgp.listen port ${port}`,
        why: `a non-root process cannot listen on port ${port}`,
        fix: 'grant CAP_NET_BIND_SERVICE (Kubernetes: capabilities.add: [NET_BIND_SERVICE]), or listen on a port >= 1024 and set the router neighbor port to it',
      });
  }
  return out;
}
