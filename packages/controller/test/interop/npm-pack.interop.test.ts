/**
 * The published shape of the packages (@anyvip/bgp, @anyvip/bgp-cli, @anyvip/healthcheck,
 * @anyvip/controller): `pnpm pack` each, install the tarballs into an empty project,
 * type-check imports through their `exports` (types conditions), refuse a deep import past
 * the map, and run a short announce between two speakers over 127.0.0.1
 * (scripts/pack-smoke.sh). Then a strict TypeScript consumer of @anyvip/bgp compiles and runs
 * (scripts/pack-smoke/consumer.ts), CommonJS require() is tried, the tcp-auth tarball's
 * install script is checked both with and without a C compiler, @anyvip/bgp is checked to
 * depend on nothing outside anyvip, and the `anyvip-bgp` bin of @anyvip/bgp-cli decodes.
 * Needs the packages built (`./run test` builds first). Here, not in `unit`, because it
 * runs pnpm and tsc (~10 s).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../../../scripts/pack-smoke.sh', import.meta.url));

describe('npm packages', () => {
  it('packed tarballs install into an empty project, import by their exports, and announce a route', async () => {
    const { stdout } = await run('bash', [script], { timeout: 110_000, maxBuffer: 16 * 1024 * 1024 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result).toMatchObject({
      prefixes: ['10.250.255.1/32'],
      wire: '10.250.255.1/32',
      controller: true,
      healthcheck: true,
      // A strict consumer (exactOptionalPropertyTypes, noUncheckedIndexedAccess, skipLibCheck false)
      // compiled and ran: awaitables, the received-route view, error code unions, ListenError,
      // per-peer export.
      consumer: {
        peerUp: '127.0.0.1',
        prefix: '10.250.255.1/32',
        asPath: [65002],
        med: 5,
        communities: ['65002:100'],
        badPrefix: 'ANYVIP_BAD_PREFIX',
        announcedAfterBadBatch: 1,
        listenError: 'EADDRINUSE',
        // Per-peer export: a route announced on one peer's handle, with its own attributes.
        perPeer: {
          prefix: '10.250.255.3/32',
          med: 7,
          largeCommunities: ['65002:1:1'],
          ownRoutes: ['10.250.255.3/32'],
          withdrawUnknown: false,
        },
      },
      // require() of the ESM packages from CommonJS works (Node >= 22.12, no top-level await).
      cjs: true,
      // The tarball's install script built the addon (CI has a C compiler)…
      tcpAuth: 'available',
      // …and without one says so in one line.
      tcpAuthLine: expect.stringMatching(
        /^@anyvip\/tcp-auth: native addon not built: .*TCP-MD5 and GTSM will be unavailable$/,
      ),
      // Declaration maps point at src/, which is not shipped.
      dtsMaps: 0,
      // @anyvip/bgp depends on nothing from outside anyvip: the clock contract and the optional addon.
      bgpDependencies: ['@anyvip/clock', '@anyvip/tcp-auth'],
      // @anyvip/bgp-cli's bin, installed from its tarball, decodes.
      cli: { type: 'KEEPALIVE', offset: 0 },
      // @anyvip/controller's bin (its minified bundle), installed from its tarball, prints a manifest.
      anyvipBin: 1,
    });
  });
});
