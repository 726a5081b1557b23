import { systemClock } from '@anyvip/healthcheck';
import { afterEach, describe, expect, it } from 'vitest';
import { AnyvipRuntime } from '../../src/app.js';
import { createKubeClients } from '../../src/kubernetes/client.js';
import { anyvipCustomResourceDefinitions } from '../../src/kubernetes/crds/index.js';
import { createKubernetesFeed } from '../../src/kubernetes-mode.js';
import { silentLogger } from '../../src/observability/log.js';
import { NodeLeaseRenewer } from '../../src/observe/kubernetes/node-lease.js';
import { type KubeObject, TestApiServer } from '../support/api-server.js';
import { FakeIp } from '../support/fake-ip.js';
import { fakeRouterFactory } from '../support/fake-router.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { kubernetesNodeConfig } from '../support/kubernetes-node-config.js';
import { vipRow } from '../support/node-statuses.js';
import { until } from '../support/until.js';

const ready = { conditions: [{ type: 'Ready', status: 'True' }] };

/** node2's status as its anyvip would write it: it announces prod/web. */
function node2Status(): KubeObject {
  return {
    apiVersion: 'anyvip.io/v1alpha1',
    kind: 'AnyvipNodeStatus',
    metadata: { name: 'node2' },
    spec: { nodeName: 'node2' },
    status: {
      nodeName: 'node2',
      updatedAt: new Date().toISOString(),
      sessions: [],
      vips: [vipRow('10.250.255.1', 'prod/web', true, 'healthy', ['10.250.0.1'])],
    },
  };
}

describe('Kubernetes mode end to end (test API server with the CRDs): node status, announced-by, metric labels', () => {
  let server: TestApiServer | undefined;
  let runtime: AnyvipRuntime | undefined;
  let stopNode2: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stopNode2?.();
    await runtime?.stop();
    await server?.close();
  });

  it("each node's status appears; the leader annotates the Service with the nodes announcing it", async () => {
    const s = await TestApiServer.start();
    server = s;
    s.installCrds(anyvipCustomResourceDefinitions());
    s.apply('v1', 'nodes', { metadata: { name: 'node1', uid: 'uid-node1' }, status: ready });
    s.apply('v1', 'nodes', { metadata: { name: 'node2', uid: 'uid-node2' }, status: ready });
    s.apply('v1', 'services', {
      metadata: { name: 'web', namespace: 'prod' },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ports: [{ port: 80 }] },
      status: { loadBalancer: { ingress: [{ ip: '10.250.255.1' }] } },
    });
    s.apply('anyvip.io/v1alpha1', 'anyvipnodestatuses', node2Status());
    // A second neighbour from an AnyvipPeer: its session is named after the object.
    s.apply('anyvip.io/v1alpha1', 'anyvippeers', {
      apiVersion: 'anyvip.io/v1alpha1',
      kind: 'AnyvipPeer',
      metadata: { name: 'tor-a' },
      spec: { peerAddress: '10.250.0.2', peerASN: 65000 },
    });
    const k = kubernetesNodeConfig();
    const clients = createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) });
    // node2's anyvip is alive: its liveness lease is renewed (announced-by counts live nodes only).
    const node2 = new NodeLeaseRenewer({
      api: clients.coordination,
      namespace: k.kubernetes.leaseNamespace,
      instance: k.kubernetes.leaseName,
      node: 'node2',
      clock: systemClock,
      intervalMs: k.kubernetes.nodeLeaseIntervalMs ?? 2000,
    });
    await node2.start();
    stopNode2 = () => node2.stop();
    const r = new AnyvipRuntime(k.config, {
      ip: new FakeIp(),
      createRouter: fakeRouterFactory().create,
      logger: silentLogger(),
      source: 'kubernetes',
      cluster: (hooks) => createKubernetesFeed(k.kubernetes, hooks, { clients }),
    });
    runtime = r;
    await r.start();

    const status = (): Record<string, unknown> | undefined =>
      s.get('anyvip.io/v1alpha1', 'anyvipnodestatuses', 'node1')?.status as
        | Record<string, unknown>
        | undefined;
    await until('node1 status written', () => status() !== undefined);
    expect(s.get('anyvip.io/v1alpha1', 'anyvipnodestatuses', 'node1')?.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Node', name: 'node1', uid: 'uid-node1' },
    ]);
    expect(status()).toMatchObject({
      nodeName: 'node1',
      asn: 65001,
      routerID: '10.250.0.11',
      // The fake router has no sessions: the configured peer shows idle, BFD off.
      sessions: [
        { peer: 'flags', peerAddress: '10.250.0.1', peerASN: 65000, state: 'idle', bfd: 'off' },
        { peer: 'tor-a', peerAddress: '10.250.0.2', peerASN: 65000, state: 'idle', bfd: 'off' },
      ],
      vips: [
        {
          address: '10.250.255.1',
          service: 'prod/web',
          announced: true,
          reason: 'healthy',
          peers: ['10.250.0.1', '10.250.0.2'],
        },
      ],
      conditions: [{ type: 'Ready', status: 'False', reason: 'SessionsNotEstablished' }],
    });

    const annotation = (): string | undefined =>
      (s.get('v1', 'services', 'web', 'prod')?.metadata.annotations as Record<string, string> | undefined)?.[
        'anyvip.io/announced-by'
      ];
    await until('announced-by written', () => annotation() === 'node1,node2');

    // node2 stops announcing: the leader follows (one write, within the 5 s pacing).
    const stopped = node2Status();
    (stopped.status as { vips: { announced: boolean; reason: string }[] }).vips = [];
    s.apply('anyvip.io/v1alpha1', 'anyvipnodestatuses', stopped);
    await until('announced-by follows node2', () => annotation() === 'node1');

    expect(await r.metrics.text()).toContain(
      'anyvip_vip_announced{vip="10.250.255.1/32",namespace="prod",service="web"} 1',
    );
  }, 30_000);
});
