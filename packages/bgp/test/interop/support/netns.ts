/**
 * Network namespaces for interop tests: a lab is a few namespaces ("nodes") joined by
 * veth pairs ("links"). Link n (1-based, in the order given) gets
 *   IPv4 10.250.n.1/24 (first node) and 10.250.n.2/24 (second node),
 *   IPv6 fd00:250::n:1/112 and fd00:250::n:2/112 (n in hex; no DAD),
 * so every address is inside 10.250.0.0/16 and fd00:250::/64. IPv6 links are /112 rather
 * than /64 so that a node with two links has two distinct on-link routes.
 *
 * Namespace names are `av-<pid>-<lab>-<node>`, unique per run; `destroy()` deletes
 * exactly those names and kills processes started through the lab by PID.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerEmergencyCleanup } from './cleanup.js';
import {
  type CommandResult,
  type ManagedProcess,
  type RunOptions,
  runCommand,
  type SpawnOptions,
  spawnInNs,
} from './process.js';

/** Which nodes and links a lab has. Node names: lower-case letters and digits, ≤ 12 chars. */
export interface LabSpec {
  nodes: readonly string[];
  /** Each pair of node names gets one veth link; link numbers follow this order from 1. */
  links: readonly (readonly [string, string])[];
}

/** One end of a link, seen from `node`. */
export interface LinkEnd {
  node: string;
  ns: string;
  /** Interface name inside `ns`. */
  ifname: string;
  ipv4: string;
  ipv6: string;
  /** With prefix length, e.g. `10.250.1.1/24`. */
  ipv4Cidr: string;
  ipv6Cidr: string;
}

/** A link as seen from one side: `local` is the node asked about, `remote` the other end. */
export interface LinkView {
  index: number;
  local: LinkEnd;
  remote: LinkEnd;
}

/** A kernel FIB entry as `ip -j route` reports it, reduced to what tests check. */
export interface KernelRoute {
  prefix: string;
  /** Gateways (one per ECMP leg); empty for on-link or unreachable routes. */
  nextHops: { gateway: string | undefined; dev: string | undefined; weight: number | undefined }[];
  /** `bird`, `bgp`, `kernel`, … */
  protocol: string | undefined;
  type: string | undefined;
  metric: number | undefined;
}

let labCounter = 0;

/** A set of namespaces joined by veth links. Remove it with {@link Lab.destroy}. */
export class Lab {
  /** A private scratch directory for configs, sockets and logs; removed by destroy(). */
  readonly dir: string;
  private readonly nsByNode = new Map<string, string>();
  private readonly linkList: { index: number; a: LinkEnd; b: LinkEnd }[] = [];
  private readonly processes = new Set<ManagedProcess>();
  private readonly destroyers: (() => Promise<void>)[] = [];
  private readonly unregister: (() => void)[] = [];
  private destroyed = false;

  /** `av-<pid>-<n>`: the prefix of every name this lab creates. */
  readonly id: string;

