import type { Clock, TimerHandle } from '@anyvip/healthcheck';
import type { V1Lease } from '@kubernetes/client-node';
import { describeError } from '../../errors.js';
import type { CoordinationApi } from '../../kubernetes/api-clients.js';
import { statusCodeOf } from '../../kubernetes/api-status.js';
import { wireNow } from '../../kubernetes/wire-date.js';

/** The label that marks an instance's node leases (its value: the instance's lease name). */
export const nodeLeaseLabel = 'anyvip.io/node-lease';

/** The node lease's name for an instance (`anyvip`) and a node: `anyvip-node-NODE`, cut to 63. */
export function nodeLeaseName(instance: string, node: string): string {
  return `${instance}-node-${node}`.slice(0, 253);
}

export interface NodeLeaseOptions {
  readonly api: CoordinationApi;
  readonly namespace: string;
  /** The instance's lease name (`anyvip`, `anyvip-blue`): the label value. */
  readonly instance: string;
  readonly node: string;
  readonly clock: Clock;
  /** Renew every this many ms. */
  readonly intervalMs: number;
  readonly onError?: (reason: string) => void;
}

/**
 * This node's anyvip heartbeat: a coordination.k8s.io/v1 Lease, holder = the node, renewed
 * every `intervalMs` (the cluster observer watches them all; desired/node-liveness.ts decides who is live). On stop the lease is deleted,
 * so the other nodes take this node's single-announcer VIPs over at once instead of after the
 * lease goes stale. A failed renewal is retried on the next tick; it never stops anything.
 */
export class NodeLeaseRenewer {
  readonly #o: NodeLeaseOptions;
  readonly #name: string;
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: NodeLeaseOptions) {
    this.#o = options;
    this.#name = nodeLeaseName(options.instance, options.node);
  }

  get name(): string {
    return this.#name;
  }

  /** Writes the lease now, then every interval; resolves after the first write (or its failure). */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#running = this.#renew();
    await this.#running;
    this.#schedule();
  }

  /** Stops renewing and deletes the lease. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    try {
      await this.#o.api.deleteNamespacedLease({ name: this.#name, namespace: this.#o.namespace });
    } catch (err) {
      if (statusCodeOf(err) !== 404) this.#o.onError?.(`delete node lease: ${describeError(err)}`);
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#renew().finally(() => {
        this.#running = undefined;
        this.#schedule();
      });
    }, this.#o.intervalMs);
  }

  async #renew(): Promise<void> {
    const { api, namespace } = this.#o;
    const name = this.#name;
    const now = wireNow();
    try {
      let lease: V1Lease | undefined;
      try {
        lease = await api.readNamespacedLease({ name, namespace });
      } catch (err) {
        if (statusCodeOf(err) !== 404) throw err;
      }
      const spec = {
        holderIdentity: this.#o.node,
        leaseDurationSeconds: Math.max(1, Math.ceil((3 * this.#o.intervalMs) / 1000)),
        renewTime: now,
      };
      if (lease === undefined)
        await api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace, labels: { [nodeLeaseLabel]: this.#o.instance } },
            spec: { ...spec, acquireTime: now },
          },
        });
      else
        await api.replaceNamespacedLease({
          name,
          namespace,
          body: { ...lease, spec: { ...lease.spec, ...spec } },
        });
    } catch (err) {
      // 409: a concurrent write (our previous one, retried): the next tick reads again.
      if (statusCodeOf(err) !== 409) this.#o.onError?.(`renew node lease ${name}: ${describeError(err)}`);
    }
  }
}
