/**
 * `anyvip manifest` refuses every input `anyvip run` would refuse, with the same message and
 * exit code (issue 12 §3): each case runs both commands in-process and compares stderr.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli as cli } from '../support/run-cli.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const bgp = ['--asn', '65001', '--peer', '10.250.0.1', '--peer-asn', '65000'];
const pod = ['--vip', '10.250.255.1', '--router-id', '10.250.0.11'];

/** [what, manifest flags, the same input as `anyvip run` flags when they differ, the message both print]. */
const daemonsetCases: [string, string[], string[], RegExp][] = [
  [
    'a --peer without any --peer-asn',
    ['--asn', '65001', '--peer', '10.0.0.1'],
    [],
    /one --peer-asn for all peers/,
  ],
  [
    'two --peer with three --peer-asn',
    [
      '--asn',
      '1',
      '--peer',
      '10.0.0.1',
      '--peer',
      '10.0.0.2',
      '--peer-asn',
      '1',
      '--peer-asn',
      '2',
      '--peer-asn',
      '3',
    ],
    [],
    /one per --peer \(2\)/,
  ],
  ['no --asn', ['--peer', '10.0.0.1', '--peer-asn', '65000'], [], /--asn is required in mode bgp/],
  [
    'a --peer that is not an address',
    ['--asn', '1', '--peer', 'r1', '--peer-asn', '2'],
    [],
    /^anyvip: --peer: /,
  ],
  [
    'a --peer-asn out of range',
    ['--asn', '1', '--peer', '10.0.0.1', '--peer-asn', '4294967296'],
    [],
    /--peer-asn: /,
  ],
  ['a bad --allowed-range', [...bgp, '--allowed-range', '10.0.0.0/33'], [], /--allowed-range: /],
  ['a bad --pools-configmap', [...bgp, '--pools-configmap', 'a/b/c'], [], /--pools-configmap: expected NAME/],
  ['a --listen-port out of range', [...bgp, '--listen-port', '70000'], [], /--listen-port: /],
  [
    'a --bfd-multiplier without range',
    [...bgp, '--bfd-interval', '100', '--bfd-multiplier', '0'],
    [],
    /--bfd-multiplier/,
  ],
  [
    'a bad --admin-port',
    [...bgp, '--admin-port', '70000'],
    [...bgp, '--admin-address', '192.0.2.1:70000'],
    /--admin-address /,
  ],
];

const podCases: [string, string[], string[], RegExp][] = [
  ['no --vip', [...bgp, '--router-id', '10.250.0.11'], [], /^anyvip: --vip is required\n$/],
  [
    'a --vip that is a prefix',
    [...bgp, '--vip', '10.250.255.0/24', '--router-id', '10.250.0.11'],
    [],
    /--vip: a VIP is one address/,
  ],
  ['no --router-id', [...bgp, '--vip', '10.250.255.1'], [], /--router-id is required in mode bgp/],
  [
    'a --router-id that is not a dotted quad',
    [...bgp, '--vip', '10.250.255.1', '--router-id', 'x'],
    [],
    /--router-id: /,
  ],
  [
    'a --peer without any --peer-asn',
    ['--asn', '1', '--peer', '10.0.0.1', ...pod],
    [],
    /one --peer-asn for all peers/,
  ],
  ['a --listen-port out of range', [...bgp, ...pod, '--listen-port', '-1'], [], /--listen-port: /],
];

describe('anyvip manifest refuses what anyvip run refuses, with the same message (exit 2)', () => {
  it.each(daemonsetCases)('daemonset: %s', async (_what, flags, runFlags, message) => {
    const m = await cli(['manifest', 'daemonset', ...flags]);
    vi.restoreAllMocks();
    vi.stubEnv('NODE_NAME', 'node-a');
    const r = await cli(['run', '--router-id', '192.0.2.1', ...(runFlags.length > 0 ? runFlags : flags)]);
    expect(m.stdout).toBe('');
    expect([m.code, m.stderr]).toEqual([2, r.stderr]);
    expect(r.code).toBe(2);
    expect(m.stderr).toMatch(message);
  });

  it.each(podCases)('pod: %s', async (_what, flags, runFlags, message) => {
    const m = await cli(['manifest', 'pod', ...flags]);
    vi.restoreAllMocks();
    const r = await cli([
      'run',
      '--control-plane',
      '--health',
      'apiserver',
      ...(runFlags.length > 0 ? runFlags : flags),
    ]);
    expect(m.stdout).toBe('');
    expect([m.code, m.stderr]).toEqual([2, r.stderr]);
    expect(r.code).toBe(2);
    expect(m.stderr).toMatch(message);
  });

  it('a valid input still prints manifests (exit 0)', async () => {
    const m = await cli(['manifest', 'daemonset', ...bgp]);
    expect(m.code).toBe(0);
    expect(m.stdout).toContain('kind: DaemonSet');
    const p = await cli(['manifest', 'pod', ...bgp, ...pod]);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('kind: Pod');
  });

  it('a DaemonSet needs no --peer: AnyvipPeer objects and node annotations give each node its peers', async () => {
    const m = await cli(['manifest', 'daemonset', '--asn', '65001']);
    expect([m.code, m.stderr]).toEqual([0, '']);
    expect(m.stdout).toContain('kind: DaemonSet');
  });
});
