import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HealthError } from '../../src/errors.js';
import { type ApiserverProbeOptions, createApiserverProbe } from '../../src/probes/apiserver.js';
import { never } from '../support/deadline.js';
import { makePki, type TestPki } from '../support/pki.js';
import { startHttps, type TestServer } from '../support/servers.js';

let pki: TestPki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki.remove());

interface FakeApiserver {
  server: TestServer;
  readonly requests: { path: string; authorization: string | undefined; sni: string; clientCert: boolean }[];
  /** When set, requests without this bearer token (or a client certificate) get 401. */
  requireToken: string | undefined;
}

let api: FakeApiserver;
let dir: string;
let saDir: string;

/**
 * A stand-in kube-apiserver: its serving certificate names only `kubernetes` (and
 * vip.example.test), like kubeadm's without an IP SAN for 127.0.0.1.
 */
async function startFakeApiserver(requestCert: boolean): Promise<FakeApiserver> {
  const requests: FakeApiserver['requests'] = [];
  const fake: FakeApiserver = {
    server: undefined as unknown as TestServer,
    requests,
    requireToken: undefined,
  };
  const server = await startHttps(
    {
      cert: pki.read(pki.namedCert),
      key: pki.read(pki.serverKey),
      ...(requestCert ? { requestCert: true, rejectUnauthorized: false, ca: pki.read(pki.caCert) } : {}),
    },
    (req: IncomingMessage, res) => {
      const socket = req.socket as TLSSocket;
      const clientCert = socket.authorized === true;
      requests.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        sni: socket.servername || '',
        clientCert,
      });
      if (
        fake.requireToken !== undefined &&
        !clientCert &&
        req.headers.authorization !== `Bearer ${fake.requireToken}`
      ) {
        res.statusCode = 401;
        res.end('{"kind":"Status","reason":"Unauthorized","code":401}');
      } else if (req.url === '/livez') res.end('ok');
      else if (req.url === '/readyz') {
        res.statusCode = 500;
        res.end('[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed\n');
      } else {
        res.statusCode = 404;
        res.end();
      }
    },
  );
  fake.server = server;
  return fake;
}

beforeEach(async () => {
  api = await startFakeApiserver(true);
  dir = mkdtempSync(join(tmpdir(), 'anyvip-hc-api-'));
  saDir = join(dir, 'serviceaccount');
  mkdirSync(saDir);
});
afterEach(async () => {
  await api.server.close();
  rmSync(dir, { recursive: true, force: true });
});

function probe(options: ApiserverProbeOptions = {}) {
  return createApiserverProbe({
    server: `https://127.0.0.1:${api.server.port}`,
    serviceAccountDir: saDir,
    hostCaFiles: [],
    ...options,
  });
}

function writeServiceAccount(token: string, withCa = true): void {
  writeFileSync(join(saDir, 'token.tmp'), token);
  renameSync(join(saDir, 'token.tmp'), join(saDir, 'token'));
  if (withCa) copyFileSync(pki.caCert, join(saDir, 'ca.crt'));
}

