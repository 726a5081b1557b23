import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { defaultLoopbackMetric, parseConfig } from '../../src/config/schema.js';
import { AnyvipError } from '../../src/errors.js';

/** The configuration from the controller issue, verbatim. */
const issueExample = `
bgp:
  asn: 65001
  routerId: 10.250.0.11
  peers:
    - { address: 10.250.0.1, asn: 65000, holdTime: 9 }
mode: bgp            # or: table
table: { id: 198, protocol: 248 }
healthchecks:
  apiserver: { http: { url: "https://127.0.0.1:6443/livez", insecure: true }, interval: 100ms, timeout: 80ms, rise: 2, fall: 3 }
vips:
  - { address: 10.250.255.1, healthcheck: apiserver, communities: ["65000:100"] }
`;

/** A minimal valid document as a value, for field-by-field mutations. */
function base(): Record<string, unknown> {
  return {
    bgp: { asn: 65001, routerId: '10.250.0.11', peers: [{ address: '10.250.0.1', asn: 65000 }] },
    healthchecks: { web: { http: 'http://127.0.0.1:8080/healthz' } },
    vips: [{ address: '10.250.255.1', healthcheck: 'web' }],
  };
}

/** The AnyvipError `fn` throws. */
function errorOf(fn: () => unknown): AnyvipError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AnyvipError) return err;
    throw err;
  }
  throw new Error('expected an AnyvipError, nothing was thrown');
}

describe('parseConfig: the issue example', () => {
  it('accepts the example from the controller issue and fills in defaults', () => {
    const c = parseConfigText(issueExample);
    expect(c.mode).toBe('bgp');
    expect(c.bgp).toEqual({
      asn: 65001,
      routerId: '10.250.0.11',
      listen: undefined,
      peers: [
        {
          address: '10.250.0.1',
          asn: 65000,
          port: 179,
          holdTimeSec: 9,
          localAddress: undefined,
          passive: false,
          multihop: undefined,
          families: undefined,
          nextHopSelf: undefined,
          connectRetrySec: undefined,
        },
      ],
    });
    expect(c.table).toEqual({ id: 198, protocol: 248 });
    expect(c.loopback).toEqual({
      enabled: true,
      device: 'lo',
      metric: defaultLoopbackMetric,
      keepWhenDown: true,
    });
    expect(c.vips).toEqual([
      {
        address: '10.250.255.1',
        prefix: '10.250.255.1/32',
        family: 'ipv4',
        healthcheck: 'apiserver',
        communities: ['65000:100'],
        largeCommunities: [],
        med: undefined,
        localPref: undefined,
        asPathPrepend: 0,
      },
    ]);
    expect(c.gracefulShutdown).toEqual({ enabled: false, waitMs: 5000, unbindDelayMs: 1000 });
    expect(c.reconcile).toEqual({ intervalMs: 10_000, retryMinMs: 200, retryMaxMs: 30_000 });
    expect(c.log).toEqual({ level: 'info' });
  });

  it('turns the http shorthand into a healthcheck probe, insecure meaning insecureSkipVerify', () => {
    const c = parseConfigText(issueExample);
    expect(c.healthchecks.get('apiserver')).toEqual({
      name: 'apiserver',
      probes: [{ kind: 'http', url: 'https://127.0.0.1:6443/livez', insecureSkipVerify: true }],
      intervalMs: 100,
      timeoutMs: 80,
      rise: 2,
      fall: 3,
    });
  });

  it('accepts every probe shorthand: tcp, exec, apiserver and a probes list', () => {
    const c = parseConfig({
      ...base(),
      healthchecks: {
        db: { tcp: '127.0.0.1:5432' },
        db2: { tcp: { host: '::1', port: 5432 } },
        script: { exec: ['/bin/true'] },
        cp: { apiserver: 'readyz' },
        cp2: { apiserver: null },
        both: { probes: ['tcp://127.0.0.1:80', { kind: 'http', url: 'http://127.0.0.1/' }], combine: 'any' },
      },
      vips: [],
    });
    expect(c.healthchecks.get('db')?.probes).toEqual([{ kind: 'tcp', host: '127.0.0.1', port: 5432 }]);
    expect(c.healthchecks.get('db2')?.probes).toEqual([{ kind: 'tcp', host: '::1', port: 5432 }]);
    expect(c.healthchecks.get('script')?.probes).toEqual([{ kind: 'exec', command: ['/bin/true'] }]);
    expect(c.healthchecks.get('cp')?.probes).toEqual([{ kind: 'apiserver', endpoint: 'readyz' }]);
    expect(c.healthchecks.get('cp2')?.probes).toEqual([{ kind: 'apiserver' }]);
    expect(c.healthchecks.get('both')?.combine).toEqual({ kind: 'any' });
  });

  it('canonicalises IPv6 VIPs and peers (RFC 5952) and accepts an explicit /128', () => {
    const c = parseConfig({
      ...base(),
      bgp: { asn: 65001, routerId: '10.250.0.11', peers: [{ address: 'FD00:250:0::1:1', asn: 65000 }] },
      vips: [{ address: 'fd00:250:0:0::ff:1/128' }],
    });
    expect(c.vips[0]?.prefix).toBe('fd00:250::ff:1/128');
    expect(c.vips[0]?.address).toBe('fd00:250::ff:1');
    expect(c.vips[0]?.family).toBe('ipv6');
    expect(c.bgp?.peers[0]?.address).toBe('fd00:250::1:1');
  });

  it('takes asdot AS numbers (RFC 5396) and hold times as durations', () => {
    const c = parseConfig({
      ...base(),
      bgp: {
        asn: '1.10',
        routerId: '10.250.0.11',
        peers: [{ address: '10.250.0.1', asn: 65000, holdTime: '1m30s' }],
      },
    });
    expect(c.bgp?.asn).toBe(65546);
    expect(c.bgp?.peers[0]?.holdTimeSec).toBe(90);
  });

  it('takes a peer keepaliveTime below its holdTime, absent meaning a third of the negotiated hold time', () => {
    const c = parseConfig({
      ...base(),
      bgp: {
        asn: 65001,
        routerId: '10.250.0.11',
        peers: [
          { address: '10.250.0.1', asn: 65000, holdTime: 9, keepaliveTime: '2s' },
          { address: '10.250.0.2', asn: 65000 },
        ],
      },
    });
    expect(c.bgp?.peers[0]?.keepaliveTimeSec).toBe(2);
    expect(c.bgp?.peers[1]).not.toHaveProperty('keepaliveTimeSec');
  });

  it('accepts table mode without a bgp section', () => {
    const c = parseConfig({ mode: 'table', table: { id: 200 }, vips: ['10.250.255.7'] });
    expect(c.mode).toBe('table');
    expect(c.bgp).toBeUndefined();
    expect(c.table).toEqual({ id: 200, protocol: 248 });
    expect(c.vips[0]?.healthcheck).toBeUndefined();
  });
});

