import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthError } from '../../src/errors.js';
import { createHttpProbe } from '../../src/probes/http.js';
import { deadline, never } from '../support/deadline.js';
import { closedPort, startHttp, startRaw, type TestServer } from '../support/servers.js';

const servers: TestServer[] = [];
async function serve(s: Promise<TestServer>): Promise<TestServer> {
  const server = await s;
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('HTTP probe against real local servers', () => {
  it('passes on 200 and measures latency', async () => {
    const s = await serve(startHttp((_req, res) => res.end('ok')));
    const r = await createHttpProbe({ url: s.url('/healthz') }).run(never());
    expect(r).toMatchObject({ ok: true, reason: 'HTTP 200' });
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.latencyMs).toBeLessThan(5000);
  });

  it('fails on HTTP 500 and quotes the start of the body', async () => {
    const s = await serve(
      startHttp((_req, res) => {
        res.statusCode = 500;
        res.end('[-]etcd failed\nlivez check failed\n');
      }),
    );
    const r = await createHttpProbe({ url: s.url() }).run(never());
    expect(r).toMatchObject({
      ok: false,
      reason: 'HTTP 500 (expected 200-399): [-]etcd failed livez check failed',
    });
  });

  it('accepts 3xx by default without following it, and honours a custom status range', async () => {
    const s = await serve(
      startHttp((_req, res) => {
        res.writeHead(302, { location: '/elsewhere' });
        res.end();
      }),
    );
    expect(await createHttpProbe({ url: s.url() }).run(never())).toMatchObject({
      ok: true,
      reason: 'HTTP 302',
    });
    expect(
      await createHttpProbe({ url: s.url(), expectStatus: { min: 200, max: 299 } }).run(never()),
    ).toMatchObject({
      ok: false,
      reason: 'HTTP 302 (expected 200-299)',
    });
  });

  it('matches the body by substring or regular expression', async () => {
    const s = await serve(startHttp((_req, res) => res.end('{"status":"SERVING"}')));
    const run = (bodyMatch: string | RegExp) => createHttpProbe({ url: s.url(), bodyMatch }).run(never());
    expect((await run('SERVING')).ok).toBe(true);
    expect((await run(/"status":\s*"SERVING"/)).ok).toBe(true);
    expect(await run('NOT_SERVING')).toMatchObject({
      ok: false,
      reason: 'HTTP 200 but the body does not match "NOT_SERVING"',
    });
  });

  it('reads at most maxBodyBytes and still passes when the match is in that part', async () => {
    const s = await serve(startHttp((_req, res) => res.end(`ready ${'x'.repeat(1 << 20)}`)));
    const r = await createHttpProbe({ url: s.url(), bodyMatch: 'ready', maxBodyBytes: 1024 }).run(never());
    expect(r).toMatchObject({ ok: true, reason: 'HTTP 200' });
    const miss = await createHttpProbe({ url: s.url(), bodyMatch: 'absent', maxBodyBytes: 1024 }).run(
      never(),
    );
    expect(miss.reason).toBe('HTTP 200 but the body does not match "absent" in its first 1024 bytes');
  });

  it('times out on a server that accepts and never answers, and closes the socket', async () => {
    const s = await serve(startRaw(() => {}));
    const r = await createHttpProbe({ url: s.url() }).run(deadline(150));
    expect(r).toMatchObject({ ok: false, reason: 'timeout after 150ms while waiting for response headers' });
    expect(r.latencyMs).toBeGreaterThanOrEqual(140);
    await s.allClosed();
    expect(s.open).toBe(0);
  });

  it('times out on a server that sends its headers slowly', async () => {
    const s = await serve(
      startRaw((socket) => {
        const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';
        let i = 0;
        const t = setInterval(() => {
          if (socket.destroyed || i >= head.length) return clearInterval(t);
          socket.write(head[i++] ?? '');
        }, 25);
        socket.on('close', () => clearInterval(t));
      }),
    );
    const r = await createHttpProbe({ url: s.url() }).run(deadline(200));
    expect(r).toMatchObject({ ok: false, reason: 'timeout after 200ms while waiting for response headers' });
    await s.allClosed();
  });

  it('fails when the server closes in the middle of the body', async () => {
    const s = await serve(
      startRaw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789', () => socket.destroy());
      }),
    );
    const r = await createHttpProbe({ url: s.url() }).run(never());
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^(connection closed mid-response|response broken) after 10 bytes of body/);
  });

  it('fails when the server closes before answering', async () => {
    const s = await serve(startRaw((socket) => socket.destroy()));
    const r = await createHttpProbe({ url: s.url() }).run(never());
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/socket hang up|ECONNRESET/);
  });

  it('fails on a refused connection, naming the phase', async () => {
    const port = await closedPort();
    const r = await createHttpProbe({ url: `http://127.0.0.1:${port}/` }).run(never());
    expect(r).toMatchObject({ ok: false, reason: `connecting: connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('reaches an IPv6 target ([::1])', async () => {
    const s = await serve(startHttp((req, res) => res.end(String(req.socket.remoteAddress)), '::1'));
    const r = await createHttpProbe({ url: s.url('/'), bodyMatch: '::1' }).run(never());
    expect(s.url()).toMatch(/^http:\/\/\[::1\]:\d+\/$/);
    expect(r).toMatchObject({ ok: true, reason: 'HTTP 200' });
  });

  it('sends the Host override and extra headers', async () => {
    const s = await serve(startHttp((req, res) => res.end(`${req.headers.host} ${req.headers['x-probe']}`)));
    const r = await createHttpProbe({
      url: s.url(),
      hostHeader: 'vip.example.test',
      headers: { 'X-Probe': 'anyvip', Host: 'ignored.example.test' },
      bodyMatch: 'vip.example.test anyvip',
    }).run(never());
    expect(r).toMatchObject({ ok: true });
  });

  it('refuses options that cannot work (ANYVIP_HEALTH_BAD_CONFIG)', () => {
    const bad = [
      [{ url: 'ftp://127.0.0.1/' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'http://u:p@127.0.0.1/' }, 'url'],
      [{ url: 'http://127.0.0.1/', caFile: '/ca.pem' }, 'caFile'],
      [{ url: 'https://127.0.0.1/', caFile: '/ca.pem', insecureSkipVerify: true }, 'insecureSkipVerify'],
      [{ url: 'https://127.0.0.1/', clientCertFile: '/c.pem' }, 'clientCertFile'],
      [{ url: 'http://127.0.0.1/', expectStatus: { min: 300, max: 200 } }, 'expectStatus'],
      [{ url: 'http://127.0.0.1/', maxBodyBytes: 0 }, 'maxBodyBytes'],
    ] as const;
    for (const [options, path] of bad) {
      try {
        createHttpProbe(options);
        expect.unreachable(JSON.stringify(options));
      } catch (e) {
        expect(e).toBeInstanceOf(HealthError);
        expect([(e as HealthError).code, (e as HealthError).path]).toEqual([
          'ANYVIP_HEALTH_BAD_CONFIG',
          path,
        ]);
      }
    }
  });
});

describe('HTTP probe bearer token from a file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'anyvip-hc-token-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the token as kubelet does: a new file renamed over the old one. */
  function rotate(path: string, token: string): void {
    writeFileSync(`${path}.tmp`, `${token}\n`);
    renameSync(`${path}.tmp`, path);
  }

  it('sends the token and re-reads the file when it rotates', async () => {
    let expected = 'token-one';
    const seen: string[] = [];
    const s = await serve(
      startHttp((req, res) => {
        seen.push(String(req.headers.authorization));
        res.statusCode = req.headers.authorization === `Bearer ${expected}` ? 200 : 401;
        res.end();
      }),
    );
    const tokenFile = join(dir, 'token');
    rotate(tokenFile, 'token-one');
    const probe = createHttpProbe({ url: s.url('/livez'), bearerTokenFile: tokenFile });
    expect((await probe.run(never())).ok).toBe(true);
    expected = 'token-two';
    expect(await probe.run(never())).toMatchObject({ ok: false, reason: 'HTTP 401 (expected 200-399)' });
    rotate(tokenFile, 'token-two');
    expect((await probe.run(never())).ok).toBe(true);
    expect(seen).toEqual(['Bearer token-one', 'Bearer token-one', 'Bearer token-two']);
  });

  it('fails with a clear reason when the token file is missing or empty', async () => {
    const s = await serve(startHttp((_req, res) => res.end()));
    const missing = await createHttpProbe({ url: s.url(), bearerTokenFile: join(dir, 'nope') }).run(never());
    expect(missing.ok).toBe(false);
    expect(missing.reason).toMatch(/^cannot read bearer token file .*nope: ENOENT/);
    writeFileSync(join(dir, 'empty'), '\n');
    const empty = await createHttpProbe({ url: s.url(), bearerTokenFile: join(dir, 'empty') }).run(never());
    expect(empty).toMatchObject({ ok: false, reason: `bearer token file ${join(dir, 'empty')} is empty` });
    expect(s.accepted).toBe(0);
  });
});
