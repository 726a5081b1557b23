import { join } from 'node:path';
import type { IpRunner } from '../sinks/ip-runner.js';
import { bindProbeArgs, classifyBindProbe } from './bind-probe.js';
import type { DoctorTarget, HostFacts, InterfaceAddress, InterfaceFacts } from './host-facts.js';

// node:fs's callback API through getBuiltinModule, not node:fs/promises: fs/promises brings
// readline and the REPL history along, ~1.2 MB of RSS in every process.
const readFile = process
  .getBuiltinModule('node:util')
  .promisify(process.getBuiltinModule('node:fs').readFile);

/** Where the reading edge looks; tests point `procRoot` at a directory of their own. */
export interface ReadHostOptions {
  readonly ip: IpRunner;
  /** Default `/proc`. */
  readonly procRoot?: string;
  /** kube-proxy's metrics address; default `http://127.0.0.1:10249`. Undefined skips it. */
  readonly kubeProxyUrl?: string | null;
  readonly timeoutMs?: number;
}

/** The sysctls the checks read for these devices. */
export function sysctlNames(devices: readonly string[]): string[] {
  const names = ['net.ipv4.fib_multipath_hash_policy', 'net.ipv6.fib_multipath_hash_policy'];
  for (const dev of ['all', 'default', ...devices]) {
    for (const key of ['rp_filter', 'arp_ignore', 'arp_announce']) names.push(`net.ipv4.conf.${dev}.${key}`);
  }
  return names;
}

/** Reads every fact the checks need. Never throws: what cannot be read is left out. */
export async function readHost(target: DoctorTarget, o: ReadHostOptions): Promise<HostFacts> {
  const procRoot = o.procRoot ?? '/proc';
  const addr = await o.ip.run(['-j', 'addr', 'show']);
  const interfaces = addr.code === 0 ? parseIpAddrJson(addr.stdout) : [];
  const uplinks = new Set<string>();
  const routeArgs = [
    ['-j', 'route', 'show', 'default'],
    ['-6', '-j', 'route', 'show', 'default'],
  ];
  for (const p of target.peers) routeArgs.push(['-j', 'route', 'get', p.address]);
  for (const args of routeArgs) {
    const r = await o.ip.run(args);
    if (r.code === 0) for (const dev of parseRouteDevices(r.stdout)) uplinks.add(dev);
  }
  const devices = [target.loopbackDevice, ...uplinks];
  const sysctls = new Map<string, string>();
  for (const name of sysctlNames(devices)) {
    const value = await readFile(join(procRoot, 'sys', ...name.split('.')), 'utf8').catch(() => undefined);
    if (value !== undefined) sysctls.set(name, value.trim());
  }
  const status = await readFile(join(procRoot, 'self', 'status'), 'utf8').catch(() => '');
  const probeArgs = addr.code === 0 ? bindProbeArgs(target.loopbackDevice, interfaces) : undefined;
  const bindProbe =
    probeArgs === undefined
      ? addr.code < 0
        ? classifyBindProbe('ip -j addr show', addr)
        : undefined
      : classifyBindProbe(`ip ${probeArgs.join(' ')}`, await o.ip.run(probeArgs));
  return {
    sysctls,
    interfaces,
    uplinks: [...uplinks],
    capEffHex: parseCapEff(status),
    ...(bindProbe !== undefined ? { bindProbe } : {}),
    kubeProxyMode: await readKubeProxyMode(
      o.kubeProxyUrl === undefined ? 'http://127.0.0.1:10249' : o.kubeProxyUrl,
      o.timeoutMs ?? 500,
    ),
  };
}

/** The `CapEff:` mask of a /proc/PID/status text. */
export function parseCapEff(status: string): string | undefined {
  return /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status)?.[1];
}

/** Interfaces and addresses from `ip -j addr show`. Malformed input gives []. */
export function parseIpAddrJson(text: string): InterfaceFacts[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((link: unknown) => {
    if (typeof link !== 'object' || link === null) return [];
    const l = link as { ifname?: unknown; addr_info?: unknown };
    if (typeof l.ifname !== 'string') return [];
    const addresses: InterfaceAddress[] = [];
    for (const a of Array.isArray(l.addr_info) ? l.addr_info : []) {
      const x = a as { family?: unknown; local?: unknown; prefixlen?: unknown; metric?: unknown };
      if ((x.family !== 'inet' && x.family !== 'inet6') || typeof x.local !== 'string') continue;
      addresses.push({
        family: x.family === 'inet' ? 'ipv4' : 'ipv6',
        address: x.local,
        prefixLength: typeof x.prefixlen === 'number' ? x.prefixlen : x.family === 'inet' ? 32 : 128,
        metric: typeof x.metric === 'number' ? x.metric : undefined,
      });
    }
    return [{ name: l.ifname, addresses }];
  });
}

/** Devices named by `ip -j route show|get` output. */
export function parseRouteDevices(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((r: unknown) => {
      const dev = (r as { dev?: unknown } | null)?.dev;
      return typeof dev === 'string' ? [dev] : [];
    });
  } catch {
    return [];
  }
}

async function readKubeProxyMode(url: string | null, timeoutMs: number): Promise<string | undefined> {
  if (url === null) return undefined;
  try {
    const res = await fetch(`${url}/proxyMode`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const mode = (await res.text()).trim();
    return /^[a-z]+$/.test(mode) ? mode : undefined;
  } catch {
    return undefined;
  }
}
