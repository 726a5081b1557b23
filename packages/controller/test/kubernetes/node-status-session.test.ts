import { BgpSpeaker } from '@anyvip/bgp';
import { afterEach, describe, expect, it } from 'vitest';
import { AnyvipRuntime } from '../../src/app.js';
import { parseConfig } from '../../src/config/schema.js';
import { createKubeClients } from '../../src/kubernetes/client.js';
import { anyvipCustomResourceDefinitions } from '../../src/kubernetes/crds/index.js';
import { createKubernetesFeed } from '../../src/kubernetes-mode.js';
import { silentLogger } from '../../src/observability/log.js';
import { TestApiServer } from '../support/api-server.js';
import { FakeIp } from '../support/fake-ip.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { kubernetesNodeConfig } from '../support/kubernetes-node-config.js';
import { until } from '../support/until.js';

/**
 * The sessions in the node status come from the real speaker through the observation path:
 * anyvip's own BgpSpeaker peers over TCP on 127.0.0.1 with a second speaker (the "router",
 * passive), and the node status shows the session Established with what the speaker reports.
 */
describe('node status sessions from the real speaker (TCP on 127.0.0.1, test API server)', () => {
  let server: TestApiServer | undefined;
  let runtime: AnyvipRuntime | undefined;
  let router: BgpSpeaker | undefined;
  afterEach(async () => {
    await runtime?.stop();
    await router?.close();
    await server?.close();
  });

  it('shows the session Established, its local address, negotiated hold time and prefixes sent', async () => {
    router = new BgpSpeaker({ localAsn: 65000, routerId: '10.250.0.1' });
    const { port } = await router.listen({ port: 0, host: '127.0.0.1' });
    router.addPeer({ address: '127.0.0.1', remoteAsn: 65001, passive: true, holdTimeSec: 30 });

    const s = await TestApiServer.start();
    server = s;
    s.installCrds(anyvipCustomResourceDefinitions());
    s.apply('v1', 'nodes', {
      metadata: { name: 'node1' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    s.apply('v1', 'services', {
      metadata: { name: 'web', namespace: 'prod' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      status: { loadBalancer: { ingress: [{ ip: '10.250.255.1' }] } },
    });
    const k = kubernetesNodeConfig();
    const config = parseConfig({
      bgp: { asn: 65001, routerId: '10.250.0.11', peers: [{ address: '127.0.0.1', asn: 65000, port }] },
      allowedRanges: ['10.250.255.0/24'],
    });
    const clients = createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) });
    const r = new AnyvipRuntime(config, {
      ip: new FakeIp(),
      logger: silentLogger(),
      source: 'kubernetes',
      cluster: (hooks) => createKubernetesFeed(k.kubernetes, hooks, { clients }),
    });
    runtime = r;
    await r.start();

    type Session = { state: string; localAddress?: string; holdTimeSeconds?: number; prefixesSent?: number };
    const session = (): Session | undefined =>
      (
        s.get('anyvip.io/v1alpha1', 'anyvipnodestatuses', 'node1')?.status as
          | { sessions?: Session[] }
          | undefined
      )?.sessions?.[0];
    // The state change raises a pass; the write is paced (5 s after the first), so allow for it.
    await until('session Established in the node status', () => session()?.state === 'established', 20_000);
    await until('prefix sent in the node status', () => session()?.prefixesSent === 1, 20_000);
    expect(session()).toMatchObject({
      peer: 'flags',
      peerAddress: '127.0.0.1',
      peerASN: 65000,
      localAddress: '127.0.0.1',
      state: 'established',
      holdTimeSeconds: 30,
      prefixesSent: 1,
      prefixesReceived: 0,
      bfd: 'off',
    });
    expect(typeof (session() as { since?: unknown }).since).toBe('string');
  }, 60_000);
});
