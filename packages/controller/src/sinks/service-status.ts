import type { V1Service } from '@kubernetes/client-node';
import type { DesiredState } from '../desired/types.js';
import { describeError } from '../errors.js';
import type { ControllerEvent } from '../events.js';
import type { CoreApi } from '../kubernetes/api-clients.js';
import { statusCodeOf } from '../kubernetes/api-status.js';
import {
  emptyResult,
  type Phase,
  type Sink,
  type SinkChange,
  type SinkFailure,
  type SinkResult,
} from '../reconcile/sink.js';
import type { EventRecorder } from './event-recorder.js';

/** What writing one Service's status did. */
export type StatusWrite =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'written' }
  /** 409: the Service changed since the cache saw it; the watch brings the new one and the next pass retries. */
  | { readonly kind: 'conflict' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'failed'; readonly reason: string };

/** The addresses in `status.loadBalancer.ingress`, in order. */
export function ingressAddresses(service: Pick<V1Service, 'status'>): string[] {
  return (service.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined ? [] : [i.ip]));
}

/**
 * Writes `status.loadBalancer.ingress` of one Service through the `/status` subresource
 * (only the leader calls this). The update carries the cached object's resourceVersion, so
 * a Service that changed meanwhile gets 409 Conflict instead of being overwritten with what
 * we saw before: level-triggered, the next pass decides again from the new object.
 */
export async function writeIngress(
  api: CoreApi,
  service: V1Service,
  addresses: readonly string[],
): Promise<StatusWrite> {
  const current = ingressAddresses(service);
  if (current.length === addresses.length && current.every((a, i) => a === addresses[i]))
    return { kind: 'unchanged' };
  const name = service.metadata?.name ?? '';
  const namespace = service.metadata?.namespace ?? '';
  const body: V1Service = {
    ...service,
    status: { ...service.status, loadBalancer: { ingress: addresses.map((ip) => ({ ip })) } },
  };
  try {
    await api.replaceNamespacedServiceStatus({ name, namespace, body });
    return { kind: 'written' };
  } catch (err) {
    const code = statusCodeOf(err);
    if (code === 409) return { kind: 'conflict' };
    if (code === 404) return { kind: 'gone' };
    return { kind: 'failed', reason: describeError(err) };
  }
}

/** Kubernetes Event reasons we record. */
export const EventReason = {
  allocated: 'IPAllocated',
  announced: 'Announced',
  withdrawn: 'Withdrawn',
  refused: 'Refused',
  notBound: 'NotBound',
} as const;

export interface ServiceStatusSinkOptions {
  readonly api: CoreApi;
  /** The Service as the observer's cache holds it now (its resourceVersion guards the write). */
  readonly lookup: (namespace: string, name: string) => V1Service | undefined;
  /** Whether this instance still holds the lease (checked before every write: a pass can outlive it). */
  readonly stillLeader: () => boolean;
  /** Records `IPAllocated` when an allocation is written. */
  readonly events: Pick<EventRecorder, 'record'>;
  readonly report: (event: ControllerEvent) => void;
  /** Status writes in flight at once. Default 16. */
  readonly concurrency?: number;
  readonly order?: number;
}

/**
 * Kubernetes mode (the leader): makes each Service's `status.loadBalancer.ingress` what the
 * desired world says, diffing against the Service as the watch last saw it. A 409 is not an
 * error: the watch brings the Service as it is now, and that raises the next pass, which
 * decides again. Any other failure (API server away, forbidden) is a sink failure: the loop
 * retries the pass with its back-off.
 */
export class ServiceStatusSink implements Sink {
  readonly name = 'service-status';
  readonly order: number;
  readonly #o: ServiceStatusSinkOptions;

  constructor(options: ServiceStatusSinkOptions) {
    this.#o = options;
    this.order = options.order ?? 40;
  }

  async apply(desired: DesiredState, phase: Phase): Promise<SinkResult> {
    const want = desired.kubernetes;
    if (phase !== 'add' || want === undefined || !want.leader) return emptyResult();
    const work = [...want.services].filter(([, s]) => s.ingress !== undefined);
    const changes: SinkChange[] = [];
    const errors: SinkFailure[] = [];
    const applied: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < work.length; i = next++) {
        const [key, s] = work[i] ?? [];
        if (key === undefined || s?.ingress === undefined || !this.#o.stillLeader()) continue;
        const cached = this.#o.lookup(s.namespace, s.name);
        if (cached === undefined) continue;
        const result = await writeIngress(this.#o.api, cached, s.ingress);
        if (result.kind === 'unchanged') {
          applied.push(key);
          continue;
        }
        this.#o.report({
          kind: 'serviceStatus',
          service: key,
          addresses: s.ingress,
          result: result.kind,
          ...(result.kind === 'failed' ? { reason: result.reason } : {}),
        });
        if (result.kind === 'written') {
          // Logged and counted as the serviceStatus event above, not again as a change.
          applied.push(key);
          if (s.ingress.length > 0)
            this.#o.events.record({
              subject: { kind: 'Service', namespace: s.namespace, name: s.name, uid: s.uid },
              type: 'Normal',
              reason: EventReason.allocated,
              message: `${s.ingress.join(', ')} allocated`,
            });
        }
        if (result.kind === 'failed') errors.push({ key, reason: `cannot write status: ${result.reason}` });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency ?? 16, work.length) }, worker));
    return { changes, errors, applied: applied.sort() };
  }
}
