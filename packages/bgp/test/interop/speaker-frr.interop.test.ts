/**
 * Our speaker (AS 4200000001, a 4-octet ASN, RFC 6793) against FRR 8 bgpd (AS 65002) in
 * two network namespaces. The speaker runs as speaker-driver.ts in the `speaker` node
 * (JSON Lines commands in, events out); FRR in the `frr` node. IPv4 session: we connect,
 * FRR is passive. IPv6 session (MP-BGP over IPv6 transport): FRR connects to our listener.
 *
 * Exceptions: our own ROUTE-REFRESH goes over the IPv6 session, which we offer without
 * Enhanced Route Refresh (FRR would defer the request forever otherwise; see peerOptions),
 * and the wrong-AS step uses the IPv6 session, where FRR connects, so FRR records the 2/2.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPair,
  type DaemonRoute,
  type Family,
  type FrrDaemon,
  interopSkipReason,
  type Lab,
  type ManagedProcess,
  startDaemon,
  waitUntil,
} from './support/index.js';

const skipReason = interopSkipReason();
const HOLD_SEC = 3;
const OUR_ASN = 4_200_000_001;
const FRR_ASN = 65002;
const pkg = resolve(import.meta.dirname, '../..');

interface EventLine {
  event: string;
  [key: string]: unknown;
}

/** A received route as the driver's `receivedRoutes` command prints it. */
interface ReceivedRoute {
  prefix: string;
  nextHop: string;
  origin?: string;
  asPath?: { type: string; asns: number[] }[];
  communities?: string[];
  largeCommunities?: string[];
  med?: number;
}

