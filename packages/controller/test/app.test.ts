import { Check, FakeClock } from '@anyvip/healthcheck';
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeView } from '../src/admin/runtime-view.js';
import { AnyvipRuntime } from '../src/app.js';
import { parseConfigText } from '../src/config/load.js';
import type { ControllerConfig } from '../src/config/schema.js';
import type { ControllerEvent } from '../src/events.js';
import { silentLogger } from '../src/observability/log.js';
import { FakeIp } from './support/fake-ip.js';
import { fakeRouterFactory } from './support/fake-router.js';
import { type SwitchProbe, switchProbe } from './support/switch-probe.js';

const yaml = (extra = '') => `
bgp:
  asn: 65001
  routerId: 10.250.0.11
  peers:
    - { address: 10.250.0.1, asn: 65000, holdTime: 9, families: [ipv4, ipv6], nextHopSelf: { ipv6: "fd00:250::11" } }
    - { address: 10.250.1.1, asn: 65000, holdTime: 9 }
healthchecks:
  web: { http: "http://127.0.0.1:8080/healthz", interval: 100ms, timeout: 80ms, rise: 2, fall: 3 }
  db: { tcp: "127.0.0.1:5432", interval: 100ms, timeout: 80ms, rise: 2, fall: 3 }
vips:
  - { address: 10.250.255.1, healthcheck: web, communities: ["65000:100"] }
  - { address: 10.250.255.2, healthcheck: db }
  - { address: fd00:250::ff:1 }
${extra}`;

/** A runtime on a fake clock, fake `ip`, fake speaker and switchable probes (one per check name). */
function harness(config: ControllerConfig) {
  const clock = new FakeClock();
  const ip = new FakeIp();
  const routers = fakeRouterFactory();
  const probes = new Map<string, SwitchProbe>();
  const checksMade: string[] = [];
  const events: ControllerEvent[] = [];
  const runtime = new AnyvipRuntime(config, {
    clock,
    ip,
    createRouter: routers.create,
    logger: silentLogger(),
    makeCheck: (options, c) => {
      checksMade.push(options.name);
      let probe = probes.get(options.name);
      if (probe === undefined) {
        probe = switchProbe(options.name);
        probes.set(options.name, probe);
      }
      return new Check({ ...options, probes: [probe] }, { clock: c, random: () => 0 });
    },
  });
  runtime.on((e) => events.push(e));
  const router = () => {
    const r = routers.routers.at(-1);
    if (r === undefined) throw new Error('no speaker was made');
    return r;
  };
  const probe = (name: string) => {
    const p = probes.get(name);
    if (p === undefined) throw new Error(`no probe ${name}`);
    return p;
  };
  return { clock, ip, routers, router, probe, checksMade, events, runtime };
}

let running: AnyvipRuntime | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function started(config: ControllerConfig) {
  const h = harness(config);
  running = h.runtime;
  await h.runtime.start();
  return h;
}

