import { type CheckOptions, resolveCheckSettings } from './check.js';
import type { CombinePolicy } from './combine.js';
import { parseDuration } from './duration.js';
import { badConfig, HealthError } from './errors.js';
import type { ApiserverEndpoint } from './probes/apiserver.js';
import type { StatusRange } from './probes/http.js';
import type { ProbeSpec } from './probes/probe-spec.js';

/**
 * Turns a configuration value (parsed JSON or YAML) into {@link CheckOptions}. Durations are
 * strings such as `"100ms"` or `"2s"` (or numbers of milliseconds); unknown keys are refused so
 * that a typo (`fastinterval`) is an error rather than a silently ignored setting. Each probe
 * is an object with a `kind`, or a shorthand string (see {@link parseProbeShorthand}).
 *
 * ```yaml
 * name: vip-web
 * interval: 1s
 * fastInterval: 200ms
 * timeout: 150ms
 * rise: 3
 * fall: 2
 * combine: { quorum: 2 }
 * disableFile: /etc/anyvip/maintenance
 * probes:
 *   - { kind: http, url: "http://127.0.0.1:8080/healthz", expectStatus: "200-299" }
 *   - tcp://127.0.0.1:5432
 *   - apiserver
 * ```
 *
 * Builds no probe: {@link Check}'s constructor does, and checks the combination.
 *
 * @param path where `input` sits in the caller's document, for error paths
 * @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG` or `ANYVIP_HEALTH_BAD_DURATION`, with `path`
 */
export function parseCheckConfig(input: unknown, path = 'check'): CheckOptions {
  const o = object(input, path);
  known(o, path, [
    'name',
    'probes',
    'combine',
    'interval',
    'fastInterval',
    'timeout',
    'rise',
    'fall',
    'jitter',
    'disableFile',
  ]);
  const probesValue = o.probes;
  if (!Array.isArray(probesValue) || probesValue.length === 0) {
    throw badConfig('must be a non-empty list of probes', `${path}.probes`);
  }
  const probes = probesValue.map((p: unknown, i) => parseProbeConfig(p, `${path}.probes[${i}]`));
  const options: CheckOptions = {
    name: string(o.name, `${path}.name`),
    probes,
    ...opt('combine', o.combine, (v) => parseCombine(v, `${path}.combine`)),
    ...opt('intervalMs', o.interval, (v) => duration(v, `${path}.interval`)),
    ...opt('fastIntervalMs', o.fastInterval, (v) => duration(v, `${path}.fastInterval`)),
    ...opt('timeoutMs', o.timeout, (v) => duration(v, `${path}.timeout`)),
    ...opt('jitterMs', o.jitter, (v) => duration(v, `${path}.jitter`)),
    ...opt('rise', o.rise, (v) => integer(v, `${path}.rise`)),
    ...opt('fall', o.fall, (v) => integer(v, `${path}.fall`)),
    ...opt('disableFile', o.disableFile, (v) => string(v, `${path}.disableFile`)),
  };
  // Relations between fields (timeout < interval, quorum ≤ probes), reported under config names.
  try {
    resolveCheckSettings(options, probes.length);
  } catch (err) {
    if (err instanceof HealthError && err.path !== undefined) {
      throw new HealthError(err.code, err.detail, `${path}.${configName[err.path] ?? err.path}`);
    }
    throw err;
  }
  return options;
}

/** Option names as configuration files spell them. */
const configName: Readonly<Record<string, string>> = {
  intervalMs: 'interval',
  fastIntervalMs: 'fastInterval',
  timeoutMs: 'timeout',
  jitterMs: 'jitter',
};

/**
 * Reads a `--health` style shorthand:
 *
 * - `apiserver`, `apiserver:livez`, `apiserver:readyz`: the kube-apiserver preset;
 * - `http://…`, `https://…`: a GET expecting 200-399;
 * - `tcp://host:port` (`tcp://[::1]:port` for IPv6): a TCP connect;
 * - `exec:<command line>`: a command run with `/bin/sh -c`.
 *
 * @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG`
 */
