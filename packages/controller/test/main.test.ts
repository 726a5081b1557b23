import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli as cli } from './support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'anyvip-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('anyvip CLI', () => {
  it('validate prints what a good file holds and exits 0', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'mode: table\nvips: [10.250.255.1]\n');
    const r = await cli(['validate', '--config', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      mode: 'table',
      vips: ['10.250.255.1/32'],
      peers: [],
      healthchecks: [],
    });
  });

  it('validate names the key path of an error and exits 2', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'mode: table\nvips: [{ address: 10.250.255.1, healthcheck: web }]\n');
    const r = await cli(['validate', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('anyvip: vips[0].healthcheck: no healthcheck named "web" (defined: none)\n');
  });

  it('standalone refuses to start on a bad file with exit 2', async () => {
    const file = join(dir, 'bad2.yaml');
    writeFileSync(file, 'mode: bgp\n');
    const r = await cli(['standalone', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('anyvip: bgp: is required when mode is bgp\n');
  });

  it('run (Kubernetes mode) without --node-name or NODE_NAME names the flag (exit 2)', async () => {
    vi.stubEnv('NODE_NAME', '');
    const r = await cli(['run', '--peer', '10.250.0.1', '--peer-asn', '65000', '--asn', '65001']);
    vi.unstubAllEnvs();
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'anyvip: --node-name is required (or NODE_NAME from the downward API: spec.nodeName)\n',
    );
  });

  it('run (Kubernetes mode) names a bad --allowed-range (exit 2)', async () => {
    const r = await cli([
      'run',
      '--node-name',
      'node1',
      '--peer',
      '10.250.0.1',
      '--peer-asn',
      '65000',
      '--asn',
      '65001',
      '--router-id',
      '10.250.0.2',
      '--allowed-range',
      '10.250.300.0/24',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^anyvip: --allowed-range: "10.250.300.0\/24" is not a CIDR/);
  });

  it('run --control-plane names the missing flag (exit 2)', async () => {
    const r = await cli([
      'run',
      '--control-plane',
      '--vip',
      '10.250.255.1',
      '--peer',
      '10.250.0.1',
      '--peer-asn',
      '65000',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('anyvip: --asn is required in mode bgp\n');
  });
});
