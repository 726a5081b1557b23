import { describe, expect, it } from 'vitest';
import { type ControllerConfig, parseConfig } from '../../src/config/schema.js';
import { computeDesiredState, computeShutdownState } from '../../src/desired/compute.js';
import type { GateEntry, HealthLookup } from '../../src/desired/health.js';

function config(over: Record<string, unknown> = {}): ControllerConfig {
  return parseConfig({
    bgp: {
      asn: 65001,
      routerId: '10.250.0.11',
      peers: [
        { address: '10.250.0.1', asn: 65000 },
        { address: 'fd00:250::1', asn: 65000 },
      ],
    },
    healthchecks: { web: { http: 'http://127.0.0.1:8080/' }, db: { tcp: '127.0.0.1:5432' } },
    vips: [
      { address: '10.250.255.1', healthcheck: 'web', communities: ['65000:100'], med: 10 },
      { address: '10.250.255.2', healthcheck: 'db' },
      { address: 'fd00:250::ff:1' },
    ],
    ...over,
  });
}

function health(entries: Record<string, GateEntry>): HealthLookup {
  return (name) => entries[name];
}

const up: GateEntry = { state: 'up', everUp: true };
const downAfterUp: GateEntry = { state: 'down', everUp: true };
const downNeverUp: GateEntry = { state: 'down', everUp: false };

describe('computeDesiredState', () => {
  it('announces and binds a VIP whose check is up, and one without a check', () => {
    const d = computeDesiredState(config(), health({ web: up }));
    expect([...(d.bgp?.routes.keys() ?? [])]).toEqual(['10.250.255.1/32', 'fd00:250::ff:1/128']);
    expect([...d.loopback.addresses.keys()]).toEqual(['10.250.255.1/32', 'fd00:250::ff:1/128']);
    expect(d.bgp?.routes.get('10.250.255.1/32')?.attributes).toEqual({
      communities: ['65000:100'],
      largeCommunities: [],
      med: 10,
      localPref: undefined,
      asPathPrepend: 0,
      extendedCommunities: [],
    });
  });

  it('a VIP with a weight carries the link-bandwidth community, weight × bgp.linkBandwidth.unit (issue 18)', () => {
    const vips = [{ address: '10.250.255.1', weight: 5 }, { address: '10.250.255.2' }];
    const d = computeDesiredState(config({ vips, healthchecks: {} }), health({}));
    expect(d.bgp?.routes.get('10.250.255.1/32')?.attributes.extendedCommunities).toEqual([
      'link-bandwidth:65001:625000000',
    ]);
    expect(d.bgp?.routes.get('10.250.255.2/32')?.attributes.extendedCommunities).toEqual([]);
    const bgp = {
      asn: 65001,
      routerId: '10.250.0.11',
      peers: [{ address: '10.250.0.1', asn: 65000 }],
      linkBandwidth: { unit: 125000, transitive: true },
    };
    const t = computeDesiredState(config({ bgp, vips, healthchecks: {} }), health({}));
    expect(t.bgp?.routes.get('10.250.255.1/32')?.attributes.extendedCommunities).toEqual([
      'link-bandwidth-transitive:65001:625000',
    ]);
  });

  it('neither announces nor binds a VIP whose check has not reported (unknown: wait for rise)', () => {
    const d = computeDesiredState(config(), health({}));
    expect(d.vips.get('10.250.255.2/32')).toMatchObject({ health: 'unknown', announce: false, bind: false });
  });

  it('withdraws a VIP whose check went down but keeps its address bound (keepWhenDown)', () => {
    const d = computeDesiredState(config(), health({ web: downAfterUp }));
    expect(d.bgp?.routes.has('10.250.255.1/32')).toBe(false);
    expect(d.loopback.addresses.has('10.250.255.1/32')).toBe(true);
    expect(d.vips.get('10.250.255.1/32')).toMatchObject({ health: 'down', announce: false, bind: true });
  });

  it('does not bind a VIP whose check was never up', () => {
    const d = computeDesiredState(config(), health({ web: downNeverUp }));
    expect(d.loopback.addresses.has('10.250.255.1/32')).toBe(false);
  });

  it('unbinds on down when keepWhenDown is false', () => {
    const d = computeDesiredState(
      config({ loopback: { keepWhenDown: false } }),
      health({ web: downAfterUp }),
    );
    expect(d.loopback.addresses.has('10.250.255.1/32')).toBe(false);
  });

  it('binds nothing when the loopback is disabled, and still announces', () => {
    const d = computeDesiredState(config({ loopback: { enabled: false } }), health({ web: up }));
    expect(d.loopback.addresses.size).toBe(0);
    expect(d.bgp?.routes.size).toBe(2);
  });

  it('writes table routes instead of BGP routes in table mode', () => {
    const c = config({ mode: 'table', bgp: undefined, table: { id: 200, protocol: 250 } });
    const d = computeDesiredState(c, health({ web: up }));
    expect(d.bgp).toBeUndefined();
    expect(d.table).toMatchObject({ table: 200, protocol: 250, device: 'lo' });
    expect([...d.table.routes.keys()]).toEqual(['10.250.255.1/32', 'fd00:250::ff:1/128']);
  });

  it('keys peers by address and carries the speaker identity', () => {
    const d = computeDesiredState(config(), health({}));
    expect([...(d.bgp?.peers.keys() ?? [])]).toEqual(['10.250.0.1', 'fd00:250::1']);
    expect(d.bgp?.speaker).toEqual({ asn: 65001, routerId: '10.250.0.11', listen: undefined });
  });

  it('is pure: the same inputs give equal states', () => {
    const c = config();
    const h = health({ web: up, db: downAfterUp });
    expect(computeDesiredState(c, h)).toEqual(computeDesiredState(c, h));
  });

  it('leaves the allowed-range rule to the one place that decides it: parseConfig refuses at load', () => {
    const raw = {
      bgp: { asn: 65001, routerId: '10.250.0.11', peers: [{ address: '10.250.0.1', asn: 65000 }] },
      allowedRanges: ['10.250.255.0/31'],
      vips: ['10.250.255.1', '10.250.255.2'],
    };
    expect(() => parseConfig(raw)).toThrow(
      expect.objectContaining({
        code: 'ANYVIP_VIP_OUTSIDE_POOL',
        message: expect.stringContaining('10.250.255.2/32 is outside allowedRanges (10.250.255.0/31)'),
      }),
    );
    const allowed = parseConfig({ ...raw, vips: ['10.250.255.1'] });
    const d = computeDesiredState(allowed, health({}));
    expect(d.vips.get('10.250.255.1/32')).toMatchObject({ announce: true, refused: undefined });
  });
});

describe('computeShutdownState', () => {
  it('keeps the speaker and peers but no routes, table routes or addresses', () => {
    const d = computeShutdownState(computeDesiredState(config(), health({ web: up })));
    expect(d.bgp?.routes.size).toBe(0);
    expect(d.bgp?.peers.size).toBe(2);
    expect(d.loopback.addresses.size).toBe(0);
    expect(d.table.routes.size).toBe(0);
  });
});
