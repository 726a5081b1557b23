import type { CoreV1Api, V1Service } from '@kubernetes/client-node';
import { describeError } from '../errors.js';
import { statusCodeOf } from '../kubernetes/api-status.js';

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
  api: CoreV1Api,
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
