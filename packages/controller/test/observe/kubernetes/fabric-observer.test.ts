import { afterEach, describe, expect, it } from 'vitest';
import { AnyvipRuntime } from '../../../src/app.js';
import type { ControllerEvent } from '../../../src/events.js';
import { createKubeClients, type KubeClients } from '../../../src/kubernetes/client.js';
import { anyvipCustomResourceDefinitions } from '../../../src/kubernetes/crds/index.js';
import { createKubernetesFeed } from '../../../src/kubernetes-mode.js';
import { silentLogger } from '../../../src/observability/log.js';
import type { IpReader } from '../../../src/observe/node-network.js';
import { type KubeObject, TestApiServer } from '../../support/api-server.js';
import { FakeIp } from '../../support/fake-ip.js';
import { type FakeRouter, fakeRouterFactory } from '../../support/fake-router.js';
import { writeKubeconfig } from '../../support/kubeconfig.js';
import { kubernetesNodeConfig } from '../../support/kubernetes-node-config.js';

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const AV = 'anyvip.io/v1alpha1';

/** This node's kernel as `ip -j` prints it: an IPv4 default route via 10.250.3.1, no IPv6 one. */
const ip: IpReader = async (args) => {
  if (args.includes('-6')) return { code: 0, stdout: '[]' };
  if (args.includes('route'))
    return { code: 0, stdout: '[{"dst":"default","gateway":"10.250.3.1","dev":"eth0"}]' };
  return {
    code: 0,
    stdout: '[{"ifname":"eth0","addr_info":[{"family":"inet","local":"10.250.3.2","scope":"global"}]}]',
  };
};

function peer(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: AV, kind: 'AnyvipPeer', metadata: { name, labels }, spec };
}

describe('fabric: anyvip.io objects through the test API server (real client-node) → peers and conditions', () => {
  let server: TestApiServer | undefined;
  let runtime: AnyvipRuntime | undefined;

  afterEach(async () => {
    await runtime?.stop();
    await server?.close();
  });

  async function start(crds: boolean): Promise<{
    s: TestApiServer;
    router: () => FakeRouter | undefined;
    events: ControllerEvent[];
  }> {
    const s = await TestApiServer.start();
    server = s;
    if (crds) s.installCrds(anyvipCustomResourceDefinitions());
    s.apply('v1', 'nodes', {
      metadata: { name: 'node1', labels: { rack: 'a' } },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.250.3.2' }],
      },
    });
    const clients: KubeClients = createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) });
    // No --router-id: the router id comes from the Node (the first test pins that).
    const k = kubernetesNodeConfig({ routerId: undefined });
    const routers = fakeRouterFactory();
    const events: ControllerEvent[] = [];
    const r = new AnyvipRuntime(k.config, {
      ip: new FakeIp(),
      createRouter: routers.create,
      logger: silentLogger(),
      source: 'kubernetes',
      cluster: (hooks) => createKubernetesFeed(k.kubernetes, hooks, { clients, ip }),
    });
    runtime = r;
    r.on((e) => events.push(e));
    await r.start();
    await r.cluster?.synced();
    return { s, router: () => routers.routers.at(-1), events };
  }

  it('without the CRDs: the flags alone, the router id from the Node, "not installed" told once per kind', async () => {
    const { router, events } = await start(false);
    await until('flag peer added', () => router()?.peers.has('10.250.0.1') === true);
    expect(router()?.spec.routerId).toBe('10.250.3.2');
    expect(
      events
        .filter((e) => e.kind === 'kubernetesKindAbsent')
        .map((e) => 'resource' in e && e.resource)
        .sort(),
    ).toEqual([
      '/apis/anyvip.io/v1alpha1/anyvipadvertisements',
      '/apis/anyvip.io/v1alpha1/anyvippeers',
      '/apis/anyvip.io/v1alpha1/anyvippools',
    ]);
  });

  it('AnyvipPeers apply live: a changed one is re-added alone; a bad one and a missing Secret get Accepted=False and a Warning Event', async () => {
    const { s, router } = await start(true);
    s.apply(
      AV,
      'anyvippeers',
      peer('tor-a', {
        nodeSelector: { matchLabels: { rack: 'a' } },
        peerAddress: '10.250.1.1',
        peerASN: 65010,
      }),
    );
    s.apply(
      AV,
      'anyvippeers',
      peer('gw', { autoDiscovery: { mode: 'DefaultGateway', family: 'ipv4' }, peerASN: 65030 }),
    );
    s.apply(
      AV,
      'anyvippeers',
      peer('tor-b', {
        nodeSelector: { matchLabels: { rack: 'b' } },
        peerAddress: '10.250.2.1',
        peerASN: 65020,
      }),
    );
    await until('peers added', () => router()?.peers.size === 3);
    expect([...(router()?.peers.keys() ?? [])].sort()).toEqual(['10.250.0.1', '10.250.1.1', '10.250.3.1']);
    const accepted = (name: string) =>
      (
        (
          s.get(AV, 'anyvippeers', name)?.status as {
            conditions?: { type: string; status: string; reason: string }[];
          }
        )?.conditions ?? []
      ).find((c) => c.type === 'Accepted');
    await until('Accepted=True written', () => accepted('tor-a')?.status === 'True');

    router()?.calls.splice(0);
    s.apply(
      AV,
      'anyvippeers',
      peer('tor-a', {
        nodeSelector: { matchLabels: { rack: 'a' } },
        peerAddress: '10.250.1.1',
        peerASN: 65010,
        holdTimeSeconds: 30,
      }),
    );
    await until('tor-a re-added', () => router()?.peers.get('10.250.1.1')?.holdTimeSec === 30);
    expect(router()?.calls).toEqual(['removePeer 10.250.1.1', 'addPeer 10.250.1.1']);

    // A Secret that does not exist yet: refused, with a reason, status and Event; then it appears.
    router()?.calls.splice(0);
    s.apply(
      AV,
      'anyvippeers',
      peer('keyed', { peerAddress: '10.250.8.1', peerASN: 65008, passwordSecretRef: { name: 'bgp-auth' } }),
    );
    await until('SecretNotFound written', () => accepted('keyed')?.reason === 'SecretNotFound');
    await until('Warning Event', () =>
      s
        .list('v1', 'events', 'default')
        .some(
          (e) =>
            e.reason === 'SecretNotFound' && (e.involvedObject as { kind?: string }).kind === 'AnyvipPeer',
        ),
    );
    s.apply('v1', 'secrets', {
      metadata: { name: 'bgp-auth', namespace: 'kube-system' },
      data: { password: Buffer.from('s3cret').toString('base64') },
    });
    await until(
      'keyed peer added with its key',
      () => router()?.peers.get('10.250.8.1')?.password === 's3cret',
    );
    await until('Accepted=True', () => accepted('keyed')?.status === 'True');
    expect(router()?.calls).toEqual(['addPeer 10.250.8.1']);
  });
});
