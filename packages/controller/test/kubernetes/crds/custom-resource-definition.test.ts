import { describe, expect, it } from 'vitest';
import { anyvipCustomResourceDefinitions } from '../../../src/kubernetes/crds/index.js';

type Node = Record<string, unknown>;

/** Every node of a schema with its path. */
function* nodes(s: Node, at: string): Generator<[string, Node]> {
  yield [at, s];
  for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Node>))
    yield* nodes(v, `${at}.${k}`);
  if (s.items !== undefined) yield* nodes(s.items as Node, `${at}[*]`);
  if (typeof s.additionalProperties === 'object') yield* nodes(s.additionalProperties as Node, `${at}{*}`);
}

describe('anyvip CustomResourceDefinitions', () => {
  const crds = anyvipCustomResourceDefinitions();
  /** The spec schema of the first CRD (AnyvipPeer). */
  const peerSpecSchema = (): Node => {
    const root = crds[0]!.spec.versions[0]!.schema!.openAPIV3Schema as Node;
    return (root.properties as Record<string, Node>).spec!;
  };

  it('are the four cluster-scoped kinds of anyvip.io/v1alpha1, with the status subresource and short names', () => {
    expect(
      crds.map((c) => [c.metadata?.name, c.spec.scope, c.spec.names.kind, c.spec.names.shortNames]),
    ).toEqual([
      ['anyvippeers.anyvip.io', 'Cluster', 'AnyvipPeer', ['avpeer']],
      ['anyvipadvertisements.anyvip.io', 'Cluster', 'AnyvipAdvertisement', ['avadv']],
      ['anyvippools.anyvip.io', 'Cluster', 'AnyvipPool', ['avpool']],
      ['anyvipnodestatuses.anyvip.io', 'Cluster', 'AnyvipNodeStatus', ['avstatus']],
    ]);
    for (const c of crds) {
      expect(c.spec.versions.map((v) => [v.name, v.served, v.storage, v.subresources])).toEqual([
        ['v1alpha1', true, true, { status: {} }],
      ]);
    }
  });

  it('have structural schemas: every node typed, no $ref/anyOf/oneOf/allOf/const/uniqueItems, metadata left to the server', () => {
    for (const c of crds) {
      const schema = c.spec.versions[0]?.schema?.openAPIV3Schema as Node;
      expect((schema.properties as Record<string, Node>).metadata).toEqual({ type: 'object' });
      for (const [at, n] of nodes(schema, c.spec.names.kind)) {
        expect(typeof n.type, at).toBe('string');
        for (const k of [
          '$ref',
          'anyOf',
          'oneOf',
          'allOf',
          'not',
          'const',
          'uniqueItems',
          '$id',
          'patternProperties',
        ])
          expect(n[k], `${at}: ${k}`).toBeUndefined();
        expect(Object.getOwnPropertySymbols(n), at).toEqual([]);
      }
    }
  });

  it('carry the cross-field rules as CEL (x-kubernetes-validations)', () => {
    const rules = (peerSpecSchema()['x-kubernetes-validations'] as { rule: string }[]).map((r) => r.rule);
    expect(rules).toContain('has(self.peerAddress) != has(self.autoDiscovery)');
    expect(rules).toContain('!(has(self.sourceAddress) && has(self.sourceInterface))');
    expect(
      rules.some((r) => r.startsWith('!has(self.keepaliveTimeSeconds) || self.keepaliveTimeSeconds <')),
    ).toBe(true);
  });

  it('turn enums into enum lists and maps into additionalProperties', () => {
    const spec = peerSpecSchema();
    const props = spec.properties as Record<string, Node>;
    expect(((props.autoDiscovery as Node).properties as Record<string, Node>).family).toEqual({
      type: 'string',
      enum: ['ipv4', 'ipv6'],
      description: 'Which default gateway: ipv4 or ipv6.',
    });
    const selector = props.nodeSelector as Node;
    expect((selector.properties as Record<string, Node>).matchLabels).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    expect(selector['x-kubernetes-map-type']).toBe('atomic');
  });
});
