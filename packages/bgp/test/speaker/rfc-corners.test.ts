import { describe, expect, it } from 'vitest';
import { Harness, settle, until } from '../session/harness.js';
import { asPath, attr, nextHop, nlri, origin, updateMessage } from '../session/peer-messages.js';

/**
 * Three RFC corners a conformance run against a hostile peer found, on a whole session
 * (in-memory transport): each one as the session applies it, not only as the codec sees it.
 */
describe('received UPDATEs: what one eBGP session keeps (RFC 4271 §5.1.5, RFC 4760 §7, RFC 7606 §5.2)', () => {
  it('LOCAL_PREF 777 from an eBGP peer is ignored: the route is kept without it (RFC 4271 §5.1.5, RFC 7606 §7.5)', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    const localPref = attr(0x40, 5, '00000309');
    router.send(
      updateMessage(
        '',
        origin(0) + asPath(65002) + nextHop('192.0.2.2') + localPref,
        nlri('198.51.100.0', 24),
      ),
    );
    await until(() => peer.receivedRoutes('ipv4').length === 1, 'route received');
    const kinds = peer.receivedRoutes('ipv4')[0]!.attributes.attributes.map((a) => a.kind);
    expect(kinds).not.toContain('localPref');
    expect(h.of('malformed')).toEqual([]);
    expect(peer.state).toBe('established');
    await h.speaker.close();
  });

  it('MP_REACH_NLRI for IPv6 on an IPv4-only session is not accepted: ignored, reported as 3/9 attribute discard (RFC 4760 §7)', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    const mpReach = attr(
      0x80,
      14,
      '0002 01 10 fd000250000000000000000000000001 00 30 20010db80253'.replace(/\s/g, ''),
    );
    router.send(updateMessage('', mpReach + origin(0) + asPath(65002), ''));
    await settle();
    expect(peer.receivedRoutes('ipv6')).toEqual([]);
    expect(peer.receivedRoutes()).toEqual([]);
    const m = h.of('malformed');
    expect(m.map((e) => [e.action, e.error.code, e.error.subcode])).toEqual([['attributeDiscard', 3, 9]]);
    expect(peer.state).toBe('established');
    await h.speaker.close();
  });

  it('attributes with a malformed ORIGIN (7) and no NLRI end the session with 3/6 Invalid ORIGIN (RFC 7606 §5.2)', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    router.send(updateMessage('', origin(7) + asPath(65002) + nextHop('192.0.2.2'), ''));
    await until(() => peer.state !== 'established', 'session reset');
    expect(h.of('notificationSent').map((e) => [e.code, e.subcode])).toEqual([[3, 6]]);
    expect(h.of('malformed')).toEqual([]);
    await h.speaker.close();
  });

  it('the same malformed ORIGIN with NLRI is treat-as-withdraw and the session stays up (RFC 7606 §7.1)', async () => {
    const h = new Harness();
    const { peer, router } = await h.establish();
    router.send(
      updateMessage('', origin(7) + asPath(65002) + nextHop('192.0.2.2'), nlri('198.51.100.0', 24)),
    );
    await settle();
    expect(h.of('malformed').map((e) => e.action)).toEqual(['treatAsWithdraw']);
    expect(peer.state).toBe('established');
    await h.speaker.close();
  });
});
