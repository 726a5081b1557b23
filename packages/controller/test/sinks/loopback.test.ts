import { describe, expect, it } from 'vitest';
import type { DesiredState, LoopbackAddress } from '../../src/desired/types.js';
import type { Phase } from '../../src/reconcile/sink.js';
import { LoopbackSink } from '../../src/sinks/loopback.js';
import { FakeIp } from '../support/fake-ip.js';

const METRIC = 7717;

function desired(prefixes: readonly string[], device = 'lo', metric = METRIC): DesiredState {
  const addresses = new Map<string, LoopbackAddress>(
    prefixes.map((p) => [
      p,
      { prefix: p, address: p.slice(0, p.indexOf('/')), family: p.includes(':') ? 'ipv6' : 'ipv4' },
    ]),
  );
  return {
    vips: new Map(),
    loopback: { device, metric, addresses },
    bgp: undefined,
    table: { table: 198, protocol: 248, device, routes: new Map() },
    kubernetes: undefined,
    lifecycle: { kind: 'running' },
    carry: undefined,
    nextWakeMs: undefined,
  };
}

/** One pass: remove phase then add phase, as the loop runs it. */
async function pass(sink: LoopbackSink, d: DesiredState) {
  const out = [];
  for (const phase of ['remove', 'add'] as Phase[]) out.push(await sink.apply(d, phase));
  return { remove: out[0]!, add: out[1]! };
}

