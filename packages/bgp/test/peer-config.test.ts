import { describe, expect, it } from 'vitest';
import { type PeerConfigContext, resolvePeerConfig } from '../src/peer-config.js';
import { codeOf } from './support/error-code.js';

const ctx: PeerConfigContext = {
  localAsn: 65001,
  routerId: '192.0.2.1',
  isConfigured: (a) => a === '192.0.2.9',
  tcpSecurityUnavailable: () => 'no addon in this test',
  readPasswordFile: (path) => `key-from-${path}`,
};

describe('resolvePeerConfig: addPeer options → FsmConfig, without a speaker', () => {
  it('resolves defaults: the family of the address, port 179, active, no security or BFD', () => {
    const r = resolvePeerConfig({ address: '2001:db8::0:2', remoteAsn: 65002 }, ctx);
    expect(r.address).toBe('2001:db8::2');
    expect(r.port).toBe(179);
    expect(r.fsm).toEqual({
      localAsn: 65001,
      bgpIdentifier: '192.0.2.1',
      remoteAsn: 65002,
      families: [{ afi: 2, safi: 1 }],
      passiveTcpEstablishment: false,
    });
    expect(r.security).toBeUndefined();
    expect(r.bfd).toBeUndefined();
    expect(r.maxPrefixes).toEqual([]);
    expect(r.allowAsIn).toBe(0);
  });

  it('turns seconds into the FSM milliseconds and Graceful Restart into per-family flags (RFC 4724 §3)', () => {
    const r = resolvePeerConfig(
      {
        address: '192.0.2.2',
        remoteAsn: 65002,
        families: ['ipv4', 'ipv6', 'ipv4'],
        connectRetryTimeSec: 1.5,
        gracefulRestart: { restartTimeSec: 60 },
        addPath: true,
        maxPrefixes: { limit: 10, action: 'stop', family: 'ipv6' },
      },
      ctx,
    );
    expect(r.fsm.connectRetryTimeMs).toBe(1500);
    expect(r.fsm.families).toEqual([
      { afi: 1, safi: 1 },
      { afi: 2, safi: 1 },
    ]);
    expect(r.fsm.gracefulRestart).toEqual({
      restartState: false,
      notification: false,
      restartTimeSec: 60,
      families: [
        { afi: 1, safi: 1, forwardingPreserved: true },
        { afi: 2, safi: 1, forwardingPreserved: true },
      ],
    });
    expect(r.fsm.addPath).toEqual([
      { afi: 1, safi: 1, send: false, receive: true },
      { afi: 2, safi: 1, send: false, receive: true },
    ]);
    expect(r.maxPrefixes).toEqual([{ limit: 10, action: 'stop', afi: 2 }]);
  });

  it('reads the password file through the context and refuses TCP-MD5 when the transport cannot (RFC 2385)', () => {
    expect(
      codeOf(() => resolvePeerConfig({ address: '192.0.2.2', remoteAsn: 65002, passwordFile: '/k' }, ctx)),
    ).toBe('ANYVIP_TCP_AUTH_UNAVAILABLE');
    const r = resolvePeerConfig(
      { address: '192.0.2.2', remoteAsn: 65002, passwordFile: '/k' },
      { ...ctx, tcpSecurityUnavailable: () => undefined },
    );
    expect(new TextDecoder().decode(r.security?.md5Key)).toBe('key-from-/k');
  });

  it('asks the transport about TCP-MD5/GTSM only for a peer that needs them', () => {
    let asked = 0;
    resolvePeerConfig(
      { address: '192.0.2.2', remoteAsn: 65002, multihop: 3 },
      {
        ...ctx,
        tcpSecurityUnavailable: () => {
          asked++;
          return 'no';
        },
      },
    );
    expect(asked).toBe(0);
  });

  it('gives the first fault its stable code', () => {
    const bad: [Parameters<typeof resolvePeerConfig>[0], string][] = [
      [{ address: 'nope', remoteAsn: 1 }, 'ANYVIP_INVALID_PEER_CONFIG'],
      [{ address: '192.0.2.9', remoteAsn: 1 }, 'ANYVIP_DUPLICATE_PEER'],
      [{ address: '192.0.2.2', remoteAsn: 1, port: 0 }, 'ANYVIP_INVALID_PEER_CONFIG'],
      [{ address: '192.0.2.2', remoteAsn: 1, families: [] }, 'ANYVIP_INVALID_PEER_CONFIG'],
      [{ address: '192.0.2.2', remoteAsn: 1, families: ['ipv5' as 'ipv4'] }, 'ANYVIP_BAD_FAMILY'],
      [{ address: '192.0.2.2', remoteAsn: 1, nextHopSelf: { ipv4: '2001:db8::1' } }, 'ANYVIP_BAD_NEXT_HOP'],
      [{ address: '192.0.2.2', remoteAsn: 1, ttl: 256 }, 'ANYVIP_INVALID_PEER_CONFIG'],
      [{ address: '192.0.2.2', remoteAsn: 1, bfd: { minTxMs: 5 } }, 'ANYVIP_INVALID_PEER_CONFIG'],
      [{ address: '192.0.2.2', remoteAsn: 1, idleHoldTimeSec: -1 }, 'ANYVIP_INVALID_PEER_CONFIG'],
    ];
    for (const [options, code] of bad)
      expect(
        codeOf(() => resolvePeerConfig(options, ctx)),
        options.address,
      ).toBe(code);
  });
});
