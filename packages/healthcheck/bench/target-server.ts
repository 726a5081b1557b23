/**
 * The benchmark's targets, in a child process so that the parent's CPU figures are the health
 * checks' alone. `http`: one server, target i at `/t/<i>`, 200 until told to fail, then 500.
 * `tcp`: one listener per target, closed (connection refused) when told to fail.
 *
 * Messages in: `{ fail: i }`, `{ stats: true }`. Messages out: `{ ready, ports }`, `{ cpu }`.
 */
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';

const mode = process.argv[2] === 'tcp' ? 'tcp' : 'http';
const targets = Number(process.argv[3] ?? 1000);
const failing = new Set<number>();
const listeners: Server[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () =>
      resolve((server.address() as AddressInfo).port),
    ),
  );
}

let ports: number[];
if (mode === 'http') {
  const server = createHttpServer((req, res) => {
    const id = Number((req.url ?? '').slice(3));
    res.statusCode = failing.has(id) ? 500 : 200;
    res.end(res.statusCode === 200 ? 'ok' : 'failing');
  });
  server.keepAliveTimeout = 1000;
  ports = [await listen(server)];
} else {
  ports = [];
  for (let i = 0; i < targets; i++) {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.resume();
    });
    listeners.push(server);
    ports.push(await listen(server));
  }
}

process.on('message', (m: { fail?: number; stats?: boolean }) => {
  if (m.fail !== undefined) {
    failing.add(m.fail);
    if (mode === 'tcp') listeners[m.fail]?.close();
  } else if (m.stats) {
    process.send?.({ cpu: process.cpuUsage(), uptimeMs: process.uptime() * 1000 });
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true, ports });
