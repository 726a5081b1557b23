/**
 * Never announce what is not there: `anyvip standalone` (the built CLI) in a network
 * namespace against BIRD 2, with `ip` unable to bind the VIP, for real:
 *
 * - denied: anyvip runs as root without CAP_NET_ADMIN (`setpriv --bounding-set -net_admin`,
 *   so neither node nor the `ip` it runs can gain it), as in a pod that lacks NET_ADMIN; the
 *   kernel answers every `ip addr add` with EPERM;
 * - missing: PATH has no `ip` (an image without iproute2); every call fails with ENOENT.
 *
 * In both, the BGP session comes up but BIRD never receives the VIP; `/readyz` answers 503
 * with the reason, `anyvip status` shows the VIP withheld, `anyvip_vip_bound` reads 0, and
 * SIGTERM still exits 0. Doctor, run the same way, reports the real cause.
 *
 * Lab: node `router` 10.250.1.1 (BIRD, AS 65000) ↔ node `node` 10.250.1.2 (anyvip, AS 65001).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createPair,
  interopSkipReason,
  type Lab,
  startDaemon,
} from '../../../bgp/test/interop/support/index.js';
import type { StatusReport } from '../../src/admin/status-report.js';
import { ANYVIP_CLI } from '../support/anyvip-cli.js';

const skipReason = interopSkipReason();
const CLI = ANYVIP_CLI;

const config = `
bgp:
  asn: 65001
  routerId: 10.250.1.2
  peers:
    - { address: 10.250.1.1, asn: 65000, holdTime: 9, connectRetry: 1 }
vips: [10.250.255.1]
allowedRanges: [10.250.255.0/24]
reconcile: { interval: 1s, retryMin: 200ms, retryMax: 1s }
`;

/** How each case starts anyvip (and doctor) so that `ip` cannot bind. */
const cases = [
  {
    name: 'denied (no CAP_NET_ADMIN: EPERM from the kernel)',
    wrap: ['/usr/bin/setpriv', '--bounding-set', '-net_admin', '--inh-caps', '-net_admin', '--'],
    reason: /Operation not permitted/,
    doctorId: 'cap.net-admin.missing',
  },
  {
    name: 'missing (no ip on PATH: ENOENT)',
    wrap: ['/usr/bin/env', 'PATH=/nonexistent'],
    reason: /ENOENT/,
    doctorId: 'ip.missing',
  },
] as const;