export function parseProbeShorthand(text: string, path = 'probe'): ProbeSpec {
  const t = text.trim();
  if (t === 'apiserver') return { kind: 'apiserver' };
  if (t.startsWith('apiserver:')) {
    const endpoint = t.slice('apiserver:'.length);
    if (endpoint !== 'livez' && endpoint !== 'readyz') {
      throw badConfig(`apiserver endpoint must be livez or readyz, got ${JSON.stringify(endpoint)}`, path);
    }
    return { kind: 'apiserver', endpoint };
  }
  if (t.startsWith('http://') || t.startsWith('https://')) return { kind: 'http', url: t };
  if (t.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(t);
    } catch {
      throw badConfig(`not a tcp://host:port target: ${JSON.stringify(t)}`, path);
    }
    if (url.port === '' || url.hostname === '' || (url.pathname !== '' && url.pathname !== '/')) {
      throw badConfig(`expected tcp://host:port, got ${JSON.stringify(t)}`, path);
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    return { kind: 'tcp', host, port: Number(url.port) };
  }
  if (t.startsWith('exec:')) {
    const command = t.slice('exec:'.length).trim();
    if (command === '') throw badConfig('exec: needs a command', path);
    return { kind: 'exec', command };
  }
  throw badConfig(
    `unknown probe ${JSON.stringify(t)}; expected apiserver[:livez|:readyz], http(s)://…, tcp://host:port or exec:…`,
    path,
  );
}

function parseProbeConfig(input: unknown, path: string): ProbeSpec {
  if (typeof input === 'string') return parseProbeShorthand(input, path);
  const o = object(input, path);
  const kind = o.kind;
  const name = opt('name', o.name, (v) => string(v, `${path}.name`));
  switch (kind) {
    case 'http':
      known(o, path, [
        'kind',
        'name',
        'url',
        'expectStatus',
        'bodyMatch',
        'bodyRegex',
        'maxBodyBytes',
        'headers',
        'hostHeader',
        'serverName',
        'caFile',
        'insecureSkipVerify',
        'clientCertFile',
        'clientKeyFile',
        'bearerTokenFile',
      ]);
      if (o.bodyMatch !== undefined && o.bodyRegex !== undefined) {
        throw badConfig('give bodyMatch or bodyRegex, not both', `${path}.bodyRegex`);
      }
      return {
        kind,
        ...name,
        url: string(o.url, `${path}.url`),
        ...opt('expectStatus', o.expectStatus, (v) => parseStatusRange(v, `${path}.expectStatus`)),
        ...opt('bodyMatch', o.bodyMatch, (v) => string(v, `${path}.bodyMatch`)),
        ...opt('bodyMatch', o.bodyRegex, (v) => regex(v, `${path}.bodyRegex`)),
        ...opt('maxBodyBytes', o.maxBodyBytes, (v) => integer(v, `${path}.maxBodyBytes`)),
        ...opt('headers', o.headers, (v) => stringMap(v, `${path}.headers`)),
        ...opt('hostHeader', o.hostHeader, (v) => string(v, `${path}.hostHeader`)),
        ...opt('serverName', o.serverName, (v) => string(v, `${path}.serverName`)),
        ...opt('caFile', o.caFile, (v) => string(v, `${path}.caFile`)),
        ...opt('insecureSkipVerify', o.insecureSkipVerify, (v) => boolean(v, `${path}.insecureSkipVerify`)),
        ...opt('clientCertFile', o.clientCertFile, (v) => string(v, `${path}.clientCertFile`)),
        ...opt('clientKeyFile', o.clientKeyFile, (v) => string(v, `${path}.clientKeyFile`)),
        ...opt('bearerTokenFile', o.bearerTokenFile, (v) => string(v, `${path}.bearerTokenFile`)),
      };
    case 'tcp':
      known(o, path, ['kind', 'name', 'host', 'port']);
      return { kind, ...name, host: string(o.host, `${path}.host`), port: integer(o.port, `${path}.port`) };
    case 'exec': {
      known(o, path, ['kind', 'name', 'command', 'cwd', 'env', 'maxOutputBytes']);
      const command = Array.isArray(o.command)
        ? o.command.map((a: unknown, i) => string(a, `${path}.command[${i}]`))
        : string(o.command, `${path}.command`);
      return {
        kind,
        ...name,
        command,
        ...opt('cwd', o.cwd, (v) => string(v, `${path}.cwd`)),
        ...opt('env', o.env, (v) => stringMap(v, `${path}.env`)),
        ...opt('maxOutputBytes', o.maxOutputBytes, (v) => integer(v, `${path}.maxOutputBytes`)),
      };
    }
    case 'apiserver':
      known(o, path, [
        'kind',
        'name',
        'endpoint',
        'server',
        'kubeconfig',
        'context',
        'tokenFile',
        'clientCertFile',
        'clientKeyFile',
        'caFile',
        'serverName',
        'insecureSkipVerify',
      ]);
      return {
        kind,
        ...name,
        ...opt('endpoint', o.endpoint, (v) => endpoint(v, `${path}.endpoint`)),
        ...opt('server', o.server, (v) => string(v, `${path}.server`)),
        ...opt('kubeconfig', o.kubeconfig, (v) => string(v, `${path}.kubeconfig`)),
        ...opt('context', o.context, (v) => string(v, `${path}.context`)),
        ...opt('tokenFile', o.tokenFile, (v) => string(v, `${path}.tokenFile`)),
        ...opt('clientCertFile', o.clientCertFile, (v) => string(v, `${path}.clientCertFile`)),
        ...opt('clientKeyFile', o.clientKeyFile, (v) => string(v, `${path}.clientKeyFile`)),
        ...opt('caFile', o.caFile, (v) => string(v, `${path}.caFile`)),
        ...opt('serverName', o.serverName, (v) => string(v, `${path}.serverName`)),
        ...opt('insecureSkipVerify', o.insecureSkipVerify, (v) => boolean(v, `${path}.insecureSkipVerify`)),
      };
    default:
      throw badConfig(
        `kind must be http, tcp, exec or apiserver, got ${JSON.stringify(kind)}`,
        `${path}.kind`,
      );
  }
}

