import type { Clock, TimerHandle } from '@anyvip/healthcheck';
import { setHeaderOptions } from '@kubernetes/client-node/dist/middleware.js';
import { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
import {
  computeNodeStatus,
  NODE_STATUS_MIN_INTERVAL_MS,
  NODE_STATUS_REFRESH_MS,
  type NodeStatusContent,
} from '../desired/node-status.js';
import type { DesiredState } from '../desired/types.js';
import { describeError } from '../errors.js';
import type { ControllerEvent } from '../events.js';
import { isoTimestamp } from '../iso-timestamp.js';
import type { CustomApi } from '../kubernetes/api-clients.js';
import { statusCodeOf } from '../kubernetes/api-status.js';
// Names only (not index.js): the schemas and their library stay unloaded (fabric-object.ts).
import { anyvipApiVersion, anyvipGroup, anyvipVersion } from '../kubernetes/crds/group.js';
import type { AnyvipNodeStatusStatus } from '../kubernetes/crds/index.js';
import { anyvipNodeStatusNames } from '../kubernetes/crds/names.js';
import { emptyResult, type Phase, type Sink, type SinkResult } from '../reconcile/sink.js';
import { WritePacer } from './write-pacer.js';

/** Where AnyvipNodeStatus objects live (cluster-scoped). */
export const nodeStatusResource = {
  group: anyvipGroup,
  version: anyvipVersion,
  plural: anyvipNodeStatusNames.plural,
  kind: anyvipNodeStatusNames.kind,
} as const;

/** The longest wait between attempts while writes fail. */
const BACKOFF_MAX_MS = 5 * 60_000;

export interface NodeStatusSinkOptions {
  readonly api: CustomApi;
  /** Monotonic: pacing and the wake-up timer. */
  readonly clock: Clock;
  /** Wall-clock ms for `updatedAt` and the condition's transition time. Default `Date.now`. */
  readonly now?: () => number;
  /** Asks the loop for a pass (a held change, a refresh or a retry falls due). */
  readonly wake: (reason: string) => void;
  /** Write failures, for logs and metrics. */
  readonly report: (event: ControllerEvent) => void;
  /** This node's Node uid, when known: the status is owned by the Node (deleted with it). */
  readonly nodeUid?: () => string | undefined;
  readonly minIntervalMs?: number;
  readonly refreshMs?: number;
  readonly order?: number;
}

/**
 * Kubernetes mode, every node: keeps this node's AnyvipNodeStatus (named after the node)
 * current, so that an operator reads every node's sessions and VIPs through the API
 * (`kubectl get avstatus`, `anyvip status --cluster`) without exec'ing into any.
 *
 * The content is a pure function of the world the pass applied (desired/node-status.ts: the
 * sessions the speaker reported at the start of the pass, each VIP with why it is or is not
 * announced, to which peers, with which attributes). Writes are paced ({@link WritePacer}):
 * a change at most every 5 s (coalesced), an unchanged status rewritten every 5 min (a
 * backstop: readers judge liveness by the node lease, not by this object's age; see
 * NODE_STATUS_REFRESH_MS), and after a failure a doubling back-off up to 5 min.
 * A held write asks the loop for a pass when it falls due, so the status written then is the
 * world as it is then; passes in between do not even compute the content.
 *
 * The status goes through the `/status` subresource as a JSON merge patch (RFC 7386: the
 * lists are replaced whole); an absent object is created first (spec `{nodeName}`, owned by
 * the Node so that it goes with it). Failures never fail the pass (a status is a report, and
 * the loop's retry would rerun every sink for it): they are reported and retried by the pacer.
 */
export class NodeStatusSink implements Sink {
  readonly name = 'node-status';
  readonly order: number;
  readonly #o: NodeStatusSinkOptions;
  readonly #now: () => number;
  readonly #pacer: WritePacer;
  /** The content last written (as JSON), to write only on change. */
  #written: string | undefined;
  /** Ready as last written, with when it last changed. */
  #ready: { readonly status: string; readonly sinceIso: string } | undefined;
  /** The object exists (created by us or found); unknown at start. */
  #exists = false;
  /** Creating with an owner reference was forbidden: create without. */
  #ownerRefused = false;
  #wakeTimer: TimerHandle | undefined;
  #wakeAtMs: number | undefined;
  #stopped = false;

  constructor(options: NodeStatusSinkOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.order = options.order ?? 45;
    this.#pacer = new WritePacer({
      minIntervalMs: options.minIntervalMs ?? NODE_STATUS_MIN_INTERVAL_MS,
      refreshMs: options.refreshMs ?? NODE_STATUS_REFRESH_MS,
      backoffMaxMs: BACKOFF_MAX_MS,
    });
  }

  async apply(desired: DesiredState, phase: Phase): Promise<SinkResult> {
    if (phase !== 'add' || this.#stopped) return emptyResult();
    // Within 5 s of the last write even a change would wait: do not compute the content (it
    // costs a fraction of a pass at 10,000 VIPs); look again, once, when a write may go.
    const nodeName = desired.kubernetes?.nodeName;
    const held = this.#pacer.decide(this.#o.clock.now(), true);
    if (held.kind === 'wait' && this.#written !== undefined && nodeName !== undefined) {
      this.#wakeIn(held.inMs);
      return emptyResult([nodeName]);
    }
    const content = computeNodeStatus(desired);
    if (content === undefined) return emptyResult();
    // The content is built in a fixed key and row order (pure, sorted): plain JSON compares it.
    const key = JSON.stringify(content);
    const nowMs = this.#o.clock.now();
    const decision = this.#pacer.decide(nowMs, key !== this.#written);
    if (decision.kind === 'wait') {
      this.#wakeIn(decision.inMs);
      return emptyResult(this.#written === undefined ? [] : [content.nodeName]);
    }
    const failure = await this.#write(content);
    const doneMs = this.#o.clock.now();
    if (failure === undefined) {
      this.#pacer.written(doneMs);
      this.#written = key;
      // The backstop refresh: the unchanged status is rewritten when it falls due.
      const next = this.#pacer.decide(doneMs, false);
      this.#wakeIn(next.kind === 'wait' ? next.inMs : 0);
      return emptyResult([content.nodeName]);
    }
    const retryInMs = this.#pacer.failed(doneMs);
    this.#wakeIn(retryInMs);
    this.#o.report({
      kind: 'kubernetesError',
      resource: `${nodeStatusResource.kind} ${content.nodeName}`,
      reason: failure,
      retryInMs,
    });
    return emptyResult();
  }

  /** Clears the wake-up timer (the feed stops); nothing is written afterwards. */
  stop(): void {
    this.#stopped = true;
    if (this.#wakeTimer !== undefined) this.#o.clock.clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    this.#wakeAtMs = undefined;
  }

  /** One pass `inMs` from now (the earliest asked for wins). */
  #wakeIn(inMs: number): void {
    if (this.#stopped || !Number.isFinite(inMs)) return;
    const atMs = this.#o.clock.now() + inMs;
    if (this.#wakeTimer !== undefined && this.#wakeAtMs !== undefined && this.#wakeAtMs <= atMs) return;
    if (this.#wakeTimer !== undefined) this.#o.clock.clearTimeout(this.#wakeTimer);
    this.#wakeAtMs = atMs;
    this.#wakeTimer = this.#o.clock.setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#wakeAtMs = undefined;
      this.#o.wake('node status');
    }, inMs);
  }

  /** Patches the status (creating the object first when absent); returns why it failed, if it did. */
  async #write(content: NodeStatusContent): Promise<string | undefined> {
    const body = { status: this.#body(content) };
    const name = content.nodeName;
    try {
      if (!this.#exists) await this.#ensureObject(name);
      await this.#o.api.patchClusterCustomObjectStatus(
        { ...nodeStatusResource, name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      this.#exists = true;
      return undefined;
    } catch (err) {
      // Deleted behind our back: create it again next time.
      if (statusCodeOf(err) === 404) this.#exists = false;
      return describeFailure(err);
    }
  }

  /**
   * Creates `{spec: {nodeName}}` unless it exists (409 AlreadyExists is fine), owned by the
   * Node so that garbage collection removes it with the Node. Where setting an owner needs
   * more than create (the OwnerReferencesPermissionEnforcement admission plugin wants delete
   * on the object: 403), it is created without one rather than not at all.
   */
  async #ensureObject(name: string): Promise<void> {
    const uid = this.#ownerRefused ? undefined : this.#o.nodeUid?.();
    const body = (owned: boolean) => ({
      apiVersion: anyvipApiVersion,
      kind: nodeStatusResource.kind,
      metadata: {
        name,
        ...(owned && uid !== undefined
          ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid }] }
          : {}),
      },
      spec: { nodeName: name },
    });
    try {
      await this.#o.api.createClusterCustomObject({ ...nodeStatusResource, body: body(true) });
    } catch (err) {
      const code = statusCodeOf(err);
      if (code === 403 && uid !== undefined) {
        this.#ownerRefused = true;
        await this.#ensureObject(name);
        return;
      }
      if (code !== 409) throw err;
    }
    this.#exists = true;
  }

  #body(c: NodeStatusContent): AnyvipNodeStatusStatus {
    const nowIso = isoTimestamp(this.#now());
    if (this.#ready?.status !== c.ready.status) this.#ready = { status: c.ready.status, sinceIso: nowIso };
    return {
      nodeName: c.nodeName,
      ...(c.asn !== undefined ? { asn: c.asn } : {}),
      ...(c.routerID !== undefined ? { routerID: c.routerID } : {}),
      updatedAt: nowIso,
      // The schema's types are mutable; ours are not: copies, checked field by field by the compiler.
      sessions: c.sessions.map((x) => ({ ...x })),
      vips: c.vips.map((v) => ({
        ...v,
        peers: [...v.peers],
        communities: [...v.communities],
        largeCommunities: [...v.largeCommunities],
      })),
      conditions: [{ type: 'Ready', ...c.ready, lastTransitionTime: this.#ready.sinceIso }],
    };
  }
}

/** A failed call as text, saying what to do about the usual causes. */
function describeFailure(err: unknown): string {
  const code = statusCodeOf(err);
  if (code === 404)
    return `${describeError(err)} (is the AnyvipNodeStatus CRD installed? anyvip manifest crds | kubectl apply -f -)`;
  if (code === 403)
    return `${describeError(err)} (the ServiceAccount may not write anyvipnodestatuses: anyvip manifest rbac)`;
  return describeError(err);
}
