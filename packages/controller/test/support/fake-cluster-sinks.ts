import type { DesiredState } from '../../src/desired/types.js';
import type { Phase, Sink, SinkChange, SinkResult } from '../../src/reconcile/sink.js';
import type { EventNote } from '../../src/sinks/event-recorder.js';
import { EventReason } from '../../src/sinks/service-status.js';

/** An Event recorder that keeps what it was asked to record, in order. */
export class RecordedEvents {
  readonly notes: EventNote[] = [];

  record(note: EventNote): void {
    this.notes.push(note);
  }

  /** The notes since the last call, as `TYPE REASON ns/name: message` lines. */
  take(): string[] {
    const out = this.notes.map(
      (n) => `${n.type} ${n.reason} ${n.subject.namespace}/${n.subject.name}: ${n.message}`,
    );
    this.notes.length = 0;
    return out;
  }
}

/** A Service as the fake status sink writes it: `status.loadBalancer.ingress` only. */
export interface StatusHolder {
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

/**
 * The status writer's fake: it writes the desired `status.loadBalancer.ingress` straight into
 * the scenario's Service objects (the next observation sees it, as the watch would bring it),
 * and records `IPAllocated` as the real sink does when it writes a non-empty allocation.
 */
export class FakeStatusSink implements Sink {
  readonly name = 'service-status';
  readonly order = 40;
  readonly writes: string[] = [];
  readonly #lookup: (key: string) => StatusHolder | undefined;
  readonly #events: RecordedEvents;

  constructor(lookup: (key: string) => StatusHolder | undefined, events: RecordedEvents) {
    this.#lookup = lookup;
    this.#events = events;
  }

  async apply(desired: DesiredState, phase: Phase): Promise<SinkResult> {
    const want = desired.kubernetes;
    const changes: SinkChange[] = [];
    if (phase !== 'add' || want === undefined || !want.leader) return { changes, errors: [], applied: [] };
    for (const [key, s] of want.services) {
      if (s.ingress === undefined) continue;
      const svc = this.#lookup(key);
      if (svc === undefined) continue;
      const now = (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) =>
        i.ip === undefined ? [] : [i.ip],
      );
      if (now.join() === s.ingress.join()) continue;
      svc.status = { ...svc.status, loadBalancer: { ingress: s.ingress.map((ip) => ({ ip })) } };
      this.writes.push(`${key} [${s.ingress.join(', ')}]`);
      changes.push({ action: 'change', key, what: 'status written' });
      if (s.ingress.length > 0)
        this.#events.record({
          subject: { kind: 'Service', namespace: s.namespace, name: s.name, uid: s.uid },
          type: 'Normal',
          reason: EventReason.allocated,
          message: `${s.ingress.join(', ')} allocated`,
        });
    }
    return { changes, errors: [], applied: [] };
  }
}