describe('AnyvipRuntime: health gating', () => {
  it('announces a VIP without a check at once, and a checked VIP only after rise successes', async () => {
    const h = await started(parseConfigText(yaml()));
    expect([...h.router().routes.keys()]).toEqual(['fd00:250::ff:1/128']);
    expect(h.ip.addressList()).toEqual(['fd00:250::ff:1/128 metric 7717']);
    await h.clock.advance(0); // round 1: one success of two
    await h.runtime.settle();
    expect(h.router().routes.has('10.250.255.1/32')).toBe(false);
    await h.clock.advance(100); // round 2: rise reached
    await h.runtime.settle();
    expect([...h.router().routes.keys()].sort()).toEqual([
      '10.250.255.1/32',
      '10.250.255.2/32',
      'fd00:250::ff:1/128',
    ]);
    expect(h.ip.addressList().sort()).toEqual([
      '10.250.255.1/32 metric 7717',
      '10.250.255.2/32 metric 7717',
      'fd00:250::ff:1/128 metric 7717',
    ]);
  });

  it('binds the address before announcing (add phase order: loopback, then BGP)', async () => {
    const h = await started(parseConfigText(yaml()));
    const order = h.events
      .filter((e) => e.kind === 'applied' && e.vip === 'fd00:250::ff:1/128')
      .map((e) => (e.kind === 'applied' ? e.sink : ''));
    expect(order).toEqual(['loopback', 'bgp']);
  });

  it('withdraws within fall rounds of a failure, keeps the address on lo, and re-announces after rise', async () => {
    const h = await started(parseConfigText(yaml()));
    await h.clock.advance(100);
    await h.runtime.settle();
    const r = h.router();
    r.calls.length = 0;
    h.probe('web').ok = false;
    await h.clock.advance(200); // failures 1 and 2 (t=200, t=300)
    await h.runtime.settle();
    expect(r.routes.has('10.250.255.1/32')).toBe(true);
    await h.clock.advance(100); // failure 3 (t=400): fall reached
    await h.runtime.settle();
    expect(r.calls).toEqual(['withdraw 10.250.255.1/32']);
    expect(h.ip.addressList()).toContain('10.250.255.1/32 metric 7717');
    const change = h.events.find((e) => e.kind === 'healthChanged' && e.to === 'down');
    expect(change).toMatchObject({ check: 'web', from: 'up', cause: 'fall', vips: ['10.250.255.1/32'] });
    expect(h.runtime.status().vips.find((v) => v.prefix === '10.250.255.1/32')).toMatchObject({
      health: 'down',
      announce: false,
      bind: true,
    });

    r.calls.length = 0;
    h.probe('web').ok = true;
    await h.clock.advance(200);
    await h.runtime.settle();
    expect(r.calls).toEqual(['announce 10.250.255.1/32 [65000:100]']);
  });

  it('exports the state as anyvip_* metrics', async () => {
    const h = await started(parseConfigText(yaml()));
    await h.clock.advance(100);
    await h.runtime.settle();
    const text = await h.runtime.metrics.registry.metrics();
    expect(text).toContain('anyvip_vip_announced{vip="10.250.255.1/32"} 1');
    expect(text).toContain('anyvip_vip_bound{vip="fd00:250::ff:1/128"} 1');
    expect(text).toContain('anyvip_healthcheck_up{check="web"} 1');
    expect(text).toMatch(/anyvip_reconcile_passes_total\{result="ok"\} \d+/);
  });

  it('restores a loopback address removed by hand on the periodic pass', async () => {
    const h = await started(parseConfigText(yaml()));
    h.ip.addresses.set(
      'lo',
      (h.ip.addresses.get('lo') ?? []).filter((a) => a.address !== 'fd00:250::ff:1'),
    );
    await h.clock.advance(10_000);
    await h.runtime.settle();
    expect(h.ip.addressList()).toContain('fd00:250::ff:1/128 metric 7717');
  });
});

