import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** File paths and PEM contents of one certificate and its key. */
export interface Issued {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * A throw-away PKI made by `openssl` for one test: a cluster CA, the API server's certificate
 * (for 127.0.0.1 and `kubernetes.default.svc`), a client certificate as the kubelet would
 * have (`system:node:node1`), and a second, unrelated CA (whom the server must not be trusted
 * through). P-256 keys: quick to make.
 */
export interface TestPki {
  readonly dir: string;
  readonly ca: Issued;
  readonly server: Issued;
  readonly client: Issued;
  readonly otherCa: Issued;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'anyvip-pki-'));
  const ossl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const selfSigned = (name: string, cn: string): Issued => {
    ossl(
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
    );
    return issued(dir, name);
  };
  const signed = (name: string, cn: string, ext: string): Issued => {
    ossl('req', '-new', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', cn);
    writeFileSync(join(dir, `${name}.ext`), ext);
    ossl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
    return issued(dir, name);
  };
  const ca = selfSigned('ca', 'anyvip-test-cluster-ca');
  const otherCa = selfSigned('other-ca', 'anyvip-test-other-ca');
  const server = signed(
    'server',
    '/CN=kube-apiserver',
    'subjectAltName=IP:127.0.0.1,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
  );
  const client = signed('client', '/O=system:nodes/CN=system:node:node1', 'extendedKeyUsage=clientAuth\n');
  return { dir, ca, server, client, otherCa };
}

function issued(dir: string, name: string): Issued {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
}
