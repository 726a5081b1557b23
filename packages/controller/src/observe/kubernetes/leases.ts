import type { Clock, TimerHandle } from '@anyvip/healthcheck';
import type { V1Lease } from '@kubernetes/client-node';
import { assertNever } from '../../assert-never.js';
import { describeError } from '../../errors.js';
import type { CoordinationApi } from '../../kubernetes/api-clients.js';
import { statusCodeOf } from '../../kubernetes/api-status.js';
import { wireNow } from '../../kubernetes/wire-date.js';

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics
 * (k8s.io/client-go/tools/leaderelection): the holder renews every `retryPeriodMs`; a
 * candidate takes the lease over only after it has seen the same record unchanged for
 * `leaseDurationSec` by its own monotonic clock (so clock skew between nodes does not
 * matter); every write carries the resourceVersion it read, so two candidates racing get one
 * success and one 409 Conflict; a leader that cannot renew for `renewDeadlineMs` steps down.
 * On stop the leader releases the lease (empty holder) so a successor takes over at once.
 */

/** What the elector read from the API server. */
export interface ObservedLease {
  readonly holder: string | undefined;
  readonly durationSec: number;
  /** Changes whenever the holder renews; the takeover clock restarts on any change. */
  readonly recordKey: string;
}

/** What to do next, from the lease and our own view of it. */
export type LeaseDecision =
  | { readonly kind: 'create' }
  | { readonly kind: 'renew' }
  | { readonly kind: 'takeOver'; readonly from: string | undefined }
  | { readonly kind: 'follow'; readonly holder: string };

/**
 * Pure: `observed` is the lease as read (undefined: it does not exist), `unchangedForMs` how
 * long this candidate has seen that same record.
 */
export function decideLease(
  observed: ObservedLease | undefined,
  identity: string,
  unchangedForMs: number,
): LeaseDecision {
  if (observed === undefined) return { kind: 'create' };
  if (observed.holder === identity) return { kind: 'renew' };
  if (observed.holder === undefined || observed.holder === '') return { kind: 'takeOver', from: undefined };
  if (unchangedForMs > observed.durationSec * 1000) return { kind: 'takeOver', from: observed.holder };
  return { kind: 'follow', holder: observed.holder };
}

export { leaseNameFor } from '../../config/lease-name.js';

/** What the elector reports. */
export type LeaderEvent =
  | {
      readonly kind: 'elected';
      readonly lease: string;
      readonly identity: string;
      readonly from: string | undefined;
    }
  | { readonly kind: 'deposed'; readonly lease: string; readonly identity: string; readonly reason: string }
  | { readonly kind: 'following'; readonly lease: string; readonly holder: string }
  | { readonly kind: 'leaseError'; readonly lease: string; readonly reason: string };

export interface LeaderElectorOptions {
  readonly api: CoordinationApi;
  readonly namespace: string;
  readonly name: string;
  /** This candidate; the node name (a restarted controller on the same node resumes at once). */
  readonly identity: string;
  readonly clock: Clock;
  readonly onEvent: (e: LeaderEvent) => void;
  /** client-go defaults: 15 s, 10 s, 2 s. */
  readonly leaseDurationSec?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

/** Runs the election; `leader` says whether we hold the lease now. */
export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  readonly #durationSec: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  #leader = false;
  #lastRenewAt = 0;
  #seen: { key: string; at: number } | undefined;
  #lastFollowed: string | undefined;
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(options: LeaderElectorOptions) {
    this.#o = options;
    this.#durationSec = options.leaseDurationSec ?? 15;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2000;
  }

