/**
 * The lab's network, in network namespaces (names `av-<pid>-<n>-<node>`, made and removed
 * by the interop harness, packages/bgp/test/interop/support):
 *
 *   client 10.250.4.2 ── 10.250.4.1 router (BIRD 2, AS 65000, ECMP) 10.250.i.1 ── 10.250.i.2 node i
 *
 * Each node i (1-3) runs a stand-in kube-apiserver (HTTPS 127.0.0.1:6443), the web backend
 * and `anyvip standalone` (AS 65001), which binds the VIP to `lo` and announces it while the
 * apiserver's /livez passes. BIRD merges the three paths into one multipath kernel route
 * (`merge paths on`) and the kernel hashes each connection onto a next hop by its 4-tuple
 * (`net.ipv4.fib_multipath_hash_policy=1`).
 *
 * The web backend is either served on the VIP itself (`local`), or (`iptables`) by two
 * backend "pods" per node in namespaces of their own, reached through the NAT rules
 * kube-proxy's iptables mode writes for a LoadBalancer Service with
 * `externalTrafficPolicy: Local` (DNAT to a local endpoint, picked by `statistic random`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BirdDaemon,
  createLab,
  type Lab,
  type ManagedProcess,
  type NodeDaemonConfig,
  startDaemon,
} from '../packages/bgp/test/interop/support/index.js';
import { ANYVIP_CLI } from '../packages/controller/test/support/anyvip-cli.js';
import type { Certificate } from './certificate.js';

/** The built controller CLI the nodes run: the shipped bundle (packages/controller/test/support/anyvip-cli.ts). */
export { ANYVIP_CLI };

/** How the web backend is reached on a node. */
export type ProxyMode = 'local' | 'iptables';

/** The anycast address every node announces. */
export const VIP = '10.250.255.1';
/** The router's AS. */
export const ROUTER_ASN = 65000;
/** Every node's AS: one cluster, one AS, as with MetalLB or Calico. */
export const NODE_ASN = 65001;
/** Health check timing: failover within about fall × interval. */
export const CHECK = { intervalMs: 100, timeoutMs: 80, rise: 2, fall: 3 } as const;
const NODE_COUNT = 3;
const PODS_PER_NODE = 2;
const POD_PORT = 8080;
const APISERVER = '127.0.0.1:6443';

/** services.ts: the apiserver stand-in and the web backend, run in a namespace. */
export const SERVICES = fileURLToPath(new URL('./services.ts', import.meta.url));

/** One backend pod (iptables mode). */
export interface Pod {
  /** Lab node name, e.g. `pod2a`. */
  readonly name: string;
  readonly address: string;
}

/** One node of the lab. */
export interface LabNode {
  /** `node1` … `node3`: the lab node and the web backend's reply. */
  readonly name: string;
  readonly ns: string;
  /** The node's session address, which is the router's next hop for it. */
  readonly address: string;
  readonly routerAddress: string;
  /** /livez answers 200 while this file exists. */
  readonly healthyFile: string;
  readonly configFile: string;
  readonly pods: readonly Pod[];
}

/** The built network: namespaces and addresses, nothing running yet. */
export interface Topology {
  readonly lab: Lab;
  readonly proxy: ProxyMode;
  readonly nodes: readonly LabNode[];
  readonly clientAddress: string;
  readonly routerClientAddress: string;
}

/** Creates the namespaces, links, addresses and routes (no processes). */
export async function buildTopology(proxy: ProxyMode): Promise<Topology> {
  const nodeNames = Array.from({ length: NODE_COUNT }, (_, i) => `node${i + 1}`);
  const podNames = (i: number): string[] =>
    proxy === 'iptables' ? Array.from({ length: PODS_PER_NODE }, (_, p) => `pod${i + 1}${'abcdef'[p]}`) : [];
  // Link order fixes the addresses: links 1-3 router↔node i, 4 router↔client, then node↔pod.
  const links: [string, string][] = [
    ...nodeNames.map((n): [string, string] => ['router', n]),
    ['router', 'client'],
    ...nodeNames.flatMap((n, i) => podNames(i).map((p): [string, string] => [n, p])),
  ];
  const lab = await createLab({
    nodes: ['router', ...nodeNames, 'client', ...nodeNames.flatMap((_, i) => podNames(i))],
    links,
  });
  try {
    const client = lab.link('client', 'router');
    await lab.ip('client', ['route', 'add', 'default', 'via', client.remote.ipv4]);
    // L4 hash: each connection (source port) is placed on a next hop of its own.
    await lab.exec('router', 'sysctl', ['-q', '-w', 'net.ipv4.fib_multipath_hash_policy=1']);
    const nodes: LabNode[] = [];
    for (const [i, name] of nodeNames.entries()) {
      const uplink = lab.link(name, 'router');
      await lab.ip(name, ['route', 'add', 'default', 'via', uplink.remote.ipv4]);
      // The local web backend listens on the VIP before anyvip binds it.
      await lab.exec(name, 'sysctl', ['-q', '-w', 'net.ipv4.ip_nonlocal_bind=1']);
      const pods: Pod[] = [];
      for (const pod of podNames(i)) {
        const l = lab.link(pod, name);
        await lab.ip(pod, ['route', 'add', 'default', 'via', l.remote.ipv4]);
        pods.push({ name: pod, address: l.local.ipv4 });
      }
      nodes.push({
        name,
        ns: lab.nsOf(name),
        address: uplink.local.ipv4,
        routerAddress: uplink.remote.ipv4,
        healthyFile: join(lab.dir, `${name}.healthy`),
        configFile: join(lab.dir, `${name}.anyvip.yaml`),
        pods,
      });
    }
    return { lab, proxy, nodes, clientAddress: client.local.ipv4, routerClientAddress: client.remote.ipv4 };
  } catch (err) {
    await lab.destroy();
    throw err;
  }
}

