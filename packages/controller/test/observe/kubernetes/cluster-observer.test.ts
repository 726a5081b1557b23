import { systemClock } from '@anyvip/healthcheck';
import { CoreV1Api, KubeConfig, type V1Service } from '@kubernetes/client-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnyvipRuntime } from '../../../src/app.js';
import type { ControllerEvent } from '../../../src/events.js';
import { createKubeClients, type KubeClients } from '../../../src/kubernetes/client.js';
import { anyvipCustomResourceDefinitions } from '../../../src/kubernetes/crds/index.js';
import { createKubernetesFeed } from '../../../src/kubernetes-mode.js';
import { silentLogger } from '../../../src/observability/log.js';
import { ClusterObserver } from '../../../src/observe/kubernetes/cluster-observer.js';
import { EventRecorder } from '../../../src/sinks/event-recorder.js';
import { writeIngress } from '../../../src/sinks/service-status.js';
import { type KubeObject, TestApiServer } from '../../support/api-server.js';
import { FakeIp } from '../../support/fake-ip.js';
import { fakeRouterFactory } from '../../support/fake-router.js';
import { writeKubeconfig } from '../../support/kubeconfig.js';
import { kubernetesNodeConfig } from '../../support/kubernetes-node-config.js';

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function service(name: string, ips: readonly string[]): KubeObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
  };
}

/** Kubernetes mode's configuration for node1 (BGP to one peer, allowed 10.250.255.0/24). */
function nodeConfig(poolsConfigMap: string | undefined): ReturnType<typeof kubernetesNodeConfig> {
  return kubernetesNodeConfig({ poolsConfigMap });
}

