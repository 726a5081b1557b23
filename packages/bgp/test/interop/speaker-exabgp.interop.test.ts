/**
 * Our speaker (AS 4200000001, a 4-octet ASN, RFC 6793) against ExaBGP 4 (AS 65002) in two
 * network namespaces. The speaker runs as speaker-driver.ts in the `speaker` node (JSON
 * Lines commands in, events out); ExaBGP in the `exabgp` node. IPv4 session: we connect,
 * ExaBGP is passive. IPv6 session (MP-BGP over IPv6 transport): ExaBGP connects to our
 * listener. What ExaBGP receives is read from its JSON output (the harness's routes()).
 *
 * Exceptions: no ROUTE-REFRESH in either direction. ExaBGP 4.2 resets the session when it
 * handles one (Exa-Networks/exabgp#1237), so the harness has it advertise no route-refresh
 * capability; the refresh step instead checks that we do not send ROUTE-REFRESH to a peer
 * that did not offer it (RFC 2918 §3).
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
  type ExabgpDaemon,
  type Family,
  interopSkipReason,
  type Lab,
  type ManagedProcess,
  startDaemon,
  waitUntil,
} from './support/index.js';

const skipReason = interopSkipReason();
const HOLD_SEC = 3;
const OUR_ASN = 4_200_000_001;
const EXA_ASN = 65002;

describe.skipIf(skipReason !== undefined)('speaker ↔ ExaBGP', () => {
  let lab: Lab | undefined;
  let exa: ExabgpDaemon;
  let client: SpeakerClient;
  let speaker: ManagedProcess;
  let ourV4: string;
  let ourV6: string;
  let exaV4: string;
  let exaV6: string;

  const command = (c: Record<string, unknown>): Promise<EventLine> => client.command(c);
  const nextEvent = (
    pred: (e: EventLine) => boolean,
    what: string,
    timeoutMs?: number,
    since?: number,
  ): Promise<EventLine> => client.nextEvent(pred, what, timeoutMs, since);
  const waitRoutes = (family: Family, prefixes: string[]): Promise<DaemonRoute[]> =>
    waitDaemonRoutes(exa, 'ExaBGP', family, prefixes);
  /** Routes ExaBGP originated (AS path [EXA_ASN]), once they are exactly `prefixes`. */
  const waitReceived = (peer: string, family: Family, prefixes: string[]): Promise<ReceivedRoute[]> =>
    client.waitReceived(peer, family, EXA_ASN, prefixes);

  beforeAll(async () => {
    lab = await createPair('speaker', 'exabgp');
    const l = lab.link('speaker', 'exabgp');
    [ourV4, ourV6, exaV4, exaV6] = [l.local.ipv4, l.local.ipv6, l.remote.ipv4, l.remote.ipv6];
    exa = await startDaemon(lab, 'exabgp', 'exabgp', {
      routerId: exaV4,
      asn: EXA_ASN,
      neighbors: [
        { address: ourV4, localAddress: exaV4, asn: OUR_ASN, holdTimeSec: HOLD_SEC, passive: true },
        { address: ourV6, localAddress: exaV6, asn: OUR_ASN, holdTimeSec: HOLD_SEC },
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
      address: exaV4,
      remoteAsn: EXA_ASN,
      localAddress: ourV4,
      holdTimeSec: HOLD_SEC,
      connectRetryTimeSec: 1,
      idleHoldTimeSec: 1,
    },
    { address: exaV6, remoteAsn: EXA_ASN, passive: true, holdTimeSec: HOLD_SEC, idleHoldTimeSec: 1 },
  ];

  it('establishes IPv4 with us active and IPv6 with us passive, with a 4-octet local AS (RFC 4271 §8, RFC 4760, RFC 6793)', async () => {
    const since = speaker.mark();
    for (const p of peerOptions()) await command({ cmd: 'addPeer', ...p });
    const up4 = await nextEvent(
      (e) => e.event === 'peer-up' && e.peer === exaV4,
      'IPv4 peer-up',
      30_000,
      since,
    );
    const up6 = await nextEvent(
      (e) => e.event === 'peer-up' && e.peer === exaV6,
      'IPv6 peer-up',
      30_000,
      since,
    );
    expect(up4).toMatchObject({
      peerAsn: EXA_ASN,
      fourOctetAs: true,
      families: ['ipv4-unicast'],
      routeRefresh: false,
    });
    expect(up6).toMatchObject({ peerAsn: EXA_ASN, fourOctetAs: true, families: ['ipv6-unicast'] });
    await Promise.all([exa.waitEstablished(ourV4), exa.waitEstablished(ourV6)]);
  });

  it('decodes ExaBGP’s routes: prefix, next hop, AS path, communities, large communities, MED (RFC 4271 §5.1, RFC 1997, RFC 8092)', async () => {
    const v4 = await waitReceived(exaV4, 'ipv4', ['10.250.200.0/24']);
    expect(v4[0]).toMatchObject({
      nextHop: exaV4,
      origin: 'IGP',
      communities: ['65002:1'],
      largeCommunities: ['65002:1:2'],
      med: 20,
    });
    expect(flatAsPath(v4[0])).toEqual([EXA_ASN]);
    const v6 = await waitReceived(exaV6, 'ipv6', ['fd00:250:200::/48']);
    expect(v6[0]).toMatchObject({ nextHop: exaV6, communities: ['65002:6'] });
    expect(flatAsPath(v6[0])).toEqual([EXA_ASN]);
  });

  it('announces with communities, large communities and MED, visible in ExaBGP’s JSON output (RFC 1997, RFC 8092, RFC 4271 §5.1.4)', async () => {
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

  it('sends no ROUTE-REFRESH to ExaBGP, which did not offer the capability (RFC 2918 §3)', async () => {
    await expect(command({ cmd: 'refresh', peer: exaV4 })).rejects.toThrow(/driver: .*refresh/i);
    await command({ cmd: 'announce', prefix: '10.250.101.0/24', med: 5 });
    const after = await waitRoutes('ipv4', ['10.250.101.0/24']);
    expect(after[0]).toMatchObject({ med: 5 });
    expect(await exa.sessionState(ourV4)).toBe('established');
  });

  it('sends 4/0 Hold Timer Expired when ExaBGP is stopped (SIGSTOP), and recovers once it runs again (RFC 4271 §6.5)', async () => {
    const since = speaker.mark();
    exa.freeze();
    try {
      await nextEvent(
        (e) => e.event === 'notification-sent' && e.name === 'HOLD_TIMER_EXPIRED' && e.peer === exaV4,
        'hold timer expiry',
        20_000,
        since,
      );
    } finally {
      exa.thaw();
    }
    const down = await nextEvent(
      (e) => e.event === 'peer-down' && e.peer === exaV4,
      'peer-down',
      5_000,
      since,
    );
    expect(down.reason).toBe('sent HOLD_TIMER_EXPIRED');
    const after = speaker.mark();
    await nextEvent((e) => e.event === 'peer-up' && e.peer === exaV4, 'IPv4 peer-up again', 60_000, after);
    await waitRoutes('ipv4', ['10.250.101.0/24']);
    await waitReceived(exaV4, 'ipv4', ['10.250.200.0/24']);
  });

  it('re-establishes both sessions after ExaBGP restarts, and re-sends the routes both ways', async () => {
    await command({ cmd: 'announce', prefix: 'fd00:250:101::/48', communities: ['65001:7'] });
    await waitRoutes('ipv6', ['fd00:250:101::/48']);
    const since = speaker.mark();
    await exa.restart();
    await nextEvent((e) => e.event === 'peer-down' && e.peer === exaV4, 'IPv4 peer-down', 15_000, since);
    await nextEvent((e) => e.event === 'peer-up' && e.peer === exaV4, 'IPv4 peer-up', 40_000, since);
    await nextEvent((e) => e.event === 'peer-up' && e.peer === exaV6, 'IPv6 peer-up', 40_000, since);
    const [v4, v6] = await Promise.all([
      waitRoutes('ipv4', ['10.250.101.0/24']),
      waitRoutes('ipv6', ['fd00:250:101::/48']),
    ]);
    expect(v4[0]).toMatchObject({ asPath: [OUR_ASN], med: 5 });
    expect(v6[0]).toMatchObject({ asPath: [OUR_ASN], communities: ['65001:7'] });
    await waitReceived(exaV4, 'ipv4', ['10.250.200.0/24']);
    await waitReceived(exaV6, 'ipv6', ['fd00:250:200::/48']);
  });

  it('reports ExaBGP’s unexpected AS as a typed NOTIFICATION event: 2/2 Bad Peer AS (RFC 4271 §6.2)', async () => {
    await command({ cmd: 'removePeer', address: exaV4 });
    const since = speaker.mark();
    await command({ cmd: 'addPeer', ...peerOptions()[0], remoteAsn: 65099 });
    const sent = await nextEvent(
      (e) => e.event === 'notification-sent' && e.peer === exaV4,
      'NOTIFICATION to ExaBGP',
      30_000,
      since,
    );
    expect(sent).toMatchObject({ code: 2, subcode: 2, name: 'OPEN_MESSAGE_ERROR/BAD_PEER_AS' });
    // ExaBGP reports e.g. "notification received (2,2) error(OPEN message error / Bad Peer AS)".
    await waitUntil(
      () => exa.lastError(ourV4),
      (e) => e !== undefined && /\(2,2\).*bad peer as/i.test(e),
      { timeoutMs: 10_000, intervalMs: 200, what: 'ExaBGP reports Bad Peer AS' },
    );
    await command({ cmd: 'removePeer', address: exaV4 });
    const again = speaker.mark();
    await command({ cmd: 'addPeer', ...peerOptions()[0] });
    await nextEvent((e) => e.event === 'peer-up' && e.peer === exaV4, 'IPv4 peer-up', 30_000, again);
  });
});