describe.skipIf(skipReason !== undefined)('speaker ↔ FRR', () => {
  let lab: Lab | undefined;
  let frr: FrrDaemon;
  let speaker: ManagedProcess;
  let ourV4: string;
  let ourV6: string;
  let frrV4: string;
  let frrV6: string;

  /** Sends a command to the driver and waits for its reply. */
  async function command(c: Record<string, unknown>): Promise<EventLine> {
    const since = speaker.mark();
    speaker.write(`${JSON.stringify(c)}\n`);
    const reply = await speaker.waitForJsonLine<EventLine>(
      (v) => {
        const e = v as EventLine;
        return (e.event === 'reply' && e.cmd === c.cmd) || e.event === 'command-error';
      },
      { timeoutMs: 10_000, since, what: `reply to ${String(c.cmd)}` },
    );
    if (reply.event === 'command-error') throw new Error(`driver: ${String(reply.message)}`);
    return reply;
  }

  function nextEvent(
    pred: (e: EventLine) => boolean,
    what: string,
    timeoutMs = 30_000,
    since?: number,
  ): Promise<EventLine> {
    return speaker.waitForJsonLine<EventLine>((v) => pred(v as EventLine), {
      timeoutMs,
      what,
      ...(since !== undefined ? { since } : {}),
    });
  }

  async function waitRoutes(family: Family, prefixes: string[]): Promise<DaemonRoute[]> {
    const want = JSON.stringify([...prefixes].sort());
    return waitUntil(
      () => frr.routes(family),
      (rs) => JSON.stringify([...new Set(rs.map((r) => r.prefix))].sort()) === want,
      { timeoutMs: 15_000, intervalMs: 150, what: `FRR ${family} routes ${want}` },
    );
  }

  async function received(peer: string, family: Family): Promise<ReceivedRoute[]> {
    const reply = await command({ cmd: 'receivedRoutes', peer, family });
    return reply.routes as ReceivedRoute[];
  }

  const flatPath = (r: ReceivedRoute | undefined): number[] => (r?.asPath ?? []).flatMap((s) => s.asns);

  /**
   * Waits until the routes FRR originated (AS path [FRR_ASN]) are exactly `prefixes`.
   * FRR does no sender-side loop check, so our own routes come back with AS path
   * [FRR_ASN, OUR_ASN]; our Adj-RIB-In keeps them (RFC 4271 §9.1.2 leaves the loop
   * check to route selection, which the speaker does not do), and they are left out.
   */
  async function waitReceived(peer: string, family: Family, prefixes: string[]): Promise<ReceivedRoute[]> {
    const want = JSON.stringify([...prefixes].sort());
    const own = (rs: ReceivedRoute[]): ReceivedRoute[] =>
      rs.filter((r) => JSON.stringify(flatPath(r)) === JSON.stringify([FRR_ASN]));
    const rs = await waitUntil(
      () => received(peer, family),
      (rs) =>
        JSON.stringify(
          own(rs)
            .map((r) => r.prefix)
            .sort(),
        ) === want,
      { timeoutMs: 15_000, intervalMs: 150, what: `routes from ${peer}: ${want}` },
    );
    return own(rs);
  }

  beforeAll(async () => {
    lab = await createPair('speaker', 'frr');
    const l = lab.link('speaker', 'frr');
    [ourV4, ourV6, frrV4, frrV6] = [l.local.ipv4, l.local.ipv6, l.remote.ipv4, l.remote.ipv6];
    frr = await startDaemon(lab, 'frr', 'frr', {
      routerId: frrV4,
      asn: FRR_ASN,
      neighbors: [
        { address: ourV4, localAddress: frrV4, asn: OUR_ASN, holdTimeSec: HOLD_SEC, passive: true },
        { address: ourV6, localAddress: frrV6, asn: OUR_ASN, holdTimeSec: HOLD_SEC },
      ],
      announce: [
        { prefix: '10.250.200.0/24', communities: ['65002:1'], largeCommunities: ['65002:1:2'], med: 20 },
        { prefix: 'fd00:250:200::/48', communities: ['65002:6'] },
      ],
    });
    speaker = await lab.spawn(
      'speaker',
      process.execPath,
      [
        '--no-warnings',
        '--import',
        resolve(pkg, 'scripts/ts-resolve.mjs'),
        resolve(pkg, 'test/interop/speaker-driver.ts'),
        String(OUR_ASN),
        ourV4,
      ],
      { label: 'speaker' },
    );
    await nextEvent((e) => e.event === 'ready', 'driver ready', 20_000);
    await command({ cmd: 'listen', port: 179, host: '::' });
  }, 60_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  const peerOptions = (): Record<string, unknown>[] => [
    {
      address: frrV4,
      remoteAsn: FRR_ASN,
      localAddress: ourV4,
      holdTimeSec: HOLD_SEC,
      connectRetryTimeSec: 1,
      idleHoldTimeSec: 1,
    },
    {
      address: frrV6,
      remoteAsn: FRR_ASN,
      passive: true,
      holdTimeSec: HOLD_SEC,
      idleHoldTimeSec: 1,
      // FRR 8.4 answers a plain ROUTE-REFRESH from a peer that negotiated Enhanced Route
      // Refresh only after it has sent that peer End-of-RIB, and it sends End-of-RIB only
      // to peers offering Graceful Restart, which we do not: it would defer our request
      // forever. Without the capability FRR answers at once (RFC 2918 §4).
      enhancedRouteRefresh: false,
    },
  ];

  it('establishes IPv4 with us active and IPv6 with us passive, with a 4-octet local AS (RFC 4271 §8, RFC 4760, RFC 6793)', async () => {
    const since = speaker.mark();
    for (const p of peerOptions()) await command({ cmd: 'addPeer', ...p });
    const up4 = await nextEvent(
      (e) => e.event === 'peer-up' && e.peer === frrV4,
      'IPv4 peer-up',
      30_000,
      since,
    );
    const up6 = await nextEvent(
      (e) => e.event === 'peer-up' && e.peer === frrV6,
      'IPv6 peer-up',
      30_000,
      since,
    );
    expect(up4).toMatchObject({
      peerAsn: FRR_ASN,
      fourOctetAs: true,
      families: ['ipv4-unicast'],
      enhancedRouteRefresh: true,
    });
    expect(up6).toMatchObject({
      peerAsn: FRR_ASN,
      fourOctetAs: true,
      families: ['ipv6-unicast'],
      enhancedRouteRefresh: false,
    });
    await Promise.all([frr.waitEstablished(ourV4), frr.waitEstablished(ourV6)]);
  });

  it('decodes FRR’s routes: prefix, next hop, AS path, communities, large communities, MED (RFC 4271 §5.1, RFC 1997, RFC 8092)', async () => {
    const v4 = await waitReceived(frrV4, 'ipv4', ['10.250.200.0/24']);
    expect(v4[0]).toMatchObject({
      nextHop: frrV4,
      origin: 'IGP',
      communities: ['65002:1'],
      largeCommunities: ['65002:1:2'],
      med: 20,
    });
    expect(flatPath(v4[0])).toEqual([FRR_ASN]);
    const v6 = await waitReceived(frrV6, 'ipv6', ['fd00:250:200::/48']);
    expect(v6[0]).toMatchObject({ nextHop: frrV6, communities: ['65002:6'] });
    expect(flatPath(v6[0])).toEqual([FRR_ASN]);
  });

  it('announces with communities, large communities and MED, visible in vtysh json (RFC 1997, RFC 8092, RFC 4271 §5.1.4)', async () => {
    await command({
      cmd: 'announce',
      prefix: '10.250.100.0/24',
      communities: ['65001:100'],
      largeCommunities: ['4200000001:1:2'],
      med: 50,
    });
    await command({ cmd: 'announce', prefix: 'fd00:250:100::/48', communities: ['65001:6'], med: 7 });
    const v4 = await waitRoutes('ipv4', ['10.250.100.0/24']);
    expect(v4[0]).toMatchObject({
      nextHops: [ourV4],
      origin: 'igp',
      asPath: [OUR_ASN],
      communities: ['65001:100'],
      largeCommunities: ['4200000001:1:2'],
      med: 50,
    });
    const v6 = await waitRoutes('ipv6', ['fd00:250:100::/48']);
    expect(v6[0]).toMatchObject({ nextHops: [ourV6], asPath: [OUR_ASN], communities: ['65001:6'], med: 7 });
  });

  it('withdraws, IPv4 and IPv6', async () => {
    await command({ cmd: 'withdraw', prefix: '10.250.100.0/24' });
    await command({ cmd: 'withdraw', prefix: 'fd00:250:100::/48' });
    await Promise.all([waitRoutes('ipv4', []), waitRoutes('ipv6', [])]);
  });

  it('answers FRR’s `clear bgp soft in` ROUTE-REFRESH with BoRR, the table and EoRR, and asks FRR for its own (RFC 2918, RFC 7313)', async () => {
    await command({ cmd: 'announce', prefix: '10.250.101.0/24', med: 5 });
    await waitRoutes('ipv4', ['10.250.101.0/24']);
    const since = speaker.mark();
    await frr.routeRefresh(ourV4);
    await nextEvent(
      (e) => e.event === 'route-refresh' && e.direction === 'received' && e.peer === frrV4,
      'ROUTE-REFRESH from FRR',
      15_000,
      since,
    );
    await nextEvent(
      (e) => e.event === 'route-refresh' && e.direction === 'sent' && e.subtype === 'eorr',
      'our EoRR to FRR',
      15_000,
      since,
    );
    const after = await waitRoutes('ipv4', ['10.250.101.0/24']);
    expect(after[0]).toMatchObject({ med: 5 });
    // Our own request goes over the IPv6 session, which offers no Enhanced Route Refresh
    // (see peerOptions), and FRR answers with its IPv6 table.
    const updatesFromFrr = async (): Promise<number> => {
      const reply = await command({ cmd: 'peers' });
      const peers = reply.peers as { address: string; updatesReceived: number }[];
      return peers.find((p) => p.address === frrV6)?.updatesReceived ?? 0;
    };
    const before = await updatesFromFrr();
    await command({ cmd: 'refresh', peer: frrV6 });
    await waitUntil(updatesFromFrr, (n) => n > before, {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'FRR re-sends its table',
    });
    expect(await waitReceived(frrV6, 'ipv6', ['fd00:250:200::/48'])).toHaveLength(1);
  });

  it('sends 4/0 Hold Timer Expired when FRR is stopped (SIGSTOP), and recovers once it runs again (RFC 4271 §6.5)', async () => {
    const since = speaker.mark();
    frr.freeze();
    try {
      await nextEvent(
        (e) => e.event === 'notification-sent' && e.name === 'HOLD_TIMER_EXPIRED' && e.peer === frrV4,
        'hold timer expiry',
        20_000,
        since,
      );
    } finally {
      frr.thaw();
    }
    const down = await nextEvent(
      (e) => e.event === 'peer-down' && e.peer === frrV4,
      'peer-down',
      5_000,
      since,
    );
    expect(down.reason).toBe('sent HOLD_TIMER_EXPIRED');
    const after = speaker.mark();
    await nextEvent((e) => e.event === 'peer-up' && e.peer === frrV4, 'IPv4 peer-up again', 60_000, after);
    await waitRoutes('ipv4', ['10.250.101.0/24']);
    await waitReceived(frrV4, 'ipv4', ['10.250.200.0/24']);
  });

  it('re-establishes both sessions after FRR restarts, and re-sends the routes both ways', async () => {
    await command({ cmd: 'announce', prefix: 'fd00:250:101::/48', communities: ['65001:7'] });
    await waitRoutes('ipv6', ['fd00:250:101::/48']);
    const since = speaker.mark();
    await frr.restart();
    await nextEvent((e) => e.event === 'peer-down' && e.peer === frrV4, 'IPv4 peer-down', 15_000, since);
    await nextEvent((e) => e.event === 'peer-up' && e.peer === frrV4, 'IPv4 peer-up', 40_000, since);
    await nextEvent((e) => e.event === 'peer-up' && e.peer === frrV6, 'IPv6 peer-up', 40_000, since);
    const [v4, v6] = await Promise.all([
      waitRoutes('ipv4', ['10.250.101.0/24']),
      waitRoutes('ipv6', ['fd00:250:101::/48']),
    ]);
    expect(v4[0]).toMatchObject({ asPath: [OUR_ASN], med: 5 });
    expect(v6[0]).toMatchObject({ asPath: [OUR_ASN], communities: ['65001:7'] });
    await waitReceived(frrV4, 'ipv4', ['10.250.200.0/24']);
    await waitReceived(frrV6, 'ipv6', ['fd00:250:200::/48']);
  });

  it('reports FRR’s unexpected AS as a typed NOTIFICATION event: 2/2 Bad Peer AS (RFC 4271 §6.2)', async () => {
    // On the IPv6 session FRR connects, so the NOTIFICATION reaches FRR's configured peer;
    // on a session FRR accepted it would land on FRR's transient incoming-connection peer
    // and never show in `show bgp neighbors`.
    await command({ cmd: 'removePeer', address: frrV6 });
    const since = speaker.mark();
    await command({ cmd: 'addPeer', ...peerOptions()[1], remoteAsn: 65099 });
    const sent = await nextEvent(
      (e) => e.event === 'notification-sent' && e.peer === frrV6,
      'NOTIFICATION to FRR',
      30_000,
      since,
    );
    expect(sent).toMatchObject({ code: 2, subcode: 2, name: 'OPEN_MESSAGE_ERROR/BAD_PEER_AS' });
    await waitUntil(
      () => frr.lastError(ourV6),
      (e) => e !== undefined && /bad peer as/i.test(e),
      { timeoutMs: 10_000, intervalMs: 200, what: 'FRR records Bad Peer AS' },
    );
    await command({ cmd: 'removePeer', address: frrV6 });
    const again = speaker.mark();
    await command({ cmd: 'addPeer', ...peerOptions()[1] });
    await nextEvent((e) => e.event === 'peer-up' && e.peer === frrV6, 'IPv6 peer-up', 30_000, again);
  });
});
