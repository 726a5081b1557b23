/**
 * A Kubernetes cluster for interop tests, on top of a {@link Lab}: the in-repo test API
 * server (in this process, on a Unix socket in the lab's directory) serving anyvip's CRDs,
 * a TCP forwarder in one namespace that puts it on the lab's network at `<that namespace's
 * address>:6443` (bench/support/cluster-lab.ts), and `anyvip run` (the built CLI,
 * the bundle: test/support/anyvip-cli.ts) started per node with its own kubeconfig.
 *
 * The namespaces share the file system, so the forwarder reaches the socket; the nodes
 * reach the forwarder over the lab's links and routes, as a kubelet reaches its API server.
 * Everything it starts is a lab process, and the API server closes with the lab:
 * `lab.destroy()` stops all of it (processes by PID).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandResult, Lab, ManagedProcess } from '../../../../bgp/test/interop/support/index.js';
import { serveApiInto } from '../../../bench/support/cluster-lab.js';
import { anyvipCustomResourceDefinitions } from '../../../src/kubernetes/crds/index.js';
import { ANYVIP_CLI } from '../../support/anyvip-cli.js';
import { type KubeObject, TestApiServer } from '../../support/api-server.js';
import { writeKubeconfig } from '../../support/kubeconfig.js';

/** The built CLI the nodes run. */
export const anyvipCli = ANYVIP_CLI;

/** The port the forwarder (bench/support/cluster-lab.ts) listens on, on every address of its namespace. */
export const apiPort = 6443;

/** What a Node object says about itself; the rest of the Node is what the controller ignores. */
export interface NodeSpec {
  readonly name: string;
  /** InternalIP addresses, IPv4 first (the router id defaults to the first IPv4 one). */
  readonly addresses: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A ready Node object. */
export function nodeObject(spec: NodeSpec): KubeObject {
  return {
    metadata: {
      name: spec.name,
      ...(spec.labels !== undefined ? { labels: { ...spec.labels } } : {}),
      ...(spec.annotations !== undefined ? { annotations: { ...spec.annotations } } : {}),
    },
    status: {
      addresses: spec.addresses.map((address) => ({ type: 'InternalIP', address })),
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

/** The API server of a lab and the anyvip processes that talk to it. */
export class ClusterLab {
  readonly lab: Lab;
  readonly api: TestApiServer;
  /** `anyvip run` per node name. */
  readonly nodes = new Map<string, ManagedProcess>();

  private constructor(lab: Lab, api: TestApiServer) {
    this.lab = lab;
    this.api = api;
  }

  /**
   * Starts the API server and its forwarder in `forwarderNode` (a lab node every cluster
   * node can reach). Fails at once if the CLI has not been built.
   */
  static async start(lab: Lab, forwarderNode: string): Promise<ClusterLab> {
    if (!existsSync(anyvipCli)) throw new Error(`${anyvipCli} is missing: build first (pnpm -r build)`);
    const socket = join(lab.dir, 'api.sock');
    const api = await TestApiServer.start({ path: socket });
    api.installCrds(anyvipCustomResourceDefinitions());
    // The lab's teardown closes the API server too, so a failed start-up leaks nothing.
    lab.onDestroy(() => api.close());
    await serveApiInto(lab, forwarderNode, socket, apiPort);
    return new ClusterLab(lab, api);
  }

  /**
   * Starts `anyvip run --kubeconfig K --node-name NODE ARGS…` in the lab node of the same
   * name, with the API server at `apiHost:6443`. Does not wait: see {@link waitStarted}.
   */
  async startNode(node: string, apiHost: string, args: readonly string[]): Promise<ManagedProcess> {
    if (this.nodes.get(node)?.running === true) throw new Error(`anyvip@${node} is already running`);
    const kubeconfig = writeKubeconfig(`http://${apiHost}:${apiPort}`, this.lab.dir, `${node}.kubeconfig`);
    const p = await this.lab.spawn(
      node,
      process.execPath,
      [anyvipCli, 'run', '--kubeconfig', kubeconfig, '--node-name', node, ...args],
      { label: `anyvip@${node}` },
    );
    this.nodes.set(node, p);
    return p;
  }

  /**
   * Runs `anyvip ARGS… --kubeconfig K` to completion in lab node `node` (e.g. `status
   * --cluster`), with the API server at `apiHost:6443`; fails on a non-zero exit.
   */
  async runCli(node: string, apiHost: string, args: readonly string[]): Promise<CommandResult> {
    const kubeconfig = writeKubeconfig(
      `http://${apiHost}:${apiPort}`,
      this.lab.dir,
      `cli-${node}.kubeconfig`,
    );
    return this.lab.exec(node, process.execPath, [anyvipCli, ...args, '--kubeconfig', kubeconfig], {
      timeoutMs: 30_000,
    });
  }

  /**
   * Waits for each node's "started" log line. Start-up has its own generous bound (several
   * processes importing @kubernetes/client-node at once on a loaded 2-core host took 18 s
   * to the first log line), so that each check's waits time only what it checks.
   */
  async waitStarted(nodes: readonly string[], timeoutMs = 90_000): Promise<void> {
    for (const n of nodes) {
      const p = this.nodes.get(n);
      if (p === undefined) throw new Error(`anyvip@${n} was not started`);
      await p.waitForJsonLine((v) => (v as { message?: string }).message === 'started', {
        timeoutMs,
        what: `anyvip@${n} started`,
      });
    }
  }

  /** Writes each node's whole output to `DIR/<node>.log` (stdout, then stderr). */
  writeLogs(dir: string): void {
    mkdirSync(dir, { recursive: true });
    for (const [node, p] of this.nodes)
      writeFileSync(
        join(dir, `${node}.log`),
        [...p.lines(0), '--- stderr', ...p.lines(0, 'stderr'), ''].join('\n'),
      );
  }

  /** Events (core/v1) about the object `name` of `kind`, oldest first. */
  eventsAbout(kind: string, name: string): KubeObject[] {
    return [...this.api.list('v1', 'events'), ...this.api.list('events.k8s.io/v1', 'events')].filter((e) => {
      const about = (e.involvedObject ?? e.regarding) as { kind?: string; name?: string } | undefined;
      return about?.kind === kind && about.name === name;
    });
  }
}

/** A LoadBalancer Service as the checks create it: what {@link loadBalancerService} takes. */
export interface LoadBalancerSpec {
  readonly name: string;
  /** Default `default`. */
  readonly namespace?: string;
  /** `status.loadBalancer.ingress`, as a cloud controller or anyvip's IPAM writes it. */
  readonly ips: readonly string[];
  readonly loadBalancerClass?: string;
  /** Default `Cluster`. */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  /** Default 80 (TCP). */
  readonly port?: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A Service of type LoadBalancer with its addresses in status. */
export function loadBalancerService(spec: LoadBalancerSpec): KubeObject {
  return {
    metadata: {
      name: spec.name,
      namespace: spec.namespace ?? 'default',
      ...(spec.annotations !== undefined ? { annotations: { ...spec.annotations } } : {}),
    },
    spec: {
      type: 'LoadBalancer',
      ports: [{ port: spec.port ?? 80, protocol: 'TCP' }],
      externalTrafficPolicy: spec.externalTrafficPolicy ?? 'Cluster',
      ...(spec.loadBalancerClass !== undefined ? { loadBalancerClass: spec.loadBalancerClass } : {}),
    },
    status: { loadBalancer: { ingress: spec.ips.map((ip) => ({ ip })) } },
  };
}
