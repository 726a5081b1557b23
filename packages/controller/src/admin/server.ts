import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProbeVerdict } from './probes.js';
import type { StatusReport } from './status-report.js';

/** What the admin listener serves; each call is made per request. */
export interface AdminHandlers {
  /** Prometheus exposition text and its content type. */
  readonly metrics: () => Promise<{ readonly contentType: string; readonly body: string }>;
  readonly liveness: () => ProbeVerdict;
  readonly readiness: () => ProbeVerdict;
  readonly status: () => StatusReport;
}

/** A bound admin listener. */
export interface AdminServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the admin HTTP listener (plain HTTP/1.1, GET and HEAD only):
 *
 * - `/metrics`: Prometheus text format;
 * - `/healthz`: 200 `ok`, or 503 with the reasons (the loop is wedged);
 * - `/readyz`: 200 `ok`, or 503 with the reasons (first pass not done, no session up);
 * - `/status`: the {@link StatusReport} as JSON.
 *
 * Resolves once listening; rejects when the address cannot be bound (in use, not local).
 */
export async function startAdminServer(
  handlers: AdminHandlers,
  at: { readonly host: string; readonly port: number },
): Promise<AdminServer> {
  // Not `import { createServer } from 'node:http'`: an ES module import of a builtin reads
  // every export, and http's lazy getters (WebSocket, fetch's classes) then load undici,
  // +13 MB of RSS in a bare process (Node 24) for code the listener never runs.
  const { createServer } = process.getBuiltinModule('node:http');
  const server = createServer((req, res) => {
    void answer(handlers, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `${String(err)}\n`);
      else res.destroy();
    });
  });
  // Keep-alive connections from a scraper must not hold `close()` up, and a client that sends
  // its request slowly must not hold a socket for Node's default five minutes.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  await listen(server, at.host, at.port);
  const bound = server.address() as AddressInfo;
  return {
    host: bound.address,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function answer(handlers: AdminHandlers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  const path = new URL(req.url ?? '/', 'http://admin').pathname;
  switch (path) {
    case '/metrics': {
      const m = await handlers.metrics();
      send(res, 200, m.contentType, m.body);
      return;
    }
    case '/healthz':
    case '/livez':
      verdict(res, handlers.liveness());
      return;
    case '/readyz':
      verdict(res, handlers.readiness());
      return;
    case '/status':
      send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(handlers.status(), null, 2)}\n`);
      return;
    case '/':
      send(res, 200, 'text/plain; charset=utf-8', 'anyvip admin: /metrics /healthz /readyz /status\n');
      return;
    default:
      send(res, 404, 'text/plain; charset=utf-8', 'not found: /metrics /healthz /readyz /status\n');
  }
}

function verdict(res: ServerResponse, v: ProbeVerdict): void {
  const body = v.ok ? 'ok\n' : `${v.reasons.map((r) => `not ok: ${r}`).join('\n')}\n`;
  send(res, v.ok ? 200 : 503, 'text/plain; charset=utf-8', body);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
