import { Check, type CheckOptions, HealthError, parseCheckConfig } from '@anyvip/healthcheck';
import { invalidConfig } from '../errors.js';
import { absent, describe, known, object, type RawObject } from './field.js';

/** The single-probe shorthands a check may use instead of a `probes` list. */
const probeKeys = ['http', 'tcp', 'exec', 'apiserver'] as const;
type ProbeKey = (typeof probeKeys)[number];

/** Check settings, spelled as `@anyvip/healthcheck`'s `parseCheckConfig` spells them. */
const settingKeys = [
  'combine',
  'interval',
  'fastInterval',
  'timeout',
  'rise',
  'fall',
  'jitter',
  'disableFile',
];

/**
 * Reads one entry of `healthchecks:` into `@anyvip/healthcheck` {@link CheckOptions}, named
 * after its key. A check has either one probe under its kind's key, or a `probes` list:
 *
 * ```yaml
 * healthchecks:
 *   apiserver: { http: { url: "https://127.0.0.1:6443/livez", insecure: true }, interval: 100ms, timeout: 80ms }
 *   web:       { http: "http://127.0.0.1:8080/healthz", rise: 2, fall: 3 }
 *   db:        { tcp: { host: 127.0.0.1, port: 5432 } }
 *   script:    { exec: ["/usr/local/bin/check", "--quick"] }
 *   cp:        { apiserver: readyz }
 *   both:      { probes: [ "tcp://127.0.0.1:80", { kind: http, url: "http://127.0.0.1/" } ], combine: all }
 * ```
 *
 * `insecure: true` is accepted for `insecureSkipVerify`. The check is fully validated here,
 * probes included (a `Check` is built and thrown away; it starts nothing), so that a bad URL
 * refuses the file at load instead of failing later. Errors name the path as written.
 *
 * @throws AnyvipError `ANYVIP_CONFIG_INVALID`
 */
export function parseHealthcheck(name: string, input: unknown, path: string): CheckOptions {
  const o = object(input, path);
  known(o, path, [...probeKeys, 'probes', ...settingKeys]);
  const given = probeKeys.filter((k) => k in o);
  const forms = given.length + ('probes' in o ? 1 : 0);
  if (forms !== 1) {
    throw invalidConfig(
      forms === 0
        ? `needs a probe: one of ${probeKeys.join(', ')}, or a probes list`
        : `give one of ${[...given, ...('probes' in o ? ['probes'] : [])].join(', ')}, not several (use probes: [...] to combine probes)`,
      path,
    );
  }
  const shorthand: ProbeKey | undefined = given[0];
  const usedInsecure = shorthand !== undefined && hasInsecure(o[shorthand]);
  const raw: Record<string, unknown> = { name };
  for (const key of settingKeys) if (!absent(o[key])) raw[key] = o[key];
  raw.probes =
    shorthand === undefined
      ? o.probes
      : [probeFromShorthand(shorthand, o[shorthand], `${path}.${shorthand}`)];

  /** A healthcheck path (`…probes[0].insecureSkipVerify`) rewritten as the user wrote it. */
  const located = (err: HealthError, base: string): Error => {
    let where =
      err.path === undefined ? base : err.path.startsWith(`${path}.`) ? err.path : `${base}.${err.path}`;
    if (shorthand !== undefined) {
      const at = `${path}.${shorthand}`;
      where = where.replace(`${path}.probes[0]`, at);
      if (usedInsecure) where = where.replace(/\.insecureSkipVerify$/, '.insecure');
      // A scalar shorthand (`http: "ftp://…"`) has no sub-fields to point at.
      if (typeof o[shorthand] !== 'object' && where.startsWith(`${at}.`)) where = at;
    }
    return invalidConfig(err.detail, where);
  };
  let options: CheckOptions;
  try {
    options = parseCheckConfig(raw, path);
  } catch (err) {
    if (err instanceof HealthError) throw located(err, path);
    throw err;
  }
  try {
    new Check(options);
  } catch (err) {
    if (err instanceof HealthError) throw located(err, path);
    throw err;
  }
  return options;
}

function hasInsecure(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'insecure' in value;
}

/** The `probes[0]` item, in healthcheck config syntax, that a shorthand key stands for. */
function probeFromShorthand(key: ProbeKey, value: unknown, path: string): unknown {
  switch (key) {
    case 'http':
      if (typeof value === 'string') return { kind: 'http', url: value };
      return { kind: 'http', ...renameInsecure(object(value, path), path) };
    case 'tcp':
      if (typeof value === 'string') return value.startsWith('tcp://') ? value : `tcp://${value}`;
      return { kind: 'tcp', ...object(value, path) };
    case 'exec':
      if (typeof value === 'string' || Array.isArray(value)) return { kind: 'exec', command: value };
      return { kind: 'exec', ...object(value, path) };
    case 'apiserver':
      if (absent(value) || value === true) return { kind: 'apiserver' };
      if (value === 'livez' || value === 'readyz') return { kind: 'apiserver', endpoint: value };
      if (typeof value === 'string' || typeof value === 'boolean') {
        throw invalidConfig(
          `must be livez, readyz, true or a mapping of apiserver options, got ${describe(value)}`,
          path,
        );
      }
      return { kind: 'apiserver', ...renameInsecure(object(value, path), path) };
  }
}

function renameInsecure(o: RawObject, path: string): RawObject {
  if (!('insecure' in o)) return o;
  if ('insecureSkipVerify' in o)
    throw invalidConfig('give insecure or insecureSkipVerify, not both', `${path}.insecure`);
  const { insecure, ...rest } = o;
  return { ...rest, insecureSkipVerify: insecure };
}
