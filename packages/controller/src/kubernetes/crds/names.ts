/**
 * The names of the anyvip.io kinds, apart from their schemas so that code needing only names
 * (RBAC rules, API paths) does not load the schema library.
 */

/** Names of one kind as its CustomResourceDefinition declares them. */
export interface KindNames {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
}

export const anyvipPeerNames = {
  kind: 'AnyvipPeer',
  plural: 'anyvippeers',
  singular: 'anyvippeer',
  shortNames: ['avpeer'],
} as const satisfies KindNames;

export const anyvipAdvertisementNames = {
  kind: 'AnyvipAdvertisement',
  plural: 'anyvipadvertisements',
  singular: 'anyvipadvertisement',
  shortNames: ['avadv'],
} as const satisfies KindNames;

export const anyvipPoolNames = {
  kind: 'AnyvipPool',
  plural: 'anyvippools',
  singular: 'anyvippool',
  shortNames: ['avpool'],
} as const satisfies KindNames;

export const anyvipNodeStatusNames = {
  kind: 'AnyvipNodeStatus',
  plural: 'anyvipnodestatuses',
  singular: 'anyvipnodestatus',
  shortNames: ['avstatus'],
} as const satisfies KindNames;
