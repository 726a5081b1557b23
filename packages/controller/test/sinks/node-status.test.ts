import { FakeClock } from '@anyvip/healthcheck';
import { afterEach, describe, expect, it } from 'vitest';
import { gateOnBinding } from '../../src/desired/bind-gate.js';
import type { ControllerEvent } from '../../src/events.js';
import { createKubeClients } from '../../src/kubernetes/client.js';
import { anyvipCustomResourceDefinitions } from '../../src/kubernetes/crds/index.js';
import { NodeStatusSink } from '../../src/sinks/node-status.js';
import { type KubeObject, TestApiServer } from '../support/api-server.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { established, world } from '../support/node-status-world.js';

const up2 = { ...established, peerAddress: '10.250.1.3', bfd: 'up' as const };

describe('NodeStatusSink: this node AnyvipNodeStatus, kept current through the status subresource (test API server)', () => {
  let server: TestApiServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  async function setup(crds = true) {
    const s = await TestApiServer.start();
    server = s;
    if (crds) s.installCrds(anyvipCustomResourceDefinitions());
    const clients = createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) });
    const clock = new FakeClock();
    let wallMs = Date.UTC(2026, 11, 4, 22, 0, 0);
    const wakes: string[] = [];
    const reports: ControllerEvent[] = [];
    const sink = new NodeStatusSink({
      api: clients.custom,
      clock,
      now: () => wallMs,
      wake: (r) => wakes.push(r),
      report: (e) => reports.push(e),
      nodeUid: () => 'uid-node1',
    });
    const advance = (ms: number): void => {
      wallMs += ms;
      clock.advanceSync(ms);
    };
    const object = (): KubeObject | undefined => s.get('anyvip.io/v1alpha1', 'anyvipnodestatuses', 'node1');
    const statusWrites = (): number =>
      s.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/node1/status') && r.status === 200)
        .length;
    return { s, sink, clock, advance, wakes, reports, object, statusWrites };
  }

  it('creates the object (owned by the Node), writes the status, and rewrites it only on change, 5 s apart', async () => {
    const { sink, advance, wakes, reports, object, statusWrites } = await setup();
    const result = await sink.apply(world([established]), 'add');
    expect(result).toEqual({ changes: [], errors: [], applied: ['node1'] });
    expect(reports).toEqual([]);
    const o = object();
    expect(o?.spec).toEqual({ nodeName: 'node1' });
    expect(o?.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Node', name: 'node1', uid: 'uid-node1' },
    ]);
    const status = o?.status as Record<string, unknown>;
    expect(status).toMatchObject({
      nodeName: 'node1',
      asn: 65001,
      routerID: '10.250.1.2',
      updatedAt: '2026-12-04T22:00:00.000Z',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'SessionsNotEstablished',
          lastTransitionTime: '2026-12-04T22:00:00.000Z',
        },
      ],
    });
    expect((status.sessions as { state: string }[]).map((x) => x.state)).toEqual(['established', 'idle']);
    expect(
      (status.vips as { address: string; announced: boolean }[]).map((v) => [v.address, v.announced]),
    ).toEqual([
      ['10.250.1.10', true],
      ['10.250.1.11', false],
      ['10.250.9.9', false],
    ]);

    // The same world again: nothing written.
    advance(1000);
    await sink.apply(world([established]), 'add');
    expect(statusWrites()).toBe(1);
    // A change 2 s after the write is held, then written when 5 s have passed (a pass asked for).
    advance(1000);
    await sink.apply(world([established, up2]), 'add');
    expect(statusWrites()).toBe(1);
    expect(wakes).toEqual([]);
    advance(3000);
    expect(wakes).toEqual(['node status']);
    await sink.apply(world([established, up2]), 'add');
    expect(statusWrites()).toBe(2);
    expect(object()?.status).toMatchObject({
      updatedAt: '2026-12-04T22:00:05.000Z',
      conditions: [{ status: 'True', reason: 'Established', lastTransitionTime: '2026-12-04T22:00:05.000Z' }],
    });
  });

  it('rewrites an unchanged status only every 5 min (a backstop: liveness is the node lease), and not before', async () => {
    const { sink, advance, wakes, object, statusWrites } = await setup();
    await sink.apply(world([established, up2]), 'add');
    const wakesAt: number[] = [];
    // A pass every second for 5 min (the loop runs on every change; these change nothing).
    for (let t = 1; t < 300; t++) {
      advance(1000);
      if (wakes.length > wakesAt.length) wakesAt.push(t);
      await sink.apply(world([established, up2]), 'add');
    }
    expect(statusWrites()).toBe(1);
    // Passes within 5 s of the write skip the content and ask for one look when a write may go;
    // after that look the sink sleeps until the refresh is due.
    expect(wakesAt).toEqual([5]);
    advance(1000);
    expect(wakes).toEqual(['node status', 'node status']);
    await sink.apply(world([established, up2]), 'add');
    expect(statusWrites()).toBe(2);
    expect(object()?.status).toMatchObject({ updatedAt: '2026-12-04T22:05:00.000Z' });
  });

  it('a VIP the bind gate withholds is written as not announced, with why', async () => {
    const { sink, object } = await setup();
    await sink.apply(
      gateOnBinding(world([established, up2]), new Set(), new Map([['10.250.1.10/32', 'denied']])),
      'add',
    );
    expect((object()?.status as { vips?: unknown[] } | undefined)?.vips?.[0]).toMatchObject({
      address: '10.250.1.10',
      announced: false,
      reason: 'address not bound to lo: denied',
    });
  });

  it('an object deleted behind its back is created again at the next write', async () => {
    const { s, sink, advance, object } = await setup();
    await sink.apply(world([established]), 'add');
    s.remove('anyvip.io/v1alpha1', 'anyvipnodestatuses', 'node1');
    advance(5000);
    await sink.apply(world([established, up2]), 'add');
    advance(5000);
    await sink.apply(world([established, up2]), 'add');
    expect(object()?.status).toMatchObject({ conditions: [{ status: 'True' }] });
  });

  it('CRD not installed: says so, once per back-off (at 0, 5, 15, 35 s), never a write storm; nothing fails the pass', async () => {
    const { s, sink, advance, reports } = await setup(false);
    const want = world([established]);
    for (let t = 0; t <= 36_000; t += 500) {
      const r = await sink.apply(want, 'add');
      expect(r.errors).toEqual([]);
      advance(500);
    }
    expect(reports.map((e) => (e.kind === 'kubernetesError' ? e.retryInMs : undefined))).toEqual([
      5000, 10_000, 20_000, 40_000,
    ]);
    expect(reports[0]).toMatchObject({
      kind: 'kubernetesError',
      resource: 'AnyvipNodeStatus node1',
      reason: expect.stringContaining('is the AnyvipNodeStatus CRD installed?'),
    });
    const attempts = s.requests.filter((r) => r.path.includes('anyvipnodestatuses')).length;
    expect(attempts).toBe(4);
  });

  it('writes nothing outside Kubernetes mode or while shutting down (no Kubernetes part in the world)', async () => {
    const { sink, object } = await setup();
    await sink.apply({ ...world([established]), kubernetes: undefined }, 'add');
    await sink.apply(world([established]), 'remove');
    expect(object()).toBeUndefined();
  });
});
