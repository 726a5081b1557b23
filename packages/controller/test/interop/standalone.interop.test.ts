/**
 * `anyvip standalone` (the built CLI, the bundle
 * test/support/anyvip-cli.ts names) in a network
 * namespace against BIRD 2, with a real HTTP health endpoint beside it:
 *
 * - mode bgp: the VIP is announced once the endpoint is healthy, withdrawn from BIRD within
 *   fall × interval + timeout (+ slack) after it fails, announced again when it heals; a
 *   SIGHUP reload adds a VIP without resetting the session; SIGTERM withdraws, sends Cease,
 *   removes our loopback addresses and exits 0.
 * - mode table: healthy VIPs become `dev lo table 198 proto 248` routes, which a BIRD on the
 *   node configured with examples/table-mode/bird.conf (or FRR with frr.conf) announces to
 *   the router; a failed check deletes the route, SIGTERM deletes them all.
 *
 * Lab: node `router` 10.250.1.1 / fd00:250::1:1 (BIRD, AS 65000) ↔ node `node` 10.250.1.2 /
 * fd00:250::1:2 (anyvip, AS 65001; in table mode BIRD AS 65101). VIPs 10.250.255.0/24 and
 * fd00:250::ff:0/112.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BirdDaemon,
  createPair,
  interopSkipReason,
  type Lab,
  type ManagedProcess,
  runCommand,
  startDaemon,
  waitUntil,
} from '../../../bgp/test/interop/support/index.js';
import type { StatusReport } from '../../src/admin/status-report.js';
import { ANYVIP_CLI } from '../support/anyvip-cli.js';
import { msOfDay, upSinceBefore } from './support/bird-since.js';

const skipReason = interopSkipReason();
const CLI = ANYVIP_CLI;
const EXAMPLES = fileURLToPath(new URL('../../../../examples/table-mode/', import.meta.url));
const HEALTH_PORT = 18080;
const INTERVAL_MS = 200;
const TIMEOUT_MS = 150;
const FALL = 3;
/** Event-loop, BGP UPDATE and `birdc` polling delays on a busy 2-core machine. */
const SLACK_MS = 1500;

/** A health endpoint: 200 while `flag` exists, 503 otherwise. */
const healthServer = `
const http = require('node:http');
const fs = require('node:fs');
const [port, flag] = process.argv.slice(2);
http.createServer((req, res) => {
  const ok = fs.existsSync(flag);
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
  res.end(ok ? 'ok' : 'unhealthy');
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;

interface LoAddress {
  local: string;
  prefixlen: number;
  metric?: number;
  label?: string;
}

/** Addresses on `lo` in `node` other than 127.0.0.1 and ::1. */
async function loAddresses(lab: Lab, node: string): Promise<LoAddress[]> {
  const r = await lab.ip(node, ['-j', 'addr', 'show', 'dev', 'lo']);
  const links = JSON.parse(r.stdout) as { addr_info: LoAddress[] }[];
  return (links[0]?.addr_info ?? []).filter((a) => a.local !== '127.0.0.1' && a.local !== '::1');
}

/** Routes of kernel table `table` in `node` (both families), as `prefix proto`. */
async function tableRoutes(lab: Lab, node: string, table: number): Promise<string[]> {
  const out: string[] = [];
  for (const family of ['-4', '-6']) {
    const r = await lab.ip(node, ['-j', family, 'route', 'show', 'table', String(table)], {
      allowFailure: true,
    });
    if (r.code !== 0) continue; // The table does not exist (yet).
    for (const row of JSON.parse(r.stdout) as { dst: string; dev: string; protocol?: string }[]) {
      out.push(`${row.dst} dev ${row.dev} proto ${row.protocol}`);
    }
  }
  return out.sort();
}

/** An examples/table-mode file with its documentation addresses replaced by the lab's. */
function labExample(file: string): string {
  const text = readFileSync(join(EXAMPLES, file), 'utf8')
    .replace(/\b192\.0\.2\.11\b/g, '10.250.1.2')
    .replace(/\b192\.0\.2\.1\b/g, '10.250.1.1')
    .replace(/\b2001:db8::11\b/g, 'fd00:250::1:2')
    .replace(/\b2001:db8::1\b/g, 'fd00:250::1:1')
    .replaceAll('198.51.100.0/24', '10.250.255.0/24')
    .replaceAll('2001:db8:100::/64', 'fd00:250::ff:0/112');
  const statements = text.split('\n').filter((l) => !/^\s*[#!]/.test(l));
  expect(statements.join('\n')).not.toMatch(/192\.0\.2|2001:db8|198\.51/);
  return text;
}

/** anyvip's table-mode configuration for the lab. */
function tableModeConfig(vips: string): string {
  return `