/** The router's side of the lab: one eBGP session per node, multipath routes into the kernel. */
export function routerSessions(t: Topology): NodeDaemonConfig {
  return {
    routerId: t.routerClientAddress,
    asn: ROUTER_ASN,
    ecmp: true,
    neighbors: t.nodes.map((n) => ({
      address: n.address,
      asn: NODE_ASN,
      localAddress: n.routerAddress,
      holdTimeSec: 9,
    })),
  };
}

/** BIRD 2 on the router, with its generated configuration for {@link routerSessions}. */
export function startRouter(t: Topology): Promise<BirdDaemon> {
  return startDaemon(t.lab, 'router', 'bird', routerSessions(t));
}

/** The `bgp:` part of a node's anyvip configuration: its session to the router. */
export function nodeBgpYaml(node: LabNode): string {
  return `bgp:
  asn: ${NODE_ASN}
  routerId: ${node.address}
  peers:
    - { address: ${node.routerAddress}, asn: ${ROUTER_ASN}, holdTime: 9, connectRetry: 1 }
`;
}

/** anyvip's configuration for `node`: the VIP, gated on the local apiserver's /livez. */
export function anyvipConfig(node: LabNode, cert: Certificate): string {
  return `# anyvip on ${node.name}: announce ${VIP} to the router while the local apiserver is live.
${nodeBgpYaml(node)}healthchecks:
  apiserver:
    apiserver: { endpoint: livez, caFile: "${cert.certFile}" } # https://127.0.0.1:6443/livez
    interval: ${CHECK.intervalMs}ms
    timeout: ${CHECK.timeoutMs}ms
    rise: ${CHECK.rise}
    fall: ${CHECK.fall}
vips:
  - { address: ${VIP}, healthcheck: apiserver }
allowedRanges: [10.250.255.0/24]
`;
}

/** kube-proxy's iptables-mode NAT rules for Service `default/web` (port 80 → pods :8080). */
export function kubeProxyRules(pods: readonly Pod[]): string {
  // kube-proxy names chains by a hash of the service and endpoint; readable names here.
  const sep = (p: Pod): string => `KUBE-SEP-${p.name.toUpperCase()}`;
  const lines = [
    '*nat',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-EXT-WEB - [0:0]',
    ':KUBE-SVL-WEB - [0:0]',
    ...pods.map((p) => `:${sep(p)} - [0:0]`),
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    `-A KUBE-SERVICES -d ${VIP}/32 -p tcp -m comment --comment "default/web loadbalancer IP" -m tcp --dport 80 -j KUBE-EXT-WEB`,
    // externalTrafficPolicy: Local: only this node's endpoints, client source kept.
    '-A KUBE-EXT-WEB -m comment --comment "default/web local endpoints only" -j KUBE-SVL-WEB',
  ];
  pods.forEach((p, i) => {
    // Endpoint i of n is taken with probability 1/(n-i): uniform over the endpoints.
    const left = pods.length - i;
    const pick = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(11)} ` : '';
    lines.push(
      `-A KUBE-SVL-WEB -m comment --comment "default/web -> ${p.address}:${POD_PORT}" ${pick}-j ${sep(p)}`,
    );
  });
  for (const p of pods) {
    lines.push(
      `-A ${sep(p)} -p tcp -m comment --comment "default/web" -m tcp -j DNAT --to-destination ${p.address}:${POD_PORT}`,
    );
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** Starts services.ts in `labNode` with `args`; resolves once it listens. */
async function startServices(
  t: Topology,
  labNode: string,
  label: string,
  args: string[],
): Promise<ManagedProcess> {
  const p = await t.lab.spawn(labNode, process.execPath, [SERVICES, ...args], { label });
  await p.waitForLine((l) => l === 'ready', { timeoutMs: 15_000, what: `${label} listening` });
  return p;
}

/**
 * Starts a node's apiserver and web backend (or its pods and NAT rules), then anyvip, and
 * returns anyvip's process. The apiserver starts healthy.
 */
export async function startNode(t: Topology, node: LabNode, cert: Certificate): Promise<ManagedProcess> {
  writeFileSync(node.healthyFile, '');
  writeFileSync(node.configFile, anyvipConfig(node, cert));
  const apiserver = ['--apiserver', APISERVER, '--cert', cert.certFile, '--key', cert.keyFile];
  const health = ['--healthy-file', node.healthyFile];
  if (t.proxy === 'local') {
    await startServices(t, node.name, `services@${node.name}`, [
      ...apiserver,
      ...health,
      '--web',
      `${VIP}:80`,
      '--name',
      node.name,
    ]);
  } else {
    await startServices(t, node.name, `apiserver@${node.name}`, [...apiserver, ...health]);
    await Promise.all(
      node.pods.map((p) =>
        startServices(t, p.name, `web@${p.name}`, [
          '--web',
          `0.0.0.0:${POD_PORT}`,
          '--name',
          `${node.name}/${p.name}`,
        ]),
      ),
    );
    await t.lab.exec(node.name, 'iptables-restore', ['--noflush'], { input: kubeProxyRules(node.pods) });
  }
  return t.lab.spawn(node.name, process.execPath, [ANYVIP_CLI, 'standalone', '--config', node.configFile], {
    label: `anyvip@${node.name}`,
  });
}