describe('parseConfig: errors name the key path and say what is wrong', () => {
  const cases: [string, (c: Record<string, unknown>) => void, string, RegExp][] = [
    ['an unknown top-level key', (c) => (c.vip = []), 'vip', /unknown field \(expected one of: mode, bgp/],
    ['a mode that does not exist', (c) => (c.mode = 'ospf'), 'mode', /must be one of bgp, table, got "ospf"/],
    ['bgp mode without bgp', (c) => delete c.bgp, 'bgp', /required when mode is bgp/],
    ['a bgp section in table mode', (c) => (c.mode = 'table'), 'bgp', /not used in mode table/],
    [
      'an AS number out of range',
      (c) => ((c.bgp as Record<string, unknown>).asn = 4294967296),
      'bgp.asn',
      /must be in \[1, 4294967295\], got 4294967296/,
    ],
    [
      'a router id that is not a dotted quad',
      (c) => ((c.bgp as Record<string, unknown>).routerId = '0.0.0.0'),
      'bgp.routerId',
      /non-zero dotted quad \(RFC 6286\)/,
    ],
    ['no peers', (c) => ((c.bgp as Record<string, unknown>).peers = []), 'bgp.peers', /at least one peer/],
    [
      'a peer address that is not an address',
      (c) => ((c.bgp as Record<string, unknown>).peers = [{ address: 'router1', asn: 65000 }]),
      'bgp.peers[0].address',
      /must be an IPv4 or IPv6 address, got "router1"/,
    ],
    [
      'a peer without an AS',
      (c) => ((c.bgp as Record<string, unknown>).peers = [{ address: '10.250.0.1' }]),
      'bgp.peers[0].asn',
      /must be an integer, got nothing/,
    ],
    [
      'a hold time of 2 s (RFC 4271 §4.2)',
      (c) => ((c.bgp as Record<string, unknown>).peers = [{ address: '10.250.0.1', asn: 1, holdTime: 2 }]),
      'bgp.peers[0].holdTime',
      /0 or at least 3 seconds \(RFC 4271 §4\.2\)/,
    ],
    [
      'a keepalive not below the hold time',
      (c) =>
        ((c.bgp as Record<string, unknown>).peers = [
          { address: '10.250.0.1', asn: 1, holdTime: 9, keepaliveTime: 9 },
        ]),
      'bgp.peers[0].keepaliveTime',
      /must be in \[1, 8\] seconds, got 9/,
    ],
    [
      'a keepalive with a hold time of 0 (RFC 4271 §4.4)',
      (c) =>
        ((c.bgp as Record<string, unknown>).peers = [
          { address: '10.250.0.1', asn: 1, holdTime: 0, keepaliveTime: 3 },
        ]),
      'bgp.peers[0].keepaliveTime',
      /needs a non-zero holdTime/,
    ],
    [
      'a misspelt peer field',
      (c) => ((c.bgp as Record<string, unknown>).peers = [{ address: '10.250.0.1', asn: 1, holdtime: 9 }]),
      'bgp.peers[0].holdtime',
      /unknown field/,
    ],
    [
      'a duplicate peer',
      (c) =>
        ((c.bgp as Record<string, unknown>).peers = [
          { address: '10.250.0.1', asn: 1 },
          { address: '10.250.0.1', asn: 2 },
        ]),
      'bgp.peers[1].address',
      /10\.250\.0\.1 is already bgp\.peers\[0\]/,
    ],
    [
      'a passive peer without listen',
      (c) => ((c.bgp as Record<string, unknown>).peers = [{ address: '10.250.0.1', asn: 1, passive: true }]),
      'bgp.peers[0].passive',
      /needs bgp\.listen/,
    ],
    ['the main table', (c) => (c.table = { id: 254 }), 'table.id', /kernel's main table/],
    [
      'a kernel route protocol',
      (c) => (c.table = { protocol: 2 }),
      'table.protocol',
      /must be in \[5, 255\]/,
    ],
    [
      'a VIP that is not an address',
      (c) => (c.vips = [{ address: 'vip1' }]),
      'vips[0].address',
      /got "vip1"/,
    ],
    [
      'a VIP that is a network',
      (c) => (c.vips = [{ address: '10.250.255.0/24' }]),
      'vips[0].address',
      /a VIP is one address \(\/32\), got 10\.250\.255\.0\/24/,
    ],
    [
      'a VIP naming an undefined healthcheck',
      (c) => (c.vips = [{ address: '10.250.255.1', healthcheck: 'api' }]),
      'vips[0].healthcheck',
      /no healthcheck named "api" \(defined: web\)/,
    ],
    [
      'a duplicate VIP, spelt differently',
      (c) => (c.vips = [{ address: '10.250.255.1' }, { address: '10.250.255.1/32' }]),
      'vips[1].address',
      /10\.250\.255\.1\/32 is already vips\[0\]/,
    ],
    [
      'a community that does not parse',
      (c) => (c.vips = [{ address: '10.250.255.1', communities: ['65000:100', '65000:70000'] }]),
      'vips[0].communities[1]',
      /not a community: "65000:70000"/,
    ],
    [
      'a bad duration',
      (c) => (c.healthchecks = { web: { http: 'http://127.0.0.1/', interval: '100' } }),
      'healthchecks.web.interval',
      /cannot parse duration "100"/,
    ],
    [
      'a timeout not shorter than the interval',
      (c) => (c.healthchecks = { web: { http: 'http://127.0.0.1/', interval: '100ms', timeout: '100ms' } }),
      'healthchecks.web.timeout',
      /must be less than interval/,
    ],
    [
      'a check without a probe',
      (c) => (c.healthchecks = { web: { interval: '1s' } }),
      'healthchecks.web',
      /needs a probe/,
    ],
    [
      'a check with two probe kinds',
      (c) => (c.healthchecks = { web: { http: 'http://127.0.0.1/', tcp: '127.0.0.1:80' } }),
      'healthchecks.web',
      /give one of http, tcp, not several/,
    ],
    [
      'a bad URL inside the http shorthand',
      (c) => (c.healthchecks = { web: { http: { url: 'ftp://127.0.0.1/' } } }),
      'healthchecks.web.http.url',
      /http/,
    ],
    [
      'a bad URL as the http shorthand string',
      (c) => (c.healthchecks = { web: { http: 'ftp://127.0.0.1/' } }),
      'healthchecks.web.http',
      /http/,
    ],
    [
      'a tcp shorthand without a port',
      (c) => (c.healthchecks = { web: { tcp: '127.0.0.1' } }),
      'healthchecks.web.tcp',
      /tcp:\/\/host:port/,
    ],
    [
      'insecure that is not a boolean',
      (c) => (c.healthchecks = { web: { http: { url: 'https://127.0.0.1/', insecure: 'yes' } } }),
      'healthchecks.web.http.insecure',
      /true or false/,
    ],
    [
      'an unknown http option',
      (c) => (c.healthchecks = { web: { http: { url: 'https://127.0.0.1/', verify: false } } }),
      'healthchecks.web.http.verify',
      /unknown field/,
    ],
    [
      'a graceful shutdown wait that is not a duration',
      (c) => (c.gracefulShutdown = { enabled: true, wait: true }),
      'gracefulShutdown.wait',
      /duration/,
    ],
    [
      'a log level that does not exist',
      (c) => (c.log = { level: 'verbose' }),
      'log.level',
      /error, warn, info, debug/,
    ],
  ];

  for (const [what, mutate, path, message] of cases) {
    it(`refuses ${what} at ${path}`, () => {
      const c = base();
      mutate(c);
      const err = errorOf(() => parseConfig(c));
      expect(err.code).toBe('ANYVIP_CONFIG_INVALID');
      expect(err.path).toBe(path);
      expect(err.detail).toMatch(message);
      expect(err.message.startsWith(`${path}: `)).toBe(true);
    });
  }

  it('refuses a VIP of a family no peer carries', () => {
    const err = errorOf(() => parseConfig({ ...base(), vips: ['fd00:250::ff:1'] }));
    expect(err.path).toBe('vips[0].address');
    expect(err.detail).toMatch(/^no BGP peer carries ipv6 routes/);
  });

  it('refuses a second family on a session without a next hop for it', () => {
    const c = base();
    (c.bgp as Record<string, unknown>).peers = [
      { address: '10.250.0.1', asn: 65000, families: ['ipv4', 'ipv6'] },
    ];
    const err = errorOf(() => parseConfig(c));
    expect(err.path).toBe('bgp.peers[0].families');
    expect(err.detail).toBe(
      "ipv6 routes over an ipv4 session need a next hop: set nextHopSelf.ipv6 to this node's ipv6 address",
    );
  });

  it('accepts IPv6 VIPs over an IPv4 session with nextHopSelf.ipv6', () => {
    const c = base();
    (c.bgp as Record<string, unknown>).peers = [
      {
        address: '10.250.0.1',
        asn: 65000,
        families: ['ipv4', 'ipv6'],
        nextHopSelf: { ipv6: 'fd00:250::11' },
      },
    ];
    c.vips = ['fd00:250::ff:1'];
    expect(parseConfig(c).bgp?.peers[0]?.nextHopSelf).toEqual({ ipv6: 'fd00:250::11' });
  });

  it('refuses a VIP outside allowedRanges with ANYVIP_VIP_OUTSIDE_POOL', () => {
    const c = { ...base(), allowedRanges: ['10.250.254.0/24', 'fd00:250::/64'] };
    const err = errorOf(() => parseConfig(c));
    expect(err.code).toBe('ANYVIP_VIP_OUTSIDE_POOL');
    expect(err.path).toBe('vips[0].address');
    expect(err.detail).toBe('10.250.255.1/32 is outside allowedRanges (10.250.254.0/24, fd00:250::/64)');
  });

  it('reads vips[].weight (0-1000000) and bgp.linkBandwidth, and refuses what is out of range with its path', () => {
    const c = parseConfig({
      ...base(),
      vips: [{ address: '10.250.255.1', weight: 3 }],
    });
    expect(c.vips[0]?.weight).toBe(3);
    expect(c.bgp?.linkBandwidth).toBeUndefined();
    expect(
      errorOf(() => parseConfig({ ...base(), vips: [{ address: '10.250.255.1', weight: -1 }] })).path,
    ).toBe('vips[0].weight');
    expect(
      errorOf(() => parseConfig({ ...base(), vips: [{ address: '10.250.255.1', weight: 1.5 }] })).path,
    ).toBe('vips[0].weight');
    const b = base();
    const withLb = parseConfig({ ...b, bgp: { ...(b.bgp as object), linkBandwidth: { unit: 1000 } } });
    expect(withLb.bgp?.linkBandwidth).toEqual({ unitBytesPerSec: 1000, transitive: false });
    expect(
      errorOf(() => parseConfig({ ...b, bgp: { ...(b.bgp as object), linkBandwidth: { unit: 0 } } })).path,
    ).toBe('bgp.linkBandwidth.unit');
  });

  it('accepts VIPs inside allowedRanges', () => {
    const c = parseConfig({ ...base(), allowedRanges: ['10.250.255.0/24'] });
    expect(c.allowedRanges).toEqual(['10.250.255.0/24']);
  });

  it('refuses an allowedRanges entry with host bits set', () => {
    const err = errorOf(() => parseConfig({ ...base(), allowedRanges: ['10.250.255.1/24'] }));
    expect(err.path).toBe('allowedRanges[0]');
  });
});
