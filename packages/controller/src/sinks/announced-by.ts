import type { Clock, TimerHandle } from '@anyvip/healthcheck';
import type { V1Service } from '@kubernetes/client-node';
import { setHeaderOptions } from '@kubernetes/client-node/dist/middleware.js';
import { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
import { announcedByAnnotation, formatAnnouncedBy } from '../desired/announced-by.js';
import { NODE_STATUS_MIN_INTERVAL_MS } from '../desired/node-status.js';
import type { DesiredState } from '../desired/types.js';
import { describeError } from '../errors.js';
import type { ControllerEvent } from '../events.js';
import type { CoreApi } from '../kubernetes/api-clients.js';
import { statusCodeOf } from '../kubernetes/api-status.js';
import { emptyResult, type Phase, type Sink, type SinkResult } from '../reconcile/sink.js';
import { WritePacer } from './write-pacer.js';

/** The longest wait between attempts while writes fail. */
const BACKOFF_MAX_MS = 5 * 60_000;

export interface AnnouncedBySinkOptions {
  readonly api: CoreApi;
  /** The Service as the observer's cache holds it now. */
  readonly lookup: (namespace: string, name: string) => V1Service | undefined;
  /** Whether this instance still holds the lease (checked before every write). */
  readonly stillLeader: () => boolean;
  readonly clock: Clock;
  /** Asks the loop for a pass (held changes, a retry fall due). */
  readonly wake: (reason: string) => void;
  readonly report: (event: ControllerEvent) => void;
  /** Writes in flight at once. Default 16. */
  readonly concurrency?: number;
  readonly minIntervalMs?: number;
  readonly order?: number;
}

/**
 * Kubernetes mode (the leader): keeps the `anyvip.io/announced-by` annotation of every Service
 * it handles equal to the nodes whose AnyvipNodeStatus says they announce it (sorted,
 * comma-separated; empty when none does), as the desired world says (desired/announced-by.ts).
 *
 * An annotation, not a Service condition: `status.conditions` of a Service belong to its
 * load-balancer controller's state machine (`type`/`status`/`reason` with a transition time,
 * True/False), whereas "which nodes announce it" is a list that changes with every node that
 * comes or goes; and writing Service status would race the `status.loadBalancer` writes (one
 * subresource, two writers). An annotation is the convention for such derived, informational
 * data (MetalLB and kube-vip both annotate Services), and a merge patch touches nothing else.
 *
 * Written only on change, at most one batch every 5 s (changes in between coalesced), with a
 * doubling back-off while writes fail ({@link WritePacer}). A failure is reported, not a
 * failed pass: the annotation is a report, and the loop's retry would rerun every sink for it.
 */
export class AnnouncedBySink implements Sink {
  readonly name = 'announced-by';
  readonly order: number;
  readonly #o: AnnouncedBySinkOptions;
  readonly #pacer: WritePacer;
  #wakeTimer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: AnnouncedBySinkOptions) {
    this.#o = options;
    this.order = options.order ?? 42;
    this.#pacer = new WritePacer({
      minIntervalMs: options.minIntervalMs ?? NODE_STATUS_MIN_INTERVAL_MS,
      refreshMs: 0,
      backoffMaxMs: BACKOFF_MAX_MS,
    });
  }

  async apply(desired: DesiredState, phase: Phase): Promise<SinkResult> {
    const want = desired.kubernetes;
    if (phase !== 'add' || want === undefined || !want.leader || this.#stopped) return emptyResult();
    const work: { key: string; service: V1Service; value: string }[] = [];
    const applied: string[] = [];
    for (const [key, s] of want.services) {
      if (s.announcedBy === undefined) continue;
      const service = this.#o.lookup(s.namespace, s.name);
      if (service === undefined) continue;
      const value = formatAnnouncedBy(s.announcedBy);
      if (service.metadata?.annotations?.[announcedByAnnotation] === value) applied.push(key);
      else work.push({ key, service, value });
    }
    if (work.length === 0) return emptyResult(applied.sort());
    const decision = this.#pacer.decide(this.#o.clock.now(), true);
    if (decision.kind === 'wait') {
      this.#wakeIn(decision.inMs);
      return emptyResult(applied.sort());
    }
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < work.length; i = next++) {
        const w = work[i];
        if (w === undefined || !this.#o.stillLeader()) continue;
        const failure = await this.#write(w.service, w.value);
        if (failure === undefined) applied.push(w.key);
        else failures.push(`${w.key}: ${failure}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency ?? 16, work.length) }, worker));
    const nowMs = this.#o.clock.now();
    if (failures.length === 0) this.#pacer.written(nowMs);
    else {
      const retryInMs = this.#pacer.failed(nowMs);
      this.#wakeIn(retryInMs);
      this.#o.report({
        kind: 'kubernetesError',
        resource: `Service annotation ${announcedByAnnotation}`,
        reason: `${failures.length} of ${work.length} writes failed; first: ${failures[0]}`,
        retryInMs,
      });
    }
    return emptyResult(applied.sort());
  }

  /** Clears the wake-up timer (the feed stops). */
  stop(): void {
    this.#stopped = true;
    if (this.#wakeTimer !== undefined) this.#o.clock.clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
  }

  #wakeIn(inMs: number): void {
    if (this.#stopped || this.#wakeTimer !== undefined || !Number.isFinite(inMs)) return;
    this.#wakeTimer = this.#o.clock.setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#o.wake('announced-by');
    }, inMs);
  }

  /** Merge-patches the one annotation; a Service deleted meanwhile (404) is not a failure. */
  async #write(service: V1Service, value: string): Promise<string | undefined> {
    const name = service.metadata?.name ?? '';
    const namespace = service.metadata?.namespace ?? '';
    try {
      await this.#o.api.patchNamespacedService(
        { name, namespace, body: { metadata: { annotations: { [announcedByAnnotation]: value } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      return undefined;
    } catch (err) {
      return statusCodeOf(err) === 404 ? undefined : describeError(err);
    }
  }
}
