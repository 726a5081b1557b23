import type { ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { anyvipAdvertisementDefinition } from './anyvip-advertisement.js';
import { anyvipNodeStatusDefinition } from './anyvip-node-status.js';
import { anyvipPeerDefinition } from './anyvip-peer.js';
import { anyvipPoolDefinition } from './anyvip-pool.js';
import type { KindDefinition } from './custom-resource.js';
import { anyvipGroup, anyvipVersion } from './group.js';
import { toStructural } from './structural-schema.js';

/** The four anyvip kinds, in the order their CRDs are printed. */
export const anyvipKinds: readonly KindDefinition[] = [
  anyvipPeerDefinition,
  anyvipAdvertisementDefinition,
  anyvipPoolDefinition,
  anyvipNodeStatusDefinition,
];

/**
 * The CustomResourceDefinition of one kind: cluster-scoped, one version served and stored, the
 * status subresource (spec and status written apart, `metadata.generation` bumped by spec
 * changes only), printer columns, and the structural schema generated from the TypeBox one.
 */
export function customResourceDefinition(
  d: KindDefinition,
  labels: Readonly<Record<string, string>> = {},
): ICustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${d.plural}.${anyvipGroup}`,
      ...(Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}),
    },
    spec: {
      group: anyvipGroup,
      names: {
        kind: d.kind,
        listKind: `${d.kind}List`,
        plural: d.plural,
        singular: d.singular,
        shortNames: [...d.shortNames],
        categories: ['anyvip'],
      },
      scope: 'Cluster',
      versions: [
        {
          name: anyvipVersion,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: d.printerColumns.map((c) => ({ ...c })),
          schema: {
            openAPIV3Schema: toStructural(d.schema) as NonNullable<
              NonNullable<ICustomResourceDefinition['spec']['versions'][number]['schema']>['openAPIV3Schema']
            >,
          },
        },
      ],
    },
  };
}

/** The CRDs of every anyvip kind. */
export function anyvipCustomResourceDefinitions(
  labels: Readonly<Record<string, string>> = {},
): ICustomResourceDefinition[] {
  return anyvipKinds.map((d) => customResourceDefinition(d, labels));
}
