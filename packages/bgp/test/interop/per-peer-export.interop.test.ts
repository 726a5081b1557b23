/**
 * Per-peer export against two real routers: our speaker (AS 65001, node `speaker`)
 * peers with BIRD 2 (AS 65010, node `bird`, 10.250.1.0/24) and FRR 8 (AS 65020, node
 * `frr`, 10.250.2.0/24), and each router must see its own set of routes with its own
 * attributes. BIRD gets the speaker-wide routes plus its own (`exportSpeakerRoutes`
 * default); FRR gets only its own (`exportSpeakerRoutes: false`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpeakerClient, waitDaemonRoutes } from './speaker-client.js';
import {
  type BirdDaemon,
  createLab,
  type DaemonRoute,
  type FrrDaemon,
  interopSkipReason,
  type Lab,
  startDaemon,
  waitUntil,
} from './support/index.js';

const skipReason = interopSkipReason();
const HOLD_SEC = 3;
const OUR_ASN = 65001;
const BIRD_ASN = 65010;
const FRR_ASN = 65020;
const [VIP1, VIP2, VIP3, VIP4] = ['10.250.255.1/32', '10.250.255.2/32', '10.250.255.3/32', '10.250.255.4/32'];

/** The attributes tests compare, by prefix. */
function byPrefix(routes: DaemonRoute[]): Record<string, Partial<DaemonRoute>> {
  const out: Record<string, Partial<DaemonRoute>> = {};
  for (const r of routes) {
    out[r.prefix] = {
      asPath: r.asPath,
      med: r.med,
      communities: [...r.communities].sort(),
      largeCommunities: [...r.largeCommunities].sort(),
    };
  }
  return out;
}

