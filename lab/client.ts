/**
 * The lab's client, run in the client namespace: a steady stream of short HTTP requests
 * to the VIP, each on a new TCP connection (so each has its own source port and the
 * router's L4 multipath hash, `fib_multipath_hash_policy=1`, spreads them over the next
 * hops). Every `--report-ms` it prints one JSON line with what happened since the last:
 *
 *   {"ok":{"node1":21,"node3":19},"errors":{}}
 *
 * `ok` counts responses by body (the backend's name); `errors` counts failures by code.
 * `--pause-ms N` sends each request N ms after its connection is established, so the
 * connection carries data after a router's next-hop change made during that pause.
 * With `--detail`, `failures` lists each failure: its code, whether the TCP handshake had
 * completed (`established`: the connection was reset or timed out after the server accepted
 * it, as when a router's ECMP rehash sends its later packets to another node, which holds
 * no such socket and answers RST) and when it was opened and failed (`openedAt`, `failedAt`:
 * wall-clock ms, comparable with other processes' `performance.timeOrigin + performance.now()`).
 */
import { request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: '10.250.255.1:80' },
    rate: { type: 'string', default: '200' },
    'report-ms': { type: 'string', default: '200' },
    'timeout-ms': { type: 'string', default: '1000' },
    detail: { type: 'boolean', default: false },
    'pause-ms': { type: 'string', default: '0' },
  },
});

const [host = '', portText = '80'] = values.target.split(/:(?=\d+$)/);
const port = Number(portText);
const ratePerSec = Number(values.rate);
const timeoutMs = Number(values['timeout-ms']);
/** Send the request this long after the connection is established (a client that thinks first). */
const pauseMs = Number(values['pause-ms']);
/** Requests still open; above this the client skips a beat rather than pile up. */
const maxInFlight = 64;
const tickMs = 10;

/** One failed request, for `--detail`. */
interface Failure {
  readonly code: string;
  readonly established: boolean;
  readonly openedAt: number;
  readonly failedAt: number;
}

/** Wall-clock ms with sub-ms precision, comparable across processes on this host. */
const wallMs = (): number => performance.timeOrigin + performance.now();

let ok = new Map<string, number>();
let errors = new Map<string, number>();
let failures: Failure[] = [];
let inFlight = 0;

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

function once(): void {
  inFlight += 1;
  let done = false;
  let established = false;
  const openedAt = wallMs();
  const finish = (outcome: { ok: string } | { error: string }): void => {
    if (done) return;
    done = true;
    inFlight -= 1;
    if ('ok' in outcome) bump(ok, outcome.ok);
    else {
      bump(errors, outcome.error);
      if (values.detail) failures.push({ code: outcome.error, established, openedAt, failedAt: wallMs() });
    }
  };
  const req = request({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      body += c;
    });
    res.on('end', () =>
      finish(res.statusCode === 200 ? { ok: body.trim() } : { error: `http ${res.statusCode}` }),
    );
    res.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
  });
  req.on('socket', (socket) =>
    socket.once('connect', () => {
      established = true;
      if (pauseMs > 0) setTimeout(() => req.end(), pauseMs);
    }),
  );
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
  if (pauseMs === 0) req.end();
}

let owed = 0;
setInterval(() => {
  owed += (ratePerSec * tickMs) / 1000;
  while (owed >= 1) {
    owed -= 1;
    if (inFlight < maxInFlight) once();
  }
}, tickMs);

setInterval(() => {
  const report = { ok: Object.fromEntries(ok), errors: Object.fromEntries(errors) };
  console.log(JSON.stringify(values.detail ? { ...report, failures } : report));
  ok = new Map();
  errors = new Map();
  failures = [];
}, Number(values['report-ms']));
