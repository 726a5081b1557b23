/**
 * The lab of the single-router Kubernetes-mode interop tests (kubernetes, failover,
 * weighted-ecmp): one router with a routed link to each cluster node, router 10.250.i.1 ↔
 * node i 10.250.i.2 (i from 1, in the order given), the API server of a {@link ClusterLab}
 * forwarded into the router's namespace (node i reaches it at 10.250.i.1:6443, its own
 * link's router address), router AS 65000, anyvip AS 65001.
 *
 * What a test adds to that (its router daemon and configuration, extra lab nodes such as a
 * client behind the router, its objects, its own `anyvip run` flags) stays in the test.
 */
import {
  createLab,
  type Lab,
  type ManagedProcess,
  type NeighborConfig,
} from '../../../../bgp/test/interop/support/index.js';
import { ClusterLab } from './cluster-lab.js';

/** The router's AS. */
export const routerAsn = 65000;
/** Every node's AS. */
export const anyvipAsn = 65001;
/** The lab node the router runs in (and the API forwarder with it). */
export const routerNode = 'router';

/** What {@link OneRouterCluster.start} builds. */
export interface OneRouterClusterSpec {
  /** Cluster node names; node i (from 1) is on link i. */
  readonly nodes: readonly string[];
  /** More lab nodes, linked after the cluster nodes' links (e.g. a client behind the router). */
  readonly extraNodes?: readonly string[];
  readonly extraLinks?: readonly (readonly [string, string])[];
}

/** One router, N cluster nodes, the API server: see the file comment. */
export class OneRouterCluster {
  readonly lab: Lab;
  readonly cluster: ClusterLab;
  readonly nodes: readonly string[];

  private constructor(cluster: ClusterLab, nodes: readonly string[]) {
    this.lab = cluster.lab;
    this.cluster = cluster;
    this.nodes = nodes;
  }

  /**
   * Creates the lab and starts the API server (with anyvip's CRDs) and its forwarder in the
   * router's namespace. A failed start destroys what it made.
   */
  static async start(spec: OneRouterClusterSpec): Promise<OneRouterCluster> {
    const lab = await createLab({
      nodes: [routerNode, ...spec.nodes, ...(spec.extraNodes ?? [])],
      links: [...spec.nodes.map((n) => [routerNode, n] as const), ...(spec.extraLinks ?? [])],
    });
    try {
      return new OneRouterCluster(await ClusterLab.start(lab, routerNode), spec.nodes);
    } catch (err) {
      await lab.destroy();
      throw err;
    }
  }

  /** Link number (from 1) of cluster node `node`. */
  private index(node: string): number {
    const k = this.nodes.indexOf(node);
    if (k < 0) throw new Error(`${node} is not a cluster node of this lab`);
    return k + 1;
  }

  /** Node `node`'s address on its link (10.250.i.2): its InternalIP, router id and BGP address. */
  nodeAddress(node: string): string {
    return `10.250.${this.index(node)}.2`;
  }

  /** The router's address on node `node`'s link (10.250.i.1): its BGP peer and API server host. */
  routerAddress(node: string): string {
    return `10.250.${this.index(node)}.1`;
  }

  /** The router's sessions, one per cluster node, for `startDaemon`. */
  neighbors(holdTimeSec: number): NeighborConfig[] {
    return this.nodes.map((n) => ({
      address: this.nodeAddress(n),
      asn: anyvipAsn,
      localAddress: this.routerAddress(n),
      holdTimeSec,
    }));
  }

  /**
   * Starts `anyvip run` on `node` with its session to the router (`--peer`, `--peer-asn`,
   * `--asn`, `--router-id`, `--hold-time`) and then `args`; does not wait (see
   * {@link ClusterLab.waitStarted}).
   */
  startNode(node: string, holdTimeSec: number, args: readonly string[]): Promise<ManagedProcess> {
    return this.cluster.startNode(node, this.routerAddress(node), [
      '--peer',
      this.routerAddress(node),
      '--peer-asn',
      String(routerAsn),
      '--asn',
      String(anyvipAsn),
      '--router-id',
      this.nodeAddress(node),
      '--hold-time',
      String(holdTimeSec),
      ...args,
    ]);
  }

  /** The running (or last) `anyvip run` of `node`. */
  process(node: string): ManagedProcess {
    const p = this.cluster.nodes.get(node);
    if (p === undefined) throw new Error(`anyvip@${node} was not started`);
    return p;
  }
}
