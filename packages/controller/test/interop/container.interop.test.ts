/**
 * The container image, built from the committed Dockerfile (scripts/image/image.sh: podman on
 * a locally made node:24-bookworm-slim) and run the way Kubernetes runs it, in a network
 * namespace against BIRD 2:
 *
 * - capability sets as containerd/CRI-O give a container with `capabilities: { drop: [ALL],
 *   add: [NET_ADMIN] }`: NET_ADMIN in the bounding set, nothing inheritable or ambient (podman
 *   would otherwise fill the inheritable set, which Kubernetes does not); the entrypoint is
 *   wrapped in `setpriv --inh-caps=-all --ambient-caps=-all` so the image cannot lean on them;
 * - `--read-only` root with /tmp a tmpfs (readOnlyRootFilesystem, the emptyDir);
 * - the admin listener on the pod (= node) address with ANYVIP_ADMIN_ADDRESS set, as the
 *   generated DaemonSet does, so `anyvip status` inside the container needs no flag.
 *
 * Proven: the VIP is bound on lo and its route is at BIRD; `/healthz` answers; `anyvip status`
 * and `anyvip doctor` work inside the container (`kubectl exec` equivalents); SIGTERM
 * withdraws, removes the address and exits 0.
 *
 * Lab: node `router` 10.250.1.1 (BIRD, AS 65000) ↔ node `node` 10.250.1.2 (the container,
 * AS 65001). The image build is cached (podman layers, the base by recipe), so a run with
 * nothing changed takes well under a minute beyond the lab.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createPair,
  interopSkipReason,
  type Lab,
  startDaemon,
  waitUntil,
} from '../../../bgp/test/interop/support/index.js';
import type { StatusReport } from '../../src/admin/status-report.js';

const run = promisify(execFile);
const skipReason = interopSkipReason();
const SCRIPT = fileURLToPath(new URL('../../../../scripts/image/image.sh', import.meta.url));
const IMAGE = 'localhost/anyvip:interop';
const CONTAINER = `av-${process.pid}-anyvip`;
/** NET_ADMIN is capability 12: the only bit a Kubernetes pod with drop [ALL] add [NET_ADMIN] gets. */
const NET_ADMIN_ONLY = '0000000000001000';