describe('AnyvipRuntime: never announces what is not bound', () => {
  const denied = 'RTNETLINK answers: Operation not permitted';

  it('withholds a VIP whose address cannot be bound: no route, readiness fails, status and metrics say why', async () => {
    const h = harness(parseConfigText(yaml()));
    running = h.runtime;
    h.ip.failures.push({ pattern: /^addr add fd00:250::ff:1\/128/, message: denied });
    const view = new RuntimeView(h.runtime);
    await h.runtime.start();
    expect(h.router().routes.has('fd00:250::ff:1/128')).toBe(false);
    const reason = `address not bound to lo: ip addr add fd00:250::ff:1/128 dev lo metric 7717: ${denied}`;
    expect(view.readiness().reasons).toContain(`VIP fd00:250::ff:1/128 not announced: ${reason}`);
    expect(view.status().vips.find((v) => v.prefix === 'fd00:250::ff:1/128')).toMatchObject({
      announced: false,
      bound: false,
      withheld: reason,
    });
    const text = await h.runtime.metrics.registry.metrics();
    expect(text).toContain('anyvip_vip_bound{vip="fd00:250::ff:1/128"} 0');
    expect(text).toContain('anyvip_vip_announced{vip="fd00:250::ff:1/128"} 0');
    expect(h.events.filter((e) => e.kind === 'vipWithheld')).toEqual([
      { kind: 'vipWithheld', vip: 'fd00:250::ff:1/128', withheld: true, reason },
    ]);
    view.close();
  });

  it('retries with back-off, emits no second event for the same reason, and announces once the bind works', async () => {
    const h = harness(parseConfigText(yaml()));
    running = h.runtime;
    h.ip.failures.push({ pattern: /^addr add fd00:250::ff:1\/128/, message: denied });
    await h.runtime.start();
    const retries = h.events
      .filter((e) => e.kind === 'sinkError')
      .map((e) => e.kind === 'sinkError' && e.retryInMs);
    expect(retries).toEqual([200]);
    await h.clock.advance(200);
    await h.runtime.settle();
    const later = h.events.flatMap((e) => (e.kind === 'sinkError' ? [e.retryInMs] : []));
    expect(later.length).toBeGreaterThan(1);
    expect(later).toEqual(later.map((_, i) => 200 * 2 ** i)); // doubling from reconcile.retryMin

    expect(h.events.filter((e) => e.kind === 'vipWithheld')).toHaveLength(1);
    h.ip.failures.length = 0;
    await h.clock.advance(later.at(-1) ?? 0);
    await h.runtime.settle();
    expect(h.router().routes.has('fd00:250::ff:1/128')).toBe(true);
    expect(h.events.filter((e) => e.kind === 'vipWithheld').at(-1)).toMatchObject({ withheld: false });
    expect(h.runtime.status().vips.find((v) => v.prefix === 'fd00:250::ff:1/128')?.withheld).toBeUndefined();
  });

  it('withdraws a VIP whose address was removed by hand and cannot be bound again', async () => {
    const h = await started(parseConfigText(yaml()));
    expect(h.router().routes.has('fd00:250::ff:1/128')).toBe(true);
    h.ip.addresses.set(
      'lo',
      (h.ip.addresses.get('lo') ?? []).filter((a) => a.address !== 'fd00:250::ff:1'),
    );
    h.ip.failures.push({ pattern: /^addr add/, message: denied });
    h.router().calls.length = 0;
    await h.clock.advance(10_000);
    await h.runtime.settle();
    expect(h.router().calls).toEqual(['withdraw fd00:250::ff:1/128']);
  });

  it('withholds everything when ip cannot run at all', async () => {
    const h = harness(parseConfigText(yaml()));
    running = h.runtime;
    h.ip.missing = true;
    await h.runtime.start();
    expect(h.router().routes.size).toBe(0);
    expect(h.runtime.status().vips.find((v) => v.prefix === 'fd00:250::ff:1/128')?.withheld).toBe(
      'address not bound to lo: ip -j addr show dev lo: spawn ip ENOENT',
    );
  });

  it('counts an address someone else put on lo as bound, and announces it', async () => {
    const h = harness(parseConfigText(yaml()));
    running = h.runtime;
    h.ip.addresses.get('lo')?.push({
      address: 'fd00:250::ff:1',
      prefixLength: 128,
      family: 'inet6',
      metric: undefined,
      label: undefined,
    });
    await h.runtime.start();
    expect(h.router().routes.has('fd00:250::ff:1/128')).toBe(true);
    expect(h.ip.batchLines.filter((l) => l.includes('fd00:250::ff:1'))).toEqual([]);
  });

  it('in table mode, does not write the route of an address it cannot bind', async () => {
    const h = harness(parseConfigText('mode: table\nvips: [10.250.255.1, 10.250.255.2]\n'));
    running = h.runtime;
    h.ip.failures.push({ pattern: /^addr add 10.250.255.2\/32/, message: denied });
    await h.runtime.start();
    expect(h.ip.routeList(198)).toEqual(['10.250.255.1/32 dev lo proto 248']);
  });
});

