import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AnyvipPeerSpecSchema,
  anyvipCustomResourceDefinitions,
  checkAnyvipPeer,
} from '../../../src/kubernetes/crds/index.js';
import { CrdSchema, type JsonSchema } from '../../support/crd-schema.js';

/**
 * Each cross-field rule is written twice (CEL for the API server, TypeScript for the
 * controller's check). On random peers that satisfy the rest of the schema, both must refuse
 * exactly the same (field, message) pairs.
 */

const ruleMessages = new Set(
  (AnyvipPeerSpecSchema['x-kubernetes-validations'] as { message: string }[]).map((r) => r.message),
);
ruleMessages.add('values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist');

const peerCrd = anyvipCustomResourceDefinitions()[0];
const apiServer = new CrdSchema(peerCrd?.spec.versions[0]?.schema?.openAPIV3Schema as JsonSchema);

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const spec = fc
  .record({
    peerAddress: maybe(fc.constantFrom('192.0.2.1', 'fd00:250::1')),
    autoDiscovery: maybe(
      fc.record({ mode: fc.constant('DefaultGateway'), family: fc.constantFrom('ipv4', 'ipv6') }),
    ),
    peerASN: fc.integer({ min: 1, max: 4_294_967_295 }),
    sourceAddress: maybe(fc.constantFrom('192.0.2.2', 'fd00:250::2')),
    sourceInterface: maybe(fc.constant('eth0')),
    ttlSecurity: maybe(fc.record({ hops: fc.integer({ min: 1, max: 254 }) })),
    ebgpMultihop: maybe(fc.integer({ min: 1, max: 255 })),
    holdTimeSeconds: maybe(fc.integer({ min: 0, max: 120 })),
    keepaliveTimeSeconds: maybe(fc.integer({ min: 1, max: 130 })),
    nodeSelector: maybe(
      fc.record({
        matchExpressions: fc.array(
          fc.record({
            key: fc.constant('rack'),
            operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
            values: maybe(fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 })),
          }),
          { maxLength: 2 },
        ),
      }),
    ),
  })
  .map((s) => {
    // Absent, not undefined: JSON has no undefined.
    const clean = JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
    // A source address only of the peer's family, so the check's family rule does not add noise.
    if (typeof clean.peerAddress === 'string' && typeof clean.sourceAddress === 'string')
      clean.sourceAddress = clean.peerAddress.includes(':') ? 'fd00:250::2' : '192.0.2.2';
    return clean;
  });

describe('CEL rules and the check agree', () => {
  it('on every random AnyvipPeer: the same (field, message) refusals', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const object = {
          apiVersion: 'anyvip.io/v1alpha1',
          kind: 'AnyvipPeer',
          metadata: { name: 'p' },
          spec: s,
        };
        const cel = apiServer
          .admit(structuredClone(object))
          .map((c) => `${c.field}: ${c.message.replace(/^Invalid value: "object": /, '')}`)
          .sort();
        const verdict = checkAnyvipPeer(object);
        const ours = (verdict.ok ? [] : verdict.problems)
          .filter((p) => ruleMessages.has(p.message))
          .map((p) => `${p.path}: ${p.message}`)
          .sort();
        expect(ours).toEqual(cel);
      }),
      { numRuns: 300 },
    );
  });
});