  get leader(): boolean {
    return this.#leader;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops; a leader releases the lease (holder emptied) so that another node takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    if (!this.#leader) return;
    this.#setLeader(false, 'stopping');
    try {
      const lease = await this.#o.api.readNamespacedLease({
        name: this.#o.name,
        namespace: this.#o.namespace,
      });
      if (lease.spec?.holderIdentity !== this.#o.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1 };
      await this.#o.api.replaceNamespacedLease({
        name: this.#o.name,
        namespace: this.#o.namespace,
        body: lease,
      });
    } catch (err) {
      this.#o.onEvent({ kind: 'leaseError', lease: this.#o.name, reason: `release: ${describeError(err)}` });
    }
  }

  #schedule(ms: number): void {
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#tick().finally(() => {
        this.#running = undefined;
        if (!this.#stopped) this.#schedule(this.#retryPeriodMs);
      });
    }, ms);
  }

  async #tick(): Promise<void> {
    let ok: boolean;
    try {
      ok = await this.#tryAcquireOrRenew();
    } catch (err) {
      ok = false;
      const code = statusCodeOf(err);
      // 409: another candidate wrote first (AlreadyExists or Conflict); not an error.
      if (code !== 409)
        this.#o.onEvent({ kind: 'leaseError', lease: this.#o.name, reason: describeError(err) });
    }
    const now = this.#o.clock.now();
    if (ok) {
      this.#lastRenewAt = now;
      return;
    }
    if (this.#leader && now - this.#lastRenewAt > this.#renewDeadlineMs)
      this.#setLeader(false, `could not renew for ${this.#renewDeadlineMs} ms`);
  }

  /** True when we hold the lease after this round. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { api, name, namespace, identity } = this.#o;
    let lease: V1Lease | undefined;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
    }
    const now = this.#o.clock.now();
    const observed = lease === undefined ? undefined : observe(lease);
    if (observed !== undefined && observed.recordKey !== this.#seen?.key)
      this.#seen = { key: observed.recordKey, at: now };
    const decision = decideLease(
      observed,
      identity,
      observed === undefined ? 0 : now - (this.#seen?.at ?? now),
    );
    const wall = wireNow();
    switch (decision.kind) {
      case 'create':
        await api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: this.#durationSec,
              acquireTime: wall,
              renewTime: wall,
              leaseTransitions: 0,
            },
          },
        });
        this.#setLeader(true, undefined);
        return true;
      case 'renew':
      case 'takeOver': {
        const spec = lease?.spec ?? {};
        const taking = decision.kind === 'takeOver';
        const body: V1Lease = {
          ...lease,
          spec: {
            ...spec,
            holderIdentity: identity,
            leaseDurationSeconds: this.#durationSec,
            renewTime: wall,
            ...(taking ? { acquireTime: wall, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
          },
        };
        // The body keeps the resourceVersion we read: a concurrent writer makes this a 409.
        await api.replaceNamespacedLease({ name, namespace, body });
        this.#setLeader(true, decision.kind === 'takeOver' ? decision.from : undefined);
        return true;
      }
      case 'follow':
        if (this.#leader) this.#setLeader(false, `the lease is held by ${decision.holder}`);
        if (this.#lastFollowed !== decision.holder) {
          this.#lastFollowed = decision.holder;
          this.#o.onEvent({ kind: 'following', lease: name, holder: decision.holder });
        }
        return false;
      default:
        return assertNever(decision);
    }
  }

  #setLeader(leader: boolean, detail: string | undefined): void {
    if (leader === this.#leader) return;
    this.#leader = leader;
    this.#lastFollowed = undefined;
    if (leader)
      this.#o.onEvent({ kind: 'elected', lease: this.#o.name, identity: this.#o.identity, from: detail });
    else
      this.#o.onEvent({
        kind: 'deposed',
        lease: this.#o.name,
        identity: this.#o.identity,
        reason: detail ?? 'lost the lease',
      });
  }
}

function observe(lease: V1Lease): ObservedLease {
  const spec = lease.spec ?? {};
  const renew = spec.renewTime instanceof Date ? spec.renewTime.toISOString() : String(spec.renewTime ?? '');
  return {
    holder: spec.holderIdentity ?? undefined,
    durationSec: spec.leaseDurationSeconds ?? 15,
    recordKey: `${spec.holderIdentity ?? ''}|${renew}|${spec.leaseTransitions ?? 0}|${lease.metadata?.resourceVersion ?? ''}`,
  };
}
