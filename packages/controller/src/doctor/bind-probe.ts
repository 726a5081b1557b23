import type { InterfaceFacts } from './host-facts.js';

/**
 * Whether `ip` can really change addresses here, found by asking the kernel, not by reading
 * capability bits. Bits mislead: iproute2 drops every capability when a non-root user runs it
 * unless CAP_NET_ADMIN is inheritable, so a file capability on `ip` or a capability in our own
 * effective set says nothing about what `ip` may do; and a container runtime's capability
 * sets differ from what `/proc/self/status` of an interactive shell shows.
 *
 * The probe deletes a host address that is not on the device (`ip addr del 192.0.2.255/32
 * dev lo`, RFC 5737 TEST-NET-1, picked so that it is absent): the kernel checks
 * CAP_NET_ADMIN for every rtnetlink request that changes state before it looks for the
 * address, so the answer is `Error: ipv4: Address not found.` (older kernels: `Cannot assign
 * requested address`) with the capability (nothing changed) and `Operation not permitted` without it. It is the very permission the loopback
 * sink (RTM_NEWADDR/RTM_DELADDR) and the table sink (RTM_NEWROUTE) need, exercised the way
 * anyvip exercises it (the same `ip`, the same user and capability sets), and it changes
 * nothing even when it succeeds.
 */
export type BindProbe =
  | { readonly kind: 'allowed'; readonly command: string }
  | { readonly kind: 'denied'; readonly command: string; readonly reason: string }
  | { readonly kind: 'ipMissing'; readonly command: string; readonly reason: string }
  | { readonly kind: 'unknown'; readonly command: string; readonly reason: string };

/** Candidates for the probe address (RFC 5737 TEST-NET-1), the first absent one is used. */
const PROBE_ADDRESSES = ['192.0.2.255', '192.0.2.254', '192.0.2.253'] as const;

/** The `ip` arguments of the probe, for an address absent from every interface; undefined when none is. Pure. */
export function bindProbeArgs(device: string, interfaces: readonly InterfaceFacts[]): string[] | undefined {
  const present = new Set(interfaces.flatMap((i) => i.addresses.map((a) => a.address)));
  const address = PROBE_ADDRESSES.find((a) => !present.has(a));
  return address === undefined ? undefined : ['addr', 'del', `${address}/32`, 'dev', device];
}

/** Reads the probe's outcome from `ip`'s exit code and message. Pure. */
export function classifyBindProbe(
  command: string,
  result: { readonly code: number; readonly stderr: string },
): BindProbe {
  const reason = result.stderr.trim();
  if (/Operation not permitted|EPERM|Permission denied|EACCES/i.test(reason))
    return { kind: 'denied', command, reason };
  if (/Cannot assign requested address|EADDRNOTAVAIL|Address not found/i.test(reason) || result.code === 0)
    return { kind: 'allowed', command };
  if (/ENOENT|not found/i.test(reason) && result.code < 0) return { kind: 'ipMissing', command, reason };
  return { kind: 'unknown', command, reason: reason === '' ? `ip exited with ${result.code}` : reason };
}
