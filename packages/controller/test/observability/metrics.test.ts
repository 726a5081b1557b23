import { describe, expect, it } from 'vitest';
import { ControllerMetrics, type PeerCounters } from '../../src/observability/metrics.js';

/** The sample lines of one metric family in a scrape (`name{labels} value`), sorted. */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .sort();
}

const peer = (address: string, n: number): PeerCounters => ({
  address,
  updatesSent: n,
  updatesReceived: n + 1,
  messagesSent: n + 2,
  messagesReceived: n + 3,
  notificationsSent: 0,
  notificationsReceived: 1,
  prefixesSent: 10 * n,
  prefixesReceived: 0,
  establishedTransitions: 1,
});

describe('ControllerMetrics', () => {
  it('exposes the FSM state of a peer as one gauge per RFC 4271 §8.2.2 state, 1 for the current one', async () => {
    const m = new ControllerMetrics();
    m.observe({ kind: 'peerStateChanged', peer: '10.250.0.1', from: 'openConfirm', to: 'established' });
    const text = await m.text();
    expect(samples(text, 'anyvip_bgp_peer_state')).toEqual([
      'anyvip_bgp_peer_state{peer="10.250.0.1",state="active"} 0',
      'anyvip_bgp_peer_state{peer="10.250.0.1",state="connect"} 0',
      'anyvip_bgp_peer_state{peer="10.250.0.1",state="established"} 1',
      'anyvip_bgp_peer_state{peer="10.250.0.1",state="idle"} 0',
      'anyvip_bgp_peer_state{peer="10.250.0.1",state="openConfirm"} 0',
      'anyvip_bgp_peer_state{peer="10.250.0.1",state="openSent"} 0',
    ]);
    expect(samples(text, 'anyvip_bgp_peer_up')).toEqual(['anyvip_bgp_peer_up{peer="10.250.0.1"} 1']);
    expect(text).toContain('# TYPE anyvip_bgp_peer_state gauge');
  });

  it('counts a session going down and clears up', async () => {
    const m = new ControllerMetrics();
    m.observe({ kind: 'peerUp', peer: '10.250.0.1' });
    m.observe({ kind: 'peerDown', peer: '10.250.0.1', reason: 'received HOLD_TIMER_EXPIRED' });
    const text = await m.text();
    expect(samples(text, 'anyvip_bgp_peer_up')).toEqual(['anyvip_bgp_peer_up{peer="10.250.0.1"} 0']);
    expect(samples(text, 'anyvip_bgp_peer_down_total')).toEqual([
      'anyvip_bgp_peer_down_total{peer="10.250.0.1"} 1',
    ]);
  });

  it('reads the per-peer UPDATE and prefix counters from the speaker at scrape time', async () => {
    const m = new ControllerMetrics();
    let peers = [peer('10.250.0.1', 3), peer('fd00:250::1', 5)];
    m.attachPeers(() => peers);
    let text = await m.text();
    expect(samples(text, 'anyvip_bgp_peer_updates_sent_total')).toEqual([
      'anyvip_bgp_peer_updates_sent_total{peer="10.250.0.1"} 3',
      'anyvip_bgp_peer_updates_sent_total{peer="fd00:250::1"} 5',
    ]);
    expect(samples(text, 'anyvip_bgp_peer_updates_received_total')).toContain(
      'anyvip_bgp_peer_updates_received_total{peer="10.250.0.1"} 4',
    );
    expect(samples(text, 'anyvip_bgp_peer_prefixes_sent')).toEqual([
      'anyvip_bgp_peer_prefixes_sent{peer="10.250.0.1"} 30',
      'anyvip_bgp_peer_prefixes_sent{peer="fd00:250::1"} 50',
    ]);
    expect(samples(text, 'anyvip_bgp_peer_notifications_received_total')).toContain(
      'anyvip_bgp_peer_notifications_received_total{peer="10.250.0.1"} 1',
    );
    expect(text).toContain('# TYPE anyvip_bgp_peer_updates_sent_total counter');
    expect(text).toContain('# TYPE anyvip_bgp_peer_prefixes_sent gauge');

    // Later scrapes see the new absolute values; a removed peer's series are gone.
    peers = [peer('10.250.0.1', 7)];
    text = await m.text();
    expect(samples(text, 'anyvip_bgp_peer_updates_sent_total')).toEqual([
      'anyvip_bgp_peer_updates_sent_total{peer="10.250.0.1"} 7',
    ]);
  });

  it('reads the peer source once per scrape, whatever the number of per-peer families', async () => {
    const m = new ControllerMetrics();
    let reads = 0;
    m.attachPeers(() => {
      reads++;
      return [peer('10.250.0.1', 1)];
    });
    await m.text();
    expect(reads).toBe(1);
  });

  it('counts announce and withdraw transitions of a VIP as failovers, not attribute changes', async () => {
    const m = new ControllerMetrics();
    const vip = '10.250.255.1/32';
    const applied = (action: 'add' | 'remove' | 'change') =>
      m.observe({ kind: 'applied', sink: 'bgp', action, key: vip, what: action, vip });
    applied('add');
    applied('change');
    applied('remove');
    applied('add');
    const text = await m.text();
    expect(samples(text, 'anyvip_vip_failovers_total')).toEqual([
      'anyvip_vip_failovers_total{vip="10.250.255.1/32",to="announced"} 2',
      'anyvip_vip_failovers_total{vip="10.250.255.1/32",to="withdrawn"} 1',
    ]);
    expect(samples(text, 'anyvip_vip_announced')).toEqual(['anyvip_vip_announced{vip="10.250.255.1/32"} 1']);
  });

  it('Kubernetes mode: VIP series carry the Service namespace and name, one per Service sharing the address', async () => {
    const m = new ControllerMetrics();
    const vip = '10.250.255.7/32';
    const applied = (sink: string, action: 'add' | 'remove', services?: readonly string[]) =>
      m.observe({
        kind: 'applied',
        sink,
        action,
        key: vip,
        what: action,
        vip,
        ...(services ? { services } : {}),
      });
    applied('loopback', 'add', ['prod/web']);
    applied('bgp', 'add', ['prod/web', 'prod/web-udp']);
    let text = await m.text();
    expect(samples(text, 'anyvip_vip_announced')).toEqual([
      'anyvip_vip_announced{vip="10.250.255.7/32",namespace="prod",service="web"} 1',
      'anyvip_vip_announced{vip="10.250.255.7/32",namespace="prod",service="web-udp"} 1',
    ]);
    // A second Service shares the address: the bound gauge moves to both label sets with its value.
    expect(samples(text, 'anyvip_vip_bound')).toEqual([
      'anyvip_vip_bound{vip="10.250.255.7/32",namespace="prod",service="web"} 1',
      'anyvip_vip_bound{vip="10.250.255.7/32",namespace="prod",service="web-udp"} 1',
    ]);
    applied('loopback', 'add', ['prod/web']);
    // A withdrawal no longer knows the Services (the VIP left the world): the labels last set.
    applied('bgp', 'remove');
    text = await m.text();
    expect(samples(text, 'anyvip_vip_announced')).toEqual([
      'anyvip_vip_announced{vip="10.250.255.7/32",namespace="prod",service="web"} 0',
    ]);
    expect(samples(text, 'anyvip_vip_bound')).toEqual([
      'anyvip_vip_bound{vip="10.250.255.7/32",namespace="prod",service="web"} 1',
    ]);
    expect(samples(text, 'anyvip_vip_failovers_total')).toContain(
      'anyvip_vip_failovers_total{vip="10.250.255.7/32",namespace="prod",service="web",to="withdrawn"} 1',
    );
    m.observe({ kind: 'vipWithheld', vip, withheld: true, reason: 'not bound', services: ['prod/web'] });
    expect(samples(await m.text(), 'anyvip_vip_bound')).toEqual([
      'anyvip_vip_bound{vip="10.250.255.7/32",namespace="prod",service="web"} 0',
    ]);
  });

  it('counts routing-table writes as announcements too, and loopback binds apart', async () => {
    const m = new ControllerMetrics();
    const vip = 'fd00:250::ff:1/128';
    m.observe({ kind: 'applied', sink: 'loopback', action: 'add', key: vip, what: 'bound', vip });
    m.observe({ kind: 'applied', sink: 'routeTable', action: 'add', key: vip, what: 'route added', vip });
    const text = await m.text();
    expect(samples(text, 'anyvip_vip_bound')).toEqual([`anyvip_vip_bound{vip="${vip}"} 1`]);
    expect(samples(text, 'anyvip_vip_failovers_total')).toEqual([
      `anyvip_vip_failovers_total{vip="${vip}",to="announced"} 1`,
    ]);
  });

  it('drops the event-fed series of a peer removed from the configuration', async () => {
    const m = new ControllerMetrics();
    m.observe({ kind: 'peerStateChanged', peer: '10.250.0.1', from: 'idle', to: 'connect' });
    m.observe({
      kind: 'applied',
      sink: 'bgp',
      action: 'remove',
      key: '10.250.0.1',
      what: 'peer removed',
      peer: '10.250.0.1',
    });
    const text = await m.text();
    expect(samples(text, 'anyvip_bgp_peer_state')).toEqual([]);
    expect(samples(text, 'anyvip_bgp_peer_up')).toEqual([]);
  });

  it('exposes health state, transitions and probe latency in seconds by result', async () => {
    const m = new ControllerMetrics();
    m.observe({ kind: 'probeResult', check: 'web', probe: 'http', ok: true, latencyMs: 3, reason: '200' });
    m.observe({
      kind: 'probeResult',
      check: 'web',
      probe: 'http',
      ok: false,
      latencyMs: 700,
      reason: 'timeout',
    });
    m.observe({
      kind: 'healthChanged',
      check: 'web',
      from: 'unknown',
      to: 'up',
      cause: 'rise',
      reasons: ['http: 200'],
      vips: ['10.250.255.1/32'],
    });
    const text = await m.text();
    expect(samples(text, 'anyvip_healthcheck_up')).toEqual(['anyvip_healthcheck_up{check="web"} 1']);
    expect(samples(text, 'anyvip_healthcheck_state')).toEqual([
      'anyvip_healthcheck_state{check="web",state="down"} 0',
      'anyvip_healthcheck_state{check="web",state="unknown"} 0',
      'anyvip_healthcheck_state{check="web",state="up"} 1',
    ]);
    expect(samples(text, 'anyvip_healthcheck_transitions_total')).toEqual([
      'anyvip_healthcheck_transitions_total{check="web",to="up"} 1',
    ]);
    expect(text).toContain('# TYPE anyvip_healthcheck_probe_duration_seconds histogram');
    expect(text).toContain(
      'anyvip_healthcheck_probe_duration_seconds_bucket{le="0.005",check="web",result="success"} 1',
    );
    expect(text).toContain(
      'anyvip_healthcheck_probe_duration_seconds_bucket{le="0.5",check="web",result="failure"} 0',
    );
    expect(text).toContain(
      'anyvip_healthcheck_probe_duration_seconds_bucket{le="1",check="web",result="failure"} 1',
    );
    expect(samples(text, 'anyvip_healthcheck_probe_duration_seconds_sum')).toEqual([
      'anyvip_healthcheck_probe_duration_seconds_sum{check="web",result="failure"} 0.7',
      'anyvip_healthcheck_probe_duration_seconds_sum{check="web",result="success"} 0.003',
    ]);
  });

  it('exposes the BFD session state (RFC 5880 §4.1) as one gauge per state, and drops it on removal', async () => {
    const m = new ControllerMetrics();
    const bfd = (from: 'down' | 'init' | 'up', to: 'down' | 'init' | 'up') =>
      m.observe({
        kind: 'bfdStateChanged',
        peer: '10.250.0.1',
        from,
        to,
        diagnostic: 'NO_DIAGNOSTIC',
        bgpStopped: false,
      });
    bfd('down', 'init');
    bfd('init', 'up');
    bfd('up', 'down');
    bfd('down', 'up');
    expect(samples(await m.text(), 'anyvip_bfd_session_down_total')).toEqual([
      'anyvip_bfd_session_down_total{peer="10.250.0.1"} 1',
    ]);
    expect(samples(await m.text(), 'anyvip_bfd_session_state')).toEqual([
      'anyvip_bfd_session_state{peer="10.250.0.1",state="adminDown"} 0',
      'anyvip_bfd_session_state{peer="10.250.0.1",state="down"} 0',
      'anyvip_bfd_session_state{peer="10.250.0.1",state="init"} 0',
      'anyvip_bfd_session_state{peer="10.250.0.1",state="up"} 1',
    ]);
    m.observeBfdState('10.250.0.1', undefined);
    expect(samples(await m.text(), 'anyvip_bfd_session_state')).toEqual([]);
  });

  it('names every family anyvip_*, counters ending in _total, with HELP and TYPE', async () => {
    const m = new ControllerMetrics();
    const text = await m.text();
    const families = text
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '))
      .map((l) => l.split(' ').slice(2));
    expect(families.length).toBeGreaterThan(20);
    for (const [name, type] of families) {
      expect(name).toMatch(/^anyvip_[a-z_]+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
      expect(text).toContain(`# HELP ${name} `);
    }
  });
});