  private constructor(id: string) {
    this.id = id;
    this.dir = mkdtempSync(join(tmpdir(), `${id}-`));
    // Daemons that drop root (FRR) need to reach their own subdirectories.
    chmodSync(this.dir, 0o755);
    const dir = this.dir;
    this.unregister.push(
      registerEmergencyCleanup(`dir ${dir}`, () => {
        if (process.env.ANYVIP_INTEROP_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
      }),
    );
  }

  /** Creates the namespaces and links of `spec`; on failure removes what it made. */
  static async create(spec: LabSpec): Promise<Lab> {
    labCounter += 1;
    const lab = new Lab(`av-${process.pid}-${labCounter}`);
    try {
      await lab.build(spec);
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  private async build(spec: LabSpec): Promise<void> {
    for (const node of spec.nodes) {
      if (!/^[a-z][a-z0-9]{0,11}$/.test(node)) throw new Error(`bad node name ${JSON.stringify(node)}`);
      if (this.nsByNode.has(node)) throw new Error(`duplicate node ${node}`);
      const ns = `${this.id}-${node}`;
      await runCommand('ip', ['netns', 'add', ns]);
      this.nsByNode.set(node, ns);
      this.unregister.push(
        registerEmergencyCleanup(`netns ${ns}`, () => {
          try {
            execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore', timeout: 5000 });
          } catch {
            // Already gone.
          }
        }),
      );
    }
    // Before any link exists, so interfaces inherit `default`: no DAD at all (link-local
    // addresses are usable at once; FRR will not open an IPv6 session while its
    // link-local is tentative), and the nodes forward like routers.
    for (const ns of this.nsByNode.values()) {
      await runCommand('ip', [
        'netns',
        'exec',
        ns,
        'sysctl',
        '-q',
        '-w',
        'net.ipv6.conf.all.accept_dad=0',
        'net.ipv6.conf.default.accept_dad=0',
        'net.ipv4.ip_forward=1',
        'net.ipv6.conf.all.forwarding=1',
      ]);
    }
    if (spec.links.length > 250) throw new Error('at most 250 links');
    const batches = new Map<string, string[]>();
    for (const node of spec.nodes) batches.set(node, ['link set lo up']);
    spec.links.forEach(([nodeA, nodeB], i) => {
      const index = i + 1;
      if (nodeA === nodeB) throw new Error(`link ${index} joins ${nodeA} to itself`);
      const end = (node: string, host: 1 | 2): LinkEnd => {
        const ns = this.nsOf(node);
        return {
          node,
          ns,
          ifname: `eth${index}`,
          ipv4: `10.250.${index}.${host}`,
          ipv6: `fd00:250::${index.toString(16)}:${host}`,
          ipv4Cidr: `10.250.${index}.${host}/24`,
          ipv6Cidr: `fd00:250::${index.toString(16)}:${host}/112`,
        };
      };
      const a = end(nodeA, 1);
      const b = end(nodeB, 2);
      this.linkList.push({ index, a, b });
      for (const e of [a, b]) {
        batches
          .get(e.node)
          ?.push(
            `link set ${e.ifname} up`,
            `addr add ${e.ipv4Cidr} dev ${e.ifname}`,
            `addr add ${e.ipv6Cidr} dev ${e.ifname} nodad`,
          );
      }
    });
    // Created directly inside the namespaces, so the names never meet in the root namespace.
    for (const { a, b } of this.linkList) {
      await runCommand('ip', [
        'link',
        'add',
        a.ifname,
        'netns',
        a.ns,
        'type',
        'veth',
        'peer',
        'name',
        b.ifname,
        'netns',
        b.ns,
      ]);
    }
    for (const [node, cmds] of batches) {
      await runCommand('ip', ['-n', this.nsOf(node), '-batch', '-'], { input: `${cmds.join('\n')}\n` });
    }
  }

  /** Node names, in creation order. */
  get nodes(): string[] {
    return [...this.nsByNode.keys()];
  }

  /** The namespace name of `node`. */
  nsOf(node: string): string {
    const ns = this.nsByNode.get(node);
    if (ns === undefined) throw new Error(`no node ${JSON.stringify(node)} in lab ${this.id}`);
    return ns;
  }

  /** The (first) link between `node` and `peer`, seen from `node`. */
  link(node: string, peer: string): LinkView {
    for (const l of this.linkList) {
      if (l.a.node === node && l.b.node === peer) return { index: l.index, local: l.a, remote: l.b };
      if (l.b.node === node && l.a.node === peer) return { index: l.index, local: l.b, remote: l.a };
    }
    throw new Error(`no link between ${node} and ${peer} in lab ${this.id}`);
  }

  /** All links of `node`, seen from it. */
  linksOf(node: string): LinkView[] {
    return this.linkList.flatMap((l) => {
      if (l.a.node === node) return [{ index: l.index, local: l.a, remote: l.b }];
      if (l.b.node === node) return [{ index: l.index, local: l.b, remote: l.a }];
      return [];
    });
  }

  /** Runs a command inside `node`'s namespace to completion. */
  exec(node: string, cmd: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return runCommand('ip', ['netns', 'exec', this.nsOf(node), cmd, ...args], options);
  }

  /** Runs `ip ARGS` against `node`'s namespace (`ip -n`, no exec). */
  ip(node: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return runCommand('ip', ['-n', this.nsOf(node), ...args], options);
  }

  /**
   * Starts a long-running process in `node`'s namespace; the lab kills it on destroy().
   * Use this for our speaker: `lab.spawn('speaker', process.execPath, [script, ...])`.
   */
  async spawn(
    node: string,
    cmd: string,
    args: readonly string[],
    options?: SpawnOptions,
  ): Promise<ManagedProcess> {
    this.assertLive();
    const p = await spawnInNs(this.nsOf(node), cmd, args, options);
    this.processes.add(p);
    void p.exited.then(() => this.processes.delete(p));
    return p;
  }

  /** Runs `fn` (e.g. a daemon's stop) before processes are killed and namespaces deleted. */
  onDestroy(fn: () => Promise<void>): void {
    this.destroyers.push(fn);
  }

  /** Kernel routes in `node`'s main table (both families), optionally only `prefix`. */
  kernelRoutes(node: string, prefix?: string): Promise<KernelRoute[]> {
    return kernelRoutes(this.nsOf(node), prefix);
  }

  /**
   * Stops everything this lab started (daemons, then any remaining process by PID),
   * deletes its namespaces by exact name and removes its directory. Idempotent.
   */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const errors: unknown[] = [];
    for (const fn of this.destroyers.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    }
    await Promise.all([...this.processes].map((p) => p.stop(2000)));
    for (const ns of [...this.nsByNode.values()].reverse()) {
      const r = await runCommand('ip', ['netns', 'delete', ns], { allowFailure: true });
      if (r.code !== 0) errors.push(new Error(`ip netns delete ${ns}: ${r.stderr.trim()}`));
    }
    if (process.env.ANYVIP_INTEROP_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true });
    for (const u of this.unregister) u();
    if (errors.length > 0) throw new AggregateError(errors, `lab ${this.id} teardown had errors`);
  }

  private assertLive(): void {
    if (this.destroyed) throw new Error(`lab ${this.id} was destroyed`);
  }
}

/** Creates a lab; see {@link Lab}. */
export function createLab(spec: LabSpec): Promise<Lab> {
  return Lab.create(spec);
}

/** Two nodes, `a` and `b`, on one link (10.250.1.1 ↔ .2, fd00:250::1:1 ↔ ::1:2). */
export function createPair(a = 'a', b = 'b'): Promise<Lab> {
  return Lab.create({ nodes: [a, b], links: [[a, b]] });
}

interface IpRouteJson {
  dst?: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  type?: string;
  metric?: number;
  nexthops?: { gateway?: string; dev?: string; weight?: number }[];
}

/** `ip -j route show` (v4 and v6) in namespace `ns`, optionally for an exact `prefix`. */
export async function kernelRoutes(ns: string, prefix?: string): Promise<KernelRoute[]> {
  const families = prefix === undefined ? ['-4', '-6'] : [prefix.includes(':') ? '-6' : '-4'];
  const out: KernelRoute[] = [];
  for (const fam of families) {
    const args = ['-n', ns, '-j', fam, 'route', 'show', ...(prefix === undefined ? [] : ['exact', prefix])];
    const r = await runCommand('ip', args);
    const rows = r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as IpRouteJson[]);
    for (const row of rows) {
      const dst = row.dst === 'default' ? (fam === '-4' ? '0.0.0.0/0' : '::/0') : (row.dst ?? '');
      const hops =
        row.nexthops !== undefined
          ? row.nexthops.map((h) => ({ gateway: h.gateway, dev: h.dev, weight: h.weight }))
          : row.gateway !== undefined || row.dev !== undefined
            ? [{ gateway: row.gateway, dev: row.dev, weight: undefined }]
            : [];
      out.push({
        prefix: dst.includes('/') ? dst : `${dst}/${fam === '-4' ? 32 : 128}`,
        nextHops: hops,
        protocol: row.protocol,
        type: row.type,
        metric: row.metric,
      });
    }
  }
  return out;
}

/**
 * Why interop tests cannot run here, or undefined if they can: they need root and a
 * working `ip netns`. Test files skip when this returns a reason, except under CI
 * (`process.env.CI` set), where they must run and fail loudly instead.
 */
export function interopSkipReason(): string | undefined {
  if (process.env.CI) return undefined;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore', timeout: 5000 });
  } catch {
    return '`ip netns` unavailable';
  }
  return undefined;
}
