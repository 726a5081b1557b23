/**
 * BFD (RFC 5880, RFC 5881 single-hop) between our speaker and BIRD 2's `protocol bfd`
 * and FRR 8's bfdd, at 3 × 100 ms with a 9 s BGP hold time, so that anything faster
 * than the hold timer is BFD's doing:
 * - the session comes Up on both sides;
 * - SIGSTOP of our speaker, and a cut of its path to the router (a blackhole route in
 *   our namespace: the router's link stays up), make the router drop our VIP from its
 *   kernel FIB long before the hold timer would;
 * - a frozen router makes us stop BGP with Cease / BFD Down (RFC 9384).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLine, SpeakerClient } from './speaker-client.js';
import {
  type BgpDaemon,
  createPair,
  interopSkipReason,
  type Lab,
  startDaemon,
  waitUntil,
} from './support/index.js';

const skipReason = interopSkipReason();
const HOLD_SEC = 9;
const VIP = '10.250.200.10/32';
const BFD = { intervalMs: 100, multiplier: 3 };
/** Well under the 9 s hold time: a route gone by then was removed by BFD. */
const BFD_BOUND_MS = 3000;

describe.skipIf(skipReason !== undefined).each(['bird', 'frr'] as const)('BFD with %s', (kind) => {
  let lab: Lab | undefined;
  let router: BgpDaemon;
  let client: SpeakerClient;
  let ourV4: string;
  let routerV4: string;
  let ourV6: string;
  let routerV6: string;

  const nextEvent = (pred: (e: EventLine) => boolean, what: string, timeoutMs?: number, since?: number) =>
    client.nextEvent(pred, what, timeoutMs, since);
  const vipInFib = (present: boolean, timeoutMs: number, what: string) =>
    waitUntil(
      () => router.kernelRoutes(VIP),
      (rs) => rs.length > 0 === present,
      { timeoutMs, intervalMs: 20, what },
    );
  const bfdUp = (since: number) =>
    nextEvent((e) => e.event === 'bfd-state' && e.to === 'up', 'our BFD session Up', 20_000, since);

  beforeAll(async () => {
    lab = await createPair('speaker', 'router');
    const l = lab.link('speaker', 'router');
    [ourV4, routerV4, ourV6, routerV6] = [l.local.ipv4, l.remote.ipv4, l.local.ipv6, l.remote.ipv6];
    router = await startDaemon(lab, 'router', kind, {
      routerId: routerV4,
      asn: 65002,
      neighbors: [
        { address: ourV4, localAddress: routerV4, asn: 65001, holdTimeSec: HOLD_SEC, bfd: BFD },
        { address: ourV6, localAddress: routerV6, asn: 65001, holdTimeSec: HOLD_SEC, bfd: BFD },
      ],
    });
    client = await SpeakerClient.start(lab, 'speaker', 65001, ourV4);
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  it('brings BFD Up with the router and the VIP into its FIB (RFC 5880 §6.8.6)', async () => {
    const since = client.process.mark();
    await client.command({
      cmd: 'addPeer',
      address: routerV4,
      remoteAsn: 65002,
      localAddress: ourV4,
      holdTimeSec: HOLD_SEC,
      connectRetryTimeSec: 1,
      idleHoldTimeSec: 1,
      bfd: { minTxMs: BFD.intervalMs, minRxMs: BFD.intervalMs, multiplier: BFD.multiplier },
    });
    await client.command({ cmd: 'announce', prefix: VIP });
    await bfdUp(since);
    await router.waitEstablished(ourV4);
    await vipInFib(true, 15_000, 'VIP in the router FIB');
  });

  it('brings BFD Up over IPv6 too (RFC 5881 §4: UDP 3784 over IPv6, hop limit 255)', async () => {
    const since = client.process.mark();
    await client.command({
      cmd: 'addPeer',
      address: routerV6,
      remoteAsn: 65002,
      localAddress: ourV6,
      holdTimeSec: HOLD_SEC,
      connectRetryTimeSec: 1,
      idleHoldTimeSec: 1,
      bfd: { minTxMs: BFD.intervalMs, minRxMs: BFD.intervalMs, multiplier: BFD.multiplier },
    });
    await nextEvent(
      (e) => e.event === 'bfd-state' && e.to === 'up' && e.peer === routerV6,
      'IPv6 BFD Up',
      20_000,
      since,
    );
    await router.waitEstablished(ourV6);
    await client.command({ cmd: 'removePeer', address: routerV6 });
  });

  it('SIGSTOP of our speaker → the router drops the VIP within the BFD detection time, not the hold time', async () => {
    client.process.freeze();
    try {
      await vipInFib(false, BFD_BOUND_MS, 'VIP gone from the router FIB after SIGSTOP');
      expect(await router.lastError(ourV4)).toMatch(/bfd/i);
    } finally {
      client.process.thaw();
    }
    const since = client.process.mark();
    await bfdUp(since);
    await router.waitEstablished(ourV4);
    await vipInFib(true, 15_000, 'VIP back after SIGCONT');
  });

  it('a cut path (blackhole toward the router, link still up) → the router drops the VIP via BFD', async () => {
    await lab!.ip('speaker', ['route', 'add', 'blackhole', `${routerV4}/32`]);
    try {
      await vipInFib(false, BFD_BOUND_MS, 'VIP gone from the router FIB after the cut');
    } finally {
      await lab!.ip('speaker', ['route', 'del', 'blackhole', `${routerV4}/32`]);
    }
    await router.waitEstablished(ourV4);
    await vipInFib(true, 15_000, 'VIP back after the cut heals');
  });

  it('a frozen router → our BFD goes Down and we stop BGP with Cease / BFD Down (RFC 9384)', async () => {
    const since = client.process.mark();
    router.freeze();
    try {
      const down = await nextEvent(
        (e) => e.event === 'bfd-state' && e.from === 'up' && e.to === 'down',
        'our BFD Down',
        BFD_BOUND_MS,
        since,
      );
      expect(down).toMatchObject({ diag: 'Control Detection Time Expired', bgpStopped: true });
      await nextEvent(
        (e) => e.event === 'notification-sent' && e.code === 6 && e.subcode === 10,
        'Cease / BFD Down sent',
        2000,
        since,
      );
    } finally {
      router.thaw();
    }
    await router.waitEstablished(ourV4);
    await vipInFib(true, 15_000, 'VIP back after the router thaws');
  });
});
