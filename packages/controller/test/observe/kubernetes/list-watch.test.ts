import { systemClock } from '@anyvip/healthcheck';
import type { V1Service } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClients } from '../../../src/kubernetes/client.js';
import { type ListWatchEvent, pagedList, WatchedKind } from '../../../src/observe/kubernetes/list-watch.js';
import { TestApiServer } from '../../support/api-server.js';
import { writeKubeconfig } from '../../support/kubeconfig.js';

function service(name: string, ip: string): V1Service & { metadata: { name: string } } {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    status: { loadBalancer: { ingress: [{ ip }] } },
  };
}

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('WatchedKind: client-node ListWatch against the test API server', () => {
  let server: TestApiServer | undefined;
  let watched: WatchedKind<V1Service> | undefined;

  afterEach(async () => {
    watched?.stop();
    await server?.close();
  });

  async function setup(): Promise<{ s: TestApiServer; w: WatchedKind<V1Service>; events: ListWatchEvent[] }> {
    const s = await TestApiServer.start({ bookmarkIntervalMs: 50 });
    server = s;
    s.apply('v1', 'services', service('a', '10.250.255.1') as never);
    const clients = createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) });
    const events: ListWatchEvent[] = [];
    const w = new WatchedKind<V1Service>(clients.connection, {
      path: '/api/v1/services',
      list: () => clients.core.listServiceForAllNamespaces(),
      clock: systemClock,
      onEvent: (e) => events.push(e),
      retryMinMs: 50,
      retryMaxMs: 200,
    });
    watched = w;
    w.start();
    await until('synced', () => w.synced);
    await until('watch open', () => s.watchCount('services') === 1);
    return { s, w, events };
  }

  it('lists, then follows the watch: add, change, delete', async () => {
    const { s, w } = await setup();
    expect(w.items().map((o) => o.metadata?.name)).toEqual(['a']);
    s.apply('v1', 'services', service('b', '10.250.255.2') as never);
    await until('b added', () => w.items().length === 2);
    s.remove('v1', 'services', 'a', 'default');
    await until(
      'a deleted',
      () =>
        w
          .items()
          .map((o) => o.metadata?.name)
          .join() === 'b',
    );
  });

  it('drops metadata.managedFields before caching, from the list and from the watch; keeps the rest', async () => {
    const managed = (name: string, ip: string) => {
      const o = service(name, ip);
      return {
        ...o,
        metadata: {
          ...o.metadata,
          labels: { app: name },
          managedFields: [
            { manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
          ],
        },
      };
    };
    const s = await TestApiServer.start({ bookmarkIntervalMs: 50 });
    server = s;
    s.apply('v1', 'services', managed('listed', '10.250.255.1') as never);
    const clients = createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) });
    const w = new WatchedKind<V1Service>(clients.connection, {
      path: '/api/v1/services',
      list: () => clients.core.listServiceForAllNamespaces(),
      clock: systemClock,
      onEvent: () => {},
    });
    watched = w;
    w.start();
    await until('synced', () => w.synced);
    await until('watch open', () => s.watchCount('services') === 1);
    s.apply('v1', 'services', managed('watched', '10.250.255.2') as never);
    await until('watched added', () => w.get('watched', 'default') !== undefined);
    for (const name of ['listed', 'watched']) {
      const o = w.get(name, 'default');
      expect(o?.metadata).not.toHaveProperty('managedFields');
      expect(o?.metadata?.labels).toEqual({ app: name });
      expect(o?.status?.loadBalancer?.ingress?.[0]?.ip).toBeDefined();
    }
    // The server still has them: only the cache's copy lost them.
    expect(s.get('v1', 'services', 'listed', 'default')?.metadata.managedFields).toHaveLength(1);
  });

  it('410 Gone after compaction: relists, keeps unchanged objects, reports deletions found by the relist', async () => {
    const { s, w, events } = await setup();
    await s.goDown();
    // While it is away, one Service is deleted and one added, and the history is compacted.
    s.remove('v1', 'services', 'a', 'default');
    s.apply('v1', 'services', service('c', '10.250.255.3') as never);
    s.compact();
    // The cache still holds the last known state.
    expect(w.items().map((o) => o.metadata?.name)).toEqual(['a']);
    await s.comeUp();
    await until(
      'relisted',
      () =>
        w
          .items()
          .map((o) => o.metadata?.name)
          .join() === 'c',
    );
    const lists = s.requests.filter((r) => r.path === '/api/v1/services' && !r.watch && r.status === 200);
    expect(lists.length).toBe(2);
    expect(events.some((e) => e.kind === 'error')).toBe(true);
    expect(events.filter((e) => e.kind === 'synced')).toHaveLength(1);
  });

  it('a watch closed by the server resumes from its resourceVersion without relisting', async () => {
    const { s, w } = await setup();
    s.closeWatches();
    s.apply('v1', 'services', service('d', '10.250.255.4') as never);
    await until('d seen', () => w.items().length === 2);
    const lists = s.requests.filter((r) => r.path === '/api/v1/services' && !r.watch);
    expect(lists.length).toBe(1);
  });

  it('bookmarks keep a quiet watch current: after compaction it resumes without 410 or a relist', async () => {
    const { s, w } = await setup();
    // Writes to another kind move the global resourceVersion past the Services watch's.
    for (let i = 0; i < 5; i++)
      s.apply('v1', 'configmaps', { metadata: { name: `c${i}`, namespace: 'default' } });
    await new Promise((r) => setTimeout(r, 200));
    s.compact();
    s.apply('v1', 'services', service('f', '10.250.255.6') as never);
    await until('f seen', () => w.items().length === 2);
    const lists = s.requests.filter((r) => r.path === '/api/v1/services' && !r.watch);
    expect(lists.length).toBe(1);
  });

  it('API server unreachable: the cache keeps the last state and the watch comes back by itself', async () => {
    const { s, w, events } = await setup();
    await s.goDown();
    await until('error reported', () => events.some((e) => e.kind === 'error'));
    expect(w.items()).toHaveLength(1);
    await s.comeUp();
    s.apply('v1', 'services', service('e', '10.250.255.5') as never);
    await until('e seen after the outage', () => w.items().length === 2);
  });

  it('pagedList: limit and continue fetch one consistent snapshot; the watch starts from its resourceVersion', async () => {
    const s = await TestApiServer.start();
    server = s;
    for (let i = 0; i < 5; i++) s.apply('v1', 'services', service(`p${i}`, `10.250.255.${10 + i}`) as never);
    const clients = createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) });
    const rv = String(s.resourceVersion);
    const list = pagedList<V1Service>((c) =>
      clients.core.listServiceForAllNamespaces({ limit: 2, _continue: c }),
    );
    const first = list();
    const result = await first;
    expect(result.items.map((o) => o.metadata?.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(result.metadata?.resourceVersion).toBe(rv);
    const pages = s.requests.filter((r) => r.path === '/api/v1/services' && !r.watch);
    expect(pages).toHaveLength(3);
    expect(pages.slice(1).every((r) => r.query.includes('continue='))).toBe(true);
  });
});
