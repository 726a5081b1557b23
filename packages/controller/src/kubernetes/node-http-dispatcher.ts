import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AgentOptions } from 'node:https';

/** What undici's `fetch` hands a dispatcher (the fields read here). */
export interface DispatchOptions {
  readonly origin?: string | URL;
  readonly path: string;
  readonly method: string;
  readonly headers?: Record<string, string | readonly string[] | undefined> | null;
  readonly body?: string | Uint8Array | AsyncIterable<Uint8Array | string> | null;
}

/** The request's controller undici's handlers are given: abort, and flow control of the body. */
export interface DispatchController {
  readonly aborted: boolean;
  readonly paused: boolean;
  /** The response's header lines, name and value alternating (fetch builds its Headers from these). */
  readonly rawHeaders: readonly Buffer[] | undefined;
  abort(reason?: unknown): void;
  pause(): void;
  resume(): void;
}

/** undici's handler API (v7+), as `fetch` implements it. */
export interface DispatchHandler {
  onRequestStart?(controller: DispatchController, context: unknown): void;
  onResponseStart?(
    controller: DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void;
  onResponseData?(controller: DispatchController, chunk: Buffer): void;
  onResponseEnd?(controller: DispatchController, trailers: NodeJS.Dict<string>): void;
  onResponseError?(controller: DispatchController, error: Error): void;
}

/** TLS for `https://` origins: the CA to verify the server against, a client certificate. */
export type DispatcherTls = Pick<AgentOptions, 'ca' | 'cert' | 'key' | 'servername'>;

/**
 * An undici dispatcher that carries client-node's `fetch` calls (its request factories'
 * HTTP library and its `Watch`) over Node's own `http`/`https` with one keep-alive agent.
 *
 * Why: undici's own connection pool parses HTTP with llhttp compiled to WebAssembly, and
 * instantiating it (plus its compiled code and the tier-up) costs ~13 MB of RSS in every
 * anyvip process, for a handful of requests and long-lived watches that Node's built-in
 * (native) HTTP parser carries as well. fetch itself (headers, body streams, abort) is still
 * undici's; only the transport underneath is Node's.
 *
 * Server certificates are verified as Node does by default (against `ca`, or the system's
 * roots without it); never disabled.
 */
export class NodeHttpDispatcher {
  readonly #http: typeof import('node:http');
  readonly #agent: import('node:http').Agent;
  readonly #tls: DispatcherTls;
  /** Made on the first `https://` request: node:https (tls, OpenSSL's setup) costs ~4 MB of RSS. */
  #secure:
    | { readonly https: typeof import('node:https'); readonly agent: import('node:https').Agent }
    | undefined;

  constructor(tls: DispatcherTls = {}) {
    // getBuiltinModule, not an ES import: a static import of node:http reads its lazy getters
    // (fetch's WebSocket, EventSource), which load Node's bundled undici for nothing.
    this.#http = process.getBuiltinModule('node:http');
    // undici's default keep-alive probe (60 s) races cloud load balancers' idle timeouts;
    // 30 s as client-go and client-node.
    this.#agent = new this.#http.Agent({ keepAlive: true, keepAliveMsecs: 30_000 });
    this.#tls = tls;
  }

  #secureTransport(): {
    readonly https: typeof import('node:https');
    readonly agent: import('node:https').Agent;
  } {
    if (this.#secure === undefined) {
      const https = process.getBuiltinModule('node:https');
      this.#secure = {
        https,
        agent: new https.Agent({ keepAlive: true, keepAliveMsecs: 30_000, ...this.#tls }),
      };
    }
    return this.#secure;
  }

  /** undici's `Dispatcher.dispatch`: starts the request; events go to `handler`. */
  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean {
    const url = new URL(options.path, options.origin);
    const secure = url.protocol === 'https:';
    let request: ClientRequest | undefined;
    let response: IncomingMessage | undefined;
    let finished = false;
    const fail = (err: unknown): void => {
      if (finished) return;
      finished = true;
      request?.destroy();
      handler.onResponseError?.(controller, err instanceof Error ? err : new Error(String(err)));
    };
    const controller = {
      aborted: false,
      paused: false,
      rawHeaders: undefined as Buffer[] | undefined,
      abort(reason?: unknown): void {
        this.aborted = true;
        fail(reason ?? new Error('aborted'));
      },
      pause(): void {
        this.paused = true;
        response?.pause();
      },
      resume(): void {
        this.paused = false;
        response?.resume();
      },
    };
    handler.onRequestStart?.(controller, {});
    if (finished) return true; // aborted before it started
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(options.headers ?? {}))
      if (value !== undefined) headers[name] = typeof value === 'string' ? value : [...value];
    const target = {
      method: options.method,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port,
      path: options.path,
      headers,
    };
    let req: ClientRequest;
    if (secure) {
      const t = this.#secureTransport();
      req = t.https.request({ ...target, agent: t.agent });
    } else req = this.#http.request({ ...target, agent: this.#agent });
    request = req;
    req.on('error', fail);
    req.on('response', (res) => {
      response = res;
      res.on('error', fail);
      res.on('data', (chunk: Buffer) => {
        if (!finished) handler.onResponseData?.(controller, chunk);
      });
      res.on('end', () => {
        if (finished) return;
        finished = true;
        handler.onResponseEnd?.(controller, res.trailers);
      });
      res.on('close', () => fail(new Error('the response was cut short')));
      controller.rawHeaders = res.rawHeaders.map((h) => Buffer.from(h, 'latin1'));
      handler.onResponseStart?.(controller, res.statusCode ?? 0, res.headers, res.statusMessage);
      if (controller.paused) res.pause();
    });
    const body = options.body;
    if (body === undefined || body === null) req.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
    else
      void (async () => {
        for await (const chunk of body) req.write(chunk);
        req.end();
      })().catch(fail);
    return true;
  }

  /** Closes the pooled keep-alive connections. */
  close(): void {
    this.#agent.destroy();
    this.#secure?.agent.destroy();
  }
}
