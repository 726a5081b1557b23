import { NodeHttpDispatcher } from './node-http-dispatcher.js';

/*
 * The `fetch` that client-node's two HTTP call sites get in the shipped bundle (its generated
 * HTTP library, gen/http/isomorphic-fetch.js, and `Watch`, watch.js), in place of undici's
 * (scripts/bundle-kubernetes.ts swaps the import). Every request anyvip's connection makes
 * carries a NodeHttpDispatcher (api-connection.ts), which already does the I/O over Node's
 * http/https; what undici added on top was fetch's Request/Response/Headers classes, and
 * loading the undici package for them executes all of it (its HTTP/1 and HTTP/2 clients, mock
 * agents, cache, WebSocket, EventSource) and pulls in http2, tls, crypto, zlib, assert and
 * worker_threads: +28 MB of RSS in a bare node, ~20 MB of Kubernetes mode's idle RSS.
 *
 * It serves exactly what those two call sites read: `status`, `statusText`, `headers.forEach`,
 * `text()` and `body` (a web ReadableStream, which Watch turns into a Node stream). Any other
 * dispatcher (the full `KubeConfig` that `anyvip status --cluster` uses hands undici Agents)
 * goes to undici's own fetch, loaded then (the plugin's glue module decides, with
 * {@link carriedByNodeHttp}).
 */

/** The fields of fetch's `RequestInit` that client-node passes. */
export interface DispatcherFetchInit {
  readonly method?: string;
  readonly headers?: Record<string, string> | Headers;
  readonly body?: string | Uint8Array | null;
  readonly signal?: AbortSignal | null;
  readonly dispatcher?: unknown;
}

/** The part of fetch's `Headers` client-node reads. */
export interface DispatcherFetchHeaders {
  get(name: string): string | null;
  forEach(callback: (value: string, name: string) => void): void;
}

/** The part of fetch's `Response` client-node reads. */
export interface DispatcherFetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: DispatcherFetchHeaders;
  /** The body, once, as a stream (Watch). */
  readonly body: ReadableStream<Uint8Array>;
  /** The body, once, decoded as UTF-8 (the response processors). */
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * What fetch rejects with when the request fails before a response: a TypeError, as undici's,
 * with the cause. Unlike undici's bare "fetch failed", the message names the cause and its code
 * (`fetch failed: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`),
 * because the message is what the "kubernetes unreachable" log line and Events carry, and an
 * operator needs to tell a wrong CA from a refused connection.
 */
