import { FakeClock } from '@anyvip/healthcheck';
import type { V1Service } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { DesiredState, ServiceDesired } from '../../src/desired/types.js';
import type { ControllerEvent } from '../../src/events.js';
import { createKubeClients } from '../../src/kubernetes/client.js';
import { AnnouncedBySink } from '../../src/sinks/announced-by.js';
import { TestApiServer } from '../support/api-server.js';
import { writeKubeconfig } from '../support/kubeconfig.js';

/** A leader's world in which each Service's status-derived announcers are `by`. */
function world(by: Record<string, readonly string[] | undefined>, leader = true): DesiredState {
  const services = new Map<string, ServiceDesired>(
    Object.entries(by).map(([key, announcedBy]) => {
      const [namespace = '', name = ''] = key.split('/');
      return [
        key,
        {
          namespace,
          name,
          uid: undefined,
          ingress: undefined,
          announcedHere: [],
          refused: [],
          ...(announcedBy !== undefined ? { announcedBy } : {}),
        },
      ];
    }),
  );
  return {
    vips: new Map(),
    loopback: { device: 'lo', metric: 7717, addresses: new Map() },
    bgp: undefined,
    table: { table: 198, protocol: 248, device: 'lo', routes: new Map() },
    kubernetes: { services, leader, poolErrors: [], poolsConfigMap: '' },
    lifecycle: { kind: 'running' },
    carry: undefined,
    nextWakeMs: undefined,
  };
}

describe('AnnouncedBySink: the leader keeps anyvip.io/announced-by equal to the node statuses (test API server)', () => {
  let server: TestApiServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  async function setup(): Promise<{
    s: TestApiServer;
    sink: AnnouncedBySink;
    clock: FakeClock;
    wakes: string[];
    reports: ControllerEvent[];
  }> {
    const s = await TestApiServer.start();
    server = s;
    for (const name of ['web', 'db'])
      s.apply('v1', 'services', {
        metadata: { name, namespace: 'prod' },
        spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      });
    const clients = createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) });
    const clock = new FakeClock();
    const wakes: string[] = [];
    const reports: ControllerEvent[] = [];
    const sink = new AnnouncedBySink({
      api: clients.core,
      lookup: (namespace, name) => s.get('v1', 'services', name, namespace) as V1Service | undefined,
      stillLeader: () => true,
      clock,
      wake: (r) => wakes.push(r),
      report: (e) => reports.push(e),
    });
    return { s, sink, clock, wakes, reports };
  }

  const annotation = (s: TestApiServer, name: string): string | undefined =>
    (s.get('v1', 'services', name, 'prod')?.metadata.annotations as Record<string, string> | undefined)?.[
      'anyvip.io/announced-by'
    ];
  const patches = (s: TestApiServer): number => s.requests.filter((r) => r.method === 'PATCH').length;

  it('writes the sorted node names (empty when none announces), then nothing while they stay the same', async () => {
    const { s, sink } = await setup();
    const result = await sink.apply(world({ 'prod/web': ['node2', 'node1'], 'prod/db': [] }), 'add');
    expect(annotation(s, 'web')).toBe('node1,node2');
    expect(annotation(s, 'db')).toBe('');
    expect(result.applied).toEqual(['prod/db', 'prod/web']);
    expect(patches(s)).toBe(2);
    await sink.apply(world({ 'prod/web': ['node1', 'node2'], 'prod/db': [] }), 'add');
    expect(patches(s)).toBe(2);
    // The patch touched the annotation only.
    expect(s.get('v1', 'services', 'web', 'prod')?.spec).toEqual({
      type: 'LoadBalancer',
      ports: [{ port: 80 }],
    });
  });

  it('a change within 5 s of the last write waits (coalesced) and asks for a pass when it falls due', async () => {
    const { s, sink, clock, wakes } = await setup();
    await sink.apply(world({ 'prod/web': ['node1'] }), 'add');
    clock.advanceSync(1000);
    await sink.apply(world({ 'prod/web': ['node1', 'node2'] }), 'add');
    await sink.apply(world({ 'prod/web': ['node2'] }), 'add');
    expect(annotation(s, 'web')).toBe('node1');
    expect(wakes).toEqual([]);
    clock.advanceSync(4000);
    expect(wakes).toEqual(['announced-by']);
    await sink.apply(world({ 'prod/web': ['node2'] }), 'add');
    expect(annotation(s, 'web')).toBe('node2');
    expect(patches(s)).toBe(2);
  });

  it('leaves Services alone when not the leader or when the statuses are unknown (announcedBy undefined)', async () => {
    const { s, sink } = await setup();
    await sink.apply(world({ 'prod/web': ['node1'] }, false), 'add');
    await sink.apply(world({ 'prod/web': undefined }), 'add');
    await sink.apply(world({ 'prod/web': ['node1'] }), 'remove');
    expect(patches(s)).toBe(0);
    expect(annotation(s, 'web')).toBeUndefined();
  });

  it('API server away: reports once, then backs off (5 s, 10 s) instead of retrying every pass', async () => {
    const { s, sink, clock, reports } = await setup();
    await s.goDown();
    const want = world({ 'prod/web': ['node1'] });
    const result = await sink.apply(want, 'add');
    expect(result.errors).toEqual([]);
    expect(reports).toMatchObject([{ kind: 'kubernetesError', retryInMs: 5000 }]);
    for (let i = 0; i < 10; i++) await sink.apply(want, 'add');
    expect(reports).toHaveLength(1);
    clock.advanceSync(5000);
    await sink.apply(want, 'add');
    expect(reports).toMatchObject([{ retryInMs: 5000 }, { retryInMs: 10_000 }]);
    await s.comeUp();
    clock.advanceSync(10_000);
    await sink.apply(want, 'add');
    expect(annotation(s, 'web')).toBe('node1');
    expect(reports).toHaveLength(2);
  });
});