describe('AnyvipRuntime: reload (SIGHUP) applies a diff', () => {
  it('touches nothing when the file did not change: reconcile again, nothing changes', async () => {
    const h = await started(parseConfigText(yaml()));
    await h.clock.advance(100);
    await h.runtime.settle();
    h.router().calls.length = 0;
    h.ip.clearCommands();
    const summary = await h.runtime.reload(parseConfigText(yaml()));
    expect(Object.values(summary).flat()).toEqual([]);
    expect(h.router().calls).toEqual([]);
    expect(h.ip.batchLines).toEqual([]);
    expect(h.routers.routers).toHaveLength(1);
    expect(h.checksMade).toEqual(['web', 'db']);
  });

  it('adds and removes VIPs and peers individually; unchanged VIPs and peers are untouched', async () => {
    const h = await started(parseConfigText(yaml()));
    await h.clock.advance(100);
    await h.runtime.settle();
    const r = h.router();
    r.calls.length = 0;
    const next = parseConfigText(`
bgp:
  asn: 65001
  routerId: 10.250.0.11
  peers:
    - { address: 10.250.0.1, asn: 65000, holdTime: 9, families: [ipv4, ipv6], nextHopSelf: { ipv6: "fd00:250::11" } }
    - { address: 10.250.2.1, asn: 65000, holdTime: 9 }
healthchecks:
  web: { http: "http://127.0.0.1:8080/healthz", interval: 100ms, timeout: 80ms, rise: 2, fall: 3 }
vips:
  - { address: 10.250.255.1, healthcheck: web, communities: ["65000:100"] }
  - { address: fd00:250::ff:1, communities: ["65000:300"] }
  - { address: 10.250.255.3 }
`);
    const summary = await h.runtime.reload(next);
    expect(summary).toMatchObject({
      vipsAdded: ['10.250.255.3/32'],
      vipsRemoved: ['10.250.255.2/32'],
      vipsChanged: ['fd00:250::ff:1/128'],
      peersAdded: ['10.250.2.1'],
      peersRemoved: ['10.250.1.1'],
      peersChanged: [],
      checksRemoved: ['db'],
    });
    expect(r.calls).toEqual([
      'withdraw 10.250.255.2/32',
      'removePeer 10.250.1.1',
      'addPeer 10.250.2.1',
      'announce 10.250.255.3/32 []',
      'announce fd00:250::ff:1/128 [65000:300]',
    ]);
    // 10.250.0.1 kept its session, 10.250.255.1 was never withdrawn or re-announced.
    expect(h.routers.routers).toHaveLength(1);
    expect(h.ip.addressList().sort()).toEqual([
      '10.250.255.1/32 metric 7717',
      '10.250.255.3/32 metric 7717',
      'fd00:250::ff:1/128 metric 7717',
    ]);
    expect(h.checksMade).toEqual(['web', 'db']);
  });

  it('keeps a VIP announced when only its check’s settings change, until the new check decides', async () => {
    const h = await started(parseConfigText(yaml()));
    await h.clock.advance(100);
    await h.runtime.settle();
    const r = h.router();
    r.calls.length = 0;
    await h.runtime.reload(
      parseConfigText(
        yaml().replace(
          'web: { http: "http://127.0.0.1:8080/healthz", interval: 100ms',
          'web: { http: "http://127.0.0.1:8080/healthz", interval: 200ms',
        ),
      ),
    );
    expect(h.checksMade).toEqual(['web', 'db', 'web']);
    await h.clock.advance(1000);
    await h.runtime.settle();
    expect(r.calls).toEqual([]);
    h.probe('web').ok = false; // the new check (same probe) fails: fall applies as usual
    await h.clock.advance(600);
    await h.runtime.settle();
    expect(r.calls).toEqual(['withdraw 10.250.255.1/32']);
  });

  it('re-creates a changed peer and only that one', async () => {
    const h = await started(parseConfigText(yaml()));
    const r = h.router();
    r.calls.length = 0;
    await h.runtime.reload(
      parseConfigText(
        yaml().replace(
          '{ address: 10.250.1.1, asn: 65000, holdTime: 9 }',
          '{ address: 10.250.1.1, asn: 65002, holdTime: 9 }',
        ),
      ),
    );
    expect(r.calls).toEqual(['removePeer 10.250.1.1', 'addPeer 10.250.1.1']);
    expect(r.peers.get('10.250.1.1')?.remoteAsn).toBe(65002);
  });

  it('switches from bgp to table mode: speaker closed, routes written to the table', async () => {
    const h = await started(parseConfigText(yaml()));
    await h.runtime.reload(parseConfigText('mode: table\nvips: [fd00:250::ff:1]\n'));
    expect(h.router().closed).toBe('BGP is no longer configured');
    expect(h.ip.routeList(198)).toEqual(['fd00:250::ff:1/128 dev lo proto 248']);
  });
});

describe('AnyvipRuntime: table mode', () => {
  it('writes the route when the check is up and deletes it on failure, keeping the address', async () => {
    const h = await started(
      parseConfigText(`
mode: table
table: { id: 198, protocol: 248 }
healthchecks:
  web: { http: "http://127.0.0.1:8080/healthz", interval: 100ms, timeout: 80ms, rise: 2, fall: 3 }
vips:
  - { address: 10.250.255.1, healthcheck: web }
`),
    );
    expect(h.routers.routers).toHaveLength(0);
    expect(h.ip.routeList(198)).toEqual([]);
    await h.clock.advance(100);
    await h.runtime.settle();
    expect(h.ip.routeList(198)).toEqual(['10.250.255.1/32 dev lo proto 248']);
    h.probe('web').ok = false;
    await h.clock.advance(300);
    await h.runtime.settle();
    expect(h.ip.routeList(198)).toEqual([]);
    expect(h.ip.addressList()).toEqual(['10.250.255.1/32 metric 7717']);
  });
});

