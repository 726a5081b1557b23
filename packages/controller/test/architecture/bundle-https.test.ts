import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ANYVIP_BUNDLE } from '../support/anyvip-cli.js';
import { TestApiServer } from '../support/api-server.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';
import { until } from '../support/until.js';

/**
 * The shipped bundle replaces client-node's fetch with dispatcher-fetch.ts over our
 * NodeHttpDispatcher (scripts/bundle-kubernetes.ts), so the unbundled client the unit tests run
 * is not what carries a real cluster's HTTPS. This runs the bundle itself in Kubernetes mode
 * (table mode, no VIPs: it changes nothing on the host) against an HTTPS API server that
 * demands a token.
 */
describe('the shipped bundle in Kubernetes mode against an HTTPS API server with a token', () => {
  let pki: TestPki;
  let server: TestApiServer | undefined;
  let child: ChildProcess | undefined;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => {
    rmSync(pki.dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    child = undefined;
    await server?.goDown();
    server = undefined;
  });

  async function runAgainst(caFile: string): Promise<{ server: TestApiServer; output: () => string }> {
    const s = await TestApiServer.start({
      tls: { cert: pki.server.cert, key: pki.server.key },
      authentication: { tokens: ['t0k3n'] },
    });
    server = s;
    s.apply('v1', 'nodes', { metadata: { name: 'n1' } });
    const kubeconfig = join(pki.dir, `${caFile}.kubeconfig`);
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${s.url}", certificate-authority: ${caFile} } }]
users: [{ name: u, user: { token: t0k3n } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
    );
    const p = spawn(
      process.execPath,
      [
        ANYVIP_BUNDLE,
        'run',
        '--kubeconfig',
        kubeconfig,
        '--node-name',
        'n1',
        '--mode',
        'table',
        '--no-admin',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = p;
    let out = '';
    p.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    return { server: s, output: () => out };
  }

  it('verifies the server against the kubeconfig CA, sends the token, lists, watches and renews its Lease', async () => {
    const { server: s, output } = await runAgainst('ca.crt');
    const ok = (method: string, path: RegExp, watch = false): boolean =>
      s.requests.some(
        (r) => r.method === method && path.test(r.path) && r.status === 200 && r.watch === watch,
      );
    await until(
      'the Services listed and watched, and the node Lease replaced',
      () =>
        ok('GET', /^\/api\/v1\/services$/) &&
        ok('GET', /^\/api\/v1\/services$/, true) &&
        ok('PUT', /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/[^/]+\/leases\/[^/]+$/),
      20_000,
    );
    expect(s.requests.filter((r) => r.status === 401)).toEqual([]);
    expect(output()).toContain('"message":"kubernetes synced"');
  }, 30_000);

  it('refuses a server its CA did not sign: no request reaches the API server', async () => {
    const { server: s, output } = await runAgainst('other-ca.crt');
    // The log names the cause, not only "fetch failed" (dispatcher-fetch.ts).
    await until(
      'the refusal logged with its cause',
      () => /"reason":"fetch failed: [^"]*(certificate|self-signed)[^"]*"/.test(output()),
      20_000,
    );
    expect(s.requests).toEqual([]);
  }, 30_000);
});
