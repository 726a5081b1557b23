import { assertNever } from '../assert-never.js';
import type { BindProbe } from './bind-probe.js';
import type { Finding } from './finding.js';
import type { DoctorTarget, HostFacts } from './host-facts.js';

/** Capability numbers (linux/capability.h). */
export const CAP_NET_BIND_SERVICE = 10;
export const CAP_NET_ADMIN = 12;

/** Whether the capability bit is set in a `CapEff:` hex mask. */
export function hasCapability(capEffHex: string, bit: number): boolean {
  return ((BigInt(`0x${capEffHex.trim()}`) >> BigInt(bit)) & 1n) === 1n;
}

/** What to do when `ip` may not change addresses, for every way anyvip runs. */
const NET_ADMIN_FIX =
  'Kubernetes: run the container as UID 0 with capabilities drop [ALL], add [NET_ADMIN] (what `anyvip manifest` generates); systemd: AmbientCapabilities=CAP_NET_ADMIN; otherwise run as root';

/**
 * The capabilities anyvip needs: CAP_NET_ADMIN for `ip addr` on `lo` and `ip route` in table
 * mode, held by the `ip` anyvip runs; CAP_NET_BIND_SERVICE only to listen for BGP below port
 * 1024 (179), held by anyvip itself. The first is judged by asking the kernel (see
 * bind-probe.ts): our own CapEff says nothing about what `ip` ends up with (iproute2 drops
 * capabilities for non-root users unless they are inheritable). Without a probe, CapEff is
 * the fallback. Run doctor the way anyvip runs (`kubectl exec` into its pod).
 */
export function checkCapabilities(facts: HostFacts, target: DoctorTarget): Finding[] {
  const out: Finding[] = [];
  const probe = facts.bindProbe;
  if (probe !== undefined) out.push(netAdminFinding(probe));
  else if (facts.capEffHex === undefined)
    return [
      {
        id: 'cap.unreadable',
        severity: 'info',
        seen: '/proc/self/status has no CapEff line',
        why: 'cannot tell',
      },
    ];
  else if (hasCapability(facts.capEffHex, CAP_NET_ADMIN))
    out.push({
      id: 'cap.net-admin',
      severity: 'ok',
      seen: `CapEff ${facts.capEffHex} has CAP_NET_ADMIN`,
      why: 'VIPs can be bound to lo',
    });
  else
    out.push({
      id: 'cap.net-admin.missing',
      severity: 'error',
      seen: `CapEff ${facts.capEffHex} lacks CAP_NET_ADMIN (bit ${CAP_NET_ADMIN})`,
      why: 'anyvip cannot add VIPs to lo or write table routes, so it announces none of them',
      fix: NET_ADMIN_FIX,
    });
  if (facts.capEffHex === undefined) return out;
  const seen = `CapEff ${facts.capEffHex}`;
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

function netAdminFinding(probe: BindProbe): Finding {
  switch (probe.kind) {
    case 'allowed':
      return {
        id: 'cap.net-admin',
        severity: 'ok',
        seen: `\`${probe.command}\` reached the kernel's address lookup (nothing changed)`,
        why: 'ip holds CAP_NET_ADMIN: VIPs can be bound to lo',
      };
    case 'denied':
      return {
        id: 'cap.net-admin.missing',
        severity: 'error',
        seen: `\`${probe.command}\`: ${probe.reason}`,
        why: 'the ip anyvip runs lacks CAP_NET_ADMIN: no VIP can be bound, so none is announced',
        fix: NET_ADMIN_FIX,
      };
    case 'ipMissing':
      return {
        id: 'ip.missing',
        severity: 'error',
        seen: `\`${probe.command}\`: ${probe.reason}`,
        why: 'iproute2 is not installed or not on PATH: no VIP can be bound, so none is announced',
        fix: 'install iproute2 (Debian: apt-get install iproute2)',
      };
    case 'unknown':
      return {
        id: 'cap.net-admin.unknown',
        severity: 'warning',
        seen: `\`${probe.command}\`: ${probe.reason}`,
        why: 'could not tell whether ip may change addresses',
      };
    default:
      return assertNever(probe);
  }
}
