import { afterEach, describe, expect, it, vi } from 'vitest';
import { anyvipCustomResourceDefinitions } from '../../src/kubernetes/crds/index.js';
import { TestApiServer } from '../support/api-server.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { readAtMs, sampleNodeLeases, sampleNodeStatuses } from '../support/node-statuses.js';
import { runCli } from '../support/run-cli.js';

describe('anyvip status --cluster: every AnyvipNodeStatus through the API (test API server, real client-node)', () => {
  let server: TestApiServer | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    await server?.close();
  });

  /**
   * A server holding the two nodes' statuses (written as their anyvip would, through the
   * schema) and their node leases, node-b1's renewed `b1RenewedAgoMs` ago or deleted.
   */
  async function cluster(crds = true, b1RenewedAgoMs: number | 'deleted' = 12_000): Promise<string> {
    const s = await TestApiServer.start();
    server = s;
    if (crds) {
      s.installCrds(anyvipCustomResourceDefinitions());
      for (const o of sampleNodeStatuses(20_000))
        s.apply('anyvip.io/v1alpha1', 'anyvipnodestatuses', o as Parameters<typeof s.apply>[2]);
    }
    for (const l of sampleNodeLeases(b1RenewedAgoMs))
      s.apply('coordination.k8s.io/v1', 'leases', l as Parameters<typeof s.apply>[2]);
    // Times are read against the wall clock: fix it (only Date; sockets and timers stay real).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(readAtMs);
    return writeKubeconfig(s.url);
  }

  it('prints one table of sessions and one of VIPs for the whole cluster, the node whose lease expired marked down', async () => {
    const kubeconfig = await cluster();
    const r = await runCli(['status', '--cluster', '--kubeconfig', kubeconfig]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      'anyvip cluster: 2 nodes (1 down), 2 sessions (1 Established), 2 VIPs; read 2026-12-04T22:00:00Z',
    );
    expect(lines.slice(2, 5)).toEqual([
      'NODE            PEER   ADDRESS     ASN    STATE        SINCE  SENT  RECV  BFD',
      'node-a1         tor-a  10.250.1.1  65010  Established  3h12m  1     3     up',
      'node-b1 (down)  tor-b  10.250.2.1  65020  Active       1m35s  0     0     down',
    ]);
    expect(r.stdout).toContain(
      'VIP           SERVICE   ANNOUNCED-BY  PEERS\n10.250.255.1  prod/web  node-a1       10.250.1.1\n',
    );
    expect(r.stdout).toContain(
      '(down): no live anyvip node lease in kube-system; its anyvip died, stopped or cannot reach the API server: node-b1 (lease last renewed 2026-12-04T21:59:48.000Z)',
    );
  });

  it('a stopped anyvip (lease deleted) is down; leases read from --lease-namespace', async () => {
    const kubeconfig = await cluster(true, 'deleted');
    const r = await runCli(['status', '--cluster', '--json', '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { nodes: { node: string; stale: boolean; liveness: string }[] };
    expect(doc.nodes.map((n) => [n.node, n.stale, n.liveness])).toEqual([
      ['node-a1', false, 'live'],
      ['node-b1', true, 'absent'],
    ]);
    // No node lease in another namespace: every node is down there.
    const other = await runCli([
      'status',
      '--cluster',
      '--json',
      '--lease-namespace',
      'anyvip-system',
      '--kubeconfig',
      kubeconfig,
    ]);
    const otherDoc = JSON.parse(other.stdout) as {
      liveness: unknown;
      nodes: { liveness: string }[];
    };
    expect(otherDoc.liveness).toEqual({ source: 'leases', namespace: 'anyvip-system' });
    expect(otherDoc.nodes.map((n) => n.liveness)).toEqual(['absent', 'absent']);
  });

  it('--json: the joined document', async () => {
    const kubeconfig = await cluster();
    const r = await runCli(['status', '--cluster', '--json', '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      version: number;
      nodes: { node: string; stale: boolean; ready: string }[];
      vips: { address: string; announcedBy: string[]; peers: string[] }[];
      sessions: { node: string; peer: string; state: string }[];
    };
    expect(doc.version).toBe(1);
    expect(doc.nodes.map((n) => [n.node, n.stale, n.ready])).toEqual([
      ['node-a1', false, 'True'],
      ['node-b1', true, 'False'],
    ]);
    expect(doc.sessions.map((s) => [s.node, s.peer, s.state])).toEqual([
      ['node-a1', 'tor-a', 'established'],
      ['node-b1', 'tor-b', 'active'],
    ]);
    expect(doc.vips.map((v) => [v.address, v.announcedBy, v.peers])).toEqual([
      ['10.250.255.1', ['node-a1'], ['10.250.1.1']],
      ['10.250.255.2', [], []],
    ]);
  });

  it('the CRD missing: exit 1 with a stable code and what to do', async () => {
    const kubeconfig = await cluster(false);
    const r = await runCli(['status', '--cluster', '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^anyvip: cannot list anyvipnodestatuses\.anyvip\.io: .*is the AnyvipNodeStatus CRD installed \(anyvip manifest crds\)\?\n$/s,
    );
  });
});