mode: table
table: { id: 198, protocol: 248 }
healthchecks:
  web: { http: "http://127.0.0.1:${HEALTH_PORT}/healthz", interval: ${INTERVAL_MS}ms, timeout: ${TIMEOUT_MS}ms, rise: 2, fall: ${FALL} }
vips:
${vips}
`;
}

async function birdPrefixes(bird: BirdDaemon, family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<string[]> {
  return (await bird.routes(family)).map((r) => r.prefix).sort();
}

/** Starts the health endpoint in `node`; returns the flag file that makes it healthy. */
async function startHealth(lab: Lab, node: string): Promise<string> {
  const script = join(lab.dir, 'health-server.cjs');
  writeFileSync(script, healthServer);
  const flag = join(lab.dir, 'healthy');
  writeFileSync(flag, '');
  const p = await lab.spawn(node, process.execPath, [script, String(HEALTH_PORT), flag], { label: 'health' });
  await p.waitForLine((l) => l === 'listening', { timeoutMs: 10_000, what: 'health endpoint listening' });
  return flag;
}

async function startAnyvip(lab: Lab, node: string, configFile: string): Promise<ManagedProcess> {
  return lab.spawn(node, process.execPath, [CLI, 'standalone', '--config', configFile], { label: 'anyvip' });
}

/** Waits for an anyvip JSON log line with `message` (and `vip`, if given) after `since`. */
function logLine(anyvip: ManagedProcess, message: string, vip?: string, since = 0): Promise<unknown> {
  return anyvip.waitForJsonLine(
    (v) => {
      const o = v as { message?: string; vip?: string };
      return o.message === message && (vip === undefined || o.vip === vip);
    },
    { timeoutMs: 15_000, since, what: `log line "${message}"${vip === undefined ? '' : ` for ${vip}`}` },
  );
}

describe.skipIf(skipReason !== undefined)('anyvip standalone in a namespace against BIRD', () => {
  let lab: Lab | undefined;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (pnpm -r build)`);
  });

  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  it('mode bgp: announces when healthy, withdraws within fall × interval on failure, reloads on SIGHUP, cleans up on SIGTERM', async () => {
    lab = await createPair('router', 'node');
    const bird = await startDaemon(lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [
        {
          address: '10.250.1.2',
          asn: 65001,
          localAddress: '10.250.1.1',
          holdTimeSec: 9,
          families: ['ipv4', 'ipv6'],
        },
      ],
    });
    const flag = await startHealth(lab, 'node');
    const configFile = join(lab.dir, 'anyvip.yaml');
    const config = (extraVips: string) => `
bgp:
  asn: 65001
  routerId: 10.250.1.2
  peers:
    - { address: 10.250.1.1, asn: 65000, holdTime: 9, connectRetry: 1, families: [ipv4, ipv6], nextHopSelf: { ipv6: "fd00:250::1:2" } }
healthchecks:
  web: { http: "http://127.0.0.1:${HEALTH_PORT}/healthz", interval: ${INTERVAL_MS}ms, timeout: ${TIMEOUT_MS}ms, rise: 2, fall: ${FALL} }
vips:
  - { address: 10.250.255.1, healthcheck: web, communities: ["65000:100"] }
  - { address: "fd00:250::ff:1" }
${extraVips}
allowedRanges: [10.250.255.0/24, "fd00:250::ff:0/112"]
reconcile: { interval: 1s }
`;
    writeFileSync(configFile, config(''));
    const anyvip = await startAnyvip(lab, 'node', configFile);

    await bird.waitEstablished('10.250.1.2', 15_000);
    const announced = await waitUntil(
      () => bird.routes('ipv4'),
      (rs) => rs.some((r) => r.prefix === '10.250.255.1/32'),
      { timeoutMs: 10_000, intervalMs: 100, what: 'VIP announced to BIRD' },
    );
    const vip = announced.find((r) => r.prefix === '10.250.255.1/32');
    expect(vip?.communities).toEqual(['65000:100']);
    expect(vip?.asPath).toEqual([65001]);
    expect(vip?.nextHops).toEqual(['10.250.1.2']);
    await waitUntil(
      () => bird.kernelRoutes('10.250.255.1/32'),
      (rs) => rs.length === 1,
      { timeoutMs: 5000, what: 'VIP in the router FIB' },
    );
    // The IPv6 VIP has no check: announced at once, over the IPv4 session (RFC 4760).
    const v6 = await waitUntil(
      () => bird.routes('ipv6'),
      (rs) => rs.some((r) => r.prefix === 'fd00:250::ff:1/128'),
      { timeoutMs: 10_000, intervalMs: 100, what: 'IPv6 VIP announced to BIRD' },
    );
    expect(v6.find((r) => r.prefix === 'fd00:250::ff:1/128')?.nextHops).toEqual(['fd00:250::1:2']);
    const lo = await loAddresses(lab, 'node');
    expect(lo.map((a) => [a.local, a.prefixlen, a.metric, a.label]).sort()).toEqual([
      ['10.250.255.1', 32, 7717, 'lo:anyvip'],
      ['fd00:250::ff:1', 128, 7717, undefined],
    ]);

    // The endpoint fails: the route must be gone within fall × interval + timeout (+ slack).
    const failedAt = performance.now();
    rmSync(flag);
    await waitUntil(
      () => birdPrefixes(bird),
      (ps) => !ps.includes('10.250.255.1/32'),
      { timeoutMs: 10_000, intervalMs: 25, what: 'VIP withdrawn from BIRD' },
    );
    const withdrawMs = performance.now() - failedAt;
    expect(withdrawMs).toBeLessThan(FALL * INTERVAL_MS + TIMEOUT_MS + SLACK_MS);
    // ExaBGP-healthcheck behaviour: the route goes, the address stays on lo.
    expect((await loAddresses(lab, 'node')).map((a) => a.local)).toContain('10.250.255.1');
    const line = (await logLine(anyvip, 'withdrawn', '10.250.255.1/32')) as { health?: string };
    expect(line.health).toBe('down');

    // Healed: announced again after rise successes.
    writeFileSync(flag, '');
    await waitUntil(
      () => birdPrefixes(bird),
      (ps) => ps.includes('10.250.255.1/32'),
      { timeoutMs: 10_000, intervalMs: 50, what: 'VIP announced again' },
    );

    // The admin listener (default 127.0.0.1:9716, in the node's namespace) reports the real
    // speaker's session and counters, and the failover just seen.
    const status = await lab.exec('node', process.execPath, [CLI, 'status', '--json']);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as StatusReport;
    expect(report.ready).toBe(true);
    expect(report.peers).toMatchObject([{ address: '10.250.1.1', state: 'established', prefixesSent: 2 }]);
    expect(report.vips.map((v) => [v.prefix, v.health, v.announced])).toEqual([
      ['10.250.255.1/32', 'up', true],
      ['fd00:250::ff:1/128', 'none', true],
    ]);
    const scrape = await lab.exec('node', process.execPath, [
      '-e',
      "fetch('http://127.0.0.1:9716/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))",
    ]);
    expect(scrape.stdout).toContain('anyvip_bgp_peer_state{peer="10.250.1.1",state="established"} 1');
    expect(scrape.stdout).toMatch(/\nanyvip_bgp_peer_updates_sent_total\{peer="10\.250\.1\.1"\} [1-9]/);
    expect(scrape.stdout).toContain('anyvip_bgp_peer_prefixes_sent{peer="10.250.1.1"} 2');
    expect(scrape.stdout).toContain('anyvip_vip_failovers_total{vip="10.250.255.1/32",to="withdrawn"} 1');

    // SIGHUP: a new VIP appears; the session is not reset (BIRD's "since" stays).
    const since = (await bird.birdc(['show', 'protocols'])).match(/Established/g)?.length;
    const readAt = msOfDay(new Date());
    const before = await bird.birdc(['show', 'protocols', 'all', 'n_10_250_1_2']);
    const mark = anyvip.mark();
    writeFileSync(configFile, config('  - { address: 10.250.255.2 }'));
    anyvip.signal('SIGHUP');
    await logLine(anyvip, 'configuration reloaded', undefined, mark);
    await waitUntil(
      () => birdPrefixes(bird),
      (ps) => ps.includes('10.250.255.2/32') && ps.includes('10.250.255.1/32'),
      { timeoutMs: 10_000, intervalMs: 50, what: 'reloaded VIP announced' },
    );
    const after = await bird.birdc(['show', 'protocols', 'all', 'n_10_250_1_2']);
    const sinceOf = (t: string) => /n_10_250_1_2\s+BGP\s+\S+\s+up\s+(\S+)/.exec(t)?.[1];
    expect(sinceOf(before)).toBeDefined();
    expect(upSinceBefore(sinceOf(after) ?? '?', readAt), `up since ${sinceOf(after)}`).toBe(true);
    expect(since).toBe(1);

    // A bad file is refused and changes nothing.
    const mark2 = anyvip.mark();
    writeFileSync(configFile, `${config('')}\nbogus: true\n`);
    anyvip.signal('SIGHUP');
    await logLine(anyvip, 'configuration refused; the previous one stays in force', undefined, mark2);
    expect(await birdPrefixes(bird)).toEqual(['10.250.255.1/32', '10.250.255.2/32']);

    // SIGTERM: withdraw, Cease, loopback cleaned, exit 0.
    const exit = await anyvip.stop(8000, 'SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await birdPrefixes(bird)).toEqual([]);
    expect(await birdPrefixes(bird, 'ipv6')).toEqual([]);
    expect(await loAddresses(lab, 'node')).toEqual([]);
    expect(await bird.lastError('10.250.1.2')).toMatch(/administrative shutdown/i);
  });

  it('mode table: writes dev lo table 198 proto 248 routes that BIRD (examples/table-mode/bird.conf) announces, and removes them', async () => {
    lab = await createPair('router', 'node');
    const router = await startDaemon(lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [
        { address: '10.250.1.2', asn: 65101, localAddress: '10.250.1.1', holdTimeSec: 9 },
        { address: 'fd00:250::1:2', asn: 65101, localAddress: 'fd00:250::1:1', holdTimeSec: 9 },
      ],
    });
    await startDaemon(lab, 'node', 'bird', {
      routerId: '10.250.1.2',
      asn: 65101,
      rawConfig: labExample('bird.conf'),
      neighbors: [
        { address: '10.250.1.1', asn: 65000, localAddress: '10.250.1.2' },
        { address: 'fd00:250::1:1', asn: 65000, localAddress: 'fd00:250::1:2' },
      ],
    });
    const flag = await startHealth(lab, 'node');
    const configFile = join(lab.dir, 'anyvip.yaml');
    writeFileSync(
      configFile,
      tableModeConfig('  - { address: 10.250.255.1, healthcheck: web }\n  - { address: "fd00:250::ff:1" }'),
    );
    const anyvip = await startAnyvip(lab, 'node', configFile);

    await waitUntil(
      () => tableRoutes(lab!, 'node', 198),
      (rs) => rs.length === 2,
      { timeoutMs: 10_000, intervalMs: 100, what: 'routes in table 198' },
    );
    expect(await tableRoutes(lab, 'node', 198)).toEqual([
      '10.250.255.1 dev lo proto 248',
      'fd00:250::ff:1 dev lo proto 248',
    ]);
    await router.waitEstablished('10.250.1.2', 15_000);
    await router.waitEstablished('fd00:250::1:2', 15_000);
    await waitUntil(
      async () => [...(await birdPrefixes(router, 'ipv4')), ...(await birdPrefixes(router, 'ipv6'))],
      (ps) => ps.includes('10.250.255.1/32') && ps.includes('fd00:250::ff:1/128'),
      { timeoutMs: 15_000, intervalMs: 100, what: 'table-mode VIPs announced by the node BIRD' },
    );
    const v6 = (await router.routes('ipv6')).find((r) => r.prefix === 'fd00:250::ff:1/128');
    expect(v6?.asPath).toEqual([65101]);

    // Check fails: the table route goes, so the node's BIRD withdraws it.
    const failedAt = performance.now();
    rmSync(flag);
    await waitUntil(
      () => tableRoutes(lab!, 'node', 198),
      (rs) => !rs.includes('10.250.255.1 dev lo proto 248'),
      { timeoutMs: 10_000, intervalMs: 25, what: 'table route removed' },
    );
    expect(performance.now() - failedAt).toBeLessThan(FALL * INTERVAL_MS + TIMEOUT_MS + SLACK_MS);
    await waitUntil(
      () => birdPrefixes(router, 'ipv4'),
      (ps) => !ps.includes('10.250.255.1/32'),
      { timeoutMs: 10_000, intervalMs: 50, what: 'router lost the VIP' },
    );
    expect((await loAddresses(lab, 'node')).map((a) => a.local).sort()).toEqual([
      '10.250.255.1',
      'fd00:250::ff:1',
    ]);

    // SIGTERM: every route of ours and every address of ours goes; exit 0.
    const exit = await anyvip.stop(8000, 'SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await tableRoutes(lab, 'node', 198)).toEqual([]);
    expect(await loAddresses(lab, 'node')).toEqual([]);
    await waitUntil(
      () => birdPrefixes(router, 'ipv6'),
      (ps) => ps.length === 0,
      { timeoutMs: 10_000, intervalMs: 50, what: 'router lost the IPv6 VIP' },
    );
  });
  it('mode table with FRR 8 (examples/table-mode/frr.conf, keepWhenDown false): the lo address is the signal', async () => {
    lab = await createPair('router', 'node');
    const router = await startDaemon(lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [
        { address: '10.250.1.2', asn: 65101, localAddress: '10.250.1.1', holdTimeSec: 9 },
        { address: 'fd00:250::1:2', asn: 65101, localAddress: 'fd00:250::1:1', holdTimeSec: 9 },
      ],
    });
    const frr = await startDaemon(lab, 'node', 'frr', {
      routerId: '10.250.1.2',
      asn: 65101,
      rawConfig: 'hostname node\n',
      neighbors: [
        { address: '10.250.1.1', asn: 65000, localAddress: '10.250.1.2' },
        { address: 'fd00:250::1:1', asn: 65000, localAddress: 'fd00:250::1:2' },
      ],
    });
    // The integrated file goes through vtysh, which hands each line to zebra or bgpd.
    const example = join(lab.dir, 'frr-table-mode.conf');
    writeFileSync(example, labExample('frr.conf'));
    const applied = await runCommand('vtysh', ['--vty_socket', frr.vtyDir, '-f', example], {
      allowFailure: true,
    });
    expect(`${applied.stdout}${applied.stderr}`).not.toMatch(/% (Unknown|Invalid|Ambiguous)/);
    expect(applied.code).toBe(0);

    const flag = await startHealth(lab, 'node');
    const configFile = join(lab.dir, 'anyvip.yaml');
    writeFileSync(
      configFile,
      `${tableModeConfig('  - { address: 10.250.255.1, healthcheck: web }\n  - { address: "fd00:250::ff:1" }')}loopback: { keepWhenDown: false }\n`,
    );
    const anyvip = await startAnyvip(lab, 'node', configFile);

    await router.waitEstablished('10.250.1.2', 20_000);
    await router.waitEstablished('fd00:250::1:2', 20_000);
    await waitUntil(
      async () => [...(await birdPrefixes(router, 'ipv4')), ...(await birdPrefixes(router, 'ipv6'))],
      (ps) => ps.includes('10.250.255.1/32') && ps.includes('fd00:250::ff:1/128'),
      { timeoutMs: 15_000, intervalMs: 100, what: 'VIPs announced by FRR' },
    );
    const v4 = (await router.routes('ipv4')).find((r) => r.prefix === '10.250.255.1/32');
    expect(v4?.asPath).toEqual([65101]);
    // Nothing else on the node leaks: only pool addresses pass the prefix lists.
    expect(await birdPrefixes(router, 'ipv4')).toEqual(['10.250.255.1/32']);

    rmSync(flag);
    await waitUntil(
      () => birdPrefixes(router, 'ipv4'),
      (ps) => !ps.includes('10.250.255.1/32'),
      { timeoutMs: 10_000, intervalMs: 50, what: 'FRR withdrew the VIP' },
    );
    expect((await loAddresses(lab, 'node')).map((a) => a.local)).toEqual(['fd00:250::ff:1']);
    expect(await anyvip.stop(8000, 'SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await tableRoutes(lab, 'node', 198)).toEqual([]);
    await waitUntil(
      () => birdPrefixes(router, 'ipv6'),
      (ps) => ps.length === 0,
      { timeoutMs: 10_000, intervalMs: 50, what: 'FRR withdrew the IPv6 VIP on shutdown' },
    );
  });

  it('anyvip run --control-plane: the control-plane VIP from flags, announced once --health passes', async () => {
    lab = await createPair('router', 'node');
    const bird = await startDaemon(lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [{ address: '10.250.1.2', asn: 65001, localAddress: '10.250.1.1', holdTimeSec: 9 }],
    });
    await startHealth(lab, 'node');
    const anyvip = await lab.spawn(
      'node',
      process.execPath,
      [
        CLI,
        'run',
        '--control-plane',
        '--vip',
        '10.250.255.9',
        '--peer',
        '10.250.1.1',
        '--peer-asn',
        '65000',
        '--asn',
        '65001',
        '--router-id',
        '10.250.1.2',
        '--hold-time',
        '9',
        '--health',
        `http://127.0.0.1:${HEALTH_PORT}/healthz`,
      ],
      { label: 'anyvip' },
    );
    await waitUntil(
      () => birdPrefixes(bird),
      (ps) => ps.includes('10.250.255.9/32'),
      { timeoutMs: 15_000, intervalMs: 100, what: 'control-plane VIP announced' },
    );
    expect(await anyvip.stop(8000, 'SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await loAddresses(lab, 'node')).toEqual([]);
  });

  it('the table-mode examples pass their own checkers: bird -p and vtysh --dryrun', async () => {
    const bird = await runCommand('bird', ['-p', '-c', join(EXAMPLES, 'bird.conf')], { allowFailure: true });
    expect(bird).toMatchObject({ code: 0 });
    const frr = await runCommand('vtysh', ['--dryrun', '-f', join(EXAMPLES, 'frr.conf')], {
      allowFailure: true,
    });
    expect(`${frr.stdout}${frr.stderr}`).toBe('');
    expect(frr.code).toBe(0);
  });
});
