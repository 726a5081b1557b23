/**
 * A peer changed live, checked at BIRD: one node running `anyvip run` (the built CLI) with no
 * --peer flag and no --router-id, against the in-repo test API server with the anyvip.io CRDs
 * installed. Two AnyvipPeer objects give it two sessions to BIRD (one per link). Changing one
 * peer's holdTimeSeconds re-establishes that session alone, with the new hold time (BIRD's
 * `Hold timer: …/N`), while the other session's "since" at BIRD stays as it was (never reset).
 *
 * Lab: router 10.250.1.1 and 10.250.2.1 ↔ node1 10.250.1.2 and 10.250.2.2 (two links). BIRD
 * AS 65000 offers hold time 90, so the hold time negotiated is ours (RFC 4271 §4.2: the smaller).
 * The API server runs in this process on a Unix socket; a forwarder in the router's namespace
 * serves it at 10.250.1.1:6443.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BirdDaemon,
  createLab,
  interopSkipReason,
  type Lab,
  type ManagedProcess,
  startDaemon,
  waitUntil,
} from '../../../bgp/test/interop/support/index.js';
import { serveApiInto } from '../../bench/support/cluster-lab.js';
import { anyvipCustomResourceDefinitions } from '../../src/kubernetes/crds/index.js';
import { ANYVIP_CLI } from '../support/anyvip-cli.js';
import { type KubeObject, TestApiServer } from '../support/api-server.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { msOfDay, upSinceBefore } from './support/bird-since.js';

const skipReason = interopSkipReason();
const CLI = ANYVIP_CLI;
const API_PORT = 6443;
const AV = 'anyvip.io/v1alpha1';

function peer(name: string, address: string, holdTimeSeconds: number): KubeObject {
  return {
    apiVersion: AV,
    kind: 'AnyvipPeer',
    metadata: { name },
    spec: {
      nodeSelector: { matchLabels: { rack: 'a' } },
      peerAddress: address,
      peerASN: 65000,
      holdTimeSeconds,
    },
  };
}

describe.skipIf(skipReason !== undefined)('fabric: an AnyvipPeer changed live, at BIRD', () => {
  let lab: Lab | undefined;
  let api: TestApiServer | undefined;
  let bird: BirdDaemon | undefined;
  let anyvip: ManagedProcess | undefined;

  /** BIRD's view of the session to `neighbor`: state, since (support/bird-since.ts) and the negotiated hold time. */
  async function session(
    neighbor: string,
  ): Promise<{ state: string; since: string; hold: number | undefined }> {
    const b = bird as BirdDaemon;
    const name = await b.protocolName(neighbor);
    const text = await b.birdc(['show', 'protocols', 'all', name]);
    const head = new RegExp(`^${name}\\s+BGP\\s+\\S+\\s+\\S+\\s+(\\S+(?: \\S+)?)\\s+(\\S+)`, 'm').exec(text);
    const hold = /Hold timer:\s+[\d.]+\/(\d+)/.exec(text);
    return {
      state: head?.[2] ?? '',
      since: head?.[1] ?? '',
      hold: hold?.[1] === undefined ? undefined : Number(hold[1]),
    };
  }

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (pnpm -r build)`);
    const l = await createLab({
      nodes: ['router', 'node1'],
      links: [
        ['router', 'node1'],
        ['router', 'node1'],
      ],
    });
    lab = l;
    const socket = join(l.dir, 'api.sock');
    const a = await TestApiServer.start({ path: socket });
    api = a;
    a.installCrds(anyvipCustomResourceDefinitions());
    a.apply('v1', 'nodes', {
      metadata: { name: 'node1', labels: { rack: 'a' } },
      status: {
        addresses: [{ type: 'InternalIP', address: '10.250.1.2' }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
    a.apply(AV, 'anyvippeers', peer('link1', '10.250.1.1', 30));
    a.apply(AV, 'anyvippeers', peer('link2', '10.250.2.1', 30));
    bird = await startDaemon(l, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [
        { address: '10.250.1.2', asn: 65001, localAddress: '10.250.1.1', holdTimeSec: 90 },
        { address: '10.250.2.2', asn: 65001, localAddress: '10.250.2.1', holdTimeSec: 90 },
      ],
    });
    await serveApiInto(l, 'router', socket, API_PORT);
    const kubeconfig = writeKubeconfig(`http://10.250.1.1:${API_PORT}`, l.dir, 'node1.kubeconfig');
    // No --peer and no --router-id: the peers are the AnyvipPeers, the router id the Node's address.
    anyvip = await l.spawn(
      'node1',
      process.execPath,
      [
        CLI,
        'run',
        '--kubeconfig',
        kubeconfig,
        '--node-name',
        'node1',
        '--asn',
        '65001',
        '--allowed-range',
        '10.250.255.0/24',
      ],
      { label: 'anyvip@node1' },
    );
    await anyvip.waitForJsonLine((v) => (v as { message?: string }).message === 'started', {
      timeoutMs: 90_000,
      what: 'anyvip@node1 started',
    });
    await bird.waitEstablished('10.250.1.2', 60_000);
    await bird.waitEstablished('10.250.2.2', 60_000);
  });

  afterAll(async () => {
    await lab?.destroy();
    await api?.close();
  });

  it('a changed holdTimeSeconds re-establishes that session alone, with the new hold time; the other is never reset', async () => {
    const a = api as TestApiServer;
    const readAt = msOfDay(new Date());
    const before1 = await session('10.250.1.2');
    const before2 = await session('10.250.2.2');
    expect([before1.state, before1.hold, before2.state, before2.hold]).toEqual([
      'Established',
      30,
      'Established',
      30,
    ]);
    expect(before1.since).toMatch(/\d\d:\d\d:\d\d/);

    a.apply(AV, 'anyvippeers', peer('link2', '10.250.2.1', 15));
    const after2 = await waitUntil(
      () => session('10.250.2.2'),
      (s) => s.state === 'Established' && s.hold === 15,
      { timeoutMs: 30_000, intervalMs: 100, what: 'link2 re-established with hold time 15' },
    );
    expect(upSinceBefore(after2.since, readAt)).toBe(false);
    const after1 = await session('10.250.1.2');
    expect({ ...after1, since: undefined }).toEqual({ ...before1, since: undefined });
    expect(upSinceBefore(after1.since, readAt), `link1 up since ${after1.since}`).toBe(true);
    // The object says it was taken: Accepted=True at its generation.
    type PeerStatus = { observedGeneration?: number; conditions?: { type: string; status: string }[] };
    await waitUntil(
      async () => a.get(AV, 'anyvippeers', 'link2')?.status as PeerStatus | undefined,
      (s) =>
        s?.observedGeneration === a.get(AV, 'anyvippeers', 'link2')?.metadata.generation &&
        s?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True') === true,
      { timeoutMs: 10_000, intervalMs: 100, what: 'Accepted=True at the new generation' },
    );
  });
});