describe('AnyvipRuntime: shutdown', () => {
  it('withdraws every route, closes the speaker with the reason, and removes our addresses', async () => {
    const h = await started(parseConfigText(yaml()));
    await h.clock.advance(100);
    await h.runtime.settle();
    const r = h.router();
    r.calls.length = 0;
    await h.runtime.stop('anyvip received SIGTERM');
    running = undefined;
    expect(r.calls.slice(0, 3).sort()).toEqual([
      'withdraw 10.250.255.1/32',
      'withdraw 10.250.255.2/32',
      'withdraw fd00:250::ff:1/128',
    ]);
    expect(r.calls.slice(3)).toEqual(['close anyvip received SIGTERM']);
    expect(h.ip.addressList()).toEqual([]);
    expect(
      h.events.filter((e) => e.kind === 'shutdown').map((e) => (e.kind === 'shutdown' ? e.phase : '')),
    ).toEqual(['begin', 'withdrawn', 'done']);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('with gracefulShutdown, first re-announces with 65535:0 (RFC 8326) and waits before withdrawing', async () => {
    const h = await started(parseConfigText(yaml('gracefulShutdown: { enabled: true, wait: 2s }')));
    await h.clock.advance(100);
    await h.runtime.settle();
    const r = h.router();
    r.calls.length = 0;
    const stopping = h.runtime.stop('anyvip received SIGTERM');
    await h.clock.advance(1999);
    expect(r.calls.every((c) => c.startsWith('announce') && c.includes('65535:0'))).toBe(true);
    expect(r.calls).toHaveLength(3);
    await h.clock.advance(1);
    await h.clock.advance(1000); // gracefulShutdown.unbindDelay (default 1 s)
    await stopping;
    running = undefined;
    expect(r.calls.slice(3).filter((c) => c.startsWith('withdraw'))).toHaveLength(3);
    expect(r.calls.at(-1)).toBe('close anyvip received SIGTERM');
  });

  it('with gracefulShutdown: 65535:0, wait, withdraw, wait, unbind, close (no address goes before its route)', async () => {
    const h = await started(
      parseConfigText(yaml('gracefulShutdown: { enabled: true, wait: 2s, unbindDelay: 500ms }')),
    );
    await h.clock.advance(100);
    await h.runtime.settle();
    const r = h.router();
    r.calls.length = 0;
    const bound = h.ip.addressList().sort();
    expect(bound).toHaveLength(3);
    const stopping = h.runtime.stop('anyvip received SIGTERM');
    await h.clock.advance(2000);
    // Withdrawn, sessions up, the addresses still on lo for the unbind delay.
    expect(r.calls.filter((c) => c.startsWith('withdraw'))).toHaveLength(3);
    await h.clock.advance(499);
    expect(h.ip.addressList().sort()).toEqual(bound);
    expect(r.calls.some((c) => c.startsWith('close'))).toBe(false);
    await h.clock.advance(1);
    await stopping;
    running = undefined;
    expect(h.ip.addressList()).toEqual([]);
    expect(r.calls.at(-1)).toBe('close anyvip received SIGTERM');
    const phases = h.events.flatMap((e) => (e.kind === 'shutdown' ? [[e.phase, e.waitMs]] : []));
    expect(phases).toEqual([
      ['begin', undefined],
      ['gracefulShutdown', 2000],
      ['withdrawn', 500],
      ['done', undefined],
    ]);
  });

  it('without gracefulShutdown: withdraw, then unbind and close at once (no wait)', async () => {
    const h = await started(parseConfigText(yaml()));
    await h.clock.advance(100);
    await h.runtime.settle();
    await h.runtime.stop('anyvip received SIGTERM');
    running = undefined;
    expect(h.ip.addressList()).toEqual([]);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('removes its table routes on shutdown in table mode', async () => {
    const h = await started(parseConfigText('mode: table\nvips: [10.250.255.1]\n'));
    expect(h.ip.routeList(198)).toEqual(['10.250.255.1/32 dev lo proto 248']);
    await h.runtime.stop();
    running = undefined;
    expect(h.ip.routeList(198)).toEqual([]);
    expect(h.ip.addressList()).toEqual([]);
  });
});
