/**
 * `anyvip standalone` with a peer's `passwordFile` (TCP-MD5, RFC 2385) and `ttlSecurity`
 * (GTSM, RFC 5082) against BIRD 2 with `password` and `ttl security on`, in a network
 * namespace pair: the session comes up and the VIP is announced; a rotated key file and a
 * SIGHUP re-add the peer with the new key (which BIRD, still on the old one, cannot
 * accept); the old key back and another SIGHUP bring the session back. anyvip's log
 * output never holds the key.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPair,
  interopSkipReason,
  type Lab,
  sleep,
  startDaemon,
  waitUntil,
} from '../../../bgp/test/interop/support/index.js';
import { ANYVIP_CLI } from '../support/anyvip-cli.js';

const skipReason = interopSkipReason();
const CLI = ANYVIP_CLI;
const KEY = 'router-Key-0001';
const ROTATED = 'router-Key-0002';

describe.skipIf(skipReason !== undefined)('anyvip standalone with TCP-MD5 and GTSM against BIRD', () => {
  let lab: Lab | undefined;

  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  it('peers with passwordFile and ttlSecurity; a rotated key file and SIGHUP re-add the peer with the new key', async () => {
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
          password: KEY,
          ttlSecurity: true,
        },
      ],
    });
    const keyFile = join(lab.dir, 'router.password');
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    const configFile = join(lab.dir, 'anyvip.yaml');
    writeFileSync(
      configFile,
      `
bgp:
  asn: 65001
  routerId: 10.250.1.2
  listen: { address: 10.250.1.2 }
  peers:
    - { address: 10.250.1.1, asn: 65000, holdTime: 9, connectRetry: 1, passwordFile: ${keyFile}, ttlSecurity: true }
vips: [10.250.255.1]
log: { level: debug }
`,
    );
    const anyvip = await lab.spawn('node', process.execPath, [CLI, 'standalone', '--config', configFile], {
      label: 'anyvip',
    });
    await bird.waitEstablished('10.250.1.2', 15_000);
    await waitUntil(
      () => bird.routes('ipv4'),
      (rs) => rs.some((r) => r.prefix === '10.250.255.1/32'),
      { timeoutMs: 10_000, intervalMs: 100, what: 'VIP announced to BIRD' },
    );

    // Rotate our key only: the peer is re-added with it, and BIRD (old key) drops our SYNs.
    writeFileSync(keyFile, `${ROTATED}\n`);
    let mark = anyvip.mark();
    anyvip.signal('SIGHUP');
    await anyvip.waitForJsonLine((v) => (v as { message?: string }).message === 'configuration reloaded', {
      timeoutMs: 10_000,
      since: mark,
      what: 'reload',
    });
    await waitUntil(
      () => bird.sessionState('10.250.1.2'),
      (s) => s !== 'established',
      { timeoutMs: 10_000, intervalMs: 100, what: 'session down after the key changed' },
    );
    await sleep(2500);
    expect(await bird.sessionState('10.250.1.2')).not.toBe('established');

    // The old key back: up again.
    writeFileSync(keyFile, `${KEY}\n`);
    mark = anyvip.mark();
    anyvip.signal('SIGHUP');
    await bird.waitEstablished('10.250.1.2', 15_000);

    await anyvip.stop();
    const out = [...anyvip.lines(0), ...anyvip.lines(0, 'stderr')].join('\n');
    expect(out).toContain('"tcpMd5":true');
    expect(out).not.toContain(KEY);
    expect(out).not.toContain(ROTATED);
  });
});
