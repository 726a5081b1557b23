import { describe, expect, it } from 'vitest';
import { checkAnyvipAdvertisement } from '../../../src/kubernetes/crds/index.js';

const adv = (spec: Record<string, unknown>) => ({
  apiVersion: 'anyvip.io/v1alpha1',
  kind: 'AnyvipAdvertisement',
  metadata: { name: 'prod' },
  spec,
});

describe('checkAnyvipAdvertisement', () => {
  it('accepts an empty spec (every VIP, every peer) and a full one', () => {
    expect(checkAnyvipAdvertisement(adv({})).ok).toBe(true);
    const full = adv({
      serviceSelector: { matchLabels: { app: 'web' } },
      namespaces: ['prod'],
      pools: ['public'],
      peerSelector: { matchExpressions: [{ key: 'rack', operator: 'In', values: ['a'] }] },
      nodeSelector: {},
      communities: ['65000:100', 'no-export', 'blackhole'],
      largeCommunities: ['65000:1:2'],
      localPref: 200,
      med: 10,
      asPathPrepend: 2,
      noExport: true,
    });
    expect(checkAnyvipAdvertisement(full)).toEqual({ ok: true, value: full });
  });

  it('refuses communities out of range (RFC 1997: two 16-bit halves) and GRACEFUL_SHUTDOWN in any spelling', () => {
    const r = checkAnyvipAdvertisement(
      adv({ communities: ['65536:1', '65535:0'], largeCommunities: ['4294967296:0:0'] }),
    );
    expect(r.ok ? [] : r.problems).toEqual([
      {
        path: 'spec.communities[0]',
        message: '"65536:1" is not a community (0-65535:0-65535)',
        reason: 'InvalidCommunity',
      },
      {
        path: 'spec.communities[1]',
        message: 'GRACEFUL_SHUTDOWN (65535:0) is refused: anyvip sets it itself when draining (RFC 8326)',
        reason: 'InvalidCommunity',
      },
      {
        path: 'spec.largeCommunities[0]',
        message: '"4294967296:0:0" is not a large community (three 32-bit numbers)',
        reason: 'InvalidCommunity',
      },
    ]);
    const named = checkAnyvipAdvertisement(adv({ communities: ['graceful-shutdown'] }));
    expect(named.ok ? [] : named.problems.map((p) => [p.path, p.reason])).toEqual([
      ['spec.communities[0]', 'InvalidField'],
    ]);
  });

  it('refuses a prepend beyond 16 and a namespace that is no DNS label', () => {
    const r = checkAnyvipAdvertisement(adv({ asPathPrepend: 17, namespaces: ['Prod'] }));
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['spec.namespaces[0]', 'spec.asPathPrepend']);
  });
});
