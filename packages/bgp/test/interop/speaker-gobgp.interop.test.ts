/**
 * Our speaker (AS 65001) against gobgpd 3 (AS 4200000002, a 4-octet ASN, RFC 6793) in two
 * network namespaces. The speaker runs as speaker-driver.ts in the `speaker` node (JSON
 * Lines commands in, events out); gobgpd in the `gobgp` node. IPv4 session: we connect,
 * GoBGP is passive. IPv6 session (MP-BGP over IPv6 transport): GoBGP connects to our
 * listener. Routes on GoBGP's side are read with `gobgp global rib -j`.
 *
 * Exceptions: `gobgp neighbor X softresetin` re-runs GoBGP's import policy over its own
 * Adj-RIB-In and sends no ROUTE-REFRESH, so
 * answering a router's ROUTE-REFRESH is covered by the BIRD and FRR scenarios; here the
 * refresh step checks that softresetin keeps the session and routes, and that GoBGP
 * answers our ROUTE-REFRESH. gobgpd logs a NOTIFICATION received before Established only
 * at debug level, so the 2/2 is checked on GoBGP's side with its notification counter.
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
  type GobgpDaemon,
  interopSkipReason,
  type Lab,
  type ManagedProcess,
  startDaemon,
  waitUntil,
} from './support/index.js';

const skipReason = interopSkipReason();
const HOLD_SEC = 3;
const OUR_ASN = 65001;
const GOBGP_ASN = 4_200_000_002;

describe.skipIf(skipReason !== undefined)('speaker ↔ GoBGP', () => {
  let lab: Lab | undefined;
  let gobgp: GobgpDaemon;
  let client: SpeakerClient;
  let speaker: ManagedProcess;
  let ourV4: string;
  let ourV6: string;
  let gobgpV4: string;
  let gobgpV6: string;

  const command = (c: Record<string, unknown>): Promise<EventLine> => client.command(c);
  const nextEvent = (
    pred: (e: EventLine) => boolean,
    what: string,
    timeoutMs?: number,
    since?: number,
  ): Promise<EventLine> => client.nextEvent(pred, what, timeoutMs, since);
  const waitRoutes = (family: Family, prefixes: string[]): Promise<DaemonRoute[]> =>
    waitDaemonRoutes(gobgp, 'GoBGP', family, prefixes);
  /** Routes GoBGP originated (AS path [GOBGP_ASN]), once they are exactly `prefixes`. */
  const waitReceived = (peer: string, family: Family, prefixes: string[]): Promise<ReceivedRoute[]> =>
    client.waitReceived(peer, family, GOBGP_ASN, prefixes);

  beforeAll(async () => {
    lab = await createPair('speaker', 'gobgp');
    const l = lab.link('speaker', 'gobgp');
    [ourV4, ourV6, gobgpV4, gobgpV6] = [l.local.ipv4, l.local.ipv6, l.remote.ipv4, l.remote.ipv6];
    gobgp = await startDaemon(lab, 'gobgp', 'gobgp', {
      routerId: gobgpV4,
      asn: GOBGP_ASN,
      neighbors: [
        { address: ourV4, localAddress: gobgpV4, asn: OUR_ASN, holdTimeSec: HOLD_SEC, passive: true },
        { address: ourV6, localAddress: gobgpV6, asn: OUR_ASN, holdTimeSec: HOLD_SEC },
      ],
      announce: [
        {
          prefix: '10.250.200.0/24',
          communities: ['65002:1'],
          largeCommunities: ['4200000002:1:2'],
          med: 20,
        },
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
      address: gobgpV4,
      remoteAsn: GOBGP_ASN,
      localAddress: ourV4,
      holdTimeSec: HOLD_SEC,
      connectRetryTimeSec: 1,
      idleHoldTimeSec: 1,
    },
    { address: gobgpV6, remoteAsn: GOBGP_ASN, passive: true, holdTimeSec: HOLD_SEC, idleHoldTimeSec: 1 },
  ];

  it('establishes IPv4 with us active and IPv6 with us passive, with a 4-octet peer AS (RFC 4271 §8, RFC 4760, RFC 6793)', async () => {
    const since = speaker.mark();
    for (const p of peerOptions()) await command({ cmd: 'addPeer', ...p });
    const up4 = await nextEvent(
      (e) => e.event === 'peer-up' && e.peer === gobgpV4,
      'IPv4 peer-up',
      30_000,
      since,
    );
    const up6 = await nextEvent(
      (e) => e.event === 'peer-up' && e.peer === gobgpV6,
      'IPv6 peer-up',
      30_000,
      since,
    );
    expect(up4).toMatchObject({ peerAsn: GOBGP_ASN, fourOctetAs: true, families: ['ipv4-unicast'] });
    expect(up6).toMatchObject({ peerAsn: GOBGP_ASN, fourOctetAs: true, families: ['ipv6-unicast'] });
    await Promise.all([gobgp.waitEstablished(ourV4), gobgp.waitEstablished(ourV6)]);
  });

  it('decodes GoBGP’s routes: prefix, next hop, AS path, communities, large communities, MED (RFC 4271 §5.1, RFC 1997, RFC 8092)', async () => {
    const v4 = await waitReceived(gobgpV4, 'ipv4', ['10.250.200.0/24']);
    expect(v4[0]).toMatchObject({
      nextHop: gobgpV4,
      origin: 'IGP',
      communities: ['65002:1'],
      largeCommunities: ['4200000002:1:2'],
      med: 20,
    });
    expect(flatAsPath(v4[0])).toEqual([GOBGP_ASN]);
    const v6 = await waitReceived(gobgpV6, 'ipv6', ['fd00:250:200::/48']);
    expect(v6[0]).toMatchObject({ nextHop: gobgpV6, communities: ['65002:6'] });
    expect(flatAsPath(v6[0])).toEqual([GOBGP_ASN]);
  });

  it('announces with communities, large communities and MED, visible in `gobgp global rib -j` (RFC 1997, RFC 8092, RFC 4271 §5.1.4)', async () => {
    await command({
      cmd: 'announce',
      prefix: '10.250.100.0/24',
      communities: ['65001:100'],
      largeCommunities: ['65001:1:2'],
      med: 50,
    });
    await command({ cmd: 'announce', prefix: 'fd00:250:100::/48', communities: ['65001:6'], med: 7 });
    const v4 = await waitRoutes('ipv4', ['10.250.100.0/24']);
    expect(v4[0]).toMatchObject({
      nextHops: [ourV4],
      origin: 'igp',
      asPath: [OUR_ASN],
      communities: ['65001:100'],
      largeCommunities: ['65001:1:2'],
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

  it('keeps the session and routes through GoBGP’s `softresetin`, and GoBGP answers our ROUTE-REFRESH (RFC 2918)', async () => {
    await command({ cmd: 'announce', prefix: '10.250.101.0/24', med: 5 });
    await waitRoutes('ipv4', ['10.250.101.0/24']);
    // softresetin re-runs GoBGP's import policy over its own Adj-RIB-In; it sends no
    // ROUTE-REFRESH (see the file comment).
    await gobgp.routeRefresh(ourV4);
    const after = await waitRoutes('ipv4', ['10.250.101.0/24']);
    expect(after[0]).toMatchObject({ med: 5 });
    expect(await gobgp.sessionState(ourV4)).toBe('established');
    const updatesFromGobgp = async (): Promise<number> => {
      const reply = await command({ cmd: 'peers' });
      const peers = reply.peers as { address: string; updatesReceived: number }[];
      return peers.find((p) => p.address === gobgpV4)?.updatesReceived ?? 0;
    };
    const refreshesAtGobgp = async (): Promise<number> =>
      (await gobgp.messageCounters(ourV4)).received.refresh ?? 0;
    const [updatesBefore, refreshesBefore] = [await updatesFromGobgp(), await refreshesAtGobgp()];
    await command({ cmd: 'refresh', peer: gobgpV4 });
    await waitUntil(refreshesAtGobgp, (n) => n > refreshesBefore, {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: 'GoBGP counts our ROUTE-REFRESH',
    });
    await waitUntil(updatesFromGobgp, (n) => n > updatesBefore, {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'GoBGP re-sends its table',
    });
    expect(await waitReceived(gobgpV4, 'ipv4', ['10.250.200.0/24'])).toHaveLength(1);
  });

  it('sends 4/0 Hold Timer Expired when GoBGP is stopped (SIGSTOP), and recovers once it runs again (RFC 4271 §6.5)', async () => {
    const since = speaker.mark();
    gobgp.freeze();
    try {
      await nextEvent(
        (e) => e.event === 'notification-sent' && e.name === 'HOLD_TIMER_EXPIRED' && e.peer === gobgpV4,
        'hold timer expiry',
        20_000,
        since,
      );
    } finally {
      gobgp.thaw();
    }
    const down = await nextEvent(
      (e) => e.event === 'peer-down' && e.peer === gobgpV4,
      'peer-down',
      5_000,
      since,
    );
    expect(down.reason).toBe('sent HOLD_TIMER_EXPIRED');
    const after = speaker.mark();
    await nextEvent((e) => e.event === 'peer-up' && e.peer === gobgpV4, 'IPv4 peer-up again', 60_000, after);
    await waitRoutes('ipv4', ['10.250.101.0/24']);
    await waitReceived(gobgpV4, 'ipv4', ['10.250.200.0/24']);
  });

  it('re-establishes both sessions after GoBGP restarts, and re-sends the routes both ways', async () => {
    await command({ cmd: 'announce', prefix: 'fd00:250:101::/48', communities: ['65001:7'] });
    await waitRoutes('ipv6', ['fd00:250:101::/48']);
    const since = speaker.mark();
    await gobgp.restart();
    await nextEvent((e) => e.event === 'peer-down' && e.peer === gobgpV4, 'IPv4 peer-down', 15_000, since);
    await nextEvent((e) => e.event === 'peer-up' && e.peer === gobgpV4, 'IPv4 peer-up', 40_000, since);
    await nextEvent((e) => e.event === 'peer-up' && e.peer === gobgpV6, 'IPv6 peer-up', 40_000, since);
    const [v4, v6] = await Promise.all([
      waitRoutes('ipv4', ['10.250.101.0/24']),
      waitRoutes('ipv6', ['fd00:250:101::/48']),
    ]);
    expect(v4[0]).toMatchObject({ asPath: [OUR_ASN], med: 5 });
    expect(v6[0]).toMatchObject({ asPath: [OUR_ASN], communities: ['65001:7'] });
    await waitReceived(gobgpV4, 'ipv4', ['10.250.200.0/24']);
    await waitReceived(gobgpV6, 'ipv6', ['fd00:250:200::/48']);
  });

  it('reports GoBGP’s unexpected AS as a typed NOTIFICATION event: 2/2 Bad Peer AS (RFC 4271 §6.2)', async () => {
    const notificationsAtGobgp = async (): Promise<number> =>
      (await gobgp.messageCounters(ourV4)).received.notification ?? 0;
    await command({ cmd: 'removePeer', address: gobgpV4 });
    const notificationsBefore = await notificationsAtGobgp();
    const since = speaker.mark();
    await command({ cmd: 'addPeer', ...peerOptions()[0], remoteAsn: 65099 });
    const sent = await nextEvent(
      (e) => e.event === 'notification-sent' && e.peer === gobgpV4,
      'NOTIFICATION to GoBGP',
      30_000,
      since,
    );
    expect(sent).toMatchObject({ code: 2, subcode: 2, name: 'OPEN_MESSAGE_ERROR/BAD_PEER_AS' });
    // gobgpd logs a NOTIFICATION received before Established only at debug level; its
    // per-neighbor counter shows it arrived.
    await waitUntil(notificationsAtGobgp, (n) => n > notificationsBefore, {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: 'GoBGP counts our NOTIFICATION',
    });
    await command({ cmd: 'removePeer', address: gobgpV4 });
    const again = speaker.mark();
    await command({ cmd: 'addPeer', ...peerOptions()[0] });
    await nextEvent((e) => e.event === 'peer-up' && e.peer === gobgpV4, 'IPv4 peer-up', 30_000, again);
  });
});
