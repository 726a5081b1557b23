/**
 * The example router configurations work with what anyvip sends.
 *
 * - examples/route-reflectors parse with the daemons they are for: BIRD 2 (`bird -p`) and
 *   FRR 8 (`vtysh --dryrun`).
 * - examples/routers (also run end to end against GoBGP and ExaBGP nodes by the bgp package's
 *   interop harness) accept a VIP that anyvip announces with `asPathPrepend` (issue 12 §3):
 *   the option and the examples' origin check agree. Two `anyvip standalone` nodes (the built
 *   CLI) announce VIP A plainly and VIP B, node 1 with `asPathPrepend: 2`: the router spreads A
 *   over both nodes, keeps node 1's longer path for B as a backup, and moves B to node 1 when
 *   node 2 stops.
 *
 * Lab: router 10.250.i.1 ↔ node i 10.250.i.2 (i = 1, 2), router AS 65000, nodes AS 65101 and
 * 65102 (the examples' node ASes). Pool 198.51.100.0/24 → 10.250.200.0/24.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BgpDaemon,
  createLab,
  interopSkipReason,
  type Lab,
  type ManagedProcess,
  startDaemon,
  waitUntil,
} from '../../../bgp/test/interop/support/index.js';
import { ANYVIP_CLI } from '../support/anyvip-cli.js';

const run = promisify(execFile);
const example = (p: string) => fileURLToPath(new URL(`../../../../examples/${p}`, import.meta.url));
const CLI = ANYVIP_CLI;
const skipReason = interopSkipReason();

describe('examples/route-reflectors', () => {
  it('bird.conf parses with BIRD 2', async () => {
    await expect(
      run('bird', ['-p', '-c', example('route-reflectors/bird.conf')], { timeout: 10_000 }),
    ).resolves.toBeDefined();
  });
  it('frr.conf parses with FRR 8', async () => {
    const { stdout, stderr } = await run('vtysh', ['--dryrun', '-f', example('route-reflectors/frr.conf')], {
      timeout: 10_000,
    });
    expect(`${stdout}${stderr}`).not.toMatch(/Unknown command|error/i);
  });
});

const VIP_A = '10.250.200.10';
const VIP_B = '10.250.200.11';
const NODE_ASN = [65101, 65102];

/** An examples/routers file with the documentation addresses replaced by the lab's. */
function routerConfig(lab: Lab, file: string): string {
  let text = readFileSync(example(`routers/${file}`), 'utf8')
    .replaceAll('198.51.100.0/24', '10.250.200.0/24')
    .replaceAll('2001:db8:100::/64', 'fd00:250::c800:0/112');
  lab.linksOf('router').forEach((link, i) => {
    text = text
      .replace(new RegExp(`\\b192\\.0\\.2\\.1${i + 1}\\b`, 'g'), link.remote.ipv4)
      .replace(new RegExp(`\\b2001:db8::1${i + 1}\\b`, 'g'), link.remote.ipv6);
  });
  return text;
}

function nodeConfig(i: number, prependB: number): string {
  return `bgp:
  asn: ${NODE_ASN[i - 1]}
  routerId: 10.250.${i}.2
  peers:
    - { address: 10.250.${i}.1, asn: 65000, holdTime: 9, connectRetry: 1 }
vips:
  - ${VIP_A}
  - { address: ${VIP_B}, asPathPrepend: ${prependB} }
allowedRanges: [10.250.200.0/24]
`;
}

async function gateways(lab: Lab, vip: string): Promise<string[]> {
  const routes = await lab.kernelRoutes('router', `${vip}/32`);
  return (routes[0]?.nextHops ?? []).flatMap((h) => (h.gateway === undefined ? [] : [h.gateway])).sort();
}

function waitGateways(lab: Lab, vip: string, want: string[], what: string): Promise<string[]> {
  return waitUntil(
    () => gateways(lab, vip),
    (g) => g.join() === want.join(),
    { timeoutMs: 30_000, intervalMs: 100, what },
  );
}

describe.skipIf(skipReason !== undefined)('examples/routers accept anyvip’s asPathPrepend', () => {
  let lab: Lab | undefined;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (pnpm -r build)`);
  });
  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  it.each(['bird', 'frr'] as const)(
    '%s: a prepended path is accepted as a backup and takes over when the shorter one goes',
    async (kind) => {
      lab = await createLab({
        nodes: ['router', 'node1', 'node2'],
        links: [
          ['router', 'node1'],
          ['router', 'node2'],
        ],
      });
      const l = lab;
      const router: BgpDaemon = await startDaemon(l, 'router', kind, {
        routerId: '192.0.2.1',
        asn: 65000,
        neighbors: l.linksOf('router').map((link, i) => ({
          address: link.remote.ipv4,
          localAddress: link.local.ipv4,
          asn: NODE_ASN[i]!,
        })),
        rawConfig: routerConfig(l, `${kind}.conf`),
      });
      const nodes: ManagedProcess[] = [];
      for (const i of [1, 2]) {
        const file = join(l.dir, `node${i}.yaml`);
        writeFileSync(file, nodeConfig(i, i === 1 ? 2 : 0));
        nodes.push(
          await l.spawn(`node${i}`, process.execPath, [CLI, 'standalone', '--config', file], {
            label: `anyvip@node${i}`,
          }),
        );
      }

      // A: both nodes, ECMP. B: node 2 only in the FIB, node 1's prepended path held as backup.
      await waitGateways(l, VIP_A, ['10.250.1.2', '10.250.2.2'], 'VIP A via both nodes');
      const paths = await waitUntil(
        () => router.routes('ipv4'),
        (rs) => rs.filter((r) => r.prefix === `${VIP_B}/32`).length === 2,
        { timeoutMs: 30_000, intervalMs: 100, what: 'both paths for VIP B in the router' },
      );
      expect(
        paths
          .filter((r) => r.prefix === `${VIP_B}/32`)
          .map((r) => r.asPath)
          .sort((a, b) => a.length - b.length),
      ).toEqual([[65102], [65101, 65101, 65101]]);
      expect(await waitGateways(l, VIP_B, ['10.250.2.2'], 'VIP B via node 2 only')).toEqual(['10.250.2.2']);

      // Node 2 withdraws (SIGTERM): B moves to node 1's prepended path, A keeps node 1.
      expect(await nodes[1]!.stop(8000, 'SIGTERM')).toEqual({ code: 0, signal: null });
      await waitGateways(l, VIP_B, ['10.250.1.2'], 'VIP B via node 1 (prepended) after node 2 left');
      await waitGateways(l, VIP_A, ['10.250.1.2'], 'VIP A via node 1');
      expect(await nodes[0]!.stop(8000, 'SIGTERM')).toEqual({ code: 0, signal: null });
    },
  );
});