describe('LoopbackSink', () => {
  it('binds VIPs with exact ip commands: an IPv4 label and our metric as the marker', async () => {
    const ip = new FakeIp();
    const sink = new LoopbackSink({ ip });
    const r = await pass(sink, desired(['10.250.255.1/32', 'fd00:250::ff:1/128']));
    expect(ip.commands).toEqual([
      '-j addr show dev lo',
      '-j addr show dev lo',
      '-force -batch -',
      'batch: addr add 10.250.255.1/32 dev lo label lo:anyvip metric 7717',
      'batch: addr add fd00:250::ff:1/128 dev lo metric 7717',
    ]);
    expect(r.add.changes.map((c) => `${c.action} ${c.vip} ${c.what}`)).toEqual([
      'add 10.250.255.1/32 bound to lo',
      'add fd00:250::ff:1/128 bound to lo',
    ]);
    expect(r.add.applied).toEqual(['10.250.255.1/32', 'fd00:250::ff:1/128']);
    expect(r.add.errors).toEqual([]);
  });

  it('is idempotent: a second pass only looks', async () => {
    const ip = new FakeIp();
    const sink = new LoopbackSink({ ip });
    await pass(sink, desired(['10.250.255.1/32']));
    ip.clearCommands();
    const r = await pass(sink, desired(['10.250.255.1/32']));
    expect(ip.commands).toEqual(['-j addr show dev lo', '-j addr show dev lo']);
    expect(r.add.changes).toEqual([]);
    expect(r.add.applied).toEqual(['10.250.255.1/32']);
  });

  it('restores an address someone removed', async () => {
    const ip = new FakeIp();
    const sink = new LoopbackSink({ ip });
    await pass(sink, desired(['10.250.255.1/32']));
    ip.addresses.set(
      'lo',
      (ip.addresses.get('lo') ?? []).filter((a) => a.address !== '10.250.255.1'),
    );
    ip.clearCommands();
    await pass(sink, desired(['10.250.255.1/32']));
    expect(ip.batchLines).toEqual(['addr add 10.250.255.1/32 dev lo label lo:anyvip metric 7717']);
    expect(ip.addressList()).toEqual(['10.250.255.1/32 metric 7717']);
  });

  it('removes only its own addresses: same metric, host length', async () => {
    const ip = new FakeIp();
    const lo = ip.addresses.get('lo') ?? [];
    lo.push(
      { address: '10.250.255.9', prefixLength: 32, family: 'inet', metric: undefined, label: 'lo' }, // by hand
      { address: '10.250.255.8', prefixLength: 32, family: 'inet', metric: 100, label: 'lo' }, // another tool
      { address: '10.250.255.7', prefixLength: 32, family: 'inet', metric: METRIC, label: 'lo:anyvip' }, // ours, stale
      { address: 'fd00:250::ff:7', prefixLength: 128, family: 'inet6', metric: METRIC, label: undefined }, // ours, stale
    );
    const sink = new LoopbackSink({ ip });
    const r = await pass(sink, desired([]));
    expect(ip.batchLines).toEqual(['addr del 10.250.255.7/32 dev lo', 'addr del fd00:250::ff:7/128 dev lo']);
    expect(r.remove.changes.map((c) => `${c.action} ${c.vip}`)).toEqual([
      'remove 10.250.255.7/32',
      'remove fd00:250::ff:7/128',
    ]);
    expect(ip.addressList()).toEqual(['10.250.255.9/32', '10.250.255.8/32 metric 100']);
  });

  it('leaves our address alone while its VIP check has not decided (a restart), and removes it once the check is down', async () => {
    const ip = new FakeIp();
    (ip.addresses.get('lo') ?? []).push({
      address: '10.250.255.7',
      prefixLength: 32,
      family: 'inet',
      metric: METRIC,
      label: 'lo:anyvip',
    });
    const plan = (health: 'unknown' | 'down') => {
      const d = desired([]);
      const vip = {
        prefix: '10.250.255.7/32',
        address: '10.250.255.7',
        family: 'ipv4' as const,
        healthcheck: 'web',
        health,
        announce: false,
        bind: false,
        refused: undefined,
      };
      return { ...d, vips: new Map([[vip.prefix, vip]]) };
    };
    const sink = new LoopbackSink({ ip });
    const r = await pass(sink, plan('unknown'));
    expect(ip.batchLines).toEqual([]);
    expect(r.remove.applied).toEqual(['10.250.255.7/32']);
    await pass(sink, plan('down'));
    expect(ip.batchLines).toEqual(['addr del 10.250.255.7/32 dev lo']);
  });

  it('leaves a desired address that is already there without our marker alone, and never removes it', async () => {
    const ip = new FakeIp();
    ip.addresses
      .get('lo')
      ?.push({ address: '10.250.255.1', prefixLength: 32, family: 'inet', metric: undefined, label: 'lo' });
    const sink = new LoopbackSink({ ip });
    const r = await pass(sink, desired(['10.250.255.1/32']));
    expect(ip.batchLines).toEqual([]);
    expect(r.add.errors).toEqual([]);
    await pass(sink, desired([]));
    expect(ip.batchLines).toEqual([]);
    expect(ip.addressList()).toEqual(['10.250.255.1/32']);
  });

  it('takes "already assigned" on add and "not found" on delete as done (a race with someone else)', async () => {
    const ip = new FakeIp();
    ip.failures.push({
      pattern: /addr add 10\.250\.255\.1\//,
      message: 'Error: ipv4: Address already assigned.',
    });
    const sink = new LoopbackSink({ ip });
    const r = await pass(sink, desired(['10.250.255.1/32']));
    expect(r.add.errors).toEqual([]);
    expect(r.add.changes).toHaveLength(1);
  });

  it('reports a failed command per VIP and carries on with the others', async () => {
    const ip = new FakeIp();
    ip.failures.push({ pattern: /10\.250\.255\.1\//, message: 'RTNETLINK answers: Operation not permitted' });
    const sink = new LoopbackSink({ ip });
    const r = await pass(sink, desired(['10.250.255.1/32', '10.250.255.2/32']));
    expect(r.add.errors).toEqual([
      {
        key: '10.250.255.1/32',
        vip: '10.250.255.1/32',
        reason:
          'ip addr add 10.250.255.1/32 dev lo label lo:anyvip metric 7717: RTNETLINK answers: Operation not permitted',
      },
    ]);
    expect(r.add.applied).toEqual(['10.250.255.2/32']);
  });

  it('reports a missing device as an error and changes nothing', async () => {
    const ip = new FakeIp();
    const sink = new LoopbackSink({ ip });
    const r = await pass(sink, desired(['10.250.255.1/32'], 'dummy0'));
    expect(r.add.errors).toEqual([
      { key: 'device dummy0', reason: 'ip -j addr show dev dummy0: Device "dummy0" does not exist.' },
    ]);
    expect(ip.batchLines).toEqual([]);
  });

  it('moves addresses when the device or metric changes on reload, cleaning up the old ones', async () => {
    const ip = new FakeIp();
    ip.devices.add('dummy0');
    const sink = new LoopbackSink({ ip });
    await pass(sink, desired(['10.250.255.1/32']));
    ip.clearCommands();
    await pass(sink, desired(['10.250.255.1/32'], 'dummy0'));
    expect(ip.batchLines).toEqual([
      'addr del 10.250.255.1/32 dev lo',
      'addr add 10.250.255.1/32 dev dummy0 label dummy0:anyvip metric 7717',
    ]);
    ip.clearCommands();
    await pass(sink, desired(['10.250.255.1/32'], 'dummy0'));
    expect(ip.commands).toEqual(['-j addr show dev dummy0', '-j addr show dev dummy0']);
  });

  describe("with an address watch (the kernel's address events)", () => {
    /** A watch whose generation the test moves, as `ip monitor` output would. */
    class FakeWatch {
      value: number | undefined = 1;
      generation(_device: string): number | undefined {
        return this.value;
      }
      close(): void {
        this.value = undefined;
      }
    }

    it('reuses its last read while no event came: an unchanged pass forks nothing', async () => {
      const ip = new FakeIp();
      const watch = new FakeWatch();
      const sink = new LoopbackSink({ ip, watch });
      await pass(sink, desired(['10.250.255.1/32']));
      // Its own batch made the read stale: the next pass reads once, then never again.
      ip.clearCommands();
      const r = await pass(sink, desired(['10.250.255.1/32']));
      expect(ip.commands).toEqual(['-j addr show dev lo']);
      expect(r.add.applied).toEqual(['10.250.255.1/32']);
      ip.clearCommands();
      const again = await pass(sink, desired(['10.250.255.1/32']));
      expect(ip.commands).toEqual([]);
      expect(again.add.applied).toEqual(['10.250.255.1/32']);
    });

    it('reads again after an event, and restores an address someone removed', async () => {
      const ip = new FakeIp();
      const watch = new FakeWatch();
      const sink = new LoopbackSink({ ip, watch });
      await pass(sink, desired(['10.250.255.1/32']));
      await pass(sink, desired(['10.250.255.1/32']));
      ip.addresses.set(
        'lo',
        (ip.addresses.get('lo') ?? []).filter((a) => a.address !== '10.250.255.1'),
      );
      watch.value = 2;
      ip.clearCommands();
      await pass(sink, desired(['10.250.255.1/32']));
      expect(ip.commands[0]).toBe('-j addr show dev lo');
      expect(ip.batchLines).toEqual(['addr add 10.250.255.1/32 dev lo label lo:anyvip metric 7717']);
    });

    it('reads on every pass while the watch cannot vouch (not subscribed, or its child gone)', async () => {
      const ip = new FakeIp();
      const watch = new FakeWatch();
      watch.value = undefined;
      const sink = new LoopbackSink({ ip, watch });
      await pass(sink, desired(['10.250.255.1/32']));
      ip.clearCommands();
      await pass(sink, desired(['10.250.255.1/32']));
      expect(ip.commands).toEqual(['-j addr show dev lo', '-j addr show dev lo']);
    });

    it('never reuses a read taken before a generation it did not see (an event during the read)', async () => {
      const ip = new FakeIp();
      const watch = new FakeWatch();
      const sink = new LoopbackSink({ ip, watch });
      await pass(sink, desired(['10.250.255.1/32']));
      // The event lands while `ip -j addr show` runs: the read is kept under the old generation.
      const run = ip.run.bind(ip);
      ip.run = async (args: readonly string[], input?: string) => {
        const r = await run(args, input);
        if (args[0] === '-j') watch.value = (watch.value ?? 0) + 1;
        return r;
      };
      ip.clearCommands();
      await pass(sink, desired(['10.250.255.1/32']));
      expect(ip.commands).toEqual(['-j addr show dev lo', '-j addr show dev lo']);
    });
  });
});
