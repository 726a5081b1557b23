import { afterEach, describe, expect, it } from 'vitest';
import { HealthError } from '../../src/errors.js';
import { ProbeTimeout } from '../../src/probes/probe.js';
import { createTcpProbe } from '../../src/probes/tcp.js';
import { never } from '../support/deadline.js';
import { closedPort, startRaw, type TestServer } from '../support/servers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('TCP connect probe', () => {
  it('passes once the handshake completes, then closes the connection', async () => {
    const s = await startRaw(() => {});
    servers.push(s);
    const r = await createTcpProbe({ host: '127.0.0.1', port: s.port }).run(never());
    expect(r).toMatchObject({ ok: true, reason: `connected to 127.0.0.1:${s.port}` });
    await s.allClosed();
    expect(s.accepted).toBe(1);
  });

  it('reaches an IPv6 target (::1)', async () => {
    const s = await startRaw(() => {}, '::1');
    servers.push(s);
    const probe = createTcpProbe({ host: '::1', port: s.port });
    expect(probe.name).toBe(`tcp [::1]:${s.port}`);
    expect(await probe.run(never())).toMatchObject({ ok: true, reason: `connected to [::1]:${s.port}` });
  });

  it('fails on a refused port', async () => {
    const port = await closedPort();
    const r = await createTcpProbe({ host: '127.0.0.1', port }).run(never());
    expect(r).toMatchObject({ ok: false, reason: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('fails at once, without connecting, when already aborted', async () => {
    const s = await startRaw(() => {});
    servers.push(s);
    const c = new AbortController();
    c.abort(new ProbeTimeout(100));
    const r = await createTcpProbe({ host: '127.0.0.1', port: s.port }).run(c.signal);
    expect(r).toMatchObject({
      ok: false,
      reason: `timeout after 100ms while connecting to 127.0.0.1:${s.port}`,
    });
  });

  it('refuses a bad port or host (ANYVIP_HEALTH_BAD_CONFIG)', () => {
    for (const [host, port] of [
      ['127.0.0.1', 0],
      ['127.0.0.1', 65536],
      ['127.0.0.1', 80.5],
      ['', 80],
    ] as const) {
      expect(() => createTcpProbe({ host, port })).toThrow(HealthError);
    }
  });
});