describe.skipIf(skipReason !== undefined)('anyvip never announces a VIP it cannot bind', () => {
  let lab: Lab | undefined;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (pnpm -r build)`);
  });

  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  for (const c of cases) {
    it(`ip ${c.name}: BIRD never gets the route; readyz, status and metrics say why; SIGTERM exits 0`, async () => {
      lab = await createPair('router', 'node');
      const bird = await startDaemon(lab, 'router', 'bird', {
        routerId: '10.250.1.1',
        asn: 65000,
        neighbors: [{ address: '10.250.1.2', asn: 65001, localAddress: '10.250.1.1', holdTimeSec: 9 }],
      });
      const configFile = join(lab.dir, 'anyvip.yaml');
      writeFileSync(configFile, config);
      const [cmd = '', ...pre] = c.wrap;
      const anyvip = await lab.spawn(
        'node',
        cmd,
        [...pre, process.execPath, CLI, 'standalone', '--config', configFile],
        {
          label: 'anyvip',
        },
      );
      await bird.waitEstablished('10.250.1.2', 15_000);
      await anyvip.waitForJsonLine(
        (v) => (v as { message?: string }).message === 'vip withheld: not announced',
        {
          timeoutMs: 15_000,
          what: 'the withheld log line',
        },
      );

      // Several retries later (back-off 200 ms .. 1 s), BIRD has still seen nothing.
      const deadline = performance.now() + 2500;
      while (performance.now() < deadline) {
        expect((await bird.routes('ipv4')).map((r) => r.prefix)).toEqual([]);
        await new Promise((r) => setTimeout(r, 250));
      }

      const fetchText = (path: string) =>
        lab?.exec('node', process.execPath, [
          '-e',
          `fetch('http://127.0.0.1:9716${path}').then(async (r) => process.stdout.write(r.status + '\\n' + (await r.text())))`,
        ]);
      const ready = await fetchText('/readyz');
      expect(ready?.stdout.split('\n')[0]).toBe('503');
      expect(ready?.stdout).toMatch(/VIP 10\.250\.255\.1\/32 not announced: address not bound to lo/);
      const metrics = await fetchText('/metrics');
      expect(metrics?.stdout).toContain('anyvip_vip_bound{vip="10.250.255.1/32"} 0');
      expect(metrics?.stdout).toContain('anyvip_vip_announced{vip="10.250.255.1/32"} 0');

      const status = await lab.exec('node', process.execPath, [CLI, 'status', '--json']);
      const report = JSON.parse(status.stdout) as StatusReport;
      expect(report.ready).toBe(false);
      expect(report.vips).toMatchObject([{ prefix: '10.250.255.1/32', announced: false, bound: false }]);
      expect(report.vips[0]?.withheld).toMatch(c.reason);
      const text = await lab.exec('node', process.execPath, [CLI, 'status']);
      expect(text.stdout).toMatch(/10\.250\.255\.1\/32 withheld: address not bound to lo/);

      // Doctor, run as anyvip runs, names the cause.
      const doctor = await lab.exec('node', cmd, [...pre, process.execPath, CLI, 'doctor', '--json'], {
        allowFailure: true,
      });
      const ids = (JSON.parse(doctor.stdout) as { findings: { id: string }[] }).findings.map((f) => f.id);
      expect(ids).toContain(c.doctorId);
      expect(doctor.code).toBe(1);

      expect(await anyvip.stop(8000, 'SIGTERM')).toEqual({ code: 0, signal: null });
      expect(await bird.routes('ipv4')).toEqual([]);
    });
  }

  // Thousands of VIPs are announced while the kernel is still binding them (the BGP sink's
  // early applies, from the address watch's events): a route may leave only once its own
  // address is bound. BIRD's table is read first and lo second, so any route BIRD has must
  // already be on lo (nothing is unbound during a start).
  it('announcing thousands of VIPs while lo is still being bound: BIRD never has a route whose address is not on lo', async () => {
    const count = 6000;
    const vip = (i: number) => `10.250.${128 + (i >> 8)}.${i & 255}`;
    lab = await createPair('router', 'node');
    const l = lab;
    const bird = await startDaemon(l, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [{ address: '10.250.1.2', asn: 65001, localAddress: '10.250.1.1', holdTimeSec: 9 }],
    });
    const configFile = join(l.dir, 'anyvip.yaml');
    const vips = Array.from({ length: count }, (_, i) => `  - ${vip(i)}`);
    writeFileSync(
      configFile,
      `bgp:\n  asn: 65001\n  routerId: 10.250.1.2\n  peers: [{ address: 10.250.1.1, asn: 65000, holdTime: 9, connectRetry: 1 }]\nlog: { level: warn }\nallowedRanges: [10.250.128.0/17]\nvips:\n${vips.join('\n')}\n`,
    );
    const anyvip = await l.spawn('node', process.execPath, [CLI, 'standalone', '--config', configFile], {
      label: 'anyvip',
    });
    const deadline = performance.now() + 120_000;
    let samples = 0;
    let seen = 0;
    while (seen < count) {
      if (performance.now() > deadline) throw new Error(`only ${seen} of ${count} routes\n${anyvip.tail()}`);
      const atBird = (await bird.routes('ipv4')).map((r) => r.prefix);
      const lo = JSON.parse((await l.ip('node', ['-j', 'addr', 'show', 'dev', 'lo'])).stdout) as {
        addr_info?: { local?: string; prefixlen?: number }[];
      }[];
      const bound = new Set(lo.flatMap((d) => (d.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`)));
      const unbound = atBird.filter((p) => !bound.has(p));
      expect(unbound, `routes at BIRD whose address was not on lo (sample ${samples})`).toEqual([]);
      seen = atBird.length;
      samples++;
    }
    expect(await anyvip.stop(60_000, 'SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('with CAP_NET_ADMIN, doctor finds that ip may bind (the probe changes nothing)', async () => {
    lab = await createPair('router', 'node');
    const before = (await lab.ip('node', ['-j', 'addr', 'show'])).stdout;
    const doctor = await lab.exec('node', process.execPath, [CLI, 'doctor', '--json'], {
      allowFailure: true,
    });
    const findings = (JSON.parse(doctor.stdout) as { findings: { id: string; severity: string }[] }).findings;
    expect(findings.find((f) => f.id.startsWith('cap.net-admin'))).toMatchObject({
      id: 'cap.net-admin',
      severity: 'ok',
    });
    expect((await lab.ip('node', ['-j', 'addr', 'show'])).stdout).toBe(before);
  });
});
