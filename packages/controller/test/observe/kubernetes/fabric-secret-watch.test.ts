import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AnyvipRuntime } from '../../../src/app.js';
import { createKubeClients } from '../../../src/kubernetes/client.js';
import { anyvipCustomResourceDefinitions } from '../../../src/kubernetes/crds/index.js';
import { createKubernetesFeed } from '../../../src/kubernetes-mode.js';
import { silentLogger } from '../../../src/observability/log.js';
import { TestApiServer } from '../../support/api-server.js';
import { FakeIp } from '../../support/fake-ip.js';
import { fakeRouterFactory } from '../../support/fake-router.js';
import { writeKubeconfig } from '../../support/kubeconfig.js';
import { kubernetesNodeConfig } from '../../support/kubernetes-node-config.js';
import { until } from '../../support/until.js';

/**
 * An HTTP proxy in front of `target` that holds every request for Secrets `delayMs` before
 * passing it on, so that a Secret's list stays in flight long enough for passes to run.
 */
async function slowSecretsProxy(
  target: string,
  delayMs: number,
): Promise<{ url: string; server: Server; secretsAsked: () => boolean }> {
  const to = new URL(target);
  let asked = false;
  const server = createServer((req, res) => {
    const forward = (): void => {
      const up = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if ((req.url ?? '').includes('/secrets')) {
      asked = true;
      setTimeout(forward, delayMs);
    } else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    secretsAsked: () => asked,
  };
}

/**
 * A Peer that names a Secret makes the fabric observer start watching that Secret; until it is
 * listed the observer is not synced. That must not take the cluster away from the pass: found
 * by the two-rack interop lab, where every node sent CEASE to every peer and withdrew every
 * VIP for ~0.2 s when such a Peer was created (a missing Secret, or one that exists).
 */
describe('Kubernetes mode: a Peer naming a Secret while the rest runs', () => {
  let server: TestApiServer | undefined;
  let runtime: AnyvipRuntime | undefined;
  let proxy: Server | undefined;

  afterEach(async () => {
    await runtime?.stop();
    proxy?.closeAllConnections();
    await new Promise((resolve) => (proxy === undefined ? resolve(undefined) : proxy.close(resolve)));
    await server?.close();
  });

  it('the speaker and its routes are untouched while the Secret is listed; the Peer gets SecretNotFound', async () => {
    const s = await TestApiServer.start();
    server = s;
    s.installCrds(anyvipCustomResourceDefinitions());
    s.apply('v1', 'nodes', {
      metadata: { name: 'node1', labels: { rack: 'a' } },
      status: {
        addresses: [{ type: 'InternalIP', address: '10.250.0.11' }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
    s.apply('v1', 'services', {
      metadata: { name: 'a', namespace: 'default' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      status: { loadBalancer: { ingress: [{ ip: '10.250.255.1' }] } },
    });
    s.apply('anyvip.io/v1alpha1', 'anyvippeers', {
      apiVersion: 'anyvip.io/v1alpha1',
      kind: 'AnyvipPeer',
      metadata: { name: 'tor' },
      spec: { peerAddress: '10.250.0.1', peerASN: 65000 },
    });
    // No --peer, no --router-id: the Peer objects and the Node give them.
    const k = kubernetesNodeConfig({ peers: [], peerAsns: [], routerId: undefined });
    const routers = fakeRouterFactory();
    const slow = await slowSecretsProxy(s.url, 1500);
    proxy = slow.server;
    const clients = createKubeClients({ kind: 'file', path: writeKubeconfig(slow.url) });
    const r = new AnyvipRuntime(k.config, {
      ip: new FakeIp(),
      createRouter: routers.create,
      logger: silentLogger(),
      source: 'kubernetes',
      cluster: (hooks) =>
        createKubernetesFeed(k.kubernetes, hooks, {
          clients,
          // No default gateway, no addresses: the Peer here has a literal address.
          ip: async () => ({ code: 0, stdout: '[]' }),
        }),
    });
    runtime = r;
    await r.start();
    await r.cluster?.synced();
    const router = () => routers.routers.at(-1);
    await until('a announced to the Peer', () => router()?.routes.has('10.250.255.1/32') === true);
    const first = router();
    const mark = first?.calls.length ?? 0;

    s.apply('anyvip.io/v1alpha1', 'anyvippeers', {
      apiVersion: 'anyvip.io/v1alpha1',
      kind: 'AnyvipPeer',
      metadata: { name: 'md5' },
      spec: { peerAddress: '10.250.0.2', peerASN: 65000, passwordSecretRef: { name: 'missing' } },
    });
    // While the Secret's list is held, passes run (a Service change, a session event…).
    await until('the Secret asked for', slow.secretsAsked);
    for (let i = 0; i < 5; i++) {
      r.loop.trigger('test');
      await r.settle();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const accepted = () =>
      (
        s.get('anyvip.io/v1alpha1', 'anyvippeers', 'md5') as
          | { status?: { conditions?: { type: string; status: string; reason?: string }[] } }
          | undefined
      )?.status?.conditions?.find((c) => c.type === 'Accepted');
    await until('md5 judged', () => accepted()?.status === 'False');
    expect(accepted()?.reason).toBe('SecretNotFound');
    // A later change still applies (so every pass since the Peer was seen has run).
    s.remove('v1', 'services', 'a', 'default');
    await until('a withdrawn', () => first?.routes.has('10.250.255.1/32') === false);
    expect(router()).toBe(first);
    expect(first?.closed).toBeUndefined();
    expect(first?.calls.slice(mark)).toEqual(['withdraw 10.250.255.1/32']);
  });
});