describe('kube-apiserver preset', () => {
  it('uses the pod service-account token and CA, and checks the certificate as `kubernetes`', async () => {
    writeServiceAccount('sa-token');
    api.requireToken = 'sa-token';
    const p = probe();
    expect(p.name).toBe(`apiserver https://127.0.0.1:${api.server.port}/livez`);
    expect(await p.run(never())).toMatchObject({ ok: true, reason: 'HTTP 200' });
    expect(api.requests).toEqual([
      { path: '/livez', authorization: 'Bearer sa-token', sni: 'kubernetes', clientCert: false },
    ]);
  });

  it('probes /readyz when asked and quotes the failing checks', async () => {
    writeServiceAccount('sa-token');
    const r = await probe({ endpoint: 'readyz' }).run(never());
    expect(r).toMatchObject({
      ok: false,
      reason: 'HTTP 500 (expected 200-299): [+]ping ok [-]etcd failed: reason withheld readyz check failed',
    });
  });

  it('follows a rotated service-account token', async () => {
    writeServiceAccount('first');
    api.requireToken = 'first';
    const p = probe();
    expect((await p.run(never())).ok).toBe(true);
    writeServiceAccount('second', false);
    api.requireToken = 'second';
    expect((await p.run(never())).ok).toBe(true);
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer first', 'Bearer second']);
  });

  it('falls back to the host cluster CA when the pod has none', async () => {
    const r = await probe({ hostCaFiles: [join(dir, 'missing.crt'), pki.caCert] }).run(never());
    expect(r).toMatchObject({ ok: true, reason: 'HTTP 200' });
  });

  it('skips verification only when no CA is found anywhere, and says so in the reason', async () => {
    const r = await probe().run(never());
    expect(r.ok).toBe(true);
    expect(r.reason).toBe(`HTTP 200 (TLS not verified: no CA found at ${join(saDir, 'ca.crt')})`);
  });

  it('goes anonymous without a token and says so when refused', async () => {
    copyFileSync(pki.caCert, join(saDir, 'ca.crt'));
    expect((await probe().run(never())).ok).toBe(true);
    expect(api.requests[0]?.authorization).toBeUndefined();
    api.requireToken = 'needed';
    const r = await probe().run(never());
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^HTTP 401 \(expected 200-299\): .* \(sent without credentials\)$/);
  });

  it('fails verification against the wrong CA instead of falling back to insecure', async () => {
    writeServiceAccount('t', false);
    copyFileSync(pki.selfSignedCert, join(saDir, 'ca.crt'));
    const r = await probe().run(never());
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(
      /^TLS handshake: (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    );
    expect(r.reason).not.toMatch(/not verified/);
  });

  it('takes credentials from a kubeconfig but still probes the local apiserver, not its `server`', async () => {
    const kubeconfig = join(dir, 'admin.conf');
    const b64 = (path: string) => pki.read(path).toString('base64');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'clusters:',
        '- cluster:',
        `    certificate-authority-data: ${b64(pki.caCert)}`,
        '    server: https://10.250.0.10:6443',
        '  name: kubernetes',
        'contexts:',
        '- context:',
        '    cluster: kubernetes',
        '    user: admin',
        '  name: admin@kubernetes',
        'current-context: admin@kubernetes',
        'kind: Config',
        'users:',
        '- name: admin',
        '  user:',
        `    client-certificate-data: ${b64(pki.clientCert)}`,
        `    client-key-data: ${b64(pki.clientKey)}`,
        '',
      ].join('\n'),
    );
    writeServiceAccount('unused-sa-token');
    api.requireToken = 'something-else';
    const r = await probe({ kubeconfig }).run(never());
    expect(r).toMatchObject({ ok: true, reason: 'HTTP 200' });
    expect(api.requests).toEqual([
      { path: '/livez', authorization: undefined, sni: 'kubernetes', clientCert: true },
    ]);
  });

  it('with anonymous auth off (401 to anonymous), presents a client certificate file and key file', async () => {
    api.requireToken = 'not-this';
    const anonymous = await probe({ caFile: pki.caCert }).run(never());
    expect(anonymous.ok).toBe(false);
    expect(anonymous.reason).toMatch(/^HTTP 401 .*\(sent without credentials\)$/);
    writeServiceAccount('sa-token');
    const r = await probe({
      caFile: pki.caCert,
      clientCertFile: pki.clientCert,
      clientKeyFile: pki.clientKey,
    }).run(never());
    expect(r).toMatchObject({ ok: true, reason: 'HTTP 200' });
    // The certificate alone: no service-account token is picked up beside it.
    expect(api.requests.at(-1)).toEqual({
      path: '/livez',
      authorization: undefined,
      sni: 'kubernetes',
      clientCert: true,
    });
  });

  it('takes certificate and key from one PEM file (as kubelet-client-current.pem holds them)', async () => {
    api.requireToken = 'not-this';
    const both = join(dir, 'client.pem');
    writeFileSync(both, Buffer.concat([pki.read(pki.clientCert), pki.read(pki.clientKey)]));
    const r = await probe({ caFile: pki.caCert, clientCertFile: both }).run(never());
    expect(r).toMatchObject({ ok: true, reason: 'HTTP 200' });
    expect(api.requests.at(-1)?.clientCert).toBe(true);
  });

  it('sends a bearer token file when anonymous requests are refused', async () => {
    const tokenFile = join(dir, 'health-token');
    writeFileSync(tokenFile, 'health-token\n');
    api.requireToken = 'health-token';
    const r = await probe({ caFile: pki.caCert, tokenFile }).run(never());
    expect(r).toMatchObject({ ok: true, reason: 'HTTP 200' });
    expect(api.requests.at(-1)?.authorization).toBe('Bearer health-token');
  });

  it('says which credential file it cannot read, and refuses a key without a certificate', async () => {
    const r = await probe({ caFile: pki.caCert, clientCertFile: join(dir, 'absent.crt') }).run(never());
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^cannot read TLS material: .*absent\.crt/);
    expect(() => probe({ clientKeyFile: pki.clientKey })).toThrow(HealthError);
  });

  it('refuses an unreadable or unusable kubeconfig when built (ANYVIP_HEALTH_BAD_KUBECONFIG)', () => {
    for (const setup of [
      () => join(dir, 'absent.conf'),
      () => {
        const path = join(dir, 'exec.conf');
        writeFileSync(
          path,
          'current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\nusers:\n- name: u\n  user:\n    exec:\n      command: aws\n',
        );
        return path;
      },
    ]) {
      try {
        probe({ kubeconfig: setup() });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(HealthError);
        expect((e as HealthError).code).toBe('ANYVIP_HEALTH_BAD_KUBECONFIG');
      }
    }
  });

  it('refuses an http:// server and an unknown endpoint (ANYVIP_HEALTH_BAD_CONFIG)', () => {
    expect(() => createApiserverProbe({ server: 'http://127.0.0.1:8080' })).toThrow(HealthError);
    expect(() => createApiserverProbe({ endpoint: 'healthz' as 'livez' })).toThrow(HealthError);
  });

  it('defaults to https://127.0.0.1:6443/livez', () => {
    expect(createApiserverProbe().name).toBe('apiserver https://127.0.0.1:6443/livez');
    expect(createApiserverProbe({ endpoint: 'readyz' }).name).toBe('apiserver https://127.0.0.1:6443/readyz');
  });
});