function fetchFailed(cause: unknown): TypeError {
  if (!(cause instanceof Error)) return new TypeError('fetch failed', { cause });
  const code = (cause as { code?: unknown }).code;
  const why =
    typeof code === 'string' && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
  return new TypeError(`fetch failed: ${why}`, { cause });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * One response body, fed by the dispatcher's events and read once: as text (collected) or as a
 * web stream (pushed as it arrives, paused while the reader is behind).
 */
class DispatchedBody {
  #chunks: Buffer[] = [];
  #done = false;
  #error: unknown;
  #stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  #waiter: { resolve(b: Buffer): void; reject(e: unknown): void } | undefined;
  #used = false;
  readonly #pause: () => void;
  readonly #resume: () => void;

  constructor(pause: () => void, resume: () => void) {
    this.#pause = pause;
    this.#resume = resume;
  }

  push(chunk: Buffer): void {
    if (this.#stream !== undefined) {
      this.#stream.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if ((this.#stream.desiredSize ?? 1) <= 0) this.#pause();
    } else this.#chunks.push(chunk);
  }

  end(): void {
    this.#done = true;
    if (this.#stream !== undefined) this.#stream.close();
    this.#waiter?.resolve(Buffer.concat(this.#chunks));
  }

  fail(err: unknown): void {
    if (this.#done || this.#error !== undefined) return;
    this.#error = err;
    this.#stream?.error(err);
    this.#waiter?.reject(err);
  }

  #claim(): void {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
  }

  bytes(): Promise<Buffer> {
    this.#claim();
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#done) return Promise.resolve(Buffer.concat(this.#chunks));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  stream(cancel: (reason: unknown) => void): ReadableStream<Uint8Array> {
    this.#claim();
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        for (const c of this.#chunks)
          controller.enqueue(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
        this.#chunks = [];
        if (this.#error !== undefined) controller.error(this.#error);
        else if (this.#done) controller.close();
        else this.#stream = controller;
      },
      pull: () => this.#resume(),
      cancel,
    });
  }
}

/** Whether {@link dispatcherFetch} carries this request (its dispatcher is anyvip's). */
export function carriedByNodeHttp(init: DispatcherFetchInit | undefined): boolean {
  return init?.dispatcher instanceof NodeHttpDispatcher;
}

/**
 * fetch for client-node's calls, through `init.dispatcher`, which must be anyvip's
 * {@link NodeHttpDispatcher} (see {@link carriedByNodeHttp}).
 */
export async function dispatcherFetch(
  input: string | URL,
  init: DispatcherFetchInit = {},
): Promise<DispatcherFetchResponse> {
  const dispatcher = init.dispatcher;
  if (!(dispatcher instanceof NodeHttpDispatcher))
    throw new TypeError('dispatcherFetch carries only requests with a NodeHttpDispatcher');
  const url = new URL(input);
  const signal = init.signal ?? undefined;
  if (signal?.aborted) throw abortReason(signal);
  const headers: Record<string, string> = {};
  if (init.headers !== undefined) {
    // A Headers object (no `instanceof`: touching the global loads Node's bundled undici).
    if (typeof (init.headers as Headers).forEach === 'function')
      (init.headers as Headers).forEach((v, k) => {
        headers[k] = v;
      });
    else Object.assign(headers, init.headers);
  }
  return new Promise<DispatcherFetchResponse>((resolve, reject) => {
    let abortDispatch: ((reason: unknown) => void) | undefined;
    let body: DispatchedBody | undefined;
    let settled = false;
    const onAbort = (): void => {
      const reason = abortReason(signal as AbortSignal);
      abortDispatch?.(reason);
      body?.fail(reason);
      if (!settled) {
        settled = true;
        reject(reason);
      }
    };
    const detach = (): void => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });
    dispatcher.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: init.method ?? 'GET',
        headers,
        body: init.body ?? null,
      },
      {
        onRequestStart(controller) {
          abortDispatch = (reason) => controller.abort(reason);
        },
        onResponseStart(controller, statusCode, responseHeaders, statusMessage) {
          body = new DispatchedBody(
            () => controller.pause(),
            () => controller.resume(),
          );
          const names = Object.keys(responseHeaders).sort();
          const value = (name: string): string | undefined => {
            const v = responseHeaders[name];
            return v === undefined ? undefined : Array.isArray(v) ? v.join(', ') : String(v);
          };
          const received = body;
          let stream: ReadableStream<Uint8Array> | undefined;
          settled = true;
          resolve({
            status: statusCode,
            statusText: statusMessage ?? '',
            ok: statusCode >= 200 && statusCode < 300,
            headers: {
              get: (name) => value(name.toLowerCase()) ?? null,
              forEach: (callback) => {
                for (const n of names) {
                  const v = value(n);
                  if (v !== undefined) callback(v, n);
                }
              },
            },
            get body() {
              stream ??= received.stream((reason) => controller.abort(reason ?? new Error('cancelled')));
              return stream;
            },
            text: async () => (await received.bytes()).toString('utf8'),
            arrayBuffer: async () => {
              const b = await received.bytes();
              return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
            },
          });
        },
        onResponseData(_controller, chunk) {
          body?.push(chunk);
        },
        onResponseEnd() {
          detach();
          body?.end();
        },
        onResponseError(_controller, error) {
          detach();
          if (body !== undefined) body.fail(error);
          else if (!settled) {
            settled = true;
            reject(signal?.aborted ? abortReason(signal) : fetchFailed(error));
          }
        },
      },
    );
  });
}
