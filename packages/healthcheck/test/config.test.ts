import { describe, expect, it } from 'vitest';
import { parseCheckConfig, parseProbeShorthand } from '../src/config.js';
import { HealthError } from '../src/errors.js';

function errorOf(fn: () => unknown): HealthError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HealthError) return e;
    throw e;
  }
  throw new Error('expected a HealthError');
}

describe('check configuration', () => {
  it('turns durations, combine and probe objects or shorthands into CheckOptions', () => {
    const options = parseCheckConfig({
      name: 'vip-web',
      interval: '1s',
      fastInterval: '200ms',
      timeout: '150ms',
      jitter: '50ms',
      rise: 3,
      fall: 2,
      combine: { quorum: 2 },
      disableFile: '/etc/anyvip/maintenance',
      probes: [
        { kind: 'http', url: 'http://127.0.0.1:8080/healthz', expectStatus: '2xx', bodyRegex: '^ok' },
        'tcp://[::1]:5432',
        { kind: 'exec', command: ['/usr/bin/pg_isready', '-q'], env: { PGCONNECT_TIMEOUT: '1' } },
        { kind: 'apiserver', endpoint: 'readyz', kubeconfig: '/etc/kubernetes/admin.conf' },
      ],
    });
    expect(options).toEqual({
      name: 'vip-web',
      intervalMs: 1000,
      fastIntervalMs: 200,
      timeoutMs: 150,
      jitterMs: 50,
      rise: 3,
      fall: 2,
      combine: { kind: 'quorum', min: 2 },
      disableFile: '/etc/anyvip/maintenance',
      probes: [
        {
          kind: 'http',
          url: 'http://127.0.0.1:8080/healthz',
          expectStatus: { min: 200, max: 299 },
          bodyMatch: /^ok/,
        },
        { kind: 'tcp', host: '::1', port: 5432 },
        { kind: 'exec', command: ['/usr/bin/pg_isready', '-q'], env: { PGCONNECT_TIMEOUT: '1' } },
        { kind: 'apiserver', endpoint: 'readyz', kubeconfig: '/etc/kubernetes/admin.conf' },
      ],
    });
  });

  it.each([
    ['apiserver', { kind: 'apiserver' }],
    ['apiserver:livez', { kind: 'apiserver', endpoint: 'livez' }],
    ['apiserver:readyz', { kind: 'apiserver', endpoint: 'readyz' }],
    ['https://127.0.0.1:8443/ready', { kind: 'http', url: 'https://127.0.0.1:8443/ready' }],
    ['tcp://127.0.0.1:80', { kind: 'tcp', host: '127.0.0.1', port: 80 }],
    ['tcp://[::1]:443', { kind: 'tcp', host: '::1', port: 443 }],
    ['exec:pgrep -x haproxy', { kind: 'exec', command: 'pgrep -x haproxy' }],
  ])('reads the shorthand %j', (text, spec) => {
    expect(parseProbeShorthand(text)).toEqual(spec);
  });

  it.each(['apiserver:healthz', 'tcp://127.0.0.1', 'udp://127.0.0.1:53', 'exec:', 'nonsense'])(
    'refuses the shorthand %j',
    (text) => {
      expect(errorOf(() => parseProbeShorthand(text, 'health')).code).toBe('ANYVIP_HEALTH_BAD_CONFIG');
    },
  );

  const base = { name: 'v', probes: ['tcp://127.0.0.1:80'] };
  it.each([
    ['an unknown field', { ...base, fastinterval: '1s' }, 'ANYVIP_HEALTH_BAD_CONFIG', 'check.fastinterval'],
    ['a bad duration', { ...base, interval: '100' }, 'ANYVIP_HEALTH_BAD_DURATION', 'check.interval'],
    [
      'a timeout not below the interval',
      { ...base, interval: '1s', timeout: '1s' },
      'ANYVIP_HEALTH_BAD_CONFIG',
      'check.timeout',
    ],
    [
      'a quorum above the probes',
      { ...base, combine: 'quorum:2' },
      'ANYVIP_HEALTH_BAD_CONFIG',
      'check.combine',
    ],
    [
      'an unknown probe kind',
      { ...base, probes: [{ kind: 'icmp' }] },
      'ANYVIP_HEALTH_BAD_CONFIG',
      'check.probes[0].kind',
    ],
    [
      'an unknown probe field',
      { ...base, probes: [{ kind: 'tcp', host: 'h', port: 1, tls: true }] },
      'ANYVIP_HEALTH_BAD_CONFIG',
      'check.probes[0].tls',
    ],
    ['no probes', { name: 'v', probes: [] }, 'ANYVIP_HEALTH_BAD_CONFIG', 'check.probes'],
    ['a missing name', { probes: base.probes }, 'ANYVIP_HEALTH_BAD_CONFIG', 'check.name'],
    ['rise as a string', { ...base, rise: '3' }, 'ANYVIP_HEALTH_BAD_CONFIG', 'check.rise'],
    [
      'a bad status range',
      { ...base, probes: [{ kind: 'http', url: 'http://h/', expectStatus: '2x' }] },
      'ANYVIP_HEALTH_BAD_CONFIG',
      'check.probes[0].expectStatus',
    ],
  ])('refuses %s, naming the path', (_name, input, code, path) => {
    const e = errorOf(() => parseCheckConfig(input));
    expect([e.code, e.path]).toEqual([code, path]);
  });
});
