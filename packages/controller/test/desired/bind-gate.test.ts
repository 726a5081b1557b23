import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { gateOnBinding, withheldVips } from '../../src/desired/bind-gate.js';
import { computeDesiredState } from '../../src/desired/compute.js';

const bgp = parseConfigText(`
bgp: { asn: 65001, routerId: 10.250.0.11, peers: [{ address: 10.250.0.1, asn: 65000, families: [ipv4, ipv6], nextHopSelf: { ipv6: "fd00:250::11" } }] }
vips: [10.250.255.1, 10.250.255.2, "fd00:250::ff:1"]
`);
const up = () => undefined;

describe('gateOnBinding: never announce what is not bound', () => {
  it('passes the desired state through unchanged (same object) when every address is held', () => {
    const desired = computeDesiredState(bgp, up);
    const held = new Set(['10.250.255.1/32', '10.250.255.2/32', 'fd00:250::ff:1/128']);
    expect(gateOnBinding(desired, held)).toBe(desired);
  });

  it('withholds the BGP route of a VIP whose address is not held, with the sink failure as reason', () => {
    const desired = computeDesiredState(bgp, up);
    const gated = gateOnBinding(
      desired,
      new Set(['10.250.255.1/32', 'fd00:250::ff:1/128']),
      new Map([['10.250.255.2/32', 'ip addr add 10.250.255.2/32 dev lo: Operation not permitted']]),
    );
    expect([...(gated.bgp?.routes.keys() ?? [])].sort()).toEqual(['10.250.255.1/32', 'fd00:250::ff:1/128']);
    expect(gated.vips.get('10.250.255.2/32')).toMatchObject({
      announce: false,
      bind: true,
      withheld: 'address not bound to lo: ip addr add 10.250.255.2/32 dev lo: Operation not permitted',
    });
    // The loopback part is untouched: the sink keeps trying to bind it.
    expect(gated.loopback).toBe(desired.loopback);
    expect(withheldVips(gated)).toEqual([
      {
        vip: '10.250.255.2/32',
        reason: 'address not bound to lo: ip addr add 10.250.255.2/32 dev lo: Operation not permitted',
      },
    ]);
  });

  it('explains every withheld VIP with a failure about the device when there is no per-VIP one (ip missing)', () => {
    const gated = gateOnBinding(
      computeDesiredState(bgp, up),
      new Set(),
      new Map([['device lo', 'spawn ip ENOENT']]),
    );
    expect(gated.bgp?.routes.size).toBe(0);
    expect(withheldVips(gated).map((w) => w.reason)).toEqual([
      'address not bound to lo: spawn ip ENOENT',
      'address not bound to lo: spawn ip ENOENT',
      'address not bound to lo: spawn ip ENOENT',
    ]);
  });

  it('in table mode, does not write the kernel route of an unbound VIP', () => {
    const table = parseConfigText('mode: table\nvips: [10.250.255.1, 10.250.255.2]\n');
    const gated = gateOnBinding(computeDesiredState(table, up), new Set(['10.250.255.1/32']));
    expect([...gated.table.routes.keys()]).toEqual(['10.250.255.1/32']);
    expect(gated.vips.get('10.250.255.2/32')?.withheld).toBe('address not bound to lo');
  });

  it('leaves VIPs alone when the loopback sink does not bind them (loopback disabled)', () => {
    const desired = computeDesiredState(
      parseConfigText('mode: table\nloopback: { enabled: false }\nvips: [10.250.255.1]\n'),
      up,
    );
    expect(gateOnBinding(desired, new Set())).toBe(desired);
  });
});
