import { FakeClock } from '@anyvip/healthcheck';
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeView } from '../../src/admin/runtime-view.js';
import { type AdminServer, startAdminServer } from '../../src/admin/server.js';
import type { StatusReport } from '../../src/admin/status-report.js';
import { AnyvipRuntime } from '../../src/app.js';
import { parseConfigText } from '../../src/config/load.js';
import { silentLogger } from '../../src/observability/log.js';
import { FakeIp } from '../support/fake-ip.js';
import { fakeRouterFactory } from '../support/fake-router.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A runtime on fakes, its view, and the admin listener on 127.0.0.1:0. */
async function serving(yaml: string, now = () => 1_700_000_000_000) {
  const runtime = new AnyvipRuntime(parseConfigText(yaml), {
    clock: new FakeClock(),
    ip: new FakeIp(),
    createRouter: fakeRouterFactory().create,
    logger: silentLogger(),
  });
  const view = new RuntimeView(runtime, { now });
  const server: AdminServer = await startAdminServer(
    {
      metrics: async () => ({ contentType: runtime.metrics.contentType, body: await runtime.metrics.text() }),
      liveness: () => view.liveness(),
      readiness: () => view.readiness(),
      status: () => view.status(),
    },
    { host: '127.0.0.1', port: 0 },
  );
  cleanups.push(async () => {
    await runtime.stop();
    await server.close();
  });
  const get = async (path: string, method = 'GET') => {
    const r = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
  };
  return { runtime, view, server, get };
}

const tableYaml = 'mode: table\nvips: [10.250.255.1, "fd00:250::ff:1"]\n';
const bgpYaml = `
bgp:
  asn: 65001
  routerId: 10.250.0.11
  peers: [{ address: 10.250.0.1, asn: 65000 }]
vips: [10.250.255.1]
`;

describe('admin listener', () => {
  it('answers /readyz 503 before the first pass and 200 after it (table mode)', async () => {
    const s = await serving(tableYaml);
    const before = await s.get('/readyz');
    expect(before.status).toBe(503);
    expect(before.body).toBe('not ok: the first reconcile pass has not ended\n');
    await s.runtime.start();
    expect(await s.get('/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await s.get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('is not ready in mode bgp while no session is Established', async () => {
    const s = await serving(bgpYaml);
    await s.runtime.start();
    const r = await s.get('/readyz');
    expect(r.status).toBe(503);
    expect(r.body).toBe('not ok: no BGP session is Established (0 of 1)\n');
  });

  it('serves the registry on /metrics in the Prometheus text format', async () => {
    const s = await serving(tableYaml);
    await s.runtime.start();
    const r = await s.get('/metrics');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.body).toContain('anyvip_vip_announced{vip="10.250.255.1/32"} 1');
    expect(r.body).toContain('anyvip_vip_bound{vip="fd00:250::ff:1/128"} 1');
    expect(r.body).toContain('anyvip_reconcile_passes_total{result="ok"} 1');
  });

  it('serves /status as JSON: VIPs with health and what the last pass applied, peers from the config', async () => {
    const s = await serving(bgpYaml);
    await s.runtime.start();
    const r = await s.get('/status');
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json; charset=utf-8');
    const status = JSON.parse(r.body) as StatusReport;
    expect(status).toMatchObject({
      version: 1,
      mode: 'bgp',
      ready: false,
      passes: 1,
      startedAt: '2023-11-14T22:13:20.000Z',
      vips: [{ prefix: '10.250.255.1/32', health: 'none', announced: true, bound: true }],
      peers: [{ address: '10.250.0.1', asn: 65000, port: 179, state: 'idle', prefixesSent: 0 }],
    });
  });

  it('shows the BFD state a bfdStateChanged event reported', async () => {
    const s = await serving(bgpYaml);
    await s.runtime.start();
    s.view.observe({
      kind: 'bfdStateChanged',
      peer: '10.250.0.1',
      from: 'init',
      to: 'up',
      diagnostic: 'NO_DIAGNOSTIC',
      bgpStopped: false,
    });
    const status = JSON.parse((await s.get('/status')).body) as StatusReport;
    expect(status.peers[0]?.bfd).toBe('up');
  });

  it('answers 404 for unknown paths, 405 for other methods, and HEAD without a body', async () => {
    const s = await serving(tableYaml);
    expect((await s.get('/nope')).status).toBe(404);
    expect((await s.get('/metrics', 'POST')).status).toBe(405);
    expect(await s.get('/healthz', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('reports a wedged loop on /healthz once no pass ended for three intervals (at least 60 s)', async () => {
    let now = 1_700_000_000_000;
    const s = await serving(tableYaml, () => now);
    await s.runtime.start();
    now += 60_000;
    expect((await s.get('/healthz')).status).toBe(200);
    now += 1_000;
    const r = await s.get('/healthz');
    expect(r.status).toBe(503);
    expect(r.body).toBe('not ok: no reconcile pass ended for 61 s (limit 60 s)\n');
  });

  it('rejects an address that is in use', async () => {
    const s = await serving(tableYaml);
    await expect(
      startAdminServer(
        {
          metrics: async () => ({ contentType: 'text/plain', body: '' }),
          liveness: () => ({ ok: true, reasons: [] }),
          readiness: () => ({ ok: true, reasons: [] }),
          status: () => s.view.status(),
        },
        { host: '127.0.0.1', port: s.server.port },
      ),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
