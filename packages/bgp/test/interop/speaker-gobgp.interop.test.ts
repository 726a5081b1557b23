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
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe.skipIf(skipReason !== undefined)('speaker ↔ GoBGP', () => {
  let lab: Lab | undefined;
  let gobgp: GobgpDaemon;
  let speaker: ManagedProcess;
  let ourV4: string;
  let ourV6: string;
  let gobgpV4: string;
  let gobgpV6: string;

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
      () => gobgp.routes(family),
      (rs) => JSON.stringify([...new Set(rs.map((r) => r.prefix))].sort()) === want,
      { timeoutMs: 15_000, intervalMs: 150, what: `GoBGP ${family} routes ${want}` },
    );
  }

  async function received(peer: string, family: Family): Promise<ReceivedRoute[]> {
    const reply = await command({ cmd: 'receivedRoutes', peer, family });
    return reply.routes as ReceivedRoute[];
  }

  const flatPath = (r: ReceivedRoute | undefined): number[] => (r?.asPath ?? []).flatMap((s) => s.asns);

  /** Waits until the routes GoBGP originated (AS path [GOBGP_ASN]) are exactly `prefixes`. */
  async function waitReceived(peer: string, family: Family, prefixes: string[]): Promise<ReceivedRoute[]> {
    const want = JSON.stringify([...prefixes].sort());
    const own = (rs: ReceivedRoute[]): ReceivedRoute[] =>
      rs.filter((r) => JSON.stringify(flatPath(r)) === JSON.stringify([GOBGP_ASN]));
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
    expect(flatPath(v4[0])).toEqual([GOBGP_ASN]);
    const v6 = await waitReceived(gobgpV6, 'ipv6', ['fd00:250:200::/48']);
    expect(v6[0]).toMatchObject({ nextHop: gobgpV6, communities: ['65002:6'] });
    expect(flatPath(v6[0])).toEqual([GOBGP_ASN]);
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
