import { describe, expect, it } from 'vitest';
import type { DesiredState, TableRoute } from '../../src/desired/types.js';
import type { Phase } from '../../src/reconcile/sink.js';
import { RouteTableSink } from '../../src/sinks/route-table.js';
import { FakeIp } from '../support/fake-ip.js';

function desired(prefixes: readonly string[], table = 198, protocol = 248): DesiredState {
  const routes = new Map<string, TableRoute>(
    prefixes.map((p) => [p, { prefix: p, family: p.includes(':') ? 'ipv6' : 'ipv4' }]),
  );
  return {
    vips: new Map(),
    loopback: { device: 'lo', metric: 7717, addresses: new Map() },
    bgp: undefined,
    table: { table, protocol, device: 'lo', routes },
    kubernetes: undefined,
    lifecycle: { kind: 'running' },
    carry: undefined,
    nextWakeMs: undefined,
  };
}

async function pass(sink: RouteTableSink, d: DesiredState) {
  const out = [];
  for (const phase of ['remove', 'add'] as Phase[]) out.push(await sink.apply(d, phase));
  return { remove: out[0]!, add: out[1]! };
}

describe('RouteTableSink (routing-table mode)', () => {
  it('writes VIP dev lo table T proto P routes with ip route replace', async () => {
    const ip = new FakeIp();
    const sink = new RouteTableSink({ ip });
    const r = await pass(sink, desired(['10.250.255.1/32', 'fd00:250::ff:1/128']));
    expect(ip.batchLines).toEqual([
      'route replace 10.250.255.1/32 dev lo table 198 proto 248',
      'route replace fd00:250::ff:1/128 dev lo table 198 proto 248',
    ]);
    expect(r.add.applied).toEqual(['10.250.255.1/32', 'fd00:250::ff:1/128']);
    expect(ip.routeList(198)).toEqual([
      '10.250.255.1/32 dev lo proto 248',
      'fd00:250::ff:1/128 dev lo proto 248',
    ]);
  });

  it('looks at nothing while it has never had a route to write', async () => {
    const ip = new FakeIp();
    const r = await pass(new RouteTableSink({ ip }), desired([]));
    expect(ip.commands).toEqual([]);
    expect(r.add.applied).toEqual([]);
  });

  it('is idempotent: a second pass lists the table (by protocol) and changes nothing', async () => {
    const ip = new FakeIp();
    const sink = new RouteTableSink({ ip });
    await pass(sink, desired(['10.250.255.1/32']));
    ip.clearCommands();
    const r = await pass(sink, desired(['10.250.255.1/32']));
    expect(ip.commands).toEqual([
      '-j -4 route show table 198 proto 248',
      '-j -6 route show table 198 proto 248',
      '-j -4 route show table 198 proto 248',
      '-j -6 route show table 198 proto 248',
    ]);
    expect(r.add.changes).toEqual([]);
  });

  it('removes a route when its VIP goes down, and restores one deleted behind its back', async () => {
    const ip = new FakeIp();
    const sink = new RouteTableSink({ ip });
    await pass(sink, desired(['10.250.255.1/32', '10.250.255.2/32']));
    ip.clearCommands();
    const r = await pass(sink, desired(['10.250.255.2/32']));
    expect(ip.batchLines).toEqual(['route del 10.250.255.1/32 dev lo table 198 proto 248']);
    expect(r.remove.changes.map((c) => `${c.action} ${c.vip}`)).toEqual(['remove 10.250.255.1/32']);
    ip.routes.splice(0, ip.routes.length);
    ip.clearCommands();
    await pass(sink, desired(['10.250.255.2/32']));
    expect(ip.batchLines).toEqual(['route replace 10.250.255.2/32 dev lo table 198 proto 248']);
  });

  it('touches only routes of its own protocol in its own table', async () => {
    const ip = new FakeIp();
    ip.routes.push(
      { prefix: '10.250.255.9/32', dev: 'lo', table: 198, protocol: 4 }, // static, by hand
      { prefix: '10.250.255.8/32', dev: 'lo', table: 254, protocol: 248 }, // main table
      { prefix: '10.250.255.7/32', dev: 'lo', table: 198, protocol: 248 }, // ours, stale
    );
    const sink = new RouteTableSink({ ip });
    await pass(sink, desired(['10.250.255.1/32']));
    expect(ip.batchLines).toEqual([
      'route del 10.250.255.7/32 dev lo table 198 proto 248',
      'route replace 10.250.255.1/32 dev lo table 198 proto 248',
    ]);
    expect(ip.routeList(198)).toEqual(['10.250.255.9/32 dev lo proto 4', '10.250.255.1/32 dev lo proto 248']);
    expect(ip.routeList(254)).toEqual(['10.250.255.8/32 dev lo proto 248']);
  });

  it('empties the old table when the table changes on reload', async () => {
    const ip = new FakeIp();
    const sink = new RouteTableSink({ ip });
    await pass(sink, desired(['10.250.255.1/32']));
    ip.clearCommands();
    await pass(sink, desired(['10.250.255.1/32'], 200));
    expect(ip.batchLines).toEqual([
      'route del 10.250.255.1/32 dev lo table 198 proto 248',
      'route replace 10.250.255.1/32 dev lo table 200 proto 248',
    ]);
    expect(ip.routeList(198)).toEqual([]);
    ip.clearCommands();
    await pass(sink, desired(['10.250.255.1/32'], 200));
    expect(ip.commands.every((c) => c.includes('table 200'))).toBe(true);
  });

  it('takes a route already gone on delete as done, and reports other failures per VIP', async () => {
    const ip = new FakeIp();
    const sink = new RouteTableSink({ ip });
    await pass(sink, desired(['10.250.255.1/32']));
    ip.failures.push({ pattern: /route del/, message: 'RTNETLINK answers: No such process' });
    ip.failures.push({
      pattern: /route replace 10\.250\.255\.2/,
      message: 'RTNETLINK answers: Operation not permitted',
    });
    const r = await pass(sink, desired(['10.250.255.2/32']));
    expect(r.remove.errors).toEqual([]);
    expect(r.add.errors.map((e) => e.vip)).toEqual(['10.250.255.2/32']);
  });
});