/** podman through the image script, so it uses the script's containers.conf. */
async function podman(
  args: readonly string[],
  allowFailure = false,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(SCRIPT, ['podman', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (!allowFailure) throw new Error(`podman ${args.join(' ')} failed: ${e.stderr ?? String(err)}`);
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function capLine(status: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1];
}

describe.skipIf(skipReason !== undefined)('the anyvip image under Kubernetes capability semantics', () => {
  let lab: Lab | undefined;

  beforeAll(async () => {
    for (const tool of ['/usr/bin/podman', '/usr/bin/mmdebstrap', '/usr/sbin/runc'])
      if (!existsSync(tool))
        throw new Error(`${tool} is missing: ./run test installs podman, runc and mmdebstrap`);
    const started = performance.now();
    await run(SCRIPT, ['build', IMAGE], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    process.stdout.write(
      `[container] image ${IMAGE} ready in ${Math.round((performance.now() - started) / 1000)} s\n`,
    );
  }, 1_500_000);

  afterEach(async () => {
    await podman(['rm', '--force', '--time', '0', CONTAINER], true);
    await lab?.destroy();
    lab = undefined;
  });

  it('binds the VIP on lo, announces it to BIRD, answers /healthz, status and doctor inside; SIGTERM withdraws and exits 0', async () => {
    lab = await createPair('router', 'node');
    const bird = await startDaemon(lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [{ address: '10.250.1.2', asn: 65001, localAddress: '10.250.1.1', holdTimeSec: 9 }],
    });
    await podman([
      'run',
      '--detach',
      '--name',
      CONTAINER,
      '--network',
      `ns:/run/netns/${lab.nsOf('node')}`,
      '--user',
      '0:0',
      '--cap-drop',
      'ALL',
      '--cap-add',
      'NET_ADMIN',
      '--security-opt',
      'no-new-privileges',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--env',
      'ANYVIP_ADMIN_ADDRESS=10.250.1.2:9716',
      '--entrypoint',
      '/usr/bin/setpriv',
      IMAGE,
      '--inh-caps=-all',
      '--ambient-caps=-all',
      '--',
      '/usr/local/bin/anyvip',
      'run',
      '--control-plane',
      '--vip',
      '10.250.255.1',
      '--asn',
      '65001',
      '--router-id',
      '10.250.1.2',
      '--peer',
      '10.250.1.1',
      '--peer-asn',
      '65000',
      '--hold-time',
      '9',
      '--admin-address',
      '10.250.1.2:9716',
    ]);

    // The process has exactly what a Kubernetes pod with drop [ALL] add [NET_ADMIN] gets.
    const proc = (await podman(['exec', CONTAINER, 'cat', '/proc/1/status'])).stdout;
    expect(/^Uid:\s+0\s/m.test(proc)).toBe(true);
    expect([
      capLine(proc, 'CapInh'),
      capLine(proc, 'CapEff'),
      capLine(proc, 'CapBnd'),
      capLine(proc, 'CapAmb'),
    ]).toEqual(['0000000000000000', NET_ADMIN_ONLY, NET_ADMIN_ONLY, '0000000000000000']);

    await bird.waitEstablished('10.250.1.2', 30_000);
    await waitUntil(
      () => bird.routes('ipv4'),
      (rs) => rs.some((r) => r.prefix === '10.250.255.1/32'),
      { timeoutMs: 15_000, intervalMs: 100, what: 'VIP announced to BIRD' },
    );
    const lo = JSON.parse((await lab.ip('node', ['-j', 'addr', 'show', 'dev', 'lo'])).stdout) as {
      addr_info: { local: string; metric?: number }[];
    }[];
    expect(lo[0]?.addr_info.map((a) => [a.local, a.metric])).toContainEqual(['10.250.255.1', 7717]);

    const healthz = await lab.exec('node', process.execPath, [
      '-e',
      "fetch('http://10.250.1.2:9716/healthz').then(async (r) => process.stdout.write(r.status + ' ' + (await r.text())))",
    ]);
    expect(healthz.stdout).toMatch(/^200 /);

    // Day 2, as `kubectl exec POD -- anyvip status` / `-- anyvip doctor`: anyvip is on PATH,
    // the admin address comes from the environment the DaemonSet sets.
    const status = await podman(['exec', CONTAINER, 'anyvip', 'status', '--json']);
    const report = JSON.parse(status.stdout) as StatusReport;
    expect(report.ready).toBe(true);
    expect(report.vips).toMatchObject([{ prefix: '10.250.255.1/32', announced: true, bound: true }]);
    expect((await podman(['exec', CONTAINER, 'anyvip', 'status'])).stdout).toMatch(
      /10\.250\.255\.1\/32\s+none\s+-\s+announced\s+yes/,
    );
    const doctor = await podman(
      [
        'exec',
        CONTAINER,
        'setpriv',
        '--inh-caps=-all',
        '--ambient-caps=-all',
        '--',
        'anyvip',
        'doctor',
        '--json',
        '--peer',
        '10.250.1.1',
      ],
      true,
    );
    const findings = (JSON.parse(doctor.stdout) as { findings: { id: string; severity: string }[] }).findings;
    expect(findings.find((f) => f.id.startsWith('cap.net-admin') || f.id === 'ip.missing')).toMatchObject({
      id: 'cap.net-admin',
      severity: 'ok',
    });
    expect(findings.find((f) => f.id.startsWith('peer.10.250.1.1'))).toMatchObject({ severity: 'ok' });

    // SIGTERM (what the kubelet sends): withdraw, remove the address, exit 0.
    await podman(['stop', '--time', '20', CONTAINER]);
    expect((await podman(['inspect', '--format', '{{.State.ExitCode}}', CONTAINER])).stdout.trim()).toBe('0');
    expect((await bird.routes('ipv4')).map((r) => r.prefix)).toEqual([]);
    const after = JSON.parse((await lab.ip('node', ['-j', 'addr', 'show', 'dev', 'lo'])).stdout) as {
      addr_info: { local: string }[];
    }[];
    expect(after[0]?.addr_info.map((a) => a.local)).not.toContain('10.250.255.1');
  });
});
