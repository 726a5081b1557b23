/**
 * Our speaker against BIRD 2 in two network namespaces. The speaker runs as
 * speaker-driver.ts in the `speaker` node (JSON Lines commands in, events out); BIRD
 * (AS 65002) in the `bird` node. IPv4 session: we connect, BIRD is passive. IPv6
 * session: BIRD connects to our listener.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLine, SpeakerClient, waitDaemonRoutes } from './speaker-client.js';
import {
  type BirdDaemon,
  createPair,
  type DaemonRoute,
  type Family,
  interopSkipReason,
  type Lab,
  type ManagedProcess,
  startDaemon,
  waitUntil,
} from './support/index.js';

const skipReason = interopSkipReason();
const HOLD_SEC = 3;

describe.skipIf(skipReason !== undefined)('speaker ↔ BIRD 2', () => {
  let lab: Lab | undefined;
  let bird: BirdDaemon;
  let client: SpeakerClient;
  let speaker: ManagedProcess;
  let ourV4: string;
  let ourV6: string;
  let birdV4: string;
  let birdV6: string;

  const command = (c: Record<string, unknown>): Promise<EventLine> => client.command(c);
  const nextEvent = (
    pred: (e: EventLine) => boolean,
    what: string,
    timeoutMs?: number,
    since?: number,
  ): Promise<EventLine> => client.nextEvent(pred, what, timeoutMs, since);
  const waitRoutes = (family: Family, prefixes: string[]): Promise<DaemonRoute[]> =>
    waitDaemonRoutes(bird, 'BIRD', family, prefixes);

  beforeAll(async () => {
    lab = await createPair('speaker', 'bird');
    const l = lab.link('speaker', 'bird');
    [ourV4, ourV6, birdV4, birdV6] = [l.local.ipv4, l.local.ipv6, l.remote.ipv4, l.remote.ipv6];
    bird = await startDaemon(lab, 'bird', 'bird', {
      routerId: birdV4,
      asn: 65002,
      neighbors: [
        { address: ourV4, localAddress: birdV4, asn: 65001, holdTimeSec: HOLD_SEC, passive: true },
        { address: ourV6, localAddress: birdV6, asn: 65001, holdTimeSec: HOLD_SEC },
      ],
      announce: [{ prefix: '10.250.200.0/24', communities: ['65002:1'] }],
    });
    client = await SpeakerClient.start(lab, 'speaker', 65001, ourV4);
    speaker = client.process;
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  const peerOptions = (): Record<string, unknown>[] => [
    {
      address: birdV4,
      remoteAsn: 65002,
      localAddress: ourV4,
      holdTimeSec: HOLD_SEC,
      connectRetryTimeSec: 1,
      idleHoldTimeSec: 1,
    },
    { address: birdV6, remoteAsn: 65002, passive: true, holdTimeSec: HOLD_SEC, idleHoldTimeSec: 1 },
  ];

  it('establishes IPv4 with us active and IPv6 with us passive (RFC 4271 §8, RFC 4760)', async () => {
    const since = speaker.mark();
    for (const p of peerOptions()) await command({ cmd: 'addPeer', ...p });
    await nextEvent((e) => e.event === 'peer-up' && e.peer === birdV4, 'IPv4 peer-up', 30_000, since);
    await nextEvent((e) => e.event === 'peer-up' && e.peer === birdV6, 'IPv6 peer-up', 30_000, since);
    await Promise.all([bird.waitEstablished(ourV4), bird.waitEstablished(ourV6)]);
    // BIRD's own route reaches us.
    await nextEvent((e) => e.event === 'eor-received' && e.peer === birdV4, 'IPv4 End-of-RIB', 30_000, since);
  });

  it('announces with communities, large communities and MED, visible in birdc (RFC 1997, RFC 8092, RFC 4271 §5.1)', async () => {
    await command({
      cmd: 'announce',
      prefix: '10.250.100.0/24',
      communities: ['65001:100'],
      largeCommunities: ['65001:1:2'],
      med: 50,
    });
    await command({ cmd: 'announce', prefix: 'fd00:250:100::/48', communities: ['65001:6'], med: 7 });
    const v4 = await waitRoutes('ipv4', ['10.250.100.0/24']);
    expect(v4.find((r) => r.prefix === '10.250.100.0/24')).toMatchObject({
      nextHops: [ourV4],
      origin: 'igp',
      asPath: [65001],
      communities: ['65001:100'],
      largeCommunities: ['65001:1:2'],
      med: 50,
    });
    const v6 = await waitRoutes('ipv6', ['fd00:250:100::/48']);
    expect(v6[0]).toMatchObject({ nextHops: [ourV6], asPath: [65001], communities: ['65001:6'], med: 7 });
  });

  it('withdraws', async () => {
    await command({ cmd: 'withdraw', prefix: '10.250.100.0/24' });
    await waitRoutes('ipv4', []);
  });

  it('answers BIRD’s ROUTE-REFRESH with the table, and asks BIRD for its own (RFC 2918, RFC 7313)', async () => {
    await command({ cmd: 'announce', prefix: '10.250.101.0/24' });
    await waitRoutes('ipv4', ['10.250.101.0/24']);
    const since = speaker.mark();
    await bird.routeRefresh(ourV4);
    await nextEvent(
      (e) => e.event === 'route-refresh' && e.direction === 'received' && e.subtype === 'request',
      'ROUTE-REFRESH from BIRD',
      15_000,
      since,
    );
    await waitRoutes('ipv4', ['10.250.101.0/24']);
    const updatesFromBird = async (): Promise<number> => {
      const reply = await command({ cmd: 'peers' });
      const peers = reply.peers as { address: string; updatesReceived: number }[];
      return peers.find((p) => p.address === birdV4)?.updatesReceived ?? 0;
    };
    const before = await updatesFromBird();
    await command({ cmd: 'refresh', peer: birdV4 });
    await waitUntil(updatesFromBird, (n) => n > before, {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'BIRD re-sends its table',
    });
  });

  it('sends 4/0 Hold Timer Expired when BIRD is stopped (SIGSTOP), and recovers once it runs again', async () => {
    const since = speaker.mark();
    bird.freeze();
    try {
      await nextEvent(
        (e) => e.event === 'notification-sent' && e.name === 'HOLD_TIMER_EXPIRED' && e.peer === birdV4,
        'hold timer expiry',
        20_000,
        since,
      );
    } finally {
      bird.thaw();
    }
    const down = await nextEvent(
      (e) => e.event === 'peer-down' && e.peer === birdV4,
      'peer-down',
      5_000,
      since,
    );
    expect(down.reason).toBe('sent HOLD_TIMER_EXPIRED');
    const after = speaker.mark();
    await nextEvent((e) => e.event === 'peer-up' && e.peer === birdV4, 'IPv4 peer-up again', 60_000, after);
    await bird.nudge();
    await waitRoutes('ipv4', ['10.250.101.0/24']);
  });

  it('reports BIRD’s wrong AS as a typed NOTIFICATION event: 2/2 Bad Peer AS (RFC 4271 §6.2)', async () => {
    await command({ cmd: 'removePeer', address: birdV4 });
    const since = speaker.mark();
    await command({ cmd: 'addPeer', ...peerOptions()[0], remoteAsn: 65099 });
    const sent = await nextEvent(
      (e) => e.event === 'notification-sent' && e.peer === birdV4,
      'NOTIFICATION to BIRD',
      30_000,
      since,
    );
    expect(sent).toMatchObject({ code: 2, subcode: 2, name: 'OPEN_MESSAGE_ERROR/BAD_PEER_AS' });
    expect(await bird.lastError(ourV4)).toMatch(/bad peer as/i);
    await command({ cmd: 'removePeer', address: birdV4 });
    const again = speaker.mark();
    await command({ cmd: 'addPeer', ...peerOptions()[0] });
    await nextEvent((e) => e.event === 'peer-up' && e.peer === birdV4, 'IPv4 peer-up', 30_000, again);
  });

  it('closes with Cease / Administrative Shutdown and its shutdown communication (RFC 9003)', async () => {
    await command({ cmd: 'close', reason: 'interop test over' });
    await waitUntil(
      () => bird.lastError(ourV4),
      (e) => e !== undefined && /shut ?down/i.test(e),
      { timeoutMs: 10_000, intervalMs: 200, what: 'BIRD sees the Cease' },
    );
  });
});
