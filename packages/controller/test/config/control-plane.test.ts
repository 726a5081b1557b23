import { describe, expect, it } from 'vitest';
import {
  type ControlPlaneFlags,
  controlPlaneCheck,
  controlPlaneConfig,
} from '../../src/config/control-plane.js';

function flags(over: Partial<ControlPlaneFlags> = {}): ControlPlaneFlags {
  return {
    vips: ['10.250.255.1'],
    peers: ['10.250.0.1'],
    peerAsns: [65000],
    asn: 65001,
    routerId: '10.250.0.11',
    health: 'apiserver',
    mode: 'bgp',
    holdTimeSec: undefined,
    table: undefined,
    tableProtocol: undefined,
    logLevel: undefined,
    ...over,
  };
}

describe('controlPlaneConfig (anyvip run --control-plane)', () => {
  it('builds the same configuration a file would: one VIP gated by the apiserver preset', () => {
    const c = controlPlaneConfig(flags());
    expect(c.mode).toBe('bgp');
    expect(c.bgp?.asn).toBe(65001);
    expect(c.bgp?.peers.map((p) => [p.address, p.asn])).toEqual([['10.250.0.1', 65000]]);
    expect(c.vips.map((v) => [v.prefix, v.healthcheck])).toEqual([['10.250.255.1/32', controlPlaneCheck]]);
    expect(c.healthchecks.get(controlPlaneCheck)).toEqual({
      name: controlPlaneCheck,
      probes: [{ kind: 'apiserver' }],
      intervalMs: 2000,
      fastIntervalMs: 500,
      timeoutMs: 400,
      rise: 2,
      fall: 3,
    });
  });

  it('gives each --peer its own --peer-asn when as many are given', () => {
    const c = controlPlaneConfig(flags({ peers: ['10.250.0.1', '10.250.1.1'], peerAsns: [65000, 65002] }));
    expect(c.bgp?.peers.map((p) => p.asn)).toEqual([65000, 65002]);
  });

  it('leaves the VIP ungated without --health', () => {
    const c = controlPlaneConfig(flags({ health: undefined }));
    expect(c.vips[0]?.healthcheck).toBeUndefined();
    expect(c.healthchecks.size).toBe(0);
  });

  it('names the flag at fault', () => {
    expect(() => controlPlaneConfig(flags({ vips: [] }))).toThrow('--vip is required');
    expect(() => controlPlaneConfig(flags({ asn: undefined }))).toThrow('--asn is required in mode bgp');
    expect(() => controlPlaneConfig(flags({ vips: ['10.250.255.0/24'] }))).toThrow(
      /^--vip: a VIP is one address/,
    );
    expect(() => controlPlaneConfig(flags({ peers: ['r1'] }))).toThrow(
      /^--peer: must be an IPv4 or IPv6 address/,
    );
    expect(() => controlPlaneConfig(flags({ routerId: 'x' }))).toThrow(/^--router-id: /);
    expect(() => controlPlaneConfig(flags({ health: 'ping://x' }))).toThrow(/^--health: unknown probe/);
    expect(() =>
      controlPlaneConfig(flags({ peers: ['10.250.0.1', '10.250.1.1'], peerAsns: [1, 2, 3] })),
    ).toThrow(/one --peer-asn for all peers or one per --peer/);
  });

  it('--listen-port (and --listen-address) accept sessions as bgp.listen does in a file', () => {
    expect(controlPlaneConfig(flags()).bgp?.listen).toBeUndefined();
    expect(controlPlaneConfig(flags({ listenPort: 179 })).bgp?.listen).toEqual({
      address: undefined,
      port: 179,
    });
    expect(controlPlaneConfig(flags({ listenPort: 1179, listenAddress: '10.250.0.11' })).bgp?.listen).toEqual(
      { address: '10.250.0.11', port: 1179 },
    );
    expect(() => controlPlaneConfig(flags({ listenPort: 70000 }))).toThrow(/^--listen-port: /);
    expect(() => controlPlaneConfig(flags({ listenPort: 179, listenAddress: 'x' }))).toThrow(
      /^--listen-address: /,
    );
    expect(() => controlPlaneConfig(flags({ listenAddress: '10.250.0.11' }))).toThrow(
      '--listen-address needs --listen-port',
    );
  });

  it('--health-client-cert/-key and --health-token-file give the apiserver probe credentials', () => {
    const probes = (over: Partial<ControlPlaneFlags>) =>
      controlPlaneConfig(flags(over)).healthchecks.get(controlPlaneCheck)?.probes;
    expect(
      probes({
        healthClientCert: '/etc/anyvip/health/client.crt',
        healthClientKey: '/etc/anyvip/health/client.key',
      }),
    ).toEqual([
      {
        kind: 'apiserver',
        clientCertFile: '/etc/anyvip/health/client.crt',
        clientKeyFile: '/etc/anyvip/health/client.key',
      },
    ]);
    expect(probes({ health: 'apiserver:readyz', healthTokenFile: '/etc/anyvip/health/token' })).toEqual([
      { kind: 'apiserver', endpoint: 'readyz', tokenFile: '/etc/anyvip/health/token' },
    ]);
    expect(() =>
      controlPlaneConfig(flags({ health: 'tcp://127.0.0.1:6443', healthTokenFile: '/t' })),
    ).toThrow('--health-client-cert, --health-client-key and --health-token-file are for --health apiserver');
    expect(() => controlPlaneConfig(flags({ health: undefined, healthClientCert: '/c' }))).toThrow(
      /are for --health apiserver/,
    );
    expect(() => controlPlaneConfig(flags({ healthClientKey: '/k' }))).toThrow(
      '--health-client-key needs --health-client-cert',
    );
  });

  it('builds table mode without BGP flags', () => {
    const c = controlPlaneConfig(
      flags({ mode: 'table', peers: [], peerAsns: [], asn: undefined, routerId: undefined, table: 201 }),
    );
    expect(c.mode).toBe('table');
    expect(c.table.id).toBe(201);
  });

  it('--bfd-interval, --bfd-multiplier and --graceful-restart-time turn BFD and GR on for every peer', () => {
    const c = controlPlaneConfig(flags({ bfdIntervalMs: 100, bfdMultiplier: 4, gracefulRestartTimeSec: 30 }));
    expect(c.bgp?.peers[0]).toMatchObject({
      bfd: { minTxMs: 100, minRxMs: 100, multiplier: 4 },
      gracefulRestart: { restartTimeSec: 30, notification: false },
    });
    expect(controlPlaneConfig(flags()).bgp?.peers[0]?.bfd).toBeUndefined();
    expect(() => controlPlaneConfig(flags({ bfdIntervalMs: 5 }))).toThrow(/^--bfd-interval: /);
    expect(() => controlPlaneConfig(flags({ bfdIntervalMs: 100, bfdMultiplier: 0 }))).toThrow(
      /^--bfd-multiplier: /,
    );
  });

  it('--graceful-shutdown-wait turns RFC 8326 graceful shutdown on with that wait; a bad duration names the flag', () => {
    expect(controlPlaneConfig(flags({ gracefulShutdownWait: '12s' })).gracefulShutdown).toEqual({
      enabled: true,
      waitMs: 12_000,
      unbindDelayMs: 1000,
    });
    expect(controlPlaneConfig(flags()).gracefulShutdown.enabled).toBe(false);
    expect(() => controlPlaneConfig(flags({ gracefulShutdownWait: 'soon' }))).toThrow(
      /^--graceful-shutdown-wait: /,
    );
  });
});
