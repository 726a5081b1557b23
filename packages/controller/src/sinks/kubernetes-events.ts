import type { DesiredState } from '../desired/types.js';
import type { ControllerEvent } from '../events.js';
import { emptyResult, type Phase, type Sink, type SinkResult } from '../reconcile/sink.js';
import type { EventRecorder } from './event-recorder.js';
import { EventReason } from './service-status.js';

export interface KubernetesEventSinkOptions {
  readonly events: Pick<EventRecorder, 'record'>;
  readonly report: (event: ControllerEvent) => void;
  /** This node, for messages. */
  readonly nodeName: string;
  readonly order?: number;
}

/**
 * Kubernetes mode: tells the cluster what this node did, as core/v1 Events on the Services,
 * diffing the desired world against what it last told:
 *
 * - `Announced` / `Withdrawn` when the addresses this node announces for a Service change
 *   (a Service deleted since has no object to tell: its VIPs go with it). An address the
 *   world withholds because lo does not hold it (desired/bind-gate.ts) is not announced: it
 *   gets a `NotBound` Warning instead, once per change of its reason;
 * - the leader: `Refused` (Warning) for every refused address, every pass (the recorder
 *   folds repeats into the first Event's count), and a `vipRefused` log line;
 * - every node: a `poolRejected` log line per pools ConfigMap key that does not parse, once
 *   per change of the errors.
 *
 * Events are best effort (the recorder drops what it cannot write), so this sink never fails
 * a pass. It runs last, after the addresses are bound and announced.
 */
export class KubernetesEventSink implements Sink {
  readonly name = 'kubernetes-events';
  readonly order: number;
  readonly #o: KubernetesEventSinkOptions;
  /** Per Service key: the addresses announced from here as last told. */
  #told = new Map<string, readonly string[]>();
  /** Per address: why it was last told as not bound. */
  #notBound = new Map<string, string>();
  #poolErrorsText = '';

  constructor(options: KubernetesEventSinkOptions) {
    this.#o = options;
    this.order = options.order ?? 50;
  }

  async apply(desired: DesiredState, phase: Phase): Promise<SinkResult> {
    const want = desired.kubernetes;
    if (phase !== 'add' || want === undefined) return emptyResult([...this.#told.keys()].sort());
    const { events, report, nodeName: node } = this.#o;
    const poolErrorsText = want.poolErrors.map((e) => e.reason).join('\n');
    if (poolErrorsText !== this.#poolErrorsText && want.poolErrors.length > 0)
      for (const e of want.poolErrors)
        report({
          kind: 'poolRejected',
          configMap: want.poolsConfigMap,
          key: e.key,
          code: e.code,
          reason: e.reason,
        });
    this.#poolErrorsText = poolErrorsText;

    const next = new Map<string, readonly string[]>();
    const notBound = new Map<string, string>();
    for (const [key, s] of want.services) {
      const subject = { kind: 'Service' as const, namespace: s.namespace, name: s.name, uid: s.uid };
      const before = this.#told.get(key) ?? [];
      // Never say "announced" for an address that is not bound here: it is withheld.
      const here: string[] = [];
      for (const a of s.announcedHere) {
        const reason = desired.vips.get(hostPrefix(a))?.withheld;
        if (reason === undefined) {
          here.push(a);
          continue;
        }
        notBound.set(a, reason);
        if (this.#notBound.get(a) !== reason)
          events.record({
            subject,
            type: 'Warning',
            reason: EventReason.notBound,
            message: `${a} not announced from node ${node}: ${reason}`,
          });
      }
      if (here.length > 0) next.set(key, here);
      const added = here.filter((a) => !before.includes(a));
      const removed = before.filter((a) => !here.includes(a));
      if (added.length > 0)
        events.record({
          subject,
          type: 'Normal',
          reason: EventReason.announced,
          message: `${added.join(', ')} announced from node ${node}`,
        });
      if (removed.length > 0)
        events.record({
          subject,
          type: 'Normal',
          reason: EventReason.withdrawn,
          message: `${removed.join(', ')} withdrawn from node ${node}`,
        });
      if (want.leader)
        for (const r of s.refused) {
          report({ kind: 'vipRefused', service: key, vip: r.address, reason: r.reason });
          events.record({
            subject,
            type: 'Warning',
            reason: EventReason.refused,
            message: `${r.address} refused: ${r.reason}`,
          });
        }
    }
    this.#told = next;
    this.#notBound = notBound;
    return emptyResult([...next.keys()].sort());
  }
}

/** A Service address (canonical text) as the VIP prefix the world keys it by. */
function hostPrefix(address: string): string {
  return `${address}/${address.includes(':') ? 128 : 32}`;
}