describe.skipIf(skipReason !== undefined)('per-peer export: BIRD and FRR see different routes', () => {
  let lab: Lab | undefined;
  let bird: BirdDaemon;
  let frr: FrrDaemon;
  let client: SpeakerClient;
  let birdAddr: string;
  let frrAddr: string;

  const command = (c: Record<string, unknown>): Promise<unknown> => client.command(c);
  /** Polls a router until it holds exactly `expected` (prefixes and the compared attributes). */
  const waitTable = (
    daemon: BirdDaemon | FrrDaemon,
    name: string,
    expected: Record<string, Partial<DaemonRoute>>,
  ): Promise<DaemonRoute[]> =>
    waitUntil(
      () => daemon.routes('ipv4'),
      (rs) => JSON.stringify(sortKeys(byPrefix(rs))) === JSON.stringify(sortKeys(expected)),
      { timeoutMs: 15_000, intervalMs: 150, what: `${name} routes ${JSON.stringify(expected)}` },
    );

  beforeAll(async () => {
    lab = await createLab({
      nodes: ['speaker', 'bird', 'frr'],
      links: [
        ['speaker', 'bird'],
        ['speaker', 'frr'],
      ],
    });
    const lb = lab.link('speaker', 'bird');
    const lf = lab.link('speaker', 'frr');
    birdAddr = lb.remote.ipv4;
    frrAddr = lf.remote.ipv4;
    bird = await startDaemon(lab, 'bird', 'bird', {
      routerId: birdAddr,
      asn: BIRD_ASN,
      neighbors: [{ address: lb.local.ipv4, localAddress: birdAddr, asn: OUR_ASN, holdTimeSec: HOLD_SEC }],
    });
    frr = await startDaemon(lab, 'frr', 'frr', {
      routerId: frrAddr,
      asn: FRR_ASN,
      neighbors: [{ address: lf.local.ipv4, localAddress: frrAddr, asn: OUR_ASN, holdTimeSec: HOLD_SEC }],
    });
    client = await SpeakerClient.start(lab, 'speaker', OUR_ASN, lb.local.ipv4);
    const common = { holdTimeSec: HOLD_SEC, connectRetryTimeSec: 1, idleHoldTimeSec: 1 };
    await command({
      cmd: 'addPeer',
      address: birdAddr,
      remoteAsn: BIRD_ASN,
      localAddress: lb.local.ipv4,
      ...common,
    });
    await command({
      cmd: 'addPeer',
      address: frrAddr,
      remoteAsn: FRR_ASN,
      localAddress: lf.local.ipv4,
      exportSpeakerRoutes: false,
      ...common,
    });
    await Promise.all([
      bird.waitEstablished(lb.local.ipv4, 30_000),
      frr.waitEstablished(lf.local.ipv4, 30_000),
    ]);
  }, 90_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  it('each router gets its own routes and attributes; only BIRD gets the speaker-wide route', async () => {
    await command({ cmd: 'announce', prefix: VIP1, med: 10, communities: ['65001:1'] });
    await command({ cmd: 'peerAnnounce', peer: birdAddr, prefix: VIP2, med: 20, communities: ['65010:2'] });
    await command({
      cmd: 'peerAnnounce',
      peer: frrAddr,
      prefix: VIP1,
      med: 30,
      largeCommunities: ['65001:3:3'],
      asPathPrepend: 2,
    });
    await command({
      cmd: 'peerAnnounceMany',
      peer: frrAddr,
      prefixes: [VIP3, VIP4],
      attributes: { med: 40 },
    });
    const none = { communities: [], largeCommunities: [] };
    await waitTable(bird, 'BIRD', {
      [VIP1]: { asPath: [OUR_ASN], med: 10, communities: ['65001:1'], largeCommunities: [] },
      [VIP2]: { asPath: [OUR_ASN], med: 20, communities: ['65010:2'], largeCommunities: [] },
    });
    await waitTable(frr, 'FRR', {
      [VIP1]: {
        asPath: [OUR_ASN, OUR_ASN, OUR_ASN],
        med: 30,
        communities: [],
        largeCommunities: ['65001:3:3'],
      },
      [VIP3]: { asPath: [OUR_ASN], med: 40, ...none },
      [VIP4]: { asPath: [OUR_ASN], med: 40, ...none },
    });
  });

  it("a peer's own route overrides the speaker-wide one; speaker-wide changes of it reach only the other router", async () => {
    await command({ cmd: 'peerAnnounce', peer: birdAddr, prefix: VIP1, med: 99 });
    await waitTable(bird, 'BIRD', {
      [VIP1]: { asPath: [OUR_ASN], med: 99, communities: [], largeCommunities: [] },
      [VIP2]: { asPath: [OUR_ASN], med: 20, communities: ['65010:2'], largeCommunities: [] },
    });
    // The speaker-wide VIP1 changes: neither BIRD (overridden) nor FRR (no speaker-wide routes) may see it.
    await command({ cmd: 'announce', prefix: VIP1, med: 11, communities: ['65001:11'] });
    await command({ cmd: 'announce', prefix: '10.250.255.9/32' });
    await waitTable(bird, 'BIRD', {
      [VIP1]: { asPath: [OUR_ASN], med: 99, communities: [], largeCommunities: [] },
      [VIP2]: { asPath: [OUR_ASN], med: 20, communities: ['65010:2'], largeCommunities: [] },
      '10.250.255.9/32': { asPath: [OUR_ASN], med: undefined, communities: [], largeCommunities: [] },
    });
    const frrRoutes = byPrefix(await frr.routes('ipv4'));
    expect(frrRoutes[VIP1]).toMatchObject({ med: 30 });
    expect(frrRoutes['10.250.255.9/32']).toBeUndefined();
  });

  it("withdrawing BIRD's own route falls back to the speaker-wide one; withdrawing FRR's removes it (no speaker-wide export)", async () => {
    expect(await command({ cmd: 'peerWithdraw', peer: birdAddr, prefix: VIP1 })).toMatchObject({
      withdrawn: true,
    });
    expect(await command({ cmd: 'peerWithdraw', peer: frrAddr, prefix: VIP1 })).toMatchObject({
      withdrawn: true,
    });
    await waitTable(bird, 'BIRD', {
      [VIP1]: { asPath: [OUR_ASN], med: 11, communities: ['65001:11'], largeCommunities: [] },
      [VIP2]: { asPath: [OUR_ASN], med: 20, communities: ['65010:2'], largeCommunities: [] },
      '10.250.255.9/32': { asPath: [OUR_ASN], med: undefined, communities: [], largeCommunities: [] },
    });
    await waitDaemonRoutes(frr, 'FRR', 'ipv4', [VIP3, VIP4]);
    const { routes } = (await command({ cmd: 'peerRoutes', peer: frrAddr })) as {
      routes: { prefix: string }[];
    };
    expect(routes.sort((a, b) => a.prefix.localeCompare(b.prefix))).toMatchObject([
      { prefix: VIP3, med: 40 },
      { prefix: VIP4, med: 40 },
    ]);
  });

  it("a peer's own routes outlive its session: FRR restarted gets them again, and still nothing speaker-wide", async () => {
    const since = client.process.mark();
    await frr.restart();
    await client.nextEvent(
      (e) => e.event === 'peer-up' && e.peer === frrAddr,
      'FRR session back',
      30_000,
      since,
    );
    await waitTable(frr, 'FRR', {
      [VIP3]: { asPath: [OUR_ASN], med: 40, communities: [], largeCommunities: [] },
      [VIP4]: { asPath: [OUR_ASN], med: 40, communities: [], largeCommunities: [] },
    });
  });
});

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
