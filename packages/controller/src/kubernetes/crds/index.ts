/**
 * The anyvip.io/v1alpha1 kinds (AnyvipPeer, AnyvipAdvertisement, AnyvipPool, AnyvipNodeStatus):
 * TypeBox schemas are the one source of truth; the TypeScript types are their `Static<>`, the
 * CRDs' structural schemas come from structural-schema.ts, and `check*` judge objects read from
 * the API (schema, CEL-equivalent rules, and what the API server cannot judge).
 */
export {
  type AnyvipAdvertisement,
  AnyvipAdvertisementSchema,
  type AnyvipAdvertisementSpec,
  AnyvipAdvertisementSpecSchema,
  type AnyvipAdvertisementStatus,
  anyvipAdvertisementDefinition,
  checkAnyvipAdvertisement,
  communityPattern,
  largeCommunityPattern,
} from './anyvip-advertisement.js';
export {
  type AnyvipNodeStatus,
  AnyvipNodeStatusSchema,
  type AnyvipNodeStatusSpec,
  type AnyvipNodeStatusStatus,
  anyvipNodeStatusDefinition,
  type BfdStateName,
  bfdStates,
  checkAnyvipNodeStatus,
  type NodeSessionStatus,
  type NodeVipStatus,
  type SessionStateName,
  sessionStates,
} from './anyvip-node-status.js';
export {
  type AnyvipPeer,
  AnyvipPeerSchema,
  type AnyvipPeerSpec,
  AnyvipPeerSpecSchema,
  type AnyvipPeerStatus,
  anyvipPeerDefinition,
  checkAnyvipPeer,
  type PeerBfd,
  peerFamilies,
  type SecretKeyRef,
} from './anyvip-peer.js';
export {
  type AnyvipPool,
  AnyvipPoolSchema,
  type AnyvipPoolSpec,
  type AnyvipPoolStatus,
  anyvipPoolDefinition,
  checkAnyvipPool,
} from './anyvip-pool.js';
export { type Condition, ConditionSchema } from './condition.js';
export type { KindDefinition, PrinterColumn } from './custom-resource.js';
export {
  anyvipCustomResourceDefinitions,
  anyvipKinds,
  customResourceDefinition,
} from './custom-resource-definition.js';
export { anyvipApiVersion, anyvipGroup, anyvipVersion } from './group.js';
export {
  checkLabelSelector,
  type LabelSelector,
  type LabelSelectorRequirement,
  LabelSelectorSchema,
  labelSelectorOperators,
} from './label-selector.js';
export {
  anyvipAdvertisementNames,
  anyvipNodeStatusNames,
  anyvipPeerNames,
  anyvipPoolNames,
  type KindNames,
} from './names.js';
export type { ObjectMeta } from './object-meta.js';
export type { CheckResult, Problem, ProblemReason } from './problem.js';
export { type StructuralSchema, toStructural } from './structural-schema.js';
