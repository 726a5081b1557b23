/**
 * What `anyvip standalone` loads, for real: the built CLI runs one peer (BIRD), one VIP and
 * one TCP check in a network namespace, is scraped once, and then lists the Node builtins it
 * loaded (`process.moduleLoadList`, written by a `--require`d preload). Each builtin below
 * costs RSS on every node and nothing in standalone needs it:
 *
 * - https, tls, crypto: an https check or a TCP-MD5 password file loads them when needed;
 *   prom-client's index would load them for its Pushgateway client (we import its parts);
 * - undici (and http2, zlib, webstreams): what an ES module `import` of node:http drags in by
 *   reading every export (admin/server.ts and the http probe use `process.getBuiltinModule`);
 * - fs/promises, readline: loaded by node:fs/promises or any ES module import of node:fs;
 * - tty: winston's debug helper (@dabh/diagnostics) loads it in its development adapter, which
 *   the bundle drops (it defines NODE_ENV as production); with stdout a pipe, as under systemd
 *   or in a pod, nothing else does;
 * - the Kubernetes client's own builtins are another matter (entry-static-imports.test.ts).
 *
 * Lab: node `router` 10.250.1.1 (BIRD, AS 65000) ↔ node `node` 10.250.1.2 (anyvip, AS 65001).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createPair,
  interopSkipReason,
  type Lab,
  startDaemon,
  waitFor,
} from '../../../bgp/test/interop/support/index.js';
import { ANYVIP_CLI } from '../support/anyvip-cli.js';

const skipReason = interopSkipReason();
const CLI = ANYVIP_CLI;
const CHECK_PORT = 18_090;

/** Builtins (as `process.moduleLoadList` names them) standalone must not load. */
const NOT_IN_STANDALONE = [
  'NativeModule https',
  'NativeModule tls',
  'NativeModule crypto',
  'NativeModule internal/deps/undici/undici',
  'NativeModule http2',
  'NativeModule zlib',
  // fs/promises brings readline and the REPL history (an ES module import of node:fs loads it).
  'NativeModule fs/promises',
  'NativeModule internal/readline/interface',
  'NativeModule tty',
];

const config = `
bgp:
  asn: 65001
  routerId: 10.250.1.2
  peers:
    - { address: 10.250.1.1, asn: 65000, holdTime: 9, connectRetry: 1 }
healthchecks:
  web: { tcp: "127.0.0.1:${CHECK_PORT}", interval: 1s, timeout: 500ms }
vips:
  - { address: 10.250.255.1, healthcheck: web }
`;

/**
 * Rewrites the module list every 200 ms; loads nothing that fs and timers do not already. Each
 * list goes to a file of its own and is renamed over the last one, so the test never reads a
 * file that a rewrite has truncated but not yet filled (writeFileSync does both in turn).
 */
const preload = `
const { renameSync, writeFileSync } = require('node:fs');
const out = process.env.ANYVIP_TEST_MODULES;
setInterval(() => {
  writeFileSync(out + '.new', JSON.stringify(process.moduleLoadList));
  renameSync(out + '.new', out);
}, 200).unref();
`;

const tcpTarget = `
require('node:net').createServer((c) => { c.on('error', () => {}); c.end(); }).listen(${CHECK_PORT}, '127.0.0.1', () => console.log('listening'));
`;

describe.skipIf(skipReason !== undefined)('anyvip standalone loads no builtin it does not use', () => {
  let lab: Lab | undefined;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (pnpm -r build)`);
  });

  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  it('one peer, one VIP, one TCP check, one scrape: no https, tls, crypto, undici, http2, zlib, fs/promises or tty', async () => {
    lab = await createPair('router', 'node');
    const bird = await startDaemon(lab, 'router', 'bird', {
      routerId: '10.250.1.1',
      asn: 65000,
      neighbors: [{ address: '10.250.1.2', asn: 65001, localAddress: '10.250.1.1', holdTimeSec: 9 }],
    });
    const configFile = join(lab.dir, 'anyvip.yaml');
    writeFileSync(configFile, config);
    const preloadFile = join(lab.dir, 'modules.cjs');
    writeFileSync(preloadFile, preload);
    const targetFile = join(lab.dir, 'tcp-target.cjs');
    writeFileSync(targetFile, tcpTarget);
    const modulesFile = join(lab.dir, 'modules.json');
    const target = await lab.spawn('node', process.execPath, [targetFile], { label: 'tcp target' });
    await target.waitForLine((l) => l === 'listening', { timeoutMs: 10_000, what: 'tcp target' });

    const anyvip = await lab.spawn(
      'node',
      process.execPath,
      ['--require', preloadFile, CLI, 'standalone', '--config', configFile],
      { label: 'anyvip', env: { ...process.env, ANYVIP_TEST_MODULES: modulesFile } },
    );
    await waitFor(async () => (await bird.routeCount('10.250.1.2').catch(() => 0)) === 1, {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'the VIP at BIRD',
      abort: () => (anyvip.running ? undefined : new Error(`anyvip exited\n${anyvip.tail()}`)),
    });
    // A scrape runs the default process metrics' collectors too.
    const scrape = await lab.exec('node', process.execPath, [
      '-e',
      "fetch('http://127.0.0.1:9716/metrics').then(async (r) => process.stdout.write(await r.text()))",
    ]);
    expect(scrape.stdout).toContain('anyvip_vip_announced{vip="10.250.255.1/32"} 1');
    // Two more rounds of the check and the preload's rewrite after the scrape.
    await new Promise((r) => setTimeout(r, 2500));

    const loaded = JSON.parse(readFileSync(modulesFile, 'utf8')) as string[];
    expect(loaded).toContain('NativeModule http'); // the admin listener: the list is real
    expect(NOT_IN_STANDALONE.filter((m) => loaded.includes(m))).toEqual([]);
    expect((await anyvip.stop(15_000, 'SIGTERM')).code).toBe(0);
  });
});
