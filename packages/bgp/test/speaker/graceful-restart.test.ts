import { describe, expect, it } from 'vitest';
import { Harness } from '../session/harness.js';
import type { RouterEnd } from '../session/memory-transport.js';
import {
  CAP_IPV4_UNICAST,
  CAP_ROUTE_REFRESH,
  capFourOctetAs,
  openMessage,
} from '../session/peer-messages.js';

/** Graceful Restart capability (RFC 4724 §3): restart time 120 s, IPv4 unicast with F; `n` sets RFC 8538's N bit. */
const capGr = (n = false): string => `4006${n ? '4078' : '0078'}00010180`;
const openWith = (caps: string[]) =>
  openMessage({ capabilities: [CAP_IPV4_UNICAST, CAP_ROUTE_REFRESH, capFourOctetAs(65002), ...caps] });

function notifications(router: RouterEnd): string[] {
  return router
    .ofKind('notification')
    .map((n) => `${n.code}/${n.subcode}/${Buffer.from(n.data).toString('hex')}`);
}

describe('BgpSpeaker: Graceful Restart as the restarting speaker (RFC 4724, RFC 8538)', () => {
  it('is off by default: no Graceful Restart capability in the OPEN', async () => {
    const h = new Harness();
    const { router } = await h.establish();
    const [open] = router.ofKind('open');
    expect(open!.capabilities.some((c) => c.kind === 'gracefulRestart')).toBe(false);
  });

  it('advertises the restart time, the R bit when restarting, and F for each family (RFC 4724 §3)', async () => {
    const h = new Harness();
    const { router } = await h.establish({ gracefulRestart: { restartTimeSec: 30, restarting: true } });
    const [open] = router.ofKind('open');
    expect(open!.capabilities.find((c) => c.kind === 'gracefulRestart')).toEqual({
      kind: 'gracefulRestart',
      restartState: true,
      notification: false,
      restartTimeSec: 30,
      families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
    });
  });

  it('closeForRestart closes TCP without a NOTIFICATION when the peer negotiated Graceful Restart (RFC 4724 §4.2)', async () => {
    const h = new Harness();
    const { router } = await h.establish({ gracefulRestart: true }, openWith([capGr()]));
    await h.speaker.closeForRestart();
    expect(notifications(router)).toEqual([]);
    expect(router.ended).toBe(true);
  });

  it('closeForRestart sends Cease 6/2 to a peer without Graceful Restart (it would drop the routes anyway)', async () => {
    const h = new Harness();
    const { router } = await h.establish({ gracefulRestart: true });
    await h.speaker.closeForRestart('restart');
    expect(notifications(router)).toEqual(['6/2/0772657374617274']);
  });

  it('with the N bit negotiated, close wraps its Cease in a Hard Reset so the peer flushes at once (RFC 8538 §3)', async () => {
    const h = new Harness();
    const { router } = await h.establish(
      { gracefulRestart: { notification: true } },
      openWith([capGr(true)]),
    );
    await h.speaker.close('bye');
    // Cease / Hard Reset, data: the inner Cease / Administrative Shutdown with its shutdown communication.
    expect(notifications(router)).toEqual(['6/9/060203627965']);
  });

  it('without the N bit on both sides, close sends the plain Cease', async () => {
    const h = new Harness();
    const { router } = await h.establish(
      { gracefulRestart: { notification: true } },
      openWith([capGr(false)]),
    );
    await h.speaker.close('bye');
    expect(notifications(router)).toEqual(['6/2/03627965']);
  });

  it('refuses a restart time beyond 4095 s (RFC 4724 §3: 12 bits)', () => {
    const h = new Harness();
    expect(() => h.addPeer({ gracefulRestart: { restartTimeSec: 4096 } })).toThrowError(
      expect.objectContaining({ code: 'ANYVIP_INVALID_PEER_CONFIG' }),
    );
  });

  it('refuses BFD intervals below 10 ms and a zero multiplier', () => {
    const h = new Harness();
    expect(() => h.addPeer({ bfd: { minTxMs: 5 } })).toThrowError(
      expect.objectContaining({ code: 'ANYVIP_INVALID_PEER_CONFIG' }),
    );
    expect(() => h.addPeer({ bfd: { multiplier: 0 } })).toThrowError(
      expect.objectContaining({ code: 'ANYVIP_INVALID_PEER_CONFIG' }),
    );
  });
});
