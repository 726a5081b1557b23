import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock, TimerHandle } from '@anyvip/healthcheck';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ListWatch } from '@kubernetes/client-node/dist/cache.js';
import { Watch } from '@kubernetes/client-node/dist/watch.js';
import { describeError } from '../../errors.js';
import type { ApiConnection } from '../../kubernetes/api-connection.js';

/** A list call as the generated clients make it: items plus the list's resourceVersion. */
export type ListFn<T extends KubernetesObject> = () => Promise<{
  items: T[];
  metadata?: { resourceVersion?: string };
}>;

/** One page of a list: `_continue` is the token for the next page (client-node's name for `continue`). */
export type ListPageFn<T extends KubernetesObject> = (
  cont: string | undefined,
) => Promise<{ items: T[]; metadata?: { resourceVersion?: string; _continue?: string } }>;

/**
 * A whole list, fetched `limit` objects at a time (the caller passes `limit` to its client
 * call), so that 10,000 Services never sit in memory as one response text, one parsed tree
 * and one typed copy at once. The pages are one consistent snapshot; its resourceVersion is
 * what the watch starts from.
 */
export function pagedList<T extends KubernetesObject>(page: ListPageFn<T>): ListFn<T> {
  return async () => {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion: string | undefined;
    for (;;) {
      const r = await page(cont);
      for (const o of r.items) items.push(o);
      resourceVersion ??= r.metadata?.resourceVersion;
      cont = r.metadata?._continue;
      if (cont === undefined || cont === '') break;
    }
    return { items, metadata: { ...(resourceVersion !== undefined ? { resourceVersion } : {}) } };
  };
}

/** What a {@link WatchedKind} tells its owner. */
export type ListWatchEvent =
  /** The first list arrived: the cache now holds the whole kind. */
  | { readonly kind: 'synced'; readonly resource: string; readonly items: number }
  /** An object was added, changed or deleted (including the deletions a relist finds). */
  | { readonly kind: 'changed'; readonly resource: string }
  /** List or watch failed; the cache is kept as it was and the watch restarts after `retryInMs`. */
  | {
      readonly kind: 'error';
      readonly resource: string;
      readonly reason: string;
      readonly retryInMs: number;
    };

export interface WatchedKindOptions<T extends KubernetesObject> {
  /** The collection path watched, e.g. `/api/v1/services`. */
  readonly path: string;
  readonly list: ListFn<T>;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  readonly clock: Clock;
  readonly onEvent: (e: ListWatchEvent) => void;
  /** First restart delay after an error; doubles up to `retryMaxMs`. Defaults 500 ms, 10 s. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /**
   * Cap on client-node's own delay between watch reconnects (it grows to 30 s on a quiet
   * resource whose watch the server keeps closing, which would delay a Node going NotReady by
   * as much). Default 1 s.
   */
  readonly reconnectMaxMs?: number;
}

/**
 * Drops `metadata.managedFields` (server-side apply's bookkeeping, often larger than the rest
 * of a Service or EndpointSlice) before the cache keeps an object: nothing here reads it, and a
 * status update without it keeps the stored one. client-go's informers do the same
 * (`TransformStripManagedFields`).
 */
export function stripManagedFields<T>(o: T): T {
  const meta = (o as { metadata?: { managedFields?: unknown } } | undefined)?.metadata;
  if (meta?.managedFields !== undefined) delete meta.managedFields;
  return o;
}

/**
 * client-node's `Watch`, asking for bookmarks (`allowWatchBookmarks=true`; `ListWatch` does
 * not). A BOOKMARK carries the current resourceVersion of a quiet watch, so after a
 * disconnect it resumes from a recent version instead of one that compaction may have
 * removed (no needless 410 and relist), and its bytes keep the watch's inactivity timer
 * from firing on a quiet resource.
 */
class BookmarkWatch extends Watch {
  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true },
      (phase, apiObj, watchObj) => callback(phase, stripManagedFields(apiObj), watchObj),
      done,
    );
  }
}

/**
 * One kind, listed and watched with client-node's `ListWatch` (kubernetes-client/javascript
 * `cache.ts`): it lists, keeps the list's resourceVersion, watches from it and relists on
 * 410 Gone, telling deletions found by the relist as deletions. The cache is only ever
 * replaced by a successful list, never emptied by an error, so an unreachable API server
 * leaves the last known state in force.
 *
 * What this adds: `ListWatch` stops for good after a non-410 error (connection refused, 5xx,
 * a failed list); here it is restarted with back-off, from its resourceVersion (watch) or
 * afresh (list). Every change becomes one `changed` event: callers coalesce them into one
 * reconcile (level-triggered), they never act per event.
 */
export class WatchedKind<T extends KubernetesObject> {
  readonly resource: string;
  readonly #lw: ListWatch<T>;
  readonly #options: WatchedKindOptions<T>;
  readonly #retryMinMs: number;
  readonly #retryMaxMs: number;
  #retryMs: number;
  #retryTimer: TimerHandle | undefined;
  #synced = false;
  #stopped = false;

  constructor(connection: ApiConnection, options: WatchedKindOptions<T>) {
    this.resource = options.path;
    this.#options = options;
    this.#retryMinMs = options.retryMinMs ?? 500;
    this.#retryMaxMs = options.retryMaxMs ?? 10_000;
    this.#retryMs = this.#retryMinMs;
    const reconnectMaxMs = options.reconnectMaxMs ?? 1000;
    const list: ListFn<T> = async () => {
      const result = await options.list();
      for (const o of result.items) stripManagedFields(o);
      // ListWatch fills its cache right after this promise settles; report once it has.
      setImmediate(() => this.#listed(result.items.length));
      return result;
    };
    this.#lw = new ListWatch<T>(
      options.path,
      new BookmarkWatch(connection.asWatchConfig()),
      list,
      false,
      options.labelSelector,
      options.fieldSelector,
      {
        delayFn: (ms: number) => sleep(Math.min(ms, reconnectMaxMs)),
      },
    );
    const changed = (): void => {
      this.#retryMs = this.#retryMinMs;
      if (this.#synced) options.onEvent({ kind: 'changed', resource: this.resource });
    };
    this.#lw.on('add', changed);
    this.#lw.on('update', changed);
    this.#lw.on('delete', changed);
    this.#lw.on('error', (err: unknown) => this.#failed(err));
  }

  /** True once the first list has filled the cache. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Every object in the cache (the last known state while the API server is away). */
  items(): readonly T[] {
    return this.#lw.list();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#lw.get(name, namespace);
  }

  start(): void {
    this.#stopped = false;
    void this.#lw.start().catch((err: unknown) => this.#failed(err));
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retryTimer !== undefined) this.#options.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    void this.#lw.stop();
  }

  #listed(items: number): void {
    this.#retryMs = this.#retryMinMs;
    if (!this.#synced) {
      this.#synced = true;
      this.#options.onEvent({ kind: 'synced', resource: this.resource, items });
    } else {
      // A relist (after 410 Gone or a restart) may have changed anything.
      this.#options.onEvent({ kind: 'changed', resource: this.resource });
    }
  }

  #failed(err: unknown): void {
    if (this.#stopped || this.#retryTimer !== undefined) return;
    const retryInMs = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, this.#retryMaxMs);
    this.#options.onEvent({ kind: 'error', resource: this.resource, reason: describeError(err), retryInMs });
    this.#retryTimer = this.#options.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#stopped) this.start();
    }, retryInMs);
  }
}
