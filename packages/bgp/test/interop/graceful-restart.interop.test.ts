/**
 * Graceful Restart as the restarting speaker (RFC 4724) with and without BFD, against
 * BIRD 2 and FRR 8 as GR helpers. Lab: client 10.250.1.2 — router — speaker
 * 10.250.2.2; the VIP 10.250.200.10 is on the speaker's lo with an HTTP server on it
 * (the service, which outlives anyvip's restart), and the router's route to the VIP
 * comes only from our BGP session.
 *
 * - Planned restart: `closeForRestart` (TCP closed without a NOTIFICATION, then BFD
 *   AdminDown), a new speaker process with the R bit announces the VIP, then adds the
 *   peer, so its End-of-RIB (checked: it counts the VIP) follows the VIP. A client loop
 *   of HTTP requests to the VIP through the router loses none, and the router's FIB
 *   never loses the VIP. (Adding the peer first raced: 5 of 12 runs sent End-of-RIB
 *   before the VIP, and BIRD, as RFC 4724 §4.2 says, flushed the stale VIP on it and
 *   re-added it with the UPDATE a few ms later; BIRD itself leaves the kernel route
 *   untouched when a stale route is refreshed with the same attributes.)
 * - A node failure (the speaker frozen with SIGSTOP: no FIN, no NOTIFICATION, no BFD):
 *   BFD goes Down at the router, which drops the VIP at once instead of keeping it
 *   stale for the restart time.
 *
 * Per-router exceptions (found here, documented in the README):
 * - BIRD 2.0.12 stops a neighbor in graceful restart when its BFD session goes Down,
 *   AdminDown included (RFC 5882 §3.2 says AdminDown is not a failure): with BFD on,
 *   a planned restart is not hitless, so BIRD's planned restart runs without BFD, and
 *   its node-failure case with BFD.
 * - FRR 8.4 on its own BFD Down sends a Cease (RFC 9384) and flushes our routes (N bit or
 *   not), so GR with BFD is hitless for planned restarts and still fast for a dead node.
 *   `neighbor … bfd check-control-plane-failure` makes it worse for us: FRR then may
 *   ignore the BFD Down of a GR neighbor whose C bit is clear (ours is: our BFD is
 *   in-process, RFC 5880 §4.1), reading it as a control-plane restart (RFC 5882 §4.3.2),
 *   and the VIP stays until the hold timer (with the N bit, for the restart time). It did
 *   so in 3 of 5 runs, so that case is documented in the README, not pinned here.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpeakerClient } from './speaker-client.js';
import {
  type BgpDaemon,
  createLab,
  interopSkipReason,
  type Lab,
  type ManagedProcess,
  startDaemon,
  waitUntil,
} from './support/index.js';

const skipReason = interopSkipReason();
const VIP = '10.250.200.10';
const HOLD_SEC = 9;
const RESTART_TIME_SEC = 30;
/**
 * 3 × 300 ms: our BFD shares the speaker's event loop, and a restarted speaker is busiest while
 * its session is young. Under load (25 on 2 cores) its BFD packets showed gaps up to 343 ms,
 * past a 3 × 100 ms detection time, and FRR then flushed the VIP with Cease / BFD Down. The
 * BFD detection speed itself is pinned in bfd.interop.test.ts.
 */
const BFD = { intervalMs: 300, multiplier: 3 };

const serviceScript = `
const http = require('node:http');
http.createServer((req, res) => res.end('ok')).listen(8080, process.argv[2], () => console.log('listening'));
`;

/** Sequential HTTP GETs every 20 ms until the stop file appears (at most maxMs); prints a JSON summary. */
const clientScript = `
const http = require('node:http');
const fs = require('node:fs');
const [url, stopFile, maxMs] = process.argv.slice(2);
let ok = 0, failed = 0;
const errors = {};
const end = Date.now() + Number(maxMs);
function once() {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode === 200) ok++; else failed++; resolve(); });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => { failed++; errors[e.code || e.message] = (errors[e.code || e.message] || 0) + 1; resolve(); });
  });
}
(async () => {
  console.log(JSON.stringify({ started: true }));
  while (Date.now() < end && !fs.existsSync(stopFile)) {
    await once();
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(JSON.stringify({ ok, failed, errors }));
})();
`;

interface Case {
  readonly kind: 'bird' | 'frr';
  readonly bfd: boolean;
  readonly planned: boolean;
  readonly nodeFailure: boolean;
}
const CASES: readonly Case[] = [
  { kind: 'bird', bfd: false, planned: true, nodeFailure: false },
  { kind: 'bird', bfd: true, planned: false, nodeFailure: true },
  { kind: 'frr', bfd: true, planned: true, nodeFailure: true },
];

