import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AdminServer, startAdminServer } from '../../src/admin/server.js';
import type { StatusReport } from '../../src/admin/status-report.js';
import { fetchStatus, statusUrl } from '../../src/cli/status-command.js';
import { main } from '../../src/main.js';
import { sampleReport } from '../support/status-report.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0)) await c();
});

async function listener(status: () => StatusReport): Promise<AdminServer> {
  const s = await startAdminServer(
    {
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      liveness: () => ({ ok: true, reasons: [] }),
      readiness: () => ({ ok: true, reasons: [] }),
      status,
    },
    { host: '127.0.0.1', port: 0 },
  );
  cleanups.push(() => s.close());
  return s;
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
    stdout += String(c);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
    stderr += String(c);
    return true;
  });
  const code = await main(args);
  return { code, stdout, stderr };
}

describe('anyvip status', () => {
  it('prints the table from a running listener and exits 0', async () => {
    const s = await listener(() => sampleReport);
    const r = await cli(['status', '--admin-address', `127.0.0.1:${s.port}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('10.250.0.1   BGP    up     2026-12-02 19:40:01  Established');
    expect(r.stdout).toContain('10.250.255.2/32  down    db     withdrawn  yes');
  });

  it('prints the /status document with --json', async () => {
    const s = await listener(() => sampleReport);
    const r = await cli(['status', '--json', '--admin-address', `127.0.0.1:${s.port}`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(sampleReport)));
  });

  it('says clearly that the listener is unreachable, and exits 1', async () => {
    const port = await closedPort();
    const r = await cli(['status', '--admin-address', `127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `anyvip: cannot reach the admin listener at http://127.0.0.1:${port}/status (ECONNREFUSED): is anyvip running on this node with its admin listener on? Name it with --admin-address HOST:PORT or --config FILE\n`,
    );
  });

  it('refuses a status document of another version', async () => {
    const s = await listener(() => ({ ...sampleReport, version: 2 }) as unknown as StatusReport);
    await expect(fetchStatus(`http://127.0.0.1:${s.port}/status`, 1000)).rejects.toMatchObject({
      code: 'ANYVIP_ADMIN_UNREACHABLE',
      message: expect.stringContaining('version 2; this anyvip reads version 1'),
    });
  });

  it('reaches a wildcard listen address on loopback, and defaults to 127.0.0.1:9716', async () => {
    expect(await statusUrl(undefined, undefined)).toBe('http://127.0.0.1:9716/status');
    expect(await statusUrl('0.0.0.0:9100', undefined)).toBe('http://127.0.0.1:9100/status');
    expect(await statusUrl('[::]:9100', undefined)).toBe('http://[::1]:9100/status');
    await expect(statusUrl('nope', undefined)).rejects.toMatchObject({ code: 'ANYVIP_USAGE' });
    // Inside the DaemonSet's container: $ANYVIP_ADMIN_ADDRESS names the pod-address listener.
    expect(await statusUrl(undefined, undefined, '10.250.0.11:9716')).toBe('http://10.250.0.11:9716/status');
    expect(await statusUrl('127.0.0.1:9100', undefined, '10.250.0.11:9716')).toBe(
      'http://127.0.0.1:9100/status',
    );
    await expect(statusUrl(undefined, undefined, 'nope')).rejects.toMatchObject({ code: 'ANYVIP_USAGE' });
  });
});