/** `all`, `any`, `{ quorum: k }` or `quorum:k`. */
function parseCombine(input: unknown, path: string): CombinePolicy {
  if (input === 'all' || input === 'any') return { kind: input };
  if (typeof input === 'string' && input.startsWith('quorum:')) {
    return { kind: 'quorum', min: integer(Number(input.slice('quorum:'.length)), path) };
  }
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const o = object(input, path);
    known(o, path, ['quorum']);
    return { kind: 'quorum', min: integer(o.quorum, `${path}.quorum`) };
  }
  throw badConfig(
    `must be "all", "any", "quorum:<k>" or { quorum: <k> }, got ${JSON.stringify(input)}`,
    path,
  );
}

/** `200`, `"200-299"`, `"2xx"` or `{ min, max }`. */
function parseStatusRange(input: unknown, path: string): StatusRange {
  if (typeof input === 'number') return { min: integer(input, path), max: input };
  if (typeof input === 'string') {
    const range = /^(\d{3})\s*-\s*(\d{3})$/.exec(input.trim());
    if (range) return { min: Number(range[1]), max: Number(range[2]) };
    const single = /^(\d{3})$/.exec(input.trim());
    if (single) return { min: Number(single[1]), max: Number(single[1]) };
    const klass = /^([1-5])xx$/i.exec(input.trim());
    if (klass) return { min: Number(klass[1]) * 100, max: Number(klass[1]) * 100 + 99 };
    throw badConfig(`expected a status, "200-299" or "2xx", got ${JSON.stringify(input)}`, path);
  }
  const o = object(input, path);
  known(o, path, ['min', 'max']);
  return { min: integer(o.min, `${path}.min`), max: integer(o.max, `${path}.max`) };
}

function endpoint(input: unknown, path: string): ApiserverEndpoint {
  if (input === 'livez' || input === 'readyz') return input;
  throw badConfig(`must be livez or readyz, got ${JSON.stringify(input)}`, path);
}

type Obj = { readonly [key: string]: unknown };

function object(input: unknown, path: string): Obj {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw badConfig('must be an object', path);
  return input as Obj;
}

function known(o: Obj, path: string, keys: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!keys.includes(key))
      throw badConfig(`unknown field (expected one of ${keys.join(', ')})`, `${path}.${key}`);
  }
}

function opt<K extends string, T>(key: K, value: unknown, parse: (v: unknown) => T): { [P in K]?: T } {
  if (value === undefined || value === null) return {};
  return { [key]: parse(value) } as { [P in K]?: T };
}

function string(input: unknown, path: string): string {
  if (typeof input !== 'string' || input === '') throw badConfig('must be a non-empty string', path);
  return input;
}

function integer(input: unknown, path: string): number {
  if (typeof input !== 'number' || !Number.isInteger(input))
    throw badConfig(`must be an integer, got ${input}`, path);
  return input;
}

function boolean(input: unknown, path: string): boolean {
  if (typeof input !== 'boolean') throw badConfig('must be true or false', path);
  return input;
}

function duration(input: unknown, path: string): number {
  if (typeof input !== 'string' && typeof input !== 'number') {
    throw new HealthError('ANYVIP_HEALTH_BAD_DURATION', 'must be a duration such as "100ms" or "2s"', path);
  }
  return parseDuration(input, path);
}

function regex(input: unknown, path: string): RegExp {
  const source = string(input, path);
  try {
    return new RegExp(source);
  } catch (err) {
    throw badConfig(`invalid regular expression: ${(err as Error).message}`, path);
  }
}

function stringMap(input: unknown, path: string): Record<string, string> {
  const o = object(input, path);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) out[k] = string(v, `${path}.${k}`);
  return out;
}
