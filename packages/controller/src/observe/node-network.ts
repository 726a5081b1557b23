import type { Clock, TimerHandle } from '@anyvip/healthcheck';
import { canonicalAddress } from '../address/ip-range.js';
import type { ConnectedAddress, NodeNetwork } from '../desired/fabric.js';

/**
 * An edge observer of this node's kernel: the default route's gateway per family (for
 * AnyvipPeer `autoDiscovery: DefaultGateway`) and each interface's global addresses with
 * their prefix lengths (for `sourceInterface`, and for the next hop of another family over a
 * directly connected peer's session). It asks iproute2 (`ip -j route show default`, `ip -j -6 route show
 * default`, `ip -j addr show`) at start and then on a slow timer (default 30 s: a gateway
 * rarely moves, and a fork a second would cost more than it tells), and raises a pass only
 * when what it read differs from the last reading. A failed read keeps the last one.
 */

/** Runs `ip` with arguments (the sinks' IpRunner fits). */
export type IpReader = (
  args: readonly string[],
) => Promise<{ readonly code: number; readonly stdout: string }>;

export interface NodeNetworkObserverOptions {
  readonly ip: IpReader;
  readonly clock: Clock;
  /** What was read differs from before. */
  readonly onChange: (reason: string) => void;
  readonly onError?: (reason: string) => void;
  /** Default 30 s. */
  readonly intervalMs?: number;
}

export class NodeNetworkObserver {
  readonly #o: NodeNetworkObserverOptions;
  #network: NodeNetwork | undefined;
  #text = '';
  #timer: TimerHandle | undefined;
  #stopped = false;
  #read = false;
  #firstRead: () => void = () => {};
  readonly #firstReadPromise = new Promise<void>((resolve) => {
    this.#firstRead = resolve;
  });

  constructor(options: NodeNetworkObserverOptions) {
    this.#o = options;
  }

  /** The first reading was tried (a failure counts: autoDiscovery peers then wait, with a Node warning). */
  get read(): boolean {
    return this.#read;
  }

  /** Resolves once the first reading was tried. */
  firstRead(): Promise<void> {
    return this.#firstReadPromise;
  }

  /** The last reading; undefined until the first one. */
  get network(): NodeNetwork | undefined {
    return this.#network;
  }

  start(): void {
    this.#stopped = false;
    void this.refresh();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Reads now (and schedules the next reading). */
  async refresh(): Promise<void> {
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      const [v4, v6, addr] = await Promise.all([
        this.#o.ip(['-j', 'route', 'show', 'default']),
        this.#o.ip(['-j', '-6', 'route', 'show', 'default']),
        this.#o.ip(['-j', 'addr', 'show']),
      ]);
      if (v4.code !== 0 || v6.code !== 0 || addr.code !== 0)
        throw new Error('ip failed reading routes or addresses');
      const network = parseNodeNetwork(v4.stdout, v6.stdout, addr.stdout);
      const text = JSON.stringify({
        g: network.defaultGateway,
        i: [...network.interfaces],
        c: network.connected,
      });
      if (text !== this.#text) {
        this.#text = text;
        this.#network = network;
        if (!this.#stopped) this.#o.onChange('node network');
      }
    } catch (err) {
      this.#o.onError?.(err instanceof Error ? err.message : String(err));
    }
    if (!this.#read) {
      this.#read = true;
      this.#firstRead();
      if (!this.#stopped && this.#network === undefined) this.#o.onChange('node network');
    }
    if (!this.#stopped)
      this.#timer = this.#o.clock.setTimeout(() => void this.refresh(), this.#o.intervalMs ?? 30_000);
  }
}

interface IpRoute {
  readonly gateway?: string;
  readonly metric?: number;
  readonly nexthops?: readonly { readonly gateway?: string }[];
}

interface IpLink {
  readonly ifname?: string;
  readonly addr_info?: readonly {
    readonly family?: string;
    readonly local?: string;
    readonly prefixlen?: number;
    readonly scope?: string;
  }[];
}

/** iproute2's JSON (`ip -j`) as a NodeNetwork: the lowest-metric default route's (first) gateway per family. */
export function parseNodeNetwork(routes4: string, routes6: string, addresses: string): NodeNetwork {
  const gateway = (text: string): string | undefined => {
    const routes = (text.trim() === '' ? [] : JSON.parse(text)) as IpRoute[];
    const best = [...routes].sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0));
    for (const r of best) {
      const g = r.gateway ?? r.nexthops?.find((n) => n.gateway !== undefined)?.gateway;
      const c = g === undefined ? undefined : canonicalAddress(g);
      if (c !== undefined) return c;
    }
    return undefined;
  };
  const ipv4 = gateway(routes4);
  const ipv6 = gateway(routes6);
  const interfaces = new Map<string, string[]>();
  const connected: ConnectedAddress[] = [];
  for (const link of (addresses.trim() === '' ? [] : JSON.parse(addresses)) as IpLink[]) {
    if (link.ifname === undefined) continue;
    const list: string[] = [];
    for (const a of link.addr_info ?? []) {
      const address = a.scope === 'global' && a.local !== undefined ? canonicalAddress(a.local) : undefined;
      if (address === undefined) continue;
      list.push(address);
      // Without a prefix length the address says nothing about what is connected.
      if (a.prefixlen !== undefined)
        connected.push({ interface: link.ifname, address, prefixLength: a.prefixlen });
    }
    interfaces.set(link.ifname, list);
  }
  return {
    defaultGateway: { ...(ipv4 !== undefined ? { ipv4 } : {}), ...(ipv6 !== undefined ? { ipv6 } : {}) },
    interfaces,
    connected,
  };
}
