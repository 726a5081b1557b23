import type { FabricCondition } from '../desired/fabric.js';
import type { DesiredState } from '../desired/types.js';
import { describeError } from '../errors.js';
import type { ControllerEvent } from '../events.js';
import { isoTimestamp } from '../iso-timestamp.js';
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

/** An anyvip.io object as the cache holds it (with its resourceVersion and status). */
export interface FabricStatusObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly resourceVersion?: string; readonly uid?: string };
  readonly status?: { readonly conditions?: readonly StatusCondition[]; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** meta/v1 Condition. */
export interface StatusCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
}

/** Writes an object's status through its `/status` subresource (CustomObjectsApi in production). */
export type StatusWriter = (
  kind: FabricCondition['kind'],
  name: string,
  body: FabricStatusObject,
) => Promise<void>;

export interface FabricConditionSinkOptions {
  /** The cached object, or undefined when it is gone. */
  readonly lookup: (kind: FabricCondition['kind'], name: string) => FabricStatusObject | undefined;
  readonly write: StatusWriter;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly report: (event: ControllerEvent) => void;
  /** Wall clock for lastTransitionTime. Default `new Date()`. */
  readonly now?: () => Date;
  readonly order?: number;
}

/**
 * Makes the anyvip.io objects' conditions and this node's fabric warnings visible:
 *
 * - the leader writes each object's `Accepted` condition (True, or False with the reason) and
 *   `observedGeneration` through the status subresource, only when they differ from what the
 *   object holds (a 409 is retried by the next pass, from the object the watch brings);
 * - the leader records a Warning Event on an object when it is refused (or accepted with a
 *   warning: a pool name in both the CRD and the ConfigMap), once per change;
 * - every node records its own problems (no default gateway of a family, conflicting ASN,
 *   an ignored password annotation) as Warning Events on its Node, once per change, and logs them.
 *
 * Best effort like Events: an Event never fails a pass; a status write that fails does (retry).
 */
export class FabricConditionSink implements Sink {
  readonly name = 'fabric-conditions';
  readonly order: number;
  readonly #o: FabricConditionSinkOptions;
  /** Object key → the condition last told (Events, logs). */
  #told = new Map<string, string>();
  /** Node warning text last told. */
  #warned = new Set<string>();
  /**
   * Object key → the resourceVersion written over and the condition written: until the watch
   * brings the new version, the cache still holds the old one, which is not written again.
   */
  readonly #written = new Map<string, { readonly over: string; readonly text: string }>();

  constructor(options: FabricConditionSinkOptions) {
    this.#o = options;
    this.order = options.order ?? 45;
  }

  async apply(desired: DesiredState, phase: Phase): Promise<SinkResult> {
    const fabric = desired.kubernetes?.fabric;
    if (phase !== 'add' || fabric === undefined) return emptyResult();
    const changes: SinkChange[] = [];
    const errors: SinkFailure[] = [];
    const { events, report } = this.#o;
    const leader = desired.kubernetes?.leader ?? false;

    const told = new Map<string, string>();
    // A pending condition (its Secret still being listed) is not decided: nothing is told or written.
    const decided = fabric.conditions.filter((c) => c.pending !== true);
    for (const c of decided) {
      const key = `${c.kind}/${c.name}`;
      const text = `${c.accepted}|${c.reason}|${c.message}|${c.warning ?? ''}`;
      told.set(key, text);
      if (this.#told.get(key) === text) continue;
      const wasRefused = (this.#told.get(key) ?? 'true').startsWith('false');
      if (!c.accepted || wasRefused)
        report({
          kind: 'fabricRefused',
          object: key,
          accepted: c.accepted,
          reason: c.reason,
          message: c.message,
        });
      if (!leader) continue;
      const subject = {
        kind: c.kind,
        apiVersion: 'anyvip.io/v1alpha1',
        namespace: '',
        name: c.name,
        uid: c.uid,
      };
      if (!c.accepted) events.record({ subject, type: 'Warning', reason: c.reason, message: c.message });
      if (c.warning !== undefined)
        events.record({ subject, type: 'Warning', reason: 'Overrides', message: c.warning });
    }
    this.#told = told;

    if (leader)
      for (const c of decided) {
        const r = await this.#write(c);
        if (r === 'written')
          changes.push({ action: 'change', key: `${c.kind}/${c.name}`, what: 'condition written' });
        else if (r !== 'unchanged' && r !== 'gone') errors.push({ key: `${c.kind}/${c.name}`, reason: r });
      }

    const warned = new Set<string>();
    for (const w of fabric.nodeWarnings) {
      const text = `${w.reason}: ${w.message}`;
      warned.add(text);
      if (this.#warned.has(text)) continue;
      report({ kind: 'nodeWarning', node: fabric.nodeName, reason: w.reason, message: w.message });
      events.record({
        subject: { kind: 'Node', namespace: '', name: fabric.nodeName, uid: undefined },
        type: 'Warning',
        reason: w.reason,
        message: w.message,
      });
    }
    this.#warned = warned;
    return { changes, errors, applied: [...told.keys()].sort() };
  }

  /** Writes the Accepted condition when the object holds another one; 'unchanged', 'written', 'gone' or why not. */
  async #write(c: FabricCondition): Promise<string> {
    const o = this.#o.lookup(c.kind, c.name);
    const key = `${c.kind}/${c.name}`;
    if (o === undefined) {
      this.#written.delete(key);
      return 'gone';
    }
    const text = `${c.accepted}|${c.reason}|${c.message}|${c.generation ?? ''}|${c.usage?.assigned ?? ''}|${c.usage?.available ?? ''}`;
    const written = this.#written.get(key);
    if (written !== undefined && written.over === o.metadata?.resourceVersion && written.text === text)
      return 'unchanged';
    const status = c.accepted ? 'True' : 'False';
    const conditions = o.status?.conditions ?? [];
    const before = conditions.find((x) => x.type === 'Accepted');
    if (
      before !== undefined &&
      before.status === status &&
      before.reason === c.reason &&
      before.message === c.message &&
      before.observedGeneration === c.generation &&
      o.status?.observedGeneration === c.generation &&
      (c.usage === undefined ||
        (o.status?.assigned === c.usage.assigned && o.status?.available === c.usage.available))
    )
      return 'unchanged';
    const accepted: StatusCondition = {
      type: 'Accepted',
      status,
      reason: c.reason,
      message: c.message,
      ...(c.generation !== undefined ? { observedGeneration: c.generation } : {}),
      lastTransitionTime:
        before !== undefined && before.status === status
          ? before.lastTransitionTime
          : isoTimestamp((this.#o.now?.() ?? new Date()).getTime()).replace(/\.\d{3}Z$/, 'Z'),
    };
    const body: FabricStatusObject = {
      ...o,
      status: {
        ...o.status,
        ...(c.generation !== undefined ? { observedGeneration: c.generation } : {}),
        ...(c.usage !== undefined ? { assigned: c.usage.assigned, available: c.usage.available } : {}),
        conditions: [...conditions.filter((x) => x.type !== 'Accepted'), accepted],
      },
    };
    try {
      await this.#o.write(c.kind, c.name, body);
      this.#written.set(key, { over: o.metadata?.resourceVersion ?? '', text });
      return 'written';
    } catch (err) {
      const code = statusCodeOf(err);
      if (code === 404) return 'gone';
      if (code === 409) return 'conflict: the object changed; the next pass writes from the new one';
      return `cannot write the status: ${describeError(err)}`;
    }
  }
}
