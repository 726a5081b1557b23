import { describe, expect, it } from 'vitest';
import { type FsmConfig, resolveFsmConfig } from '../../src/fsm/config.js';
import { createFsmSession } from '../../src/fsm/session-fsm.js';
import { LocalProtocolError } from '../../src/wire/errors.js';

const base: FsmConfig = { localAsn: 65001, bgpIdentifier: '192.0.2.1' };

function refused(change: Partial<FsmConfig>): string {
  try {
    resolveFsmConfig({ ...base, ...change });
  } catch (e) {
    expect(e).toBeInstanceOf(LocalProtocolError);
    expect((e as LocalProtocolError).code).toBe('ANYVIP_INVALID_PEER_CONFIG');
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('resolveFsmConfig', () => {
  it('fills in the defaults', () => {
    const c = resolveFsmConfig(base);
    expect(c).toMatchObject({
      holdTimeSec: 90,
      minHoldTimeSec: 3,
      families: [{ afi: 1, safi: 1 }],
      routeRefresh: true,
      enhancedRouteRefresh: true,
      extendedMessage: false,
      connectRetryTimeMs: 5_000,
      connectRetryMaxMs: 120_000,
      idleHoldTimeMs: 5_000,
      idleHoldMaxMs: 120_000,
      delayOpenTimeMs: 0,
      passiveTcpEstablishment: false,
      dampPeerOscillations: false,
      allowAutomaticStart: true,
      sendNotificationWithoutOpen: false,
      collisionDetectEstablishedState: false,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('refuses AS 0 and ASNs beyond 32 bits (RFC 7607)', () => {
    expect(refused({ localAsn: 0 })).toMatch(/localAsn/);
    expect(refused({ localAsn: 2 ** 32 })).toMatch(/localAsn/);
    expect(refused({ remoteAsn: 0 })).toMatch(/remoteAsn/);
  });

  it('refuses a zero or malformed BGP Identifier (RFC 6286 §2.1)', () => {
    expect(refused({ bgpIdentifier: '0.0.0.0' })).toMatch(/bgpIdentifier/);
    expect(refused({ bgpIdentifier: '300.1.1.1' })).toMatch(/bgpIdentifier/);
  });

  it('refuses hold times of 1 and 2 s (RFC 4271 §4.2)', () => {
    expect(refused({ holdTimeSec: 1 })).toMatch(/holdTimeSec/);
    expect(refused({ holdTimeSec: 2 })).toMatch(/holdTimeSec/);
    expect(refused({ holdTimeSec: 70000 })).toMatch(/holdTimeSec/);
    expect(resolveFsmConfig({ ...base, holdTimeSec: 0 }).holdTimeSec).toBe(0);
  });

  it('takes a keepalive of 1 s up to just below the hold time, needing a non-zero hold time (RFC 4271 §4.4)', () => {
    expect(resolveFsmConfig(base).keepaliveTimeSec).toBeUndefined();
    expect(resolveFsmConfig({ ...base, keepaliveTimeSec: 1 }).keepaliveTimeSec).toBe(1);
    expect(resolveFsmConfig({ ...base, holdTimeSec: 9, keepaliveTimeSec: 8 }).keepaliveTimeSec).toBe(8);
    expect(refused({ holdTimeSec: 9, keepaliveTimeSec: 9 })).toMatch(/keepaliveTimeSec/);
    expect(refused({ keepaliveTimeSec: 0 })).toMatch(/keepaliveTimeSec/);
    expect(refused({ keepaliveTimeSec: 2.5 })).toMatch(/keepaliveTimeSec/);
    expect(refused({ keepaliveTimeSec: Number.NaN })).toMatch(/keepaliveTimeSec/);
    expect(refused({ holdTimeSec: 0, keepaliveTimeSec: 10 })).toMatch(/non-zero holdTimeSec/);
  });

  it('refuses empty or duplicate families, and options for families not configured', () => {
    expect(refused({ families: [] })).toMatch(/families/);
    expect(
      refused({
        families: [
          { afi: 1, safi: 1 },
          { afi: 1, safi: 1 },
        ],
      }),
    ).toMatch(/twice/);
    expect(refused({ addPath: [{ afi: 2, safi: 1, send: true, receive: true }] })).toMatch(/not in families/);
    expect(refused({ addPath: [{ afi: 1, safi: 1, send: false, receive: false }] })).toMatch(/neither/);
    expect(refused({ extendedNextHop: [{ afi: 2, safi: 1, nextHopAfi: 2 }] })).toMatch(/not in families/);
  });

  it('refuses a role on iBGP and an unknown role (RFC 9234 §4.1)', () => {
    expect(refused({ remoteAsn: 65001, role: { role: 0 } })).toMatch(/eBGP/);
    expect(refused({ role: { role: 5 } })).toMatch(/role/);
  });

  it('refuses Long-Lived GR without GR (RFC 9494 §3)', () => {
    expect(refused({ longLivedGracefulRestart: { families: [] } })).toMatch(/gracefulRestart/);
  });

  it('refuses to require a capability it does not advertise', () => {
    expect(refused({ requireCapabilities: ['extendedMessage'] })).toMatch(/extendedMessage/);
    expect(refused({ routeRefresh: false, requireCapabilities: ['routeRefresh'] })).toMatch(/routeRefresh/);
    expect(
      resolveFsmConfig({ ...base, requireCapabilities: ['fourOctetAs', 'multiprotocol'] })
        .requireCapabilities,
    ).toEqual(['fourOctetAs', 'multiprotocol']);
  });

  it('refuses lists too long for a one-octet capability length (RFC 5492 §4)', () => {
    const families = Array.from({ length: 64 }, (_, i) => ({ afi: 1, safi: i + 1 }));
    const gracefulRestart = {
      restartState: false,
      notification: false,
      restartTimeSec: 0,
      families: families.map((f) => ({ ...f, forwardingPreserved: false })),
    };
    expect(refused({ families, gracefulRestart })).toMatch(/gracefulRestart/);
    const addPath = families.map((f) => ({ ...f, send: true, receive: true }));
    expect(refused({ families, addPath })).toMatch(/addPath/);
    expect(resolveFsmConfig({ ...base, families, addPath: addPath.slice(0, 63) }).addPath).toHaveLength(63);
  });

  it('refuses timer settings that are not positive or whose cap is below the base', () => {
    expect(refused({ connectRetryTimeMs: 0 })).toMatch(/connectRetryTimeMs/);
    expect(refused({ connectRetryTimeMs: 10_000, connectRetryMaxMs: 5_000 })).toMatch(/connectRetryMaxMs/);
    expect(refused({ idleHoldTimeMs: 1.5 })).toMatch(/idleHoldTimeMs/);
    expect(refused({ delayOpenTimeMs: -1 })).toMatch(/delayOpenTimeMs/);
  });

  it('raises the default cap to a larger base', () => {
    expect(resolveFsmConfig({ ...base, connectRetryTimeMs: 200_000 }).connectRetryMaxMs).toBe(200_000);
  });

  it('is checked when a session is created', () => {
    expect(() => createFsmSession({ ...base, holdTimeSec: 2 })).toThrow(LocalProtocolError);
    expect(createFsmSession(base).state).toBe('idle');
  });
});
