/**
 * Issue 14: TCP-MD5 (RFC 2385) from a Secret, checked at BIRD. One node runs `anyvip run` (the
 * built CLI) in Kubernetes mode with two AnyvipPeers to BIRD, one per link: `keyed` names the
 * Secret `tor-md5` (`passwordSecretRef`, in anyvip's namespace), `plain` has no key. BIRD
 * has `password` on the keyed session only.
 *
 * - The keyed session comes up with the Secret's key (BIRD drops unsigned or wrongly signed
 *   segments, so Established proves the key).
 * - Rotating the key in the Secret re-adds that peer alone with the new key: BIRD, still on
 *   the old key, cannot take it (the session stays down), and once BIRD has the new key too
 *   the session comes back; the plain session is never reset (its "since" at BIRD stays).
 * - anyvip's output never holds either key.
 *
 * A Peer naming a missing Secret (Accepted=False, SecretNotFound) is two-rack's check 4.
 * Lab: BIRD (AS 65000) 10.250.1.1 and 10.250.2.1 ↔ node1 (AS 65001) 10.250.1.2 and 10.250.2.2.
 * Needs the @anyvip/tcp-auth native addon (TCP_MD5SIG): skipped when it is not built.
 */

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BirdDaemon,
  createLab,
  interopSkipReason,
  sleep,
  startDaemon,
  waitUntil,
} from '../../../bgp/test/interop/support/index.js';
import { loadTcpAuth } from '../../../tcp-auth/src/index.js';
import type { KubeObject } from '../support/api-server.js';
import { msOfDay, upSinceBefore } from './support/bird-since.js';
import { ClusterLab, nodeObject } from './support/cluster-lab.js';

const tcpAuth = loadTcpAuth();
const skipReason =
  interopSkipReason() ??
  (tcpAuth.kind === 'unavailable' ? `@anyvip/tcp-auth not built: ${tcpAuth.reason}` : undefined);
const API = 'anyvip.io/v1alpha1';
const NAMESPACE = 'anyvip';
const KEY = 'tor-Key-0001';
const ROTATED = 'tor-Key-0002';
const KEYED = { router: '10.250.1.1', node: '10.250.1.2' } as const;
const PLAIN = { router: '10.250.2.1', node: '10.250.2.2' } as const;

function secret(key: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'tor-md5', namespace: NAMESPACE },
    data: { password: Buffer.from(key).toString('base64') },
  };
}

describe.skipIf(skipReason !== undefined)('fabric: TCP-MD5 from a Secret, and its rotation, at BIRD', () => {
  let cluster: ClusterLab | undefined;
  let bird: BirdDaemon | undefined;

  const b = (): BirdDaemon => {
    if (bird === undefined) throw new Error('no BIRD');
    return bird;
  };

  /** BIRD's state and "since" (support/bird-since.ts) of the session to `neighbor`. */
  async function session(neighbor: string): Promise<{ state: string; since: string }> {
    const name = await b().protocolName(neighbor);
    const text = await b().birdc(['show', 'protocols', name]);
    const row = new RegExp(`^${name}\\s+BGP\\s+\\S+\\s+\\S+\\s+(\\S+(?: \\S+)?)\\s+(\\S+)`, 'm').exec(text);
    return { state: row?.[2] ?? '', since: row?.[1] ?? '' };
  }

  /**
   * Gives BIRD's keyed session `key`: its configuration re-rendered in place and `birdc
   * configure` (BIRD restarts the changed protocol alone).
   */
  async function birdKey(key: string): Promise<void> {
    const n = b().config.neighbors.find((x) => x.address === KEYED.node);
    if (n === undefined) throw new Error('no keyed neighbor');
    n.password = key;
    writeFileSync(join(dirname(b().controlSocket), 'bird.conf'), b().renderConfig());
    expect(await b().birdc(['configure'])).toMatch(/Reconfigur/);
  }

  beforeAll(async () => {
    const lab = await createLab({
      nodes: ['router', 'node1'],
      links: [
        ['router', 'node1'],
        ['router', 'node1'],
      ],
    });
    try {
      bird = await startDaemon(lab, 'router', 'bird', {
        routerId: KEYED.router,
        asn: 65000,
        neighbors: [
          { address: KEYED.node, asn: 65001, localAddress: KEYED.router, holdTimeSec: 9, password: KEY },
          { address: PLAIN.node, asn: 65001, localAddress: PLAIN.router, holdTimeSec: 9 },
        ],
      });
      cluster = await ClusterLab.start(lab, 'router');
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    const api = cluster.api;
    api.apply('v1', 'nodes', nodeObject({ name: 'node1', addresses: [KEYED.node] }));
    api.apply('v1', 'secrets', secret(KEY));
    for (const [name, address, keyed] of [
      ['keyed', KEYED.router, true],
      ['plain', PLAIN.router, false],
    ] as const)
      api.apply(API, 'anyvippeers', {
        apiVersion: API,
        kind: 'AnyvipPeer',
        metadata: { name },
        spec: {
          peerAddress: address,
          peerASN: 65000,
          holdTimeSeconds: 9,
          connectRetryTimeSeconds: 1,
          ...(keyed ? { passwordSecretRef: { name: 'tor-md5' } } : {}),
        },
      });
    await cluster.startNode('node1', KEYED.router, [
      '--asn',
      '65001',
      '--lease-namespace',
      NAMESPACE,
      '--allowed-range',
      '10.250.255.0/24',
    ]);
    await cluster.waitStarted(['node1']);
  });

  afterAll(async () => {
    const logs = process.env.ANYVIP_INTEROP_LOGS;
    if (logs !== undefined) cluster?.writeLogs(logs);
    await cluster?.lab.destroy();
  });

  it('the keyed session comes up with the Secret’s key; a rotated key re-establishes it alone; the plain one is never reset', async () => {
    await b().waitEstablished(KEYED.node, 60_000);
    await b().waitEstablished(PLAIN.node, 60_000);
    const readAt = msOfDay(new Date());
    const plain = await session(PLAIN.node);
    await session(KEYED.node);

    // The Secret first: anyvip re-adds the keyed peer with the new key, which BIRD (old key)
    // cannot verify, so the session goes down and stays down.
    cluster?.api.apply('v1', 'secrets', secret(ROTATED));
    await waitUntil(
      () => session(KEYED.node),
      (s) => s.state !== 'Established' || !upSinceBefore(s.since, readAt),
      { timeoutMs: 20_000, intervalMs: 200, what: 'the keyed session reset after the Secret changed' },
    );
    await sleep(2500);
    expect((await session(KEYED.node)).state).not.toBe('Established');

    // BIRD on the new key too: the keyed session comes back.
    await birdKey(ROTATED);
    await b().waitEstablished(KEYED.node, 30_000);
    const plainAfter = await session(PLAIN.node);
    expect(plainAfter.state).toBe(plain.state);
    expect(upSinceBefore(plainAfter.since, readAt), `plain session up since ${plainAfter.since}`).toBe(true);

    const node = cluster?.nodes.get('node1');
    const out = [...(node?.lines(0) ?? []), ...(node?.lines(0, 'stderr') ?? [])].join('\n');
    expect(out).not.toContain(KEY);
    expect(out).not.toContain(ROTATED);
  });
});
