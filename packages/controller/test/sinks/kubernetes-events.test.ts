import { describe, expect, it } from 'vitest';
import { computeShutdownState } from '../../src/desired/compute.js';
import type { DesiredState, KubernetesDesired, ServiceDesired } from '../../src/desired/types.js';
import type { ControllerEvent } from '../../src/events.js';
import { KubernetesEventSink } from '../../src/sinks/kubernetes-events.js';
import { RecordedEvents } from '../support/fake-cluster-sinks.js';

function world(
  services: Record<string, Partial<ServiceDesired>>,
  k: Partial<KubernetesDesired> = {},
): DesiredState {
  return {
    vips: new Map(),
    loopback: { device: 'lo', metric: 7717, addresses: new Map() },
    bgp: undefined,
    table: { table: 198, protocol: 248, device: 'lo', routes: new Map() },
    kubernetes: {
      services: new Map(
        Object.entries(services).map(([key, s]) => {
          const [namespace = '', name = ''] = key.split('/');
          return [
            key,
            { namespace, name, uid: undefined, ingress: undefined, announcedHere: [], refused: [], ...s },
          ];
        }),
      ),
      leader: true,
      poolErrors: [],
      poolsConfigMap: 'kube-system/anyvip-pools',
      ...k,
    },
    lifecycle: { kind: 'running' },
    carry: undefined,
    nextWakeMs: undefined,
  };
}

describe('KubernetesEventSink', () => {
  it('tells Announced and Withdrawn only when what this node announces for a Service changes', async () => {
    const events = new RecordedEvents();
    const sink = new KubernetesEventSink({ events, report: () => {}, nodeName: 'node1' });
    await sink.apply(world({ 'default/web': { announcedHere: ['10.250.255.1'] } }), 'add');
    await sink.apply(world({ 'default/web': { announcedHere: ['10.250.255.1'] } }), 'add');
    await sink.apply(world({ 'default/web': { announcedHere: [] } }), 'add');
    expect(events.take()).toEqual([
      'Normal Announced default/web: 10.250.255.1 announced from node node1',
      'Normal Withdrawn default/web: 10.250.255.1 withdrawn from node node1',
    ]);
  });

  it('tells NotBound instead of Announced for a withheld address, once per reason, and Announced once bound', async () => {
    const events = new RecordedEvents();
    const sink = new KubernetesEventSink({ events, report: () => {}, nodeName: 'node1' });
    const withheld = (reason: string | undefined): DesiredState => {
      const d = world({ 'default/web': { announcedHere: ['10.250.255.1'] } });
      const plan = {
        prefix: '10.250.255.1/32',
        address: '10.250.255.1',
        family: 'ipv4' as const,
        healthcheck: undefined,
        health: 'none' as const,
        announce: reason === undefined,
        bind: true,
        refused: undefined,
        ...(reason !== undefined ? { withheld: reason } : {}),
      };
      return { ...d, vips: new Map([[plan.prefix, plan]]) };
    };
    await sink.apply(withheld('address not bound to lo: denied'), 'add');
    await sink.apply(withheld('address not bound to lo: denied'), 'add');
    await sink.apply(withheld(undefined), 'add');
    expect(events.take()).toEqual([
      'Warning NotBound default/web: 10.250.255.1 not announced from node node1: address not bound to lo: denied',
      'Normal Announced default/web: 10.250.255.1 announced from node node1',
    ]);
  });

  it('reports pool errors once per change of the errors, not every pass; shutdown tells nothing', async () => {
    const reports: ControllerEvent[] = [];
    const events = new RecordedEvents();
    const sink = new KubernetesEventSink({ events, report: (e) => reports.push(e), nodeName: 'node1' });
    const bad = {
      code: 'ANYVIP_POOL_INVALID' as const,
      key: 'bad',
      reason: 'pools ConfigMap key "bad": no addresses',
    };
    const d = world({ 'default/web': { announcedHere: ['10.250.255.1'] } }, { poolErrors: [bad] });
    await sink.apply(d, 'add');
    await sink.apply(d, 'add');
    expect(reports).toEqual([
      {
        kind: 'poolRejected',
        configMap: 'kube-system/anyvip-pools',
        key: 'bad',
        code: 'ANYVIP_POOL_INVALID',
        reason: bad.reason,
      },
    ]);
    events.take();
    await sink.apply(computeShutdownState(d), 'add');
    expect(events.take()).toEqual([]);
  });
});
