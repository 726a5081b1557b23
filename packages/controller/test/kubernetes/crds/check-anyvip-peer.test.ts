import { describe, expect, it } from 'vitest';
import { checkAnyvipPeer } from '../../../src/kubernetes/crds/index.js';

const peer = (spec: Record<string, unknown>) => ({
  apiVersion: 'anyvip.io/v1alpha1',
  kind: 'AnyvipPeer',
  metadata: { name: 'tor-a' },
  spec,
});

describe('checkAnyvipPeer', () => {
  it('accepts a minimal peer and fills in the schema defaults, as the API server would', () => {
    const r = checkAnyvipPeer(peer({ peerAddress: '10.250.1.1', peerASN: 65010 }));
    expect(r).toEqual({
      ok: true,
      value: peer({
        peerAddress: '10.250.1.1',
        peerASN: 65010,
        port: 179,
        passive: false,
        holdTimeSeconds: 90,
        connectRetryTimeSeconds: 5,
      }),
    });
  });

  it('fills nested defaults only where the operator wrote the object (bfd {}, passwordSecretRef)', () => {
    const r = checkAnyvipPeer(
      peer({ peerAddress: 'fd00:250::1', peerASN: 65010, bfd: {}, passwordSecretRef: { name: 'tor-a-md5' } }),
    );
    expect(r.ok && r.value.spec.bfd).toEqual({ minTxMs: 300, minRxMs: 300, multiplier: 3 });
    expect(r.ok && r.value.spec.passwordSecretRef).toEqual({ name: 'tor-a-md5', key: 'password' });
    expect(r.ok && r.value.spec.gracefulRestart).toBeUndefined();
  });

  it('does not change its input', () => {
    const input = peer({ peerAddress: '10.250.1.1', peerASN: 65010 });
    const before = structuredClone(input);
    checkAnyvipPeer(input);
    expect(input).toEqual(before);
  });

  it('requires exactly one of peerAddress and autoDiscovery (both, or neither, is refused)', () => {
    const both = checkAnyvipPeer(
      peer({
        peerAddress: '10.250.1.1',
        autoDiscovery: { mode: 'DefaultGateway', family: 'ipv4' },
        peerASN: 65010,
      }),
    );
    expect(both).toEqual({
      ok: false,
      problems: [
        {
          path: 'spec',
          message: 'exactly one of peerAddress and autoDiscovery must be set',
          reason: 'ConflictingFields',
        },
      ],
    });
    expect(checkAnyvipPeer(peer({ peerASN: 65010 })).ok).toBe(false);
    expect(
      checkAnyvipPeer(peer({ autoDiscovery: { mode: 'DefaultGateway', family: 'ipv6' }, peerASN: 1 })).ok,
    ).toBe(true);
  });

  it('refuses sourceAddress with sourceInterface, and ttlSecurity with ebgpMultihop', () => {
    const r = checkAnyvipPeer(
      peer({
        peerAddress: '10.250.1.1',
        peerASN: 65010,
        sourceAddress: '10.250.1.2',
        sourceInterface: 'eth0',
        ttlSecurity: {},
        ebgpMultihop: 2,
      }),
    );
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([
      'sourceAddress and sourceInterface are exclusive',
      'ttlSecurity and ebgpMultihop are exclusive (GTSM sends with TTL 255)',
    ]);
  });

  it('refuses a keepalive not below the hold time (RFC 4271 §10), and hold times 1 and 2 (§4.2)', () => {
    const r = checkAnyvipPeer(
      peer({ peerAddress: '10.250.1.1', peerASN: 65010, holdTimeSeconds: 9, keepaliveTimeSeconds: 9 }),
    );
    expect(r.ok ? [] : r.problems).toEqual([
      {
        path: 'spec.keepaliveTimeSeconds',
        message:
          'keepaliveTimeSeconds must be less than holdTimeSeconds (and absent when holdTimeSeconds is 0)',
        reason: 'ConflictingFields',
      },
    ]);
    expect(
      checkAnyvipPeer(peer({ peerAddress: '10.250.1.1', peerASN: 1, keepaliveTimeSeconds: 89 })).ok,
    ).toBe(true);
    expect(
      checkAnyvipPeer(peer({ peerAddress: '10.250.1.1', peerASN: 1, keepaliveTimeSeconds: 90 })).ok,
    ).toBe(false);
    const two = checkAnyvipPeer(peer({ peerAddress: '10.250.1.1', peerASN: 1, holdTimeSeconds: 2 }));
    expect(two.ok ? [] : two.problems.map((p) => p.path)).toEqual(['spec.holdTimeSeconds']);
    expect(checkAnyvipPeer(peer({ peerAddress: '10.250.1.1', peerASN: 1, holdTimeSeconds: 0 })).ok).toBe(
      true,
    );
  });

  it('parses addresses the schema can only shape: peer, source of the same family, next hops, router ID', () => {
    const r = checkAnyvipPeer(
      peer({
        peerAddress: '10.250.1.300',
        peerASN: 65010,
        nextHop: { ipv4: 'fd00::1', ipv6: '10.0.0.1' },
        routerID: '0.0.0.0',
      }),
    );
    expect(r.ok ? [] : r.problems).toEqual([
      { path: 'spec.peerAddress', message: '"10.250.1.300" is not an IP address', reason: 'InvalidAddress' },
      { path: 'spec.nextHop.ipv4', message: '"fd00::1" is not an IPv4 address', reason: 'InvalidAddress' },
      { path: 'spec.nextHop.ipv6', message: '"10.0.0.1" is not an IPv6 address', reason: 'InvalidAddress' },
      {
        path: 'spec.routerID',
        message: '"0.0.0.0" is not a BGP identifier (a non-zero dotted quad, RFC 6286)',
        reason: 'InvalidAddress',
      },
    ]);
    const mixed = checkAnyvipPeer(
      peer({ peerAddress: 'fd00:250::1', peerASN: 1, sourceAddress: '10.250.1.2' }),
    );
    expect(mixed.ok ? [] : mixed.problems.map((p) => p.path)).toEqual(['spec.sourceAddress']);
  });

  it('names the missing or out-of-range field in the API server words', () => {
    const r = checkAnyvipPeer(peer({ peerAddress: 'peer.example', port: 70000, families: ['ipv4', 'ipv4'] }));
    expect(r.ok ? [] : r.problems).toEqual([
      { path: 'spec.peerASN', message: 'Required value', reason: 'MissingField' },
      {
        path: 'spec.peerAddress',
        message: `"peer.example" should match '^[0-9A-Fa-f.:]+$'`,
        reason: 'InvalidField',
      },
      { path: 'spec.port', message: 'should be less than or equal to 65535', reason: 'InvalidField' },
    ]);
    const dup = checkAnyvipPeer(peer({ peerAddress: '10.250.1.1', peerASN: 1, families: ['ipv4', 'ipv4'] }));
    expect(dup.ok ? [] : dup.problems).toEqual([
      { path: 'spec.families[1]', message: 'Duplicate value: "ipv4"', reason: 'DuplicateValue' },
    ]);
    const fam = checkAnyvipPeer(peer({ peerAddress: '10.250.1.1', peerASN: 1, families: ['ipv5'] }));
    expect(fam.ok ? [] : fam.problems).toEqual([
      {
        path: 'spec.families[0]',
        message: 'Unsupported value: "ipv5": supported values: "ipv4", "ipv6"',
        reason: 'InvalidField',
      },
    ]);
  });

  it('checks selector operators and label syntax', () => {
    const r = checkAnyvipPeer(
      peer({
        peerAddress: '10.250.1.1',
        peerASN: 1,
        nodeSelector: {
          matchLabels: { 'bad key!': 'a' },
          matchExpressions: [
            { key: 'rack', operator: 'In', values: [] },
            { key: 'rack', operator: 'Exists', values: ['a'] },
          ],
        },
      }),
    );
    expect(r.ok ? [] : r.problems.map((p) => [p.path, p.reason])).toEqual([
      ['spec.nodeSelector.matchExpressions[0].values', 'InvalidSelector'],
      ['spec.nodeSelector.matchExpressions[1].values', 'InvalidSelector'],
      ['spec.nodeSelector.matchLabels[bad key!]', 'InvalidSelector'],
    ]);
    const op = checkAnyvipPeer(
      peer({
        peerAddress: '10.250.1.1',
        peerASN: 1,
        nodeSelector: { matchExpressions: [{ key: 'a', operator: 'Gt' }] },
      }),
    );
    expect(op.ok ? [] : op.problems.map((p) => p.path)).toEqual([
      'spec.nodeSelector.matchExpressions[0].operator',
    ]);
  });

  it('refuses what is not an AnyvipPeer at all', () => {
    expect(checkAnyvipPeer(null).ok).toBe(false);
    const r = checkAnyvipPeer({ ...peer({ peerAddress: '10.250.1.1', peerASN: 1 }), kind: 'BGPPeer' });
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['kind']);
  });
});
