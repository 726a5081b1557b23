import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { AnyvipError } from '../errors.js';
import type { ApiServerSettings } from './api-connection.js';

// Through getBuiltinModule, not ES imports: an ES import of node:fs reads its `promises` getter,
// which loads node:fs/promises (~1.5 MB of RSS) for nothing.
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');
const { homedir } = process.getBuiltinModule('node:os');

/** Where a ServiceAccount's credentials are mounted in a pod. */
export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * In-cluster: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the pod's
 * ServiceAccount CA (`ca.crt`) and token file (`token`, read on every request: the kubelet
 * rotates it). As client-go's `rest.InClusterConfig`.
 */
export function inClusterSettings(env: NodeJS.ProcessEnv, dir = serviceAccountDir): ApiServerSettings {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || host === '' || port === undefined || port === '')
    throw unusable('in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set');
  const tokenPath = join(dir, 'token');
  if (!existsSync(tokenPath)) throw unusable(`in-cluster: no ServiceAccount token at ${tokenPath}`);
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readOrThrow(join(dir, 'ca.crt'), 'in-cluster CA'),
    token: { kind: 'file', path: tokenPath },
  };
}

/**
 * A kubeconfig file's current context, in the subset anyvip supports: `server`,
 * `certificate-authority(-data)`, `tls-server-name`, and `token`, `tokenFile`,
 * `client-certificate(-data)` + `client-key(-data)`. Relative paths are relative to the file,
 * as kubectl reads them.
 *
 * Refused with `ANYVIP_KUBECONFIG_UNSUPPORTED`: credential plugins (`exec`, `auth-provider`),
 * basic auth, proxies, and `insecure-skip-tls-verify` on an `https://` server (a controller
 * that writes Service status and announces routes must know whom it trusts). `http://` is
 * accepted only with `insecure-skip-tls-verify: true`, as client-node requires (test servers).
 */
export function kubeconfigSettings(path: string): ApiServerSettings {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw unusable(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const root = record(doc, path);
  const currentName = root['current-context'];
  if (typeof currentName !== 'string' || currentName === '') throw unusable(`${path}: no current-context`);
  const context = record(named(root.contexts, currentName, 'contexts', path).context, `${path}: context`);
  const cluster = record(
    named(root.clusters, String(context.cluster), 'clusters', path).cluster,
    `${path}: cluster`,
  );
  const user =
    context.user === undefined
      ? {}
      : record(named(root.users, String(context.user), 'users', path).user ?? {}, `${path}: user`);
  const base = dirname(path);
  const file = (p: unknown): string => (isAbsolute(String(p)) ? String(p) : join(base, String(p)));

  const server = cluster.server;
  if (typeof server !== 'string' || !/^https?:\/\//.test(server))
    throw unusable(`${path}: cluster.server must be an http(s):// URL`);
  for (const key of ['proxy-url', 'disable-compression'])
    if (cluster[key] !== undefined) throw unsupported(`${path}: cluster.${key}`);
  for (const key of ['exec', 'auth-provider', 'username', 'password', 'as', 'as-groups', 'impersonate'])
    if (user[key] !== undefined) throw unsupported(`${path}: user.${key}`);
  const insecure = cluster['insecure-skip-tls-verify'] === true;
  if (server.startsWith('http://') && !insecure)
    throw unusable(
      `${path}: an http:// server needs insecure-skip-tls-verify: true (plain HTTP is for test servers)`,
    );
  if (server.startsWith('https://') && insecure)
    throw unsupported(
      `${path}: cluster.insecure-skip-tls-verify on an https server (give certificate-authority instead)`,
    );

  const pem = (fileKey: string, dataKey: string, from: Record<string, unknown>): Buffer | undefined => {
    if (from[fileKey] !== undefined) return readOrThrow(file(from[fileKey]), `${path}: ${fileKey}`);
    if (from[dataKey] !== undefined) return Buffer.from(String(from[dataKey]), 'base64');
    return undefined;
  };
  const ca = pem('certificate-authority', 'certificate-authority-data', cluster);
  const clientCertificate = pem('client-certificate', 'client-certificate-data', user);
  const clientKey = pem('client-key', 'client-key-data', user);
  if ((clientCertificate === undefined) !== (clientKey === undefined))
    throw unusable(`${path}: client-certificate and client-key go together`);
  const token =
    typeof user.token === 'string' && user.token !== ''
      ? ({ kind: 'static', token: user.token } as const)
      : user.tokenFile !== undefined
        ? ({ kind: 'file', path: file(user.tokenFile) } as const)
        : ({ kind: 'none' } as const);
  const tlsServerName = cluster['tls-server-name'];
  return {
    server,
    ...(ca !== undefined ? { ca } : {}),
    ...(clientCertificate !== undefined && clientKey !== undefined ? { clientCertificate, clientKey } : {}),
    ...(typeof tlsServerName === 'string' && tlsServerName !== '' ? { tlsServerName } : {}),
    token,
  };
}

/** kubectl's lookup: the first file in `$KUBECONFIG`, then `~/.kube/config`, then in-cluster. */
export function defaultSettings(env: NodeJS.ProcessEnv, home = homedir()): ApiServerSettings {
  const fromEnv = (env.KUBECONFIG ?? '').split(':').find((p) => p !== '' && existsSync(p));
  if (fromEnv !== undefined) return kubeconfigSettings(fromEnv);
  const inHome = join(home, '.kube', 'config');
  if (existsSync(inHome)) return kubeconfigSettings(inHome);
  return inClusterSettings(env);
}

function readOrThrow(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw unusable(`${what}: cannot read ${path} (${err instanceof Error ? err.message : String(err)})`);
  }
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw unusable(`${what}: not a mapping`);
  return v as Record<string, unknown>;
}

/** The `{name, <kind>: {...}}` entry called `name` in a kubeconfig list. */
function named(list: unknown, name: string, what: string, path: string): Record<string, unknown> {
  const found = Array.isArray(list)
    ? list.find(
        (e: unknown) => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name,
      )
    : undefined;
  if (found === undefined) throw unusable(`${path}: ${what} has no entry named "${name}"`);
  return found as Record<string, unknown>;
}

function unusable(detail: string): AnyvipError {
  return new AnyvipError('ANYVIP_KUBECONFIG_UNUSABLE', detail);
}

function unsupported(what: string): AnyvipError {
  return new AnyvipError(
    'ANYVIP_KUBECONFIG_UNSUPPORTED',
    `${what} is not supported by anyvip; use certificate-authority, a token or tokenFile, or a client certificate`,
  );
}
