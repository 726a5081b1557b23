/**
 * What one lab namespace serves, started in that namespace by the demo (one process per
 * namespace, Node 24 runs this file directly):
 *
 * - `--apiserver HOST:PORT --cert FILE --key FILE --healthy-file FILE`: a stand-in for a
 *   node's kube-apiserver, HTTPS with a self-signed certificate. `/livez` and `/readyz`
 *   answer 200 `ok` while FILE exists and 500 with a kube-apiserver style body otherwise,
 *   so the demo fails and heals it with `rm` and `touch`.
 * - `--web HOST:PORT --name NAME`: the web backend behind the VIP; every response body is
 *   NAME, so the client can count who answered. `HOST` may be the VIP before it is bound
 *   (`net.ipv4.ip_nonlocal_bind=1` in the namespace).
 *
 * Prints `ready` on stdout once every listener is up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    apiserver: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'healthy-file': { type: 'string' },
    web: { type: 'string' },
    name: { type: 'string' },
  },
});

/** `10.250.255.1:80` or `[fd00:250::1]:80` → host and port. */
function hostPort(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (m === null) throw new Error(`expected HOST:PORT, got ${JSON.stringify(text)}`);
  return { host: m[1] ?? '', port: Number(m[2]) };
}

function listen(server: { listen(port: number, host: string, cb: () => void): unknown }, at: string) {
  const { host, port } = hostPort(at);
  return new Promise<void>((resolve) => server.listen(port, host, resolve));
}

/** The body kube-apiserver gives for a failed /livez (`?verbose` style). */
const failedLivez = '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\nlivez check failed\n';

const listening: Promise<void>[] = [];

if (values.apiserver !== undefined) {
  const { cert, key } = values;
  const healthyFile = values['healthy-file'];
  if (cert === undefined || key === undefined || healthyFile === undefined) {
    throw new Error('--apiserver needs --cert, --key and --healthy-file');
  }
  const server = createHttpsServer(
    { cert: readFileSync(cert), key: readFileSync(key) },
    (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/livez' && path !== '/readyz') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      const ok = existsSync(healthyFile);
      res.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain' }).end(ok ? 'ok' : failedLivez);
    },
  );
  listening.push(listen(server, values.apiserver));
}

if (values.web !== undefined) {
  const name = values.name ?? 'unnamed';
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end(name);
  });
  listening.push(listen(server, values.web));
}

await Promise.all(listening);
console.log('ready');
