import type { Clock, TimerHandle } from '@anyvip/healthcheck';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObservedNodeStatus } from '../../desired/announced-by.js';
import { statusCodeOf } from '../../kubernetes/api-status.js';
import type { KubeClients } from '../../kubernetes/client.js';
import { anyvipGroup, anyvipVersion } from '../../kubernetes/crds/group.js';
import { anyvipNodeStatusNames } from '../../kubernetes/crds/names.js';
import { type ListWatchEvent, pagedList, WatchedKind } from './list-watch.js';

/** An AnyvipNodeStatus as far as the leader reads it. */
interface NodeStatusObject extends KubernetesObject {
  readonly status?: {
    readonly vips?: readonly { readonly service?: string; readonly announced?: boolean }[];
  };
}

export interface NodeStatusWatchOptions {
  readonly clients: KubeClients;
  readonly clock: Clock;
  /** The set of Services some node announces changed (a node began or stopped announcing one). */
  readonly onChange: (reason: string) => void;
  readonly onEvent: (e: ListWatchEvent) => void;
}

/** Objects per list page. */
const LIST_PAGE = 500;
/** How often the leader looks again for a missing AnyvipNodeStatus CRD. */
const CRD_PROBE_MS = 30_000;

/**
 * The leader's view of every node's AnyvipNodeStatus, for the `anyvip.io/announced-by`
 * annotation (desired/announced-by.ts). Only the leader watches: every node rewrites its
 * status on change and at least every 5 min, and a watch on every node would fan that out N×N.
 *
 * It records, by this process's monotonic clock, when each object last changed (its
 * `updatedAt` is the writer's wall clock, never compared with ours), and raises a pass only
 * when what some node announces changes, not on every refresh; a status going stale is
 * seen by the next periodic pass.
 */
export class NodeStatusWatch {
  readonly #kind: WatchedKind<NodeStatusObject>;
  readonly #clock: Clock;
  readonly #onChange: (reason: string) => void;
  /** Node → the resourceVersion last seen, when it changed, and what the node announces. */
  readonly #seen = new Map<string, { rv: string; atMs: number; announcing: readonly string[] }>();
  /** Probes whether the CRD is installed (a list of one object). */
  readonly #probe: () => Promise<unknown>;
  #probeTimer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: NodeStatusWatchOptions) {
    const { clients, clock } = options;
    this.#clock = clock;
    this.#onChange = options.onChange;
    const api = clients.custom;
    this.#probe = () => api.listClusterCustomObject({ ...resource, limit: 1 });
    const resource = {
      group: anyvipGroup,
      version: anyvipVersion,
      plural: anyvipNodeStatusNames.plural,
    };
    this.#kind = new WatchedKind<NodeStatusObject>(clients.connection, {
      path: `/apis/${resource.group}/${resource.version}/${resource.plural}`,
      list: pagedList(
        (c) =>
          api.listClusterCustomObject({ ...resource, limit: LIST_PAGE, _continue: c }) as Promise<{
            items: NodeStatusObject[];
            metadata?: { resourceVersion?: string; _continue?: string };
          }>,
      ),
      clock,
      onEvent: (e) => {
        if (e.kind === 'error') options.onEvent(e);
        else if (this.#record()) this.#onChange('node status');
      },
    });
  }

  /**
   * Starts watching once the AnyvipNodeStatus CRD answers. While it is not installed (404: an
   * upgrade that did not apply `anyvip manifest crds`) the leader looks again every
   * {@link CRD_PROBE_MS}, quietly: the nodes' status writes report the missing CRD, once per
   * back-off, and nothing else depends on it (the annotation is left alone).
   */
  start(): void {
    this.#stopped = false;
    void this.#probe().then(
      () => {
        if (!this.#stopped) this.#kind.start();
      },
      (err: unknown) => {
        if (this.#stopped) return;
        if (statusCodeOf(err) !== 404) {
          this.#kind.start();
          return;
        }
        this.#probeTimer = this.#clock.setTimeout(() => {
          this.#probeTimer = undefined;
          this.start();
        }, CRD_PROBE_MS);
      },
    );
  }

  stop(): void {
    this.#stopped = true;
    if (this.#probeTimer !== undefined) this.#clock.clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    this.#kind.stop();
  }

  /** Every node's status as last seen; undefined until listed once. */
  observed(): readonly ObservedNodeStatus[] | undefined {
    if (!this.#kind.synced) return undefined;
    this.#record();
    return [...this.#seen].map(([node, s]) => ({ node, changedAtMs: s.atMs, announcing: s.announcing }));
  }

  /** Takes in the cache; true when some node's announced Services changed (or a node came or went). */
  #record(): boolean {
    const now = this.#clock.now();
    let changed = false;
    const present = new Set<string>();
    for (const o of this.#kind.items()) {
      const node = o.metadata?.name;
      if (node === undefined) continue;
      present.add(node);
      const rv = o.metadata?.resourceVersion ?? '';
      const before = this.#seen.get(node);
      if (before?.rv === rv) continue;
      const announcing = [
        ...new Set(
          (o.status?.vips ?? []).flatMap((v) => (v.announced === true && v.service ? [v.service] : [])),
        ),
      ].sort();
      if (before === undefined || before.announcing.join(',') !== announcing.join(',')) changed = true;
      this.#seen.set(node, { rv, atMs: now, announcing });
    }
    for (const node of [...this.#seen.keys()])
      if (!present.has(node)) {
        this.#seen.delete(node);
        changed = true;
      }
    return changed;
  }
}
