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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EventLine,
  flatAsPath,
  type ReceivedRoute,
  SpeakerClient,
  waitDaemonRoutes,
} from './speaker-client.js';
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

describe.skipIf(skipReason !== undefined)('speaker ↔ FRR', () => {
  let lab: Lab | undefined;
  let frr: FrrDaemon;
  let client: SpeakerClient;
  let speaker: ManagedProcess;
  let ourV4: string;
  let ourV6: string;
  let frrV4: string;
  let frrV6: string;

  const command = (c: Record<string, unknown>): Promise<EventLine> => client.command(c);
  const nextEvent = (
    pred: (e: EventLine) => boolean,
    what: string,
    timeoutMs?: number,
    since?: number,
  ): Promise<EventLine> => client.nextEvent(pred, what, timeoutMs, since);
  const waitRoutes = (family: Family, prefixes: string[]): Promise<DaemonRoute[]> =>
    waitDaemonRoutes(frr, 'FRR', family, prefixes);
  /** Routes FRR originated (AS path [FRR_ASN]), once they are exactly `prefixes`. */
  const waitReceived = (peer: string, family: Family, prefixes: string[]): Promise<ReceivedRoute[]> =>
    client.waitReceived(peer, family, FRR_ASN, prefixes);

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
    client = await SpeakerClient.start(lab, 'speaker', OUR_ASN, ourV4);
    speaker = client.process;
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
    expect(flatAsPath(v4[0])).toEqual([FRR_ASN]);
    const v6 = await waitReceived(frrV6, 'ipv6', ['fd00:250:200::/48']);
    expect(v6[0]).toMatchObject({ nextHop: frrV6, communities: ['65002:6'] });
    expect(flatAsPath(v6[0])).toEqual([FRR_ASN]);
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
