import type { BindProbe } from './bind-probe.js';

/**
 * What `anyvip doctor` reads from a host, as plain data: the checks are pure functions of it,
 * and tests build it by hand. `read-host.ts` fills it in from /proc, `ip -j` and kube-proxy.
 */
export interface HostFacts {
  /** Sysctl values by dotted name (`net.ipv4.conf.all.rp_filter`); absent: could not be read. */
  readonly sysctls: ReadonlyMap<string, string>;
  /** Every interface with its addresses (from `ip -j addr show`). */
  readonly interfaces: readonly InterfaceFacts[];
  /** Devices that routes to the peers (or the default route) leave by: the uplinks. */
  readonly uplinks: readonly string[];
  /** The `CapEff:` line of /proc/self/status, as hex; undefined when unreadable. */
  readonly capEffHex: string | undefined;
  /** Whether `ip` may change addresses (see bind-probe.ts); undefined: not probed. */
  readonly bindProbe?: BindProbe;
  /** What kube-proxy's `/proxyMode` said (`iptables`, `ipvs`, `nftables`); undefined: no answer. */
  readonly kubeProxyMode: string | undefined;
}

/** One interface and its addresses. */
export interface InterfaceFacts {
  readonly name: string;
  readonly addresses: readonly InterfaceAddress[];
}

/** An address as `ip -j addr` reports it. */
export interface InterfaceAddress {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: string;
  readonly prefixLength: number;
  /** The address metric (IFA_RT_PRIORITY); anyvip marks its own with 7717. */
  readonly metric: number | undefined;
}

/** What doctor knows of the configuration it checks against. */
export interface DoctorTarget {
  /** VIP addresses (without length); from the config file or `--vip`. */
  readonly vips: readonly string[];
  readonly peers: readonly PeerTarget[];
  /** The BGP listen port, when anyvip accepts sessions. */
  readonly listenPort: number | undefined;
  /** Device VIPs are bound to (default `lo`). */
  readonly loopbackDevice: string;
}

export interface PeerTarget {
  readonly address: string;
  readonly port: number;
  /** A passive peer connects to us: its port need not be reachable. */
  readonly passive: boolean;
}

/** The sysctl value as an integer, or undefined. */
export function sysctlInt(facts: HostFacts, name: string): number | undefined {
  const v = facts.sysctls.get(name);
  if (v === undefined) return undefined;
  const n = Number.parseInt(v.trim(), 10);
  return Number.isNaN(n) ? undefined : n;
}
