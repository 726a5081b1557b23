import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths of PEM files made by {@link makePki}. */
export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  /** Server certificate for 127.0.0.1, ::1 and localhost, signed by the CA. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** Server certificate that names only `kubernetes` and `vip.example.test` (no IP), signed by the CA. */
  readonly namedCert: string;
  /** Same key, valid 2020-01-01 to 2020-01-02 only, signed by the CA. */
  readonly expiredCert: string;
  /** Self-signed, for 127.0.0.1: trusted by nobody. */
  readonly selfSignedCert: string;
  readonly selfSignedKey: string;
  /** Client certificate (extendedKeyUsage clientAuth), signed by the CA. */
  readonly clientCert: string;
  readonly clientKey: string;
  read(path: string): Buffer;
  remove(): void;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A throw-away PKI made with the `openssl` CLI (OpenSSL 3.0 has no `-not_after` on `req`, so the
 * expired certificate comes from `openssl ca` with explicit `-startdate`/`-enddate`).
 */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'anyvip-hc-pki-'));
  openssl(dir, [
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=anyvip test CA',
    '-days',
    '2',
  ]);
  openssl(dir, ['req', ...ecKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  openssl(dir, [
    'req',
    ...ecKey,
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
    '-subj',
    '/CN=anyvip-client',
  ]);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ ca ]',
      'default_ca = test',
      '[ test ]',
      'database = index.txt',
      'serial = serial',
      'new_certs_dir = .',
      'default_md = sha256',
      'policy = any',
      'unique_subject = no',
      'copy_extensions = none',
      '[ any ]',
      'commonName = supplied',
      '[ server ]',
      'subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost',
      'extendedKeyUsage = serverAuth',
      '[ named ]',
      'subjectAltName = DNS:kubernetes, DNS:vip.example.test',
      'extendedKeyUsage = serverAuth',
      '[ client ]',
      'extendedKeyUsage = clientAuth',
      '',
    ].join('\n'),
  );
  const sign = (csr: string, out: string, ext: string, dates: readonly string[]): void =>
    openssl(dir, [
      'ca',
      '-batch',
      '-notext',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.crt',
      '-keyfile',
      'ca.key',
      '-in',
      csr,
      '-out',
      out,
      '-extensions',
      ext,
      ...dates,
    ]);
  sign('server.csr', 'server.crt', 'server', ['-days', '2']);
  sign('server.csr', 'named.crt', 'named', ['-days', '2']);
  sign('server.csr', 'expired.crt', 'server', [
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
  ]);
  sign('client.csr', 'client.crt', 'client', ['-days', '2']);
  openssl(dir, [
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'self.key',
    '-out',
    'self.crt',
    '-subj',
    '/CN=self-signed',
    '-addext',
    'subjectAltName=IP:127.0.0.1,IP:::1',
    '-days',
    '2',
  ]);
  const p = (name: string): string => join(dir, name);
  return {
    dir,
    caCert: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    namedCert: p('named.crt'),
    expiredCert: p('expired.crt'),
    selfSignedCert: p('self.crt'),
    selfSignedKey: p('self.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    read: (path) => readFileSync(path),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
