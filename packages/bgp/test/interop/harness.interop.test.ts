/**
 * Tests of the interop harness itself: real daemons peering with each other in network
 * namespaces. If these pass, a failure in a later anyvip-vs-daemon scenario is about
 * our speaker, not about the lab, the configs or the parsers.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BgpDaemon,
  type BirdDaemon,
  createLab,
  createPair,
  type DaemonRoute,
  type ExabgpDaemon,
  type Family,
  type FrrDaemon,
  type GobgpDaemon,
  interopSkipReason,
  type Lab,
  type ManagedProcess,
  pendingCleanups,
  runCommand,
  startDaemon,
  waitUntil,
} from './support/index.js';

const skipReason = interopSkipReason();
const HOLD_SEC = 3;
const EXAMPLES = fileURLToPath(new URL('../../../../examples/routers/', import.meta.url));

/**
 * An examples/routers config with its documentation addresses (RFC 5737, RFC 3849)
 * replaced by lab ones: nodes 192.0.2.11/.12 and 2001:db8::11/::12, pools
 * 198.51.100.0/24 → 10.250.200.0/24 and 2001:db8:100::/64 → fd00:250::c800:0/112.
 */
function labExample(file: string, nodes: { v4: string; v6: string }[]): string {
  let text = readFileSync(`${EXAMPLES}${file}`, 'utf8')
    .replaceAll('198.51.100.0/24', '10.250.200.0/24')
    .replaceAll('2001:db8:100::/64', 'fd00:250::c800:0/112');
  nodes.forEach((n, i) => {
    text = text
      .replace(new RegExp(`192\\.0\\.2\\.1${i + 1}\\b`, 'g'), n.v4)
      .replace(new RegExp(`2001:db8::1${i + 1}\\b`, 'g'), n.v6);
  });
  const statements = text.split('\n').filter((line) => !/^\s*[!#]/.test(line));
  expect(statements.join('\n')).not.toMatch(/192\.0\.2\.1\d|2001:db8:|198\.51\.100/);
  return text;
}

/** Waits until `daemon` holds exactly the learned routes `want` for `family` (order-free, by prefix). */
async function waitRoutes(
  daemon: BgpDaemon,
  family: Family,
  prefixes: string[],
  timeoutMs = 10_000,
): Promise<DaemonRoute[]> {
  const want = [...prefixes].sort();
  return waitUntil(
    () => daemon.routes(family),
    (rs) => JSON.stringify([...new Set(rs.map((r) => r.prefix))].sort()) === JSON.stringify(want),
    { timeoutMs, intervalMs: 100, what: `${daemon.kind} ${family} routes ${JSON.stringify(want)}` },
  );
}

function only(routes: DaemonRoute[], prefix: string): DaemonRoute {
  const found = routes.filter((r) => r.prefix === prefix);
  expect(found, `exactly one path for ${prefix}`).toHaveLength(1);
  return found[0]!;
}

describe.skipIf(skipReason !== undefined)('interop harness: daemon-to-daemon sessions', () => {
  describe('harness primitives', () => {
    let lab: Lab | undefined;
    afterAll(async () => {
      await lab?.destroy();
    });

    it('runs a process inside a namespace with JSON Lines capture, freeze/thaw and kill by PID', async () => {
      lab = await createPair('speaker', 'router');
      const link = lab.link('speaker', 'router');
      expect(link.local).toMatchObject({ ipv4: '10.250.1.1', ipv6: 'fd00:250::1:1', ifname: 'eth1' });
      expect(link.remote).toMatchObject({ ipv4: '10.250.1.2', ipv6: 'fd00:250::1:2' });
      const script = [
        "const os = require('node:os');",
        "console.log('not json');",
        "console.log(JSON.stringify({ kind: 'ready', interfaces: Object.keys(os.networkInterfaces()).sort() }));",
        "process.stdin.on('data', (d) => console.log(JSON.stringify({ kind: 'echo', text: String(d).trim() })));",
        'setInterval(() => {}, 1000);',
      ].join('\n');
      const p: ManagedProcess = await lab.spawn('speaker', process.execPath, ['-e', script]);
      const ready = await p.waitForJsonLine<{ interfaces: string[] }>(
        (v) => (v as { kind?: string }).kind === 'ready',
        { timeoutMs: 10_000, what: 'ready event' },
      );
      expect(ready.interfaces).toEqual(['eth1', 'lo']);
      // exec runs in the other node's namespace.
      const r = await lab.exec('router', 'ip', ['-j', 'addr', 'show', 'dev', 'eth1']);
      expect(r.stdout).toContain('10.250.1.2');

      p.freeze();
      const mark = p.mark();
      p.write('while-frozen\n');
      await expect(
        p.waitForLine((l) => l.includes('while-frozen'), { timeoutMs: 300, since: mark }),
      ).rejects.toThrow(/timed out/);
      p.thaw();
      await p.waitForLine((l) => l.includes('while-frozen'), { timeoutMs: 5000, since: mark });

      const exit = await p.kill();
      expect(exit.signal).toBe('SIGKILL');
      const pid = p.pid;
      expect(() => process.kill(pid, 0)).toThrow();

      const names = lab.nodes.map((n) => lab!.nsOf(n));
      await lab.destroy();
      const left = (await runCommand('ip', ['netns', 'list'])).stdout;
      for (const ns of names) expect(left).not.toContain(ns);
      expect(pendingCleanups()).toEqual([]);
    });
  });

  describe('BIRD (AS 4200000001) and GoBGP (AS 65002)', () => {
    let lab: Lab | undefined;
    let bird: BirdDaemon;
    let gobgp: GobgpDaemon;
    let birdV4: string;
    let birdV6: string;
    let gobgpV4: string;
    let gobgpV6: string;

    beforeAll(async () => {
      lab = await createPair('bird', 'gobgp');
      const l = lab.link('bird', 'gobgp');
      [birdV4, birdV6, gobgpV4, gobgpV6] = [l.local.ipv4, l.local.ipv6, l.remote.ipv4, l.remote.ipv6];
      bird = await startDaemon(lab, 'bird', 'bird', {
        routerId: birdV4,
        asn: 4_200_000_001,
        neighbors: [
          { address: gobgpV4, localAddress: birdV4, asn: 65002, holdTimeSec: HOLD_SEC },
          { address: gobgpV6, localAddress: birdV6, asn: 65002, holdTimeSec: HOLD_SEC },
        ],
        announce: [
          {
            prefix: '10.250.100.0/24',
            communities: ['65000:1', '65000:2'],
            largeCommunities: ['4200000001:1:2'],
            med: 50,
          },
          {
            prefix: 'fd00:250::a000:0/112',
            communities: ['65000:3'],
            largeCommunities: ['4200000001:3:4'],
            med: 7,
          },
        ],
      });
      gobgp = await startDaemon(lab, 'gobgp', 'gobgp', {
        routerId: gobgpV4,
        asn: 65002,
        neighbors: [
          { address: birdV4, localAddress: gobgpV4, asn: 4_200_000_001, holdTimeSec: HOLD_SEC },
          { address: birdV6, localAddress: gobgpV6, asn: 4_200_000_001, holdTimeSec: HOLD_SEC },
        ],
      });
    });
    afterAll(async () => {
      await lab?.destroy();
    });

    it('establishes an IPv4 session and an IPv6-transport MP-BGP session with a 4-octet ASN (RFC 4760, RFC 6793)', async () => {
      await Promise.all([bird.waitEstablished(gobgpV4), bird.waitEstablished(gobgpV6)]);
      expect(await gobgp.sessionState(birdV4)).toBe('established');
      expect(await gobgp.sessionState(birdV6)).toBe('established');
    });

    it('BIRD → GoBGP: communities, large communities and MED arrive unchanged (RFC 1997, RFC 8092, RFC 4271 §5.1.4)', async () => {
      const v4 = await waitRoutes(gobgp, 'ipv4', ['10.250.100.0/24']);
      expect(only(v4, '10.250.100.0/24')).toMatchObject({
        nextHops: [birdV4],
        origin: 'igp',
        asPath: [4_200_000_001],
        communities: ['65000:1', '65000:2'],
        largeCommunities: ['4200000001:1:2'],
        med: 50,
        peer: birdV4,
        best: true,
      });
      const v6 = await waitRoutes(gobgp, 'ipv6', ['fd00:250::a000:0/112']);
      expect(only(v6, 'fd00:250::a000:0/112')).toMatchObject({
        nextHops: [birdV6],
        asPath: [4_200_000_001],
        communities: ['65000:3'],
        largeCommunities: ['4200000001:3:4'],
        med: 7,
        peer: birdV6,
      });
      expect(await gobgp.routeCount(birdV4)).toBe(1);
      expect(await gobgp.routeCount(birdV6)).toBe(1);
    });

    it('GoBGP → BIRD: runtime announcements arrive with their attributes and reach BIRD’s kernel FIB', async () => {
      await gobgp.announce({
        prefix: '10.250.101.0/24',
        communities: ['65002:10'],
        largeCommunities: ['65002:0:1'],
        med: 10,
      });
      await gobgp.announce({ prefix: 'fd00:250::a001:0/112', communities: ['65002:11'], med: 11 });
      const v4 = await waitRoutes(bird, 'ipv4', ['10.250.101.0/24']);
      expect(only(v4, '10.250.101.0/24')).toMatchObject({
        nextHops: [gobgpV4],
        origin: 'igp',
        asPath: [65002],
        communities: ['65002:10'],
        largeCommunities: ['65002:0:1'],
        med: 10,
        peer: gobgpV4,
      });
      const v6 = await waitRoutes(bird, 'ipv6', ['fd00:250::a001:0/112']);
      expect(only(v6, 'fd00:250::a001:0/112')).toMatchObject({
        nextHops: [gobgpV6],
        asPath: [65002],
        communities: ['65002:11'],
        med: 11,
        peer: gobgpV6,
      });
      expect(await bird.routeCount(gobgpV4)).toBe(1);
      const fib = await waitUntil(
        () => bird.kernelRoutes('10.250.101.0/24'),
        (rs) => rs.length === 1,
        { timeoutMs: 5000, what: 'BIRD kernel route' },
      );
      expect(fib[0]).toMatchObject({ protocol: 'bird', nextHops: [{ gateway: gobgpV4, dev: 'eth1' }] });
    });

    it('BIRD re-announces with new attributes and withdraws at runtime', async () => {
      await bird.announce({ prefix: '10.250.100.0/24', communities: ['65000:9'], med: 99 });
      await waitUntil(
        () => gobgp.routes('ipv4'),
        (rs) => rs.some((r) => r.prefix === '10.250.100.0/24' && r.med === 99),
        { timeoutMs: 8000, what: 'new MED at GoBGP' },
      );
      expect(only(await gobgp.routes('ipv4'), '10.250.100.0/24')).toMatchObject({
        communities: ['65000:9'],
        largeCommunities: [],
      });
      await bird.withdraw('10.250.100.0/24');
      await bird.withdraw('fd00:250::a000:0/112');
      await waitRoutes(gobgp, 'ipv4', []);
      await waitRoutes(gobgp, 'ipv6', []);
    });

    it('GoBGP withdraws; the route leaves BIRD and its kernel FIB', async () => {
      await gobgp.withdraw('10.250.101.0/24');
      await waitRoutes(bird, 'ipv4', []);
      await waitUntil(
        () => bird.kernelRoutes('10.250.101.0/24'),
        (rs) => rs.length === 0,
        {
          timeoutMs: 5000,
          what: 'kernel route removed',
        },
      );
      expect(await bird.routeCount(gobgpV4)).toBe(0);
    });

    it('BIRD `reload in` sends ROUTE-REFRESH and GoBGP re-sends its routes (RFC 2918)', async () => {
      const before = (await gobgp.messageCounters(birdV6)).received.refresh ?? 0;
      await bird.routeRefresh(gobgpV6);
      await waitUntil(
        async () => (await gobgp.messageCounters(birdV6)).received.refresh ?? 0,
        (n) => n > before,
        { timeoutMs: 5000, what: 'ROUTE-REFRESH counted by GoBGP' },
      );
      await waitRoutes(bird, 'ipv6', ['fd00:250::a001:0/112']);
      expect(await bird.sessionState(gobgpV6)).toBe('established');
    });

    it('BIRD’s hold timer expires while GoBGP is frozen and the session recovers on SIGCONT (RFC 4271 §6.5)', async () => {
      await bird.waitEstablished(gobgpV6);
      const t0 = performance.now();
      gobgp.freeze();
      try {
        await waitUntil(
          () => bird.sessionState(gobgpV6),
          (s) => s !== 'established',
          {
            timeoutMs: (HOLD_SEC + 3) * 1000,
            what: 'hold timer expiry at BIRD',
          },
        );
      } finally {
        gobgp.thaw();
      }
      // BIRD's timers have coarse granularity and a keepalive interval may already have
      // passed when the freeze started; the reason is what proves it was the hold timer.
      expect(performance.now() - t0).toBeGreaterThan(1000);
      expect(await bird.lastError(gobgpV6)).toMatch(/hold timer expired/i);
      await waitRoutes(bird, 'ipv6', []);
      await bird.waitEstablished(gobgpV6, 20_000);
      // Thawed GoBGP reads BIRD's Hold Timer Expired NOTIFICATION (4/0) or times out itself.
      expect(await gobgp.lastError(birdV6)).toMatch(/notification-received|hold-timer-expired/);
      await waitRoutes(bird, 'ipv6', ['fd00:250::a001:0/112']);
    });
  });

  describe('BIRD (AS 65001) and FRR (AS 65003)', () => {
    let lab: Lab | undefined;
    let bird: BirdDaemon;
    let frr: FrrDaemon;
    let birdV4: string;
    let birdV6: string;
    let frrV4: string;
    let frrV6: string;

    beforeAll(async () => {
      lab = await createPair('bird', 'frr');
      const l = lab.link('bird', 'frr');
      [birdV4, birdV6, frrV4, frrV6] = [l.local.ipv4, l.local.ipv6, l.remote.ipv4, l.remote.ipv6];
      [bird, frr] = await Promise.all([
        startDaemon(lab, 'bird', 'bird', {
          routerId: birdV4,
          asn: 65001,
          neighbors: [
            { address: frrV4, localAddress: birdV4, asn: 65003 },
            { address: frrV6, localAddress: birdV6, asn: 65003 },
          ],
          announce: [{ prefix: '10.250.110.0/24', largeCommunities: ['65001:110:1'], med: 110 }],
        }),
        startDaemon(lab, 'frr', 'frr', {
          routerId: frrV4,
          asn: 65003,
          neighbors: [
            { address: birdV4, localAddress: frrV4, asn: 65001 },
            // FRR only listens here: BIRD opens the IPv6 session.
            { address: birdV6, localAddress: frrV6, asn: 65001, passive: true },
          ],
          announce: [
            { prefix: '10.250.111.0/24', communities: ['65003:1'], largeCommunities: ['65003:1:1'], med: 1 },
            { prefix: 'fd00:250::b000:0/112', communities: ['65003:6'], med: 6 },
          ],
        }),
      ]);
    });
    afterAll(async () => {
      await lab?.destroy();
    });

    it('establishes both sessions, the IPv6 one opened by BIRD toward passive FRR (RFC 4271 §8.1.1)', async () => {
      await Promise.all([frr.waitEstablished(birdV4), frr.waitEstablished(birdV6)]);
      expect(await bird.sessionState(frrV6)).toBe('established');
    });

    it('FRR → BIRD: network routes carry their route-map attributes, IPv4 and IPv6', async () => {
      const v4 = await waitRoutes(bird, 'ipv4', ['10.250.111.0/24']);
      expect(only(v4, '10.250.111.0/24')).toMatchObject({
        nextHops: [frrV4],
        origin: 'igp',
        asPath: [65003],
        communities: ['65003:1'],
        largeCommunities: ['65003:1:1'],
        med: 1,
      });
      const v6 = await waitRoutes(bird, 'ipv6', ['fd00:250::b000:0/112']);
      expect(only(v6, 'fd00:250::b000:0/112')).toMatchObject({
        nextHops: [frrV6],
        asPath: [65003],
        communities: ['65003:6'],
        med: 6,
      });
      expect(await bird.routeCount(frrV6)).toBe(1);
    });

    it('BIRD → FRR: attributes arrive and zebra installs the route in FRR’s kernel FIB', async () => {
      const v4 = await waitRoutes(frr, 'ipv4', ['10.250.110.0/24']);
      expect(only(v4, '10.250.110.0/24')).toMatchObject({
        nextHops: [birdV4],
        asPath: [65001],
        communities: [],
        largeCommunities: ['65001:110:1'],
        med: 110,
        best: true,
      });
      expect(await frr.routeCount(birdV4)).toBe(1);
      const fib = await waitUntil(
        () => frr.kernelRoutes('10.250.110.0/24'),
        (rs) => rs.length === 1,
        { timeoutMs: 5000, what: 'FRR kernel route' },
      );
      expect(fib[0]).toMatchObject({ protocol: 'bgp', nextHops: [{ gateway: birdV4, dev: 'eth1' }] });
    });

    it('FRR re-announces with new attributes, refreshes inbound, and withdraws at runtime', async () => {
      await frr.announce({ prefix: '10.250.111.0/24', communities: ['65003:2'], med: 2 });
      await waitUntil(
        () => bird.routes('ipv4'),
        (rs) => rs.some((r) => r.prefix === '10.250.111.0/24' && r.med === 2),
        { timeoutMs: 8000, what: 'new MED at BIRD' },
      );
      expect(only(await bird.routes('ipv4'), '10.250.111.0/24')).toMatchObject({
        communities: ['65003:2'],
        largeCommunities: [],
      });
      await frr.routeRefresh(birdV4);
      expect(await frr.sessionState(birdV4)).toBe('established');
      await frr.withdraw('fd00:250::b000:0/112');
      await waitRoutes(bird, 'ipv6', []);
    });
  });

  describe('FRR (AS 65004) and ExaBGP (AS 4200000005)', () => {
    let lab: Lab | undefined;
    let frr: FrrDaemon;
    let exa: ExabgpDaemon;
    let frrV4: string;
    let frrV6: string;
    let exaV4: string;
    let exaV6: string;

    beforeAll(async () => {
      lab = await createPair('frr', 'exa');
      const l = lab.link('frr', 'exa');
      [frrV4, frrV6, exaV4, exaV6] = [l.local.ipv4, l.local.ipv6, l.remote.ipv4, l.remote.ipv6];
      [frr, exa] = await Promise.all([
        startDaemon(lab, 'frr', 'frr', {
          routerId: frrV4,
          asn: 65004,
          neighbors: [
            { address: exaV4, localAddress: frrV4, asn: 4_200_000_005, holdTimeSec: HOLD_SEC },
            { address: exaV6, localAddress: frrV6, asn: 4_200_000_005, holdTimeSec: HOLD_SEC },
          ],
          announce: [
            { prefix: 'fd00:250::c000:0/112', communities: ['65004:1'], largeCommunities: ['65004:1:1'] },
          ],
        }),
        startDaemon(lab, 'exa', 'exabgp', {
          routerId: exaV4,
          asn: 4_200_000_005,
          neighbors: [
            { address: frrV4, localAddress: exaV4, asn: 65004, holdTimeSec: HOLD_SEC },
            { address: frrV6, localAddress: exaV6, asn: 65004, holdTimeSec: HOLD_SEC },
          ],
          announce: [
            {
              prefix: '10.250.120.0/24',
              communities: ['65005:1'],
              largeCommunities: ['4200000005:0:1'],
              med: 20,
            },
          ],
        }),
      ]);
    });
    afterAll(async () => {
      await lab?.destroy();
    });

    it('establishes IPv4 and IPv6 sessions with a 4-octet peer AS (RFC 6793)', async () => {
      await Promise.all([frr.waitEstablished(exaV4), frr.waitEstablished(exaV6)]);
      expect(await exa.sessionState(frrV4)).toBe('established');
      expect(await exa.sessionState(frrV6)).toBe('established');
    });

    it('ExaBGP → FRR: attributes arrive; runtime IPv6 announce and withdraw work', async () => {
      const v4 = await waitRoutes(frr, 'ipv4', ['10.250.120.0/24']);
      expect(only(v4, '10.250.120.0/24')).toMatchObject({
        nextHops: [exaV4],
        origin: 'igp',
        asPath: [4_200_000_005],
        communities: ['65005:1'],
        largeCommunities: ['4200000005:0:1'],
        med: 20,
      });
      await exa.announce({ prefix: 'fd00:250::c001:0/112', communities: ['65005:2'], med: 21 });
      const v6 = await waitRoutes(frr, 'ipv6', ['fd00:250::c001:0/112']);
      expect(only(v6, 'fd00:250::c001:0/112')).toMatchObject({
        nextHops: [exaV6],
        asPath: [4_200_000_005],
        communities: ['65005:2'],
        med: 21,
      });
      await exa.withdraw('fd00:250::c001:0/112');
      await waitRoutes(frr, 'ipv6', []);
    });

    it('FRR → ExaBGP: ExaBGP’s JSON output yields the same attributes', async () => {
      // FRR does no sender-side loop check, so ExaBGP also gets its own route back.
      const v6 = await waitRoutes(exa, 'ipv6', ['fd00:250::c000:0/112']);
      expect(only(v6, 'fd00:250::c000:0/112')).toMatchObject({
        nextHops: [frrV6],
        origin: 'igp',
        asPath: [65004],
        communities: ['65004:1'],
        largeCommunities: ['65004:1:1'],
        peer: frrV6,
      });
      expect(await exa.routeCount(frrV6)).toBe(1);
    });

    it('FRR’s hold timer expires while ExaBGP is frozen and the session recovers (RFC 4271 §6.5)', async () => {
      exa.freeze();
      try {
        await waitUntil(
          () => frr.sessionState(exaV4),
          (s) => s !== 'established',
          {
            timeoutMs: (HOLD_SEC + 3) * 1000,
            what: 'hold timer expiry at FRR',
          },
        );
        await waitRoutes(frr, 'ipv4', []);
        expect(await frr.lastError(exaV4)).toMatch(/hold timer expired/i);
      } finally {
        exa.thaw();
      }
      await frr.waitEstablished(exaV4, 20_000);
      await waitRoutes(frr, 'ipv4', ['10.250.120.0/24']);
    });
  });

  describe('ECMP: BIRD and FRR each learn one prefix from two speakers in different ASes', () => {
    let lab: Lab | undefined;
    let bird: BirdDaemon;
    let frr: FrrDaemon;

    beforeAll(async () => {
      // Links: 1 bird–s1, 2 bird–s2, 3 frr–s1, 4 frr–s2.
      lab = await createLab({
        nodes: ['bird', 'frr', 's1', 's2'],
        links: [
          ['bird', 's1'],
          ['bird', 's2'],
          ['frr', 's1'],
          ['frr', 's2'],
        ],
      });
      const l = lab;
      const routerNeighbors = (router: string) =>
        l.linksOf(router).flatMap((v) => [
          { address: v.remote.ipv4, localAddress: v.local.ipv4, asn: v.remote.node === 's1' ? 65011 : 65012 },
          { address: v.remote.ipv6, localAddress: v.local.ipv6, asn: v.remote.node === 's1' ? 65011 : 65012 },
        ]);
      const speakerNeighbors = (speaker: string) =>
        l.linksOf(speaker).flatMap((v) => [
          {
            address: v.remote.ipv4,
            localAddress: v.local.ipv4,
            asn: v.remote.node === 'bird' ? 65001 : 65003,
          },
          {
            address: v.remote.ipv6,
            localAddress: v.local.ipv6,
            asn: v.remote.node === 'bird' ? 65001 : 65003,
          },
        ]);
      const vip = [{ prefix: '10.250.200.0/24' }, { prefix: 'fd00:250::c800:0/112' }];
      [bird, frr] = await Promise.all([
        startDaemon(l, 'bird', 'bird', {
          routerId: '10.250.1.1',
          asn: 65001,
          ecmp: true,
          neighbors: routerNeighbors('bird'),
        }),
        startDaemon(l, 'frr', 'frr', {
          routerId: '10.250.3.1',
          asn: 65003,
          ecmp: true,
          neighbors: routerNeighbors('frr'),
        }),
        startDaemon(l, 's1', 'gobgp', {
          routerId: '10.250.1.2',
          asn: 65011,
          neighbors: speakerNeighbors('s1'),
          announce: vip,
        }),
        startDaemon(l, 's2', 'exabgp', {
          routerId: '10.250.2.2',
          asn: 65012,
          neighbors: speakerNeighbors('s2'),
          announce: vip,
        }),
      ]);
    });
    afterAll(async () => {
      await lab?.destroy();
    });

    it('BIRD with `merge paths on` installs both next hops in the kernel, IPv4 and IPv6', async () => {
      const v4 = await waitUntil(
        () => bird.kernelRoutes('10.250.200.0/24'),
        (rs) => rs.length === 1 && rs[0]!.nextHops.length === 2,
        { timeoutMs: 15_000, what: 'BIRD ECMP route (IPv4)' },
      );
      expect(v4[0]!.nextHops.map((h) => h.gateway).sort()).toEqual(['10.250.1.2', '10.250.2.2']);
      const v6 = await waitUntil(
        () => bird.kernelRoutes('fd00:250::c800:0/112'),
        (rs) => rs.length === 1 && rs[0]!.nextHops.length === 2,
        { timeoutMs: 10_000, what: 'BIRD ECMP route (IPv6)' },
      );
      expect(v6[0]!.nextHops.map((h) => h.gateway).sort()).toEqual(['fd00:250::1:2', 'fd00:250::2:2']);
      const paths = await bird.routes('ipv4');
      expect(paths.map((p) => p.asPath[0]).sort()).toEqual([65011, 65012]);
    });

    it('FRR with `maximum-paths` and `as-path multipath-relax` installs both next hops in the kernel, IPv4 and IPv6', async () => {
      const v4 = await waitUntil(
        () => frr.kernelRoutes('10.250.200.0/24'),
        (rs) => rs.length === 1 && rs[0]!.nextHops.length === 2,
        { timeoutMs: 15_000, what: 'FRR ECMP route (IPv4)' },
      );
      expect(v4[0]!.nextHops.map((h) => h.gateway).sort()).toEqual(['10.250.3.2', '10.250.4.2']);
      const v6 = await waitUntil(
        () => frr.kernelRoutes('fd00:250::c800:0/112'),
        (rs) => rs.length === 1 && rs[0]!.nextHops.length === 2,
        { timeoutMs: 10_000, what: 'FRR ECMP route (IPv6)' },
      );
      expect(v6[0]!.nextHops.map((h) => h.dev).sort()).toEqual(['eth3', 'eth4']);
    });
  });

  describe('examples/routers: the BIRD and FRR configs accept only pool VIPs and spread them with ECMP', () => {
    let lab: Lab | undefined;
    let bird: BirdDaemon;
    let frr: FrrDaemon;
    let n1: GobgpDaemon;
    let n2: ExabgpDaemon;
    const vip4 = '10.250.200.10/32';
    const vip6 = 'fd00:250::c800:10/128';

    beforeAll(async () => {
      // Links: 1 bird–n1, 2 bird–n2, 3 frr–n1, 4 frr–n2.
      lab = await createLab({
        nodes: ['bird', 'frr', 'n1', 'n2'],
        links: [
          ['bird', 'n1'],
          ['bird', 'n2'],
          ['frr', 'n1'],
          ['frr', 'n2'],
        ],
      });
      const l = lab;
      const nodeAsn = (node: string): number => (node === 'n1' ? 65101 : 65102);
      const routerSide = (router: string) => {
        const links = l.linksOf(router);
        return {
          ends: links.map((v) => ({ v4: v.remote.ipv4, v6: v.remote.ipv6 })),
          neighbors: links.flatMap((v) => [
            { address: v.remote.ipv4, localAddress: v.local.ipv4, asn: nodeAsn(v.remote.node) },
            { address: v.remote.ipv6, localAddress: v.local.ipv6, asn: nodeAsn(v.remote.node) },
          ]),
        };
      };
      const b = routerSide('bird');
      const f = routerSide('frr');
      [bird, frr] = await Promise.all([
        startDaemon(l, 'bird', 'bird', {
          routerId: '192.0.2.1',
          asn: 65000,
          neighbors: b.neighbors,
          rawConfig: labExample('bird.conf', b.ends),
        }),
        startDaemon(l, 'frr', 'frr', {
          routerId: '192.0.2.1',
          asn: 65000,
          neighbors: f.neighbors,
          rawConfig: labExample('frr.conf', f.ends),
        }),
      ]);
      const announce = [
        { prefix: vip4 },
        { prefix: vip6 },
        // Refused by the import policies: a pool-sized prefix, and addresses outside the pools.
        { prefix: '10.250.200.0/24' },
        { prefix: 'fd00:250::c800:0/112' },
        { prefix: '10.250.201.1/32' },
        { prefix: 'fd00:250::c900:1/128' },
      ];
      const nodeNeighbors = (node: string) =>
        l.linksOf(node).flatMap((v) => [
          { address: v.remote.ipv4, localAddress: v.local.ipv4, asn: 65000 },
          { address: v.remote.ipv6, localAddress: v.local.ipv6, asn: 65000 },
        ]);
      [n1, n2] = await Promise.all([
        startDaemon(l, 'n1', 'gobgp', {
          routerId: '10.250.1.2',
          asn: 65101,
          neighbors: nodeNeighbors('n1'),
          announce,
        }),
        startDaemon(l, 'n2', 'exabgp', {
          routerId: '10.250.2.2',
          asn: 65102,
          neighbors: nodeNeighbors('n2'),
          announce,
        }),
      ]);
    });
    afterAll(async () => {
      await lab?.destroy();
    });

    it('the example files pass `bird -p` and `vtysh --dryrun` as shipped', async () => {
      await runCommand('bird', ['-p', '-c', `${EXAMPLES}bird.conf`]);
      await runCommand('vtysh', ['--dryrun', '-f', `${EXAMPLES}frr.conf`]);
    });

    it('BIRD imports only the pool /32 and /128 and installs both nodes as kernel next hops (`merge paths on`)', async () => {
      const fib4 = await waitUntil(
        () => bird.kernelRoutes(vip4),
        (rs) => rs[0]?.nextHops.length === 2,
        { timeoutMs: 15_000, what: 'BIRD ECMP kernel route (IPv4)' },
      );
      expect(fib4[0]!.nextHops.map((h) => h.gateway).sort()).toEqual(['10.250.1.2', '10.250.2.2']);
      const fib6 = await waitUntil(
        () => bird.kernelRoutes(vip6),
        (rs) => rs[0]?.nextHops.length === 2,
        { timeoutMs: 5000, what: 'BIRD ECMP kernel route (IPv6)' },
      );
      expect(fib6[0]!.nextHops.map((h) => h.dev).sort()).toEqual(['eth1', 'eth2']);
      // Both paths are in (they are in the FIB); the refused prefixes came in the same
      // UPDATE bursts and are absent.
      const v4 = await waitRoutes(bird, 'ipv4', [vip4]);
      expect(v4.map((r) => r.asPath).sort()).toEqual([[65101], [65102]]);
      await waitRoutes(bird, 'ipv6', [vip6]);
    });

    it('FRR imports only the pool /32 and /128 and installs both nodes as kernel next hops (multipath-relax)', async () => {
      const fib4 = await waitUntil(
        () => frr.kernelRoutes(vip4),
        (rs) => rs[0]?.nextHops.length === 2,
        { timeoutMs: 15_000, what: 'FRR ECMP kernel route (IPv4)' },
      );
      expect(fib4[0]!.nextHops.map((h) => h.gateway).sort()).toEqual(['10.250.3.2', '10.250.4.2']);
      const fib6 = await waitUntil(
        () => frr.kernelRoutes(vip6),
        (rs) => rs[0]?.nextHops.length === 2,
        { timeoutMs: 5000, what: 'FRR ECMP kernel route (IPv6)' },
      );
      expect(fib6[0]!.nextHops.map((h) => h.dev).sort()).toEqual(['eth3', 'eth4']);
      // Both paths are in (they are in the FIB); the refused prefixes came in the same
      // UPDATE bursts and are absent.
      const v4 = await waitRoutes(frr, 'ipv4', [vip4]);
      expect(v4.map((r) => r.asPath).sort()).toEqual([[65101], [65102]]);
      await waitRoutes(frr, 'ipv6', [vip6]);
    });

    it('neither router sends routes back to the nodes (explicit export policy, RFC 8212)', async () => {
      expect(await n1.routes('ipv4')).toEqual([]);
      expect(await n1.routes('ipv6')).toEqual([]);
      expect(await n2.routes('ipv4')).toEqual([]);
      expect(await n2.routes('ipv6')).toEqual([]);
    });
  });
});
