import { systemClock } from '@anyvip/healthcheck';
import type { V1Service } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerEvent } from '../../../src/events.js';
import { createKubeClients, type KubeClients } from '../../../src/sources/kubernetes/client.js';
import { EventRecorder } from '../../../src/sources/kubernetes/event-recorder.js';
import {
  type ClusterObservation,
  KubernetesSource,
  type NodePlan,
} from '../../../src/sources/kubernetes/kubernetes-source.js';
import { writeIngress } from '../../../src/sources/kubernetes/service-status.js';
import { type KubeObject, TestApiServer } from '../../support/api-server.js';
import { writeKubeconfig } from '../../support/kubeconfig.js';

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

/** A planner for these tests only: each Service's `anyvip.test/want` annotation is its IPAM result. */
function testPlanner(o: ClusterObservation): NodePlan {
  return {
    announce: o.services.flatMap((s) => (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '')),
    services: o.services.map((s) => ({
      namespace: s.metadata?.namespace ?? '',
      name: s.metadata?.name ?? '',
      uid: s.metadata?.uid,
      ingress: s.metadata?.annotations?.['anyvip.test/want']?.split(','),
      announcedHere: (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? ''),
      refused: [],
    })),
    nextWakeMs: undefined,
  };
}

describe('Kubernetes source against the test API server (real client-node)', () => {
  let server: TestApiServer | undefined;
  let source: KubernetesSource | undefined;

  afterEach(async () => {
    await source?.stop();
    await server?.close();
  });

  async function setup(): Promise<{ s: TestApiServer; clients: KubeClients }> {
    const s = await TestApiServer.start();
    server = s;
    return { s, clients: createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) }) };
  }

  it('VIPs follow the Services; the leader writes status and records Events; an outage withdraws nothing', async () => {
    const { s, clients } = await setup();
    s.apply('v1', 'nodes', { metadata: { name: 'node1' } });
    s.apply('v1', 'services', service('a', ['10.250.255.1']));
    const applied: string[][] = [];
    const events: ControllerEvent[] = [];
    const src = new KubernetesSource({
      clients,
      nodeName: 'node1',
      leaseName: 'anyvip',
      leaseNamespace: 'kube-system',
      poolsConfigMap: { namespace: 'kube-system', name: 'anyvip-pools' },
      planner: testPlanner,
      clock: systemClock,
      applyVips: async (a) => {
        applied.push([...a]);
        return undefined;
      },
      report: (e) => events.push(e),
      lease: { retryPeriodMs: 100 },
    });
    source = src;
    src.start();
    await src.synced();
    expect(applied.at(-1)).toEqual(['10.250.255.1']);
    await until('leader', () => src.leader);

    // IPAM result for a new Service: the leader writes status.loadBalancer.ingress.
    s.apply('v1', 'services', {
      ...service('b', []),
      metadata: { name: 'b', namespace: 'default', annotations: { 'anyvip.test/want': '10.250.255.2' } },
    });
    await until('status written', () => {
      const b = s.get('v1', 'services', 'b', 'default') as V1Service | undefined;
      return b?.status?.loadBalancer?.ingress?.[0]?.ip === '10.250.255.2';
    });
    await until('b announced', () => applied.at(-1)?.includes('10.250.255.2') ?? false);
    await until('Events recorded', () => {
      const reasons = s.list('v1', 'events', 'default').map((e) => e.reason);
      return reasons.includes('IPAllocated') && reasons.includes('Announced');
    });
    expect(events.some((e) => e.kind === 'serviceStatus' && e.result === 'written')).toBe(true);

    // Outage: errors are reported, the last VIPs stay applied, nothing is withdrawn.
    const before = applied.length;
    await s.goDown();
    await until('error reported', () => events.some((e) => e.kind === 'kubernetesError'));
    await new Promise((r) => setTimeout(r, 300));
    for (const a of applied.slice(before)) expect(a.sort()).toEqual(['10.250.255.1', '10.250.255.2']);
    await s.comeUp();
    s.remove('v1', 'services', 'a', 'default');
    await until('a withdrawn after the outage', () => applied.at(-1)?.join() === '10.250.255.2', 15_000);
  });

  it('an address the runtime could not bind gets a NotBound Warning Event, never an Announced one', async () => {
    const { s, clients } = await setup();
    s.apply('v1', 'nodes', { metadata: { name: 'node1' } });
    s.apply('v1', 'services', service('a', ['10.250.255.1']));
    const src = new KubernetesSource({
      clients,
      nodeName: 'node1',
      leaseName: 'anyvip',
      leaseNamespace: 'kube-system',
      poolsConfigMap: undefined,
      planner: testPlanner,
      clock: systemClock,
      applyVips: async (a) =>
        a.map((address) => ({ address, reason: 'address not bound to lo: Operation not permitted' })),
      report: () => {},
    });
    source = src;
    src.start();
    await src.synced();
    await until('NotBound recorded', () => s.list('v1', 'events', 'default').length > 0);
    const events = s.list('v1', 'events', 'default');
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([
      [
        'Warning',
        'NotBound',
        '10.250.255.1 not announced from node node1: address not bound to lo: Operation not permitted',
      ],
    ]);
  });

  it('status writes carry the cached resourceVersion: a Service changed meanwhile gets 409, not overwritten', async () => {
    const { s, clients } = await setup();
    const stored = s.apply('v1', 'services', service('a', []));
    const stale = (await clients.core.readNamespacedService({
      name: 'a',
      namespace: 'default',
    })) as V1Service;
    s.apply('v1', 'services', { ...stored, metadata: { ...stored.metadata, labels: { changed: 'yes' } } });
    expect(await writeIngress(clients.core, stale, ['10.250.255.9'])).toEqual({ kind: 'conflict' });
    const fresh = await clients.core.readNamespacedService({ name: 'a', namespace: 'default' });
    expect(await writeIngress(clients.core, fresh, ['10.250.255.9'])).toEqual({ kind: 'written' });
    expect(await writeIngress(clients.core, fresh, ['10.250.255.8'])).toEqual({ kind: 'conflict' });
    const now = await clients.core.readNamespacedService({ name: 'a', namespace: 'default' });
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
});
