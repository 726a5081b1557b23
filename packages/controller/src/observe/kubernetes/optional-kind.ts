import type { Clock, TimerHandle } from '@anyvip/healthcheck';
import type { KubernetesObject } from '@kubernetes/client-node';
import { describeError } from '../../errors.js';
import type { ApiConnection } from '../../kubernetes/api-connection.js';
import { statusCodeOf } from '../../kubernetes/api-status.js';
import { type ListFn, type ListWatchEvent, WatchedKind } from './list-watch.js';

/** A listed kind's events, plus `absent`: the CRD is not installed (told once). */
export type OptionalKindEvent =
  | ListWatchEvent
  | {
      readonly kind: 'absent';
      readonly resource: string;
      readonly recheckInMs: number;
      /** 404: the CRD is not installed; 403: our RBAC may not read it (an older manifest). */
      readonly why: 'notInstalled' | 'forbidden';
    };

/**
 * A kind whose CRD may not be installed (anyvip.io/v1alpha1): a 404 on its list means "not
 * installed", not an error; so does a 403 (RBAC from before the CRDs: anyvip must keep running
 * on its flags rather than wait for a permission forever). Then the kind counts as listed with nothing in it (flags keep
 * working, as before the CRDs), one `absent` event is told (an info log line), and the list
 * is tried again slowly (default every 60 s) until the CRD appears; from then on it is a
 * {@link WatchedKind} (list, watch, relist on 410, restart with back-off).
 */
export class OptionalKind<T extends KubernetesObject> {
  readonly resource: string;
  readonly #connection: ApiConnection;
  readonly #list: ListFn<T>;
  readonly #clock: Clock;
  readonly #onEvent: (e: OptionalKindEvent) => void;
  readonly #recheckMs: number;
  #state: 'new' | 'absent' | 'watching' = 'new';
  #watched: WatchedKind<T> | undefined;
  #timer: TimerHandle | undefined;
  #toldAbsent = false;
  #stopped = false;

  constructor(
    connection: ApiConnection,
    options: {
      readonly path: string;
      readonly list: ListFn<T>;
      readonly clock: Clock;
      readonly onEvent: (e: OptionalKindEvent) => void;
      /** Default 60 s. */
      readonly recheckMs?: number;
    },
  ) {
    this.resource = options.path;
    this.#connection = connection;
    this.#list = options.list;
    this.#clock = options.clock;
    this.#onEvent = options.onEvent;
    this.#recheckMs = options.recheckMs ?? 60_000;
  }

  /** Listed (or known not installed). */
  get synced(): boolean {
    return this.#state === 'absent' || (this.#watched?.synced ?? false);
  }

  /** Undefined: the CRD is not installed. */
  items(): readonly T[] | undefined {
    return this.#state === 'watching' ? (this.#watched?.items() ?? []) : undefined;
  }

  start(): void {
    this.#stopped = false;
    void this.#probe();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#watched?.stop();
  }

  async #probe(): Promise<void> {
    try {
      await this.#list();
    } catch (err) {
      if (this.#stopped) return;
      const code = statusCodeOf(err);
      if (code === 404 || code === 403) {
        const first = this.#state !== 'absent';
        this.#state = 'absent';
        if (!this.#toldAbsent) {
          this.#toldAbsent = true;
          this.#onEvent({
            kind: 'absent',
            resource: this.resource,
            recheckInMs: this.#recheckMs,
            why: code === 404 ? 'notInstalled' : 'forbidden',
          });
        }
        if (first) this.#onEvent({ kind: 'changed', resource: this.resource });
        this.#timer = this.#clock.setTimeout(() => void this.#probe(), this.#recheckMs);
        return;
      }
      const retryInMs = Math.min(this.#recheckMs, 5000);
      this.#onEvent({ kind: 'error', resource: this.resource, reason: describeError(err), retryInMs });
      this.#timer = this.#clock.setTimeout(() => void this.#probe(), retryInMs);
      return;
    }
    if (this.#stopped) return;
    const wasAbsent = this.#state === 'absent';
    this.#state = 'watching';
    this.#watched = new WatchedKind<T>(this.#connection, {
      path: this.resource,
      list: this.#list,
      clock: this.#clock,
      onEvent: (e) => {
        // Coming from "not installed", the first list is a change for whoever waited on us.
        if (e.kind === 'synced' && wasAbsent) this.#onEvent({ kind: 'changed', resource: this.resource });
        else this.#onEvent(e);
      },
    });
    this.#watched.start();
  }
}
