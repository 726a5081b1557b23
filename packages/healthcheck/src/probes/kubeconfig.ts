import { dirname, isAbsolute, resolve } from 'node:path';
import { HealthError } from '../errors.js';
import { parseKubeconfigYaml, type YamlValue } from './kubeconfig-yaml.js';

/** Where a credential comes from: embedded in the kubeconfig, or a file it names. */
export type MaterialSource =
  | { readonly kind: 'inline'; readonly data: Buffer }
  | { readonly kind: 'file'; readonly path: string };

/** What a kubeconfig context says about reaching and authenticating to its API server. */
export interface KubeconfigAuth {
  readonly context: string;
  /** `clusters[].cluster.server`. */
  readonly server: string | undefined;
  readonly ca: MaterialSource | undefined;
  readonly insecureSkipVerify: boolean;
  /** `clusters[].cluster.tls-server-name`. */
  readonly tlsServerName: string | undefined;
  /** `users[].user.token` or `tokenFile`. */
  readonly token: MaterialSource | undefined;
  readonly clientCert: MaterialSource | undefined;
  readonly clientKey: MaterialSource | undefined;
}

/**
 * Resolves a kubeconfig's context (the current one unless `contextName` is given) to the
 * cluster and user settings a GET needs. Relative file paths are taken from the kubeconfig's
 * directory, as client-go does. Exec plugins, auth providers and basic auth are refused: a
 * health check must not run a credential helper every 100 ms.
 *
 * @param kubeconfigPath the file the text came from (for relative paths and messages)
 * @throws HealthError `ANYVIP_HEALTH_BAD_KUBECONFIG`
 */
export function resolveKubeconfig(
  text: string,
  kubeconfigPath: string,
  contextName?: string,
): KubeconfigAuth {
  try {
    return resolveContext(text, kubeconfigPath, contextName);
  } catch (err) {
    if (err instanceof HealthError && err.path === undefined) {
      throw new HealthError(err.code, `kubeconfig ${kubeconfigPath}: ${err.detail}`);
    }
    throw err;
  }
}

function resolveContext(
  text: string,
  kubeconfigPath: string,
  contextName: string | undefined,
): KubeconfigAuth {
  const doc = parseKubeconfigYaml(text);
  const root = asMap(doc, 'the document');
  const contextWanted = contextName ?? optionalString(root['current-context'], 'current-context');
  if (contextWanted === undefined || contextWanted === '')
    fail('no context given and no current-context set');
  const context = asMap(
    findNamed(root.contexts, 'contexts', contextWanted).context,
    `context ${contextWanted}`,
  );
  const clusterName = optionalString(context.cluster, `context ${contextWanted}.cluster`);
  if (clusterName === undefined) fail(`context ${contextWanted} names no cluster`);
  const cluster = asMap(findNamed(root.clusters, 'clusters', clusterName).cluster, `cluster ${clusterName}`);
  const userName = optionalString(context.user, `context ${contextWanted}.user`);
  const user =
    userName === undefined || userName === ''
      ? {}
      : asMap(findNamed(root.users, 'users', userName).user ?? {}, `user ${userName}`);
  const where = `user ${userName ?? ''}`;
  for (const unsupported of ['exec', 'auth-provider', 'username', 'password']) {
    if (user[unsupported] !== undefined && user[unsupported] !== null) {
      fail(
        `${where} uses ${unsupported}, which the health check does not support; use a token or a client certificate`,
      );
    }
  }
  const base = dirname(resolve(kubeconfigPath));
  const ca = material(
    cluster,
    'certificate-authority-data',
    'certificate-authority',
    base,
    `cluster ${clusterName}`,
  );
  const token =
    optionalString(user.token, `${where}.token`) !== undefined
      ? { kind: 'inline' as const, data: Buffer.from(String(user.token), 'utf8') }
      : fileOnly(user, 'tokenFile', base, where);
  const clientCert = material(user, 'client-certificate-data', 'client-certificate', base, where);
  const clientKey = material(user, 'client-key-data', 'client-key', base, where);
  if ((clientCert === undefined) !== (clientKey === undefined)) {
    fail(`${where} has a client certificate without a key, or a key without a certificate`);
  }
  return {
    context: contextWanted,
    server: optionalString(cluster.server, `cluster ${clusterName}.server`),
    ca,
    insecureSkipVerify:
      cluster['insecure-skip-tls-verify'] === true || cluster['insecure-skip-tls-verify'] === 'true',
    tlsServerName: optionalString(cluster['tls-server-name'], `cluster ${clusterName}.tls-server-name`),
    token,
    clientCert,
    clientKey,
  };
}

type YamlMap = { readonly [key: string]: YamlValue };

function asMap(value: YamlValue | undefined, what: string): YamlMap {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    fail(`${what} is not a mapping`);
  }
  return value as YamlMap;
}

function optionalString(value: YamlValue | undefined, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  fail(`${what} must be a string`);
}

function findNamed(list: YamlValue | undefined, what: string, name: string): YamlMap {
  if (!Array.isArray(list)) fail(`${what} is missing or not a list`);
  for (const item of list as readonly YamlValue[]) {
    const entry = asMap(item, `an entry of ${what}`);
    if (entry.name === name) return entry;
  }
  fail(`${what} has no entry named ${JSON.stringify(name)}`);
}

function material(
  map: YamlMap,
  dataKey: string,
  fileKey: string,
  base: string,
  where: string,
): MaterialSource | undefined {
  const data = optionalString(map[dataKey], `${where}.${dataKey}`);
  if (data !== undefined && data !== '') {
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length === 0) fail(`${where}.${dataKey} is not base64`);
    return { kind: 'inline', data: bytes };
  }
  return fileOnly(map, fileKey, base, where);
}

function fileOnly(map: YamlMap, key: string, base: string, where: string): MaterialSource | undefined {
  const file = optionalString(map[key], `${where}.${key}`);
  if (file === undefined || file === '') return undefined;
  return { kind: 'file', path: isAbsolute(file) ? file : resolve(base, file) };
}

function fail(message: string): never {
  throw new HealthError('ANYVIP_HEALTH_BAD_KUBECONFIG', message);
}
