import * as http from 'node:http';
import * as https from 'node:https';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

/** A listening server on an ephemeral port of a loopback address, with every socket tracked. */
export interface TestServer {
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:port` or `http://[::1]:port` (scheme as given). */
  url(path?: string, scheme?: 'http' | 'https'): string;
  /** Sockets accepted so far, and how many are still open. */
  readonly accepted: number;
  readonly open: number;
  /** Resolves when every accepted socket has closed. */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

function track(server: Server | http.Server, host: string): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let waiters: (() => void)[] = [];
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) {
        for (const w of waiters) w();
        waiters = [];
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      const h = host.includes(':') ? `[${host}]` : host;
      resolve({
        host,
        port,
        url: (path = '/', scheme = 'http') => `${scheme}://${h}:${port}${path}`,
        get accepted() {
          return accepted;
        },
        get open() {
          return sockets.size;
        },
        allClosed: () =>
          sockets.size === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(() => r())),
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

/** An HTTP server with a request handler. */
export function startHttp(handler: http.RequestListener, host = '127.0.0.1'): Promise<TestServer> {
  return track(http.createServer(handler), host);
}

/** An HTTPS server with a request handler. */
export function startHttps(
  options: https.ServerOptions,
  handler: http.RequestListener,
  host = '127.0.0.1',
): Promise<TestServer> {
  const server = https.createServer(options, handler);
  // Handshake failures are the point of several tests; keep them off stderr.
  server.on('tlsClientError', () => {});
  return track(server, host);
}

/** A raw TCP server, for faults HTTP servers will not commit (hangs, truncation, trickling). */
export function startRaw(onSocket: (socket: Socket) => void, host = '127.0.0.1'): Promise<TestServer> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    // Read (and drop) the request, so that the peer's FIN is seen and the socket closes.
    socket.resume();
    onSocket(socket);
  });
  return track(server, host);
}

/** A port on 127.0.0.1 that nothing listens on (it was bound, then released). */
export async function closedPort(): Promise<number> {
  const s = await startRaw(() => {});
  const port = s.port;
  await s.close();
  return port;
}
