import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpProbe } from '../../src/probes/http.js';
import { never } from '../support/deadline.js';
import { makePki, type TestPki } from '../support/pki.js';
import { startHttps, type TestServer } from '../support/servers.js';

let pki: TestPki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki.remove());

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serveTls(
  cert: string,
  key: string,
  extra: { requestClientCert?: boolean; host?: string } = {},
) {
  const s = await startHttps(
    {
      cert: pki.read(cert),
      key: pki.read(key),
      ...(extra.requestClientCert
        ? { requestCert: true, rejectUnauthorized: true, ca: pki.read(pki.caCert) }
        : {}),
    },
    (req, res) => res.end(`sni=${(req.socket as TLSSocket).servername || '-'}`),
    extra.host,
  );
  servers.push(s);
  return s;
}

describe('HTTPS probe certificate handling', () => {
  it('passes when the server certificate chains to caFile and names the IP', async () => {
    const s = await serveTls(pki.serverCert, pki.serverKey);
    const r = await createHttpProbe({ url: s.url('/', 'https'), caFile: pki.caCert }).run(never());
    expect(r).toMatchObject({ ok: true, reason: 'HTTP 200' });
  });

  it('fails on an untrusted self-signed certificate, in the TLS handshake', async () => {
    const s = await serveTls(pki.selfSignedCert, pki.selfSignedKey);
    const r = await createHttpProbe({ url: s.url('/', 'https'), caFile: pki.caCert }).run(never());
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^TLS handshake: DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed certificate/);
  });

  it('fails on a certificate from a CA that is not trusted (system store only)', async () => {
    const s = await serveTls(pki.serverCert, pki.serverKey);
    const r = await createHttpProbe({ url: s.url('/', 'https') }).run(never());
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify the first certificate/);
  });

  it('fails on an expired certificate even from the trusted CA', async () => {
    const s = await serveTls(pki.expiredCert, pki.serverKey);
    const r = await createHttpProbe({ url: s.url('/', 'https'), caFile: pki.caCert }).run(never());
    expect(r).toMatchObject({
      ok: false,
      reason: 'TLS handshake: CERT_HAS_EXPIRED: certificate has expired',
    });
  });

  it('accepts any certificate with insecureSkipVerify', async () => {
    for (const [cert, key] of [
      [pki.expiredCert, pki.serverKey],
      [pki.selfSignedCert, pki.selfSignedKey],
    ] as const) {
      const s = await serveTls(cert, key);
      expect(
        await createHttpProbe({ url: s.url('/', 'https'), insecureSkipVerify: true }).run(never()),
      ).toMatchObject({
        ok: true,
      });
    }
  });

  it('presents a client certificate when the server requires one', async () => {
    const s = await serveTls(pki.serverCert, pki.serverKey, { requestClientCert: true });
    const without = await createHttpProbe({ url: s.url('/', 'https'), caFile: pki.caCert }).run(never());
    expect(without.ok).toBe(false);
    expect(without.reason).toMatch(/certificate required|ECONNRESET|socket hang up|alert/i);
    const withCert = await createHttpProbe({
      url: s.url('/', 'https'),
      caFile: pki.caCert,
      clientCertFile: pki.clientCert,
      clientKeyFile: pki.clientKey,
    }).run(never());
    expect(withCert).toMatchObject({ ok: true, reason: 'HTTP 200' });
  });

  it('checks the certificate against serverName and sends it as SNI when the URL is an address', async () => {
    const s = await serveTls(pki.namedCert, pki.serverKey);
    const byIp = await createHttpProbe({ url: s.url('/', 'https'), caFile: pki.caCert }).run(never());
    expect(byIp.ok).toBe(false);
    expect(byIp.reason).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    const named = await createHttpProbe({
      url: s.url('/', 'https'),
      caFile: pki.caCert,
      serverName: 'vip.example.test',
      bodyMatch: 'sni=vip.example.test',
    }).run(never());
    expect(named).toMatchObject({ ok: true });
  });

  it('uses the Host override as SNI and certificate name unless serverName says otherwise', async () => {
    const s = await serveTls(pki.namedCert, pki.serverKey);
    const r = await createHttpProbe({
      url: s.url('/', 'https'),
      caFile: pki.caCert,
      hostHeader: 'vip.example.test',
      bodyMatch: 'sni=vip.example.test',
    }).run(never());
    expect(r).toMatchObject({ ok: true });
  });

  it('reaches an IPv6 HTTPS target ([::1]) and verifies its IP SAN', async () => {
    const s = await serveTls(pki.serverCert, pki.serverKey, { host: '::1' });
    const r = await createHttpProbe({ url: s.url('/', 'https'), caFile: pki.caCert }).run(never());
    expect(r).toMatchObject({ ok: true, reason: 'HTTP 200' });
  });

  it('fails with a clear reason when the CA file cannot be read', async () => {
    const s = await serveTls(pki.serverCert, pki.serverKey);
    const r = await createHttpProbe({ url: s.url('/', 'https'), caFile: `${pki.dir}/missing.pem` }).run(
      never(),
    );
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^cannot read CA file .*missing\.pem: ENOENT/);
  });
});