describe('Kubernetes mode against the test API server (real client-node): observer → desired → loop → sinks', () => {
  let server: TestApiServer | undefined;
  let runtime: AnyvipRuntime | undefined;

  afterEach(async () => {
    await runtime?.stop();
    await server?.close();
  });

  async function setup(): Promise<{ s: TestApiServer; clients: KubeClients }> {
    const s = await TestApiServer.start();
    server = s;
    // As installed (anyvip manifest crds): the node status writes succeed, so an error seen is the test's own.
    s.installCrds(anyvipCustomResourceDefinitions());
    return { s, clients: createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) }) };
  }

  it('VIPs follow the Services; the leader writes status and records Events; an outage withdraws nothing', async () => {
    const { s, clients } = await setup();
    s.apply('v1', 'nodes', {
      metadata: { name: 'node1' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    s.apply('v1', 'services', service('a', ['10.250.255.1']));
    s.apply('v1', 'configmaps', {
      metadata: { name: 'anyvip-pools', namespace: 'kube-system' },
      data: { blue: '10.250.255.2/32' },
    });
    const k = nodeConfig('anyvip-pools');
    const routers = fakeRouterFactory();
    const events: ControllerEvent[] = [];
    const r = new AnyvipRuntime(k.config, {
      ip: new FakeIp(),
      createRouter: routers.create,
      logger: silentLogger(),
      source: 'kubernetes',
      cluster: (hooks) => createKubernetesFeed(k.kubernetes, hooks, { clients }),
    });
    runtime = r;
    r.on((e) => events.push(e));
    const routes = (): string => [...(routers.routers.at(-1)?.routes.keys() ?? [])].sort().join();
    await r.start();
    await r.cluster?.synced();
    await until('a announced', () => routes() === '10.250.255.1/32');

    // IPAM for a new Service: the leader writes status.loadBalancer.ingress through the
    // status sink, the watch brings the Service back, and the next pass announces it.
    s.apply('v1', 'services', service('b', []));
    await until('status written', () => {
      const b = s.get('v1', 'services', 'b', 'default') as V1Service | undefined;
      return b?.status?.loadBalancer?.ingress?.[0]?.ip === '10.250.255.2';
    });
    await until('b announced', () => routes() === '10.250.255.1/32,10.250.255.2/32');
    await until('Events recorded', () => {
      const reasons = s.list('v1', 'events', 'default').map((e) => e.reason);
      return reasons.includes('IPAllocated') && reasons.includes('Announced');
    });
    expect(events.some((e) => e.kind === 'serviceStatus' && e.result === 'written')).toBe(true);

    // Outage: errors are reported, the last VIPs stay announced, nothing is withdrawn.
    await s.goDown();
    await until('error reported', () => events.some((e) => e.kind === 'kubernetesError'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    r.loop.trigger('test');
    await r.settle();
    expect(routes()).toBe('10.250.255.1/32,10.250.255.2/32');
    await s.comeUp();
    s.remove('v1', 'services', 'a', 'default');
    await until('a withdrawn after the outage', () => routes() === '10.250.255.2/32', 15_000);
  });

  it('an address the runtime could not bind gets a NotBound Warning Event, never an Announced one', async () => {
    const { s, clients } = await setup();
    s.apply('v1', 'nodes', {
      metadata: { name: 'node1' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    s.apply('v1', 'services', service('a', ['10.250.255.1']));
    const k = nodeConfig(undefined);
    const ip = new FakeIp();
    ip.failures.push({ pattern: /^addr add 10\.250\.255\.1\/32/, message: 'Operation not permitted' });
    const routers = fakeRouterFactory();
    const r = new AnyvipRuntime(k.config, {
      ip,
      createRouter: routers.create,
      logger: silentLogger(),
      source: 'kubernetes',
      cluster: (hooks) => createKubernetesFeed(k.kubernetes, hooks, { clients }),
    });
    runtime = r;
    await r.start();
    await r.cluster?.synced();
    await until('NotBound recorded', () => s.list('v1', 'events', 'default').length > 0);
    await r.settle();
    expect(routers.routers.at(-1)?.routes.has('10.250.255.1/32')).toBe(false);
    const events = s.list('v1', 'events', 'default');
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([
      [
        'Warning',
        'NotBound',
        '10.250.255.1 not announced from node node1: address not bound to lo: ip addr add 10.250.255.1/32 dev lo label lo:anyvip metric 7717: Operation not permitted',
      ],
    ]);
  });

  it('node leases: renews its own, sees the others by their changes, deletes its own on stop', async () => {
    const { s, clients } = await setup();
    s.apply('v1', 'nodes', { metadata: { name: 'node1' } });
    const events: ControllerEvent[] = [];
    const observer = new ClusterObserver({
      clients,
      nodeName: 'node1',
      leaseName: 'anyvip',
      leaseNamespace: 'kube-system',
      poolsConfigMap: undefined,
      nodeLease: { intervalMs: 200 },
      clock: systemClock,
      onChange: () => {},
      report: (e) => events.push(e),
      lease: { retryPeriodMs: 100 },
    });
    const lease = (node: string): KubeObject => ({
      metadata: {
        name: `anyvip-node-${node}`,
        namespace: 'kube-system',
        labels: { 'anyvip.io/node-lease': 'anyvip' },
      },
      spec: { holderIdentity: node, renewTime: new Date().toISOString() },
    });
    // Another instance's lease (another label value) is not ours to read.
    s.apply('coordination.k8s.io/v1', 'leases', {
      ...lease('node9'),
      metadata: {
        name: 'blue-node-node9',
        namespace: 'kube-system',
        labels: { 'anyvip.io/node-lease': 'blue' },
      },
    });
    s.apply('coordination.k8s.io/v1', 'leases', lease('node2'));
    observer.start();
    try {
      await observer.synced();
      await until(
        'own lease written',
        () => s.get('coordination.k8s.io/v1', 'leases', 'anyvip-node-node1', 'kube-system') !== undefined,
      );
      await until(
        'both leases seen',
        () => [...(observer.snapshot()?.nodeLeases?.keys() ?? [])].sort().join() === 'node1,node2',
      );
    } finally {
      await observer.stop();
    }
    expect(s.get('coordination.k8s.io/v1', 'leases', 'anyvip-node-node1', 'kube-system')).toBeUndefined();
    expect(events.filter((e) => e.kind === 'kubernetesError')).toEqual([]);
  });

  it('status writes carry the cached resourceVersion: a Service changed meanwhile gets 409, not overwritten', async () => {
    const { s, clients } = await setup();
    // Reads through client-node's full client (anyvip itself never reads one Service).
    const kc = new KubeConfig();
    kc.loadFromFile(writeKubeconfig(s.url));
    const reader = kc.makeApiClient(CoreV1Api);
    const stored = s.apply('v1', 'services', service('a', []));
    const stale = (await reader.readNamespacedService({
      name: 'a',
      namespace: 'default',
    })) as V1Service;
    s.apply('v1', 'services', { ...stored, metadata: { ...stored.metadata, labels: { changed: 'yes' } } });
    expect(await writeIngress(clients.core, stale, ['10.250.255.9'])).toEqual({ kind: 'conflict' });
    const fresh = await reader.readNamespacedService({ name: 'a', namespace: 'default' });
    expect(await writeIngress(clients.core, fresh, ['10.250.255.9'])).toEqual({ kind: 'written' });
    expect(await writeIngress(clients.core, fresh, ['10.250.255.8'])).toEqual({ kind: 'conflict' });
    const now = await reader.readNamespacedService({ name: 'a', namespace: 'default' });
    expect(await writeIngress(clients.core, now, ['10.250.255.9'])).toEqual({ kind: 'unchanged' });
  });

  it('Events: a repeat within the window bumps count on the first Event; a burst per object is capped', async () => {
    const { s, clients } = await setup();
    const recorder = new EventRecorder({
      api: clients.core,
      component: 'anyvip',
      host: 'node1',
      clock: systemClock,
      burst: 3,
    });
    const subject = { kind: 'Service' as const, namespace: 'default', name: 'a', uid: 'u1' };
    for (let i = 0; i < 2; i++)
      recorder.record({ subject, type: 'Warning', reason: 'Refused', message: 'x refused' });
    for (let i = 0; i < 5; i++)
      recorder.record({ subject, type: 'Normal', reason: 'Announced', message: `m${i}` });
    await recorder.flush();
    const events = s.list('v1', 'events', 'default');
    const refused = events.filter((e) => e.reason === 'Refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.count).toBe(2);
    expect(refused[0]?.source).toEqual({ component: 'anyvip', host: 'node1' });
    // 3 tokens: two for Refused (create + count update), one Announced; the rest are dropped.
    expect(events.filter((e) => e.reason === 'Announced')).toHaveLength(1);
    expect(recorder.dropped).toBe(4);
  });

  it('Events: two about one object in the same millisecond get two names, even with the same random draw', async () => {
    const { s, clients } = await setup();
    const recorder = new EventRecorder({
      api: clients.core,
      component: 'anyvip',
      host: 'node1',
      clock: systemClock,
    });
    const subject = { kind: 'Service' as const, namespace: 'default', name: 'grab', uid: 'u1' };
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_764_900_000_000);
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      recorder.record({
        subject,
        type: 'Warning',
        reason: 'Refused',
        message: '10.250.2.2 refused: a node address',
      });
      recorder.record({
        subject,
        type: 'Warning',
        reason: 'Refused',
        message: '10.250.2.1 refused: the API server',
      });
    } finally {
      now.mockRestore();
      random.mockRestore();
    }
    await recorder.flush();
    const messages = s.list('v1', 'events', 'default').map((e) => e.message);
    expect(messages.sort()).toEqual([
      '10.250.2.1 refused: the API server',
      '10.250.2.2 refused: a node address',
    ]);
  });

  it('Events: one that could not be created is created on its next record, not counted on a missing Event', async () => {
    const { s, clients } = await setup();
    const errors: string[] = [];
    const recorder = new EventRecorder({
      api: clients.core,
      component: 'anyvip',
      host: 'node1',
      clock: systemClock,
      onError: (e) => errors.push(e),
    });
    const subject = { kind: 'Service' as const, namespace: 'default', name: 'a', uid: 'u1' };
    const note = { subject, type: 'Warning' as const, reason: 'Refused', message: 'x refused' };
    // The same name already taken (409 AlreadyExists), as a collision with another Event would.
    const taken = vi.spyOn(Math, 'random').mockReturnValue(0.25);
    const clock = vi.spyOn(Date.prototype, 'getTime').mockReturnValue(1_764_900_000_000);
    try {
      s.apply('v1', 'events', {
        metadata: { name: `a.${(1_764_900_000_000).toString(16)}000040000000`, namespace: 'default' },
        involvedObject: { kind: 'Service', namespace: 'default', name: 'a' },
        reason: 'Other',
        message: 'not ours',
      });
      recorder.record(note);
      await recorder.flush();
    } finally {
      taken.mockRestore();
      clock.mockRestore();
    }
    expect(errors).toHaveLength(1);
    recorder.record(note);
    await recorder.flush();
    const refused = s.list('v1', 'events', 'default').filter((e) => e.reason === 'Refused');
    expect(refused.map((e) => [e.message, e.count])).toEqual([['x refused', 1]]);
  });
});
