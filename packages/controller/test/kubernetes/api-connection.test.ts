import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '@anyvip/healthcheck';
import type { V1Node } from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnyvipError } from '../../src/errors.js';
import { createKubeClients, type KubeClients } from '../../src/kubernetes/client.js';
import { type ListWatchEvent, WatchedKind } from '../../src/observe/kubernetes/list-watch.js';
import { TestApiServer } from '../support/api-server.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';
import { until } from '../support/until.js';

/** A kubeconfig with one cluster and one user; `cluster` and `user` are YAML flow mappings' contents. */
function kubeconfig(dir: string, name: string, cluster: string, user: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { ${cluster} } }]
users: [{ name: u, user: { ${user} } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
  );
  return path;
}

const b64 = (b: Buffer): string => b.toString('base64');

/** Lists the Nodes through the client; the error's code (HTTP status) or message when refused. */
async function listNodes(clients: KubeClients): Promise<string[] | { refused: string }> {
  try {
    const list = await clients.core.listNode();
    return list.items.map((n) => n.metadata?.name ?? '');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { refused: typeof code === 'number' ? String(code) : String((err as Error).cause ?? err) };
  }
}

describe('the API connection (kubeconfig subset, in-cluster) through the real client against an HTTPS API server with authentication', () => {
  let pki: TestPki;
  let server: TestApiServer | undefined;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterEach(async () => {
    await server?.goDown();
    server = undefined;
  });

  async function start(tokens: readonly string[]): Promise<TestApiServer> {
    server = await TestApiServer.start({
      tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert },
      authentication: { tokens },
      bookmarkIntervalMs: 50,
    });
    server.apply('v1', 'nodes', { metadata: { name: 'node1' } });
    return server;
  }

  it('verifies the server against the kubeconfig CA and sends the token; lists and watches', async () => {
    const s = await start(['t0k3n']);
    const clients = createKubeClients({
      kind: 'file',
      path: kubeconfig(
        pki.dir,
        'good.yaml',
        `server: "${s.url}", certificate-authority: ca.crt`,
        'token: t0k3n',
      ),
    });
    expect(await listNodes(clients)).toEqual(['node1']);
    const events: ListWatchEvent[] = [];
    const w = new WatchedKind<V1Node>(clients.connection, {
      path: '/api/v1/nodes',
      list: () => clients.core.listNode(),
      clock: systemClock,
      onEvent: (e) => events.push(e),
    });
    w.start();
    try {
      await until('synced', () => w.synced);
      s.apply('v1', 'nodes', { metadata: { name: 'node2' } });
      await until('node2 through the watch', () => w.get('node2') !== undefined);
      expect(s.requests.some((r) => r.watch && r.status === 200)).toBe(true);
      expect(events.filter((e) => e.kind === 'error')).toEqual([]);
    } finally {
      w.stop();
    }
  });

  it('refuses a server whose certificate does not chain to the given CA: no request is made', async () => {
    const s = await start(['t0k3n']);
    const clients = createKubeClients({
      kind: 'file',
      path: kubeconfig(
        pki.dir,
        'wrong-ca.yaml',
        `server: "${s.url}", certificate-authority-data: ${b64(pki.otherCa.cert)}`,
        'token: t0k3n',
      ),
    });
    const r = await listNodes(clients);
    expect(r).toMatchObject({ refused: expect.stringMatching(/self.signed|unable to verify|certificate/i) });
    expect(s.requests).toEqual([]);
  });

  it('a token the server does not accept gets 401 Unauthorized', async () => {
    const s = await start(['t0k3n']);
    const clients = createKubeClients({
      kind: 'file',
      path: kubeconfig(
        pki.dir,
        'bad-token.yaml',
        `server: "${s.url}", certificate-authority: ca.crt`,
        'token: nope',
      ),
    });
    expect(await listNodes(clients)).toEqual({ refused: '401' });
    expect(s.requests.map((r) => r.status)).toEqual([401]);
  });

  it('reads tokenFile again for every request: a rotated token is picked up without a restart', async () => {
    const s = await start(['first']);
    const tokenFile = join(pki.dir, 'rotating-token');
    writeFileSync(tokenFile, 'first\n');
    const clients = createKubeClients({
      kind: 'file',
      path: kubeconfig(
        pki.dir,
        'token-file.yaml',
        `server: "${s.url}", certificate-authority-data: ${b64(pki.ca.cert)}`,
        'tokenFile: rotating-token',
      ),
    });
    expect(await listNodes(clients)).toEqual(['node1']);
    // The issuer rotates: the server now accepts only the new token…
    s.acceptTokens(['second']);
    expect(await listNodes(clients)).toEqual({ refused: '401' });
    // …and once the kubelet has written it, the next request carries it.
    writeFileSync(tokenFile, 'second\n');
    expect(await listNodes(clients)).toEqual(['node1']);
  });

  it('authenticates with a client certificate (files, then inline data) and no token', async () => {
    const s = await start([]);
    const fromFiles = createKubeClients({
      kind: 'file',
      path: kubeconfig(
        pki.dir,
        'client-cert.yaml',
        `server: "${s.url}", certificate-authority: ${pki.ca.certPath}`,
        `client-certificate: client.crt, client-key: ${pki.client.keyPath}`,
      ),
    });
    expect(await listNodes(fromFiles)).toEqual(['node1']);
    const inline = createKubeClients({
      kind: 'file',
      path: kubeconfig(
        pki.dir,
        'client-cert-data.yaml',
        `server: "${s.url}", certificate-authority-data: ${b64(pki.ca.cert)}`,
        `client-certificate-data: ${b64(pki.client.cert)}, client-key-data: ${b64(pki.client.key)}`,
      ),
    });
    expect(await listNodes(inline)).toEqual(['node1']);
    const none = createKubeClients({
      kind: 'file',
      path: kubeconfig(
        pki.dir,
        'no-credentials.yaml',
        `server: "${s.url}", certificate-authority: ca.crt`,
        '',
      ),
    });
    expect(await listNodes(none)).toEqual({ refused: '401' });
  });

  it('in-cluster: KUBERNETES_SERVICE_HOST/PORT and the ServiceAccount token and CA files', async () => {
    const s = await start(['sa-token']);
    const dir = join(pki.dir, 'serviceaccount');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), 'sa-token');
    writeFileSync(join(dir, 'ca.crt'), pki.ca.cert);
    const port = new URL(s.url).port;
    const clients = createKubeClients(
      { kind: 'inCluster', dir },
      { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
    );
    expect(await listNodes(clients)).toEqual(['node1']);
    s.acceptTokens(['rotated']);
    writeFileSync(join(dir, 'token'), 'rotated');
    expect(await listNodes(clients)).toEqual(['node1']);
  });

  it('refuses what the subset does not support, with a stable code', () => {
    const refusal = (cluster: string, user: string): string | undefined => {
      try {
        createKubeClients({ kind: 'file', path: kubeconfig(pki.dir, 'refused.yaml', cluster, user) });
        return undefined;
      } catch (err) {
        return err instanceof AnyvipError ? err.code : String(err);
      }
    };
    expect(refusal('server: "https://127.0.0.1:1", insecure-skip-tls-verify: true', 'token: x')).toBe(
      'ANYVIP_KUBECONFIG_UNSUPPORTED',
    );
    expect(refusal('server: "https://127.0.0.1:1"', 'exec: { command: aws }')).toBe(
      'ANYVIP_KUBECONFIG_UNSUPPORTED',
    );
    expect(refusal('server: "http://127.0.0.1:1"', 'token: x')).toBe('ANYVIP_KUBECONFIG_UNUSABLE');
    expect(refusal('server: "https://127.0.0.1:1"', 'client-certificate: client.crt')).toBe(
      'ANYVIP_KUBECONFIG_UNUSABLE',
    );
    expect(() => createKubeClients({ kind: 'inCluster', dir: pki.dir }, {})).toThrow(
      /KUBERNETES_SERVICE_HOST/,
    );
  });
});