describe.skipIf(skipReason !== undefined).each(CASES)(
  'Graceful Restart with $kind, BFD $bfd',
  ({ kind, bfd, planned, nodeFailure }) => {
    let lab: Lab | undefined;
    let router: BgpDaemon;
    let speaker: SpeakerClient;
    const [ourV4, routerV4] = ['10.250.2.2', '10.250.2.1'];

    const vipInFib = (present: boolean, timeoutMs: number, what: string) =>
      waitUntil(
        () => router.kernelRoutes(`${VIP}/32`),
        (rs) => rs.length > 0 === present,
        { timeoutMs, intervalMs: 20, what },
      );
    const startSpeaker = async (restarting: boolean): Promise<SpeakerClient> => {
      const s = await SpeakerClient.start(lab!, 'speaker', 65001, ourV4);
      const since = s.process.mark();
      // The table first, then the peer: End-of-RIB follows whatever the table holds when
      // the session comes up, and an End-of-RIB without the VIP tells the helper that the
      // VIP is gone (RFC 4724 §4.2), so BIRD flushes its stale copy from the FIB.
      await s.command({ cmd: 'announce', prefix: `${VIP}/32` });
      await s.command({
        cmd: 'addPeer',
        address: routerV4,
        remoteAsn: 65002,
        localAddress: ourV4,
        holdTimeSec: HOLD_SEC,
        connectRetryTimeSec: 1,
        idleHoldTimeSec: 1,
        ...(bfd
          ? { bfd: { minTxMs: BFD.intervalMs, minRxMs: BFD.intervalMs, multiplier: BFD.multiplier } }
          : {}),
        gracefulRestart: { restartTimeSec: RESTART_TIME_SEC, restarting },
      });
      const eor = await s.nextEvent((e) => e.event === 'eor-sent', 'End-of-RIB sent', 30_000, since);
      expect(eor.count).toBe(1);
      if (bfd) await s.nextEvent((e) => e.event === 'bfd-state' && e.to === 'up', 'BFD Up', 20_000, since);
      return s;
    };

    beforeAll(async () => {
      lab = await createLab({
        nodes: ['router', 'client', 'speaker'],
        links: [
          ['router', 'client'],
          ['router', 'speaker'],
        ],
      });
      await lab.ip('client', ['route', 'add', '10.250.200.0/24', 'via', '10.250.1.1']);
      await lab.ip('speaker', ['route', 'add', '10.250.1.0/24', 'via', routerV4]);
      await lab.ip('speaker', ['addr', 'add', `${VIP}/32`, 'dev', 'lo']);
      const service = join(lab.dir, 'service.cjs');
      writeFileSync(service, serviceScript);
      const svc = await lab.spawn('speaker', process.execPath, [service, VIP], { label: 'service' });
      await svc.waitForLine((l) => l === 'listening', { timeoutMs: 10_000, what: 'service listening' });
      router = await startDaemon(lab, 'router', kind, {
        routerId: routerV4,
        asn: 65002,
        neighbors: [
          {
            address: ourV4,
            localAddress: routerV4,
            asn: 65001,
            holdTimeSec: HOLD_SEC,
            ...(bfd ? { bfd: BFD } : {}),
          },
        ],
      });
      speaker = await startSpeaker(false);
      await router.waitEstablished(ourV4);
      await vipInFib(true, 15_000, 'VIP in the router FIB');
    });

    afterAll(async () => {
      await lab?.destroy();
    });

    if (planned)
      it('a planned restart loses no client request and never drops the VIP from the router FIB (RFC 4724 §4)', async () => {
        const l = lab!;
        const script = join(l.dir, 'client.cjs');
        const stopFile = join(l.dir, `stop-${kind}`);
        writeFileSync(script, clientScript);
        const client: ManagedProcess = await l.spawn(
          'client',
          process.execPath,
          [script, `http://${VIP}:8080/`, stopFile, '30000'],
          { label: 'client' },
        );
        await client.waitForJsonLine((v) => (v as { started?: boolean }).started === true, {
          timeoutMs: 10_000,
          what: 'client loop started',
        });
        let sampling = true;
        const absent: number[] = [];
        const sampler = (async () => {
          while (sampling) if ((await router.kernelRoutes(`${VIP}/32`)).length === 0) absent.push(Date.now());
        })();
        await new Promise((r) => setTimeout(r, 300));

        await speaker.command({ cmd: 'closeForRestart' }).catch(() => undefined);
        await speaker.process.exited;
        // The restarted process: R bit set, the table re-announced, End-of-RIB.
        speaker = await startSpeaker(true);
        await router.waitEstablished(ourV4);
        await new Promise((r) => setTimeout(r, 500));

        sampling = false;
        await sampler;
        writeFileSync(stopFile, '');
        const summary = await client.waitForJsonLine<{
          ok: number;
          failed: number;
          errors: Record<string, number>;
        }>((v) => typeof (v as { ok?: unknown }).ok === 'number', {
          timeoutMs: 10_000,
          what: 'client summary',
        });
        expect(absent).toEqual([]);
        expect(summary.failed).toBe(0);
        expect(summary.ok).toBeGreaterThan(20);
      });

    if (nodeFailure)
      it('a frozen node (SIGSTOP: no FIN, no BFD) still loses the VIP at once through BFD, not after the restart time', async () => {
        const t0 = performance.now();
        speaker.process.freeze();
        await vipInFib(false, 3000, 'VIP gone from the router FIB after the freeze');
        const ms = performance.now() - t0;
        console.log(
          `${kind}: VIP removed ${ms.toFixed(0)} ms after SIGSTOP (BFD ${BFD.multiplier}×${BFD.intervalMs} ms, GR restart time ${RESTART_TIME_SEC} s)`,
        );
        expect(ms).toBeLessThan(RESTART_TIME_SEC * 1000);
      });
  },
);
