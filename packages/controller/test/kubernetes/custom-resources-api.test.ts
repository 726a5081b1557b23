import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { anyvipCustomResourceDefinitions } from '../../src/kubernetes/crds/index.js';
import { TestApiServer, type TestApiServerOptions } from '../support/api-server.js';
import { crdClientBody } from '../support/crd-client-body.js';
import { writeKubeconfig } from '../support/kubeconfig.js';

/**
 * The anyvip.io kinds served by the in-repo API server as kube-apiserver serves CRDs, driven
 * only through the real @kubernetes/client-node.
 */

const group = 'anyvip.io';
const version = 'v1alpha1';
const plural = 'anyvippeers';

const peer = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'anyvip.io/v1alpha1',
  kind: 'AnyvipPeer',
  metadata: { name, labels: { rack: 'a' } },
  spec,
});

/** The Status body of a failed call. */
function statusOf(err: unknown): { code: number; body: Record<string, unknown> } {
  if (!(err instanceof ApiException)) throw err;
  return { code: err.code, body: JSON.parse(String(err.body)) as Record<string, unknown> };
}

async function failure(p: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return statusOf(err);
  }
  throw new Error('the call succeeded');
}

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('custom resources through client-node against the test API server', () => {
  let server: TestApiServer | undefined;
  const aborts: AbortController[] = [];

  afterEach(async () => {
    for (const a of aborts.splice(0)) a.abort();
    await server?.close();
  });

  async function setup(options: TestApiServerOptions & { readonly viaHttp?: boolean } = {}) {
    const s = await TestApiServer.start(options);
    server = s;
    const config = new KubeConfig();
    config.loadFromFile(writeKubeconfig(s.url));
    const objects = config.makeApiClient(CustomObjectsApi);
    const extensions = config.makeApiClient(ApiextensionsV1Api);
    if (options.viaHttp === true) {
      for (const crd of anyvipCustomResourceDefinitions())
        await extensions.createCustomResourceDefinition({ body: crdClientBody(crd) as never });
    } else {
      s.installCrds(anyvipCustomResourceDefinitions());
    }
    return { s, config, objects, extensions };
  }

  it('serves nothing before the CRD exists, then CRUD with resourceVersion and generation once it is POSTed', async () => {
    const s = await TestApiServer.start();
    server = s;
    const config = new KubeConfig();
    config.loadFromFile(writeKubeconfig(s.url));
    const objects = config.makeApiClient(CustomObjectsApi);
    expect((await failure(objects.listClusterCustomObject({ group, version, plural }))).code).toBe(404);
    const extensions = config.makeApiClient(ApiextensionsV1Api);
    for (const crd of anyvipCustomResourceDefinitions())
      await extensions.createCustomResourceDefinition({ body: crdClientBody(crd) as never });

    const created = (await objects.createClusterCustomObject({
      group,
      version,
      plural,
      body: peer('tor-a', { peerAddress: '10.250.1.1', peerASN: 65010 }),
    })) as { metadata: { generation: number; resourceVersion: string }; spec: Record<string, unknown> };
    expect(created.metadata.generation).toBe(1);
    // Defaults from the schema, as the API server fills them in.
    expect(created.spec).toMatchObject({
      port: 179,
      holdTimeSeconds: 90,
      passive: false,
      connectRetryTimeSeconds: 5,
    });
    const list = (await objects.listClusterCustomObject({ group, version, plural })) as {
      kind: string;
      items: { metadata: { name: string } }[];
    };
    expect(list.kind).toBe('AnyvipPeerList');
    expect(list.items.map((o) => o.metadata.name)).toEqual(['tor-a']);
    expect(
      ((await objects.getClusterCustomObject({ group, version, plural, name: 'tor-a' })) as typeof created)
        .metadata.resourceVersion,
    ).toBe(created.metadata.resourceVersion);
  });

  it('bumps metadata.generation on a spec change only; 409 Conflict on a stale resourceVersion', async () => {
    const { objects } = await setup();
    type Peer = ReturnType<typeof peer> & { metadata: { generation: number; resourceVersion: string } };
    const v1 = (await objects.createClusterCustomObject({
      group,
      version,
      plural,
      body: peer('tor-a', { peerAddress: '10.250.1.1', peerASN: 65010 }),
    })) as Peer;
    // A label change is metadata: same generation, new resourceVersion.
    const v2 = (await objects.replaceClusterCustomObject({
      group,
      version,
      plural,
      name: 'tor-a',
      body: { ...v1, metadata: { ...v1.metadata, labels: { rack: 'b' } } },
    })) as Peer;
    expect(v2.metadata.generation).toBe(1);
    expect(v2.metadata.resourceVersion).not.toBe(v1.metadata.resourceVersion);
    const v3 = (await objects.replaceClusterCustomObject({
      group,
      version,
      plural,
      name: 'tor-a',
      body: { ...v2, spec: { ...v2.spec, holdTimeSeconds: 30 } },
    })) as Peer;
    expect(v3.metadata.generation).toBe(2);
    const stale = await failure(
      objects.replaceClusterCustomObject({
        group,
        version,
        plural,
        name: 'tor-a',
        body: { ...v1, spec: { ...v1.spec, holdTimeSeconds: 9 } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    // A merge patch of the spec bumps it too.
    const v4 = (await objects.patchClusterCustomObject(
      { group, version, plural, name: 'tor-a', body: { spec: { holdTimeSeconds: 60 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Peer;
    expect([v4.metadata.generation, (v4.spec as { holdTimeSeconds: number }).holdTimeSeconds]).toEqual([
      3, 60,
    ]);
  });

  it('status subresource: /status writes only status (no generation bump); main writes and creates ignore status', async () => {
    const { objects } = await setup();
    type Peer = ReturnType<typeof peer> & {
      metadata: { generation: number; resourceVersion: string };
      status?: Record<string, unknown>;
    };
    const condition = {
      type: 'Accepted',
      status: 'False',
      reason: 'InvalidAddress',
      message: 'bad',
      lastTransitionTime: '2026-12-04T21:00:00Z',
      observedGeneration: 1,
    };
    const created = (await objects.createClusterCustomObject({
      group,
      version,
      plural,
      body: {
        ...peer('tor-a', { peerAddress: '10.250.1.1', peerASN: 65010 }),
        status: { observedGeneration: 7 },
      },
    })) as Peer;
    expect(created.status).toBeUndefined();
    const withStatus = (await objects.replaceClusterCustomObjectStatus({
      group,
      version,
      plural,
      name: 'tor-a',
      body: {
        ...created,
        spec: { peerAddress: '10.250.9.9', peerASN: 1 },
        status: { conditions: [condition] },
      },
    })) as Peer;
    expect(withStatus.status).toEqual({ conditions: [condition] });
    expect(withStatus.spec.peerAddress).toBe('10.250.1.1');
    expect(withStatus.metadata.generation).toBe(1);
    const patched = (await objects.patchClusterCustomObjectStatus(
      { group, version, plural, name: 'tor-a', body: { status: { observedGeneration: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Peer;
    expect(patched.status).toEqual({ conditions: [condition], observedGeneration: 1 });
    const main = (await objects.replaceClusterCustomObject({
      group,
      version,
      plural,
      name: 'tor-a',
      body: { ...patched, status: { conditions: [] } },
    })) as Peer;
    expect(main.status).toEqual(patched.status);
    // Status is validated too.
    const bad = await failure(
      objects.patchClusterCustomObjectStatus(
        {
          group,
          version,
          plural,
          name: 'tor-a',
          body: { status: { conditions: [{ ...condition, status: 'Maybe' }] } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(bad.code).toBe(422);
  });

  it('refuses a schema-invalid write with 422 Invalid and details.causes, like kube-apiserver', async () => {
    const { s, objects } = await setup({ viaHttp: true });
    // The CRD arrived whole through the client (defaults, enums, CEL rules).
    const stored = JSON.stringify(
      s.get('apiextensions.k8s.io/v1', 'customresourcedefinitions', 'anyvippeers.anyvip.io'),
    );
    for (const keyword of ['"default":179', '"enum":["ipv4","ipv6"]', '"x-kubernetes-validations"'])
      expect(stored).toContain(keyword);
    const refused = await failure(
      objects.createClusterCustomObject({
        group,
        version,
        plural,
        body: peer('tor-a', { peerAddress: '10.250.1.1', port: 70000, families: ['ipv5'] }),
      }),
    );
    expect(refused.code).toBe(422);
    expect(refused.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 });
    expect(refused.body.message).toMatch(/^AnyvipPeer\.anyvip\.io "tor-a" is invalid: \[/);
    expect(refused.body.details).toEqual({
      name: 'tor-a',
      group: 'anyvip.io',
      kind: 'AnyvipPeer',
      causes: expect.arrayContaining([
        { reason: 'FieldValueRequired', field: 'spec.peerASN', message: 'Required value' },
        {
          reason: 'FieldValueInvalid',
          field: 'spec.port',
          message: 'Invalid value: 70000: spec.port in body must be <= 65535',
        },
        {
          reason: 'FieldValueNotSupported',
          field: 'spec.families[0]',
          message: 'Unsupported value: "ipv5": supported values: "ipv4", "ipv6"',
        },
      ]),
    });
  });

  it('evaluates the CEL rules (x-kubernetes-validations); an API server without CEL admits what only CEL refuses', async () => {
    const { objects } = await setup({ viaHttp: true });
    const both = await failure(
      objects.createClusterCustomObject({
        group,
        version,
        plural,
        body: peer('tor-a', {
          peerAddress: '10.250.1.1',
          autoDiscovery: { mode: 'DefaultGateway', family: 'ipv4' },
          peerASN: 65010,
          holdTimeSeconds: 9,
          keepaliveTimeSeconds: 9,
        }),
      }),
    );
    expect(both.code).toBe(422);
    expect((both.body.details as { causes: unknown[] }).causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message: 'Invalid value: "object": exactly one of peerAddress and autoDiscovery must be set',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.keepaliveTimeSeconds',
        message:
          'Invalid value: "object": keepaliveTimeSeconds must be less than holdTimeSeconds (and absent when holdTimeSeconds is 0)',
      },
    ]);
    const requirement = await failure(
      objects.createClusterCustomObject({
        group,
        version,
        plural,
        body: peer('tor-b', {
          peerAddress: '10.250.2.1',
          peerASN: 65020,
          nodeSelector: { matchExpressions: [{ key: 'rack', operator: 'In' }] },
        }),
      }),
    );
    expect((requirement.body.details as { causes: { field: string }[] }).causes.map((c) => c.field)).toEqual([
      'spec.nodeSelector.matchExpressions[0].values',
    ]);
    await server?.close();

    const old = await setup({ celRules: false });
    await old.objects.createClusterCustomObject({
      group,
      version,
      plural,
      body: peer('tor-a', { peerASN: 65010 }),
    });
  });

  it('prunes fields the schema does not know', async () => {
    const { objects } = await setup();
    const created = (await objects.createClusterCustomObject({
      group,
      version,
      plural,
      body: {
        ...peer('tor-a', { peerAddress: '10.250.1.1', peerASN: 65010, password: 'literal' }),
        extra: 1,
      },
    })) as Record<string, unknown> & { spec: Record<string, unknown> };
    expect(created.extra).toBeUndefined();
    expect(created.spec.password).toBeUndefined();
  });

  it('watch: events from a resourceVersion, 410 Gone for one older than the retained history', async () => {
    const { s, config, objects } = await setup({ historyLimit: 3 });
    const created = (await objects.createClusterCustomObject({
      group,
      version,
      plural,
      body: peer('tor-a', { peerAddress: '10.250.1.1', peerASN: 65010 }),
    })) as { metadata: { resourceVersion: string } };
    const seen: [string, string][] = [];
    const watch = new Watch(config);
    aborts.push(
      await watch.watch(
        `/apis/${group}/${version}/${plural}`,
        { resourceVersion: created.metadata.resourceVersion },
        (phase, obj: { metadata: { name: string } }) => seen.push([phase, obj.metadata.name]),
        () => {},
      ),
    );
    await until('watch open', () => s.watchCount(plural) === 1);
    await objects.createClusterCustomObject({
      group,
      version,
      plural,
      body: peer('tor-b', { peerAddress: '10.250.2.1', peerASN: 65020 }),
    });
    await objects.deleteClusterCustomObject({ group, version, plural, name: 'tor-a' });
    await until('two events', () => seen.length === 2);
    expect(seen).toEqual([
      ['ADDED', 'tor-b'],
      ['DELETED', 'tor-a'],
    ]);
    for (let i = 0; i < 4; i++)
      await objects.patchClusterCustomObject(
        { group, version, plural, name: 'tor-b', body: { spec: { holdTimeSeconds: 30 + i } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    const errors: { code: number; reason: string }[] = [];
    aborts.push(
      await watch.watch(
        `/apis/${group}/${version}/${plural}`,
        { resourceVersion: created.metadata.resourceVersion },
        (phase, obj: { code: number; reason: string }) => {
          if (phase === 'ERROR') errors.push({ code: obj.code, reason: obj.reason });
        },
        () => {},
      ),
    );
    await until('410', () => errors.length === 1);
    expect(errors).toEqual([{ code: 410, reason: 'Expired' }]);
  });

  it('discovery lists the kinds, so the generic KubernetesObjectApi reads and writes them', async () => {
    const { config } = await setup();
    const generic = KubernetesObjectApi.makeApiClient(config);
    const created = await generic.create(peer('tor-a', { peerAddress: '10.250.1.1', peerASN: 65010 }));
    expect((created as unknown as { spec: { port: number } }).spec.port).toBe(179);
    const read = await generic.read({
      apiVersion: 'anyvip.io/v1alpha1',
      kind: 'AnyvipPeer',
      metadata: { name: 'tor-a' },
    });
    expect(read.metadata?.generation).toBe(1);
    const listed = await generic.list('anyvip.io/v1alpha1', 'AnyvipPeer');
    expect(listed.items.map((o) => o.metadata?.name)).toEqual(['tor-a']);
  });

  it('deleting the CRD stops serving its resources', async () => {
    const { objects, extensions } = await setup();
    await objects.createClusterCustomObject({
      group,
      version,
      plural,
      body: peer('tor-a', { peerAddress: '10.250.1.1', peerASN: 65010 }),
    });
    await extensions.deleteCustomResourceDefinition({ name: 'anyvippeers.anyvip.io' });
    expect((await failure(objects.listClusterCustomObject({ group, version, plural }))).code).toBe(404);
  });
});
