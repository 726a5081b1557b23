import { type Static, Type } from '@sinclair/typebox';
import { communityPattern, largeCommunityPattern } from './anyvip-advertisement.js';
import { addressProblem } from './anyvip-peer.js';
import { checkObject } from './check-object.js';
import { ConditionsSchema } from './condition.js';
import { customResourceSchema, type KindDefinition } from './custom-resource.js';
import { anyvipNodeStatusNames } from './names.js';
import type { CheckResult, Problem } from './problem.js';
import { IntegerIn, StringEnum, Text } from './schema-builders.js';
import { withRules } from './validation-rule.js';

/** Session states (RFC 4271 §8.2.2), in anyvip's lowerCamel spelling. */
export const sessionStates = ['idle', 'connect', 'active', 'openSent', 'openConfirm', 'established'] as const;

/** BFD session states (RFC 5880 §4.1), plus `off` when the peer has no BFD. */
export const bfdStates = ['up', 'down', 'init', 'adminDown', 'off'] as const;

const count = (description: string) =>
  IntegerIn(0, Number.MAX_SAFE_INTEGER, { format: 'int64', description });
const rfc3339 = (description: string) => Type.String({ format: 'date-time', description });

/** One BGP session of the node. */
export const NodeSessionStatusSchema = Type.Object(
  {
    peer: Text(253, { description: 'AnyvipPeer name, "node-annotation", or "flags".' }),
    peerAddress: Text(45, { description: "The neighbour's address." }),
    peerASN: Type.Optional(IntegerIn(0, 4_294_967_295, { description: "The neighbour's AS number." })),
    localAddress: Type.Optional(Text(45, { description: 'Our end of the session.' })),
    state: StringEnum(sessionStates, { description: 'BGP FSM state (RFC 4271 §8.2.2).' }),
    since: Type.Optional(rfc3339('When the session entered this state (RFC 3339).')),
    lastError: Type.Optional(Text(1024, { description: 'Last NOTIFICATION or connection error.' })),
    prefixesSent: Type.Optional(count('Prefixes announced to the neighbour.')),
    prefixesReceived: Type.Optional(count('Prefixes received from the neighbour.')),
    holdTimeSeconds: Type.Optional(IntegerIn(0, 65_535, { description: 'Negotiated hold time, seconds.' })),
    bfd: Type.Optional(StringEnum(bfdStates, { description: 'BFD state (RFC 5880), off without BFD.' })),
  },
  { description: 'One BGP session of the node.' },
);

/** One VIP as this node handles it. */
export const NodeVipStatusSchema = Type.Object(
  {
    address: Text(45, { description: 'The VIP.' }),
    prefix: Text(49, { description: 'The announced prefix (10.0.0.1/32).' }),
    service: Type.Optional(Text(317, { description: 'The Service, "namespace/name".' })),
    announced: Type.Boolean({ description: 'Whether this node announces it now.' }),
    reason: Type.Optional(Text(1024, { description: 'Why not announced, or "healthy".' })),
    peers: Type.Optional(
      Type.Array(Text(45), { maxItems: 256, description: 'Neighbour addresses it is announced to.' }),
    ),
    communities: Type.Optional(
      Type.Array(Text(32, { pattern: `${communityPattern.slice(0, -2)}|graceful-shutdown)$` }), {
        maxItems: 64,
        description: 'Communities sent.',
      }),
    ),
    largeCommunities: Type.Optional(
      Type.Array(Text(32, { pattern: largeCommunityPattern }), {
        maxItems: 64,
        description: 'Large communities sent.',
      }),
    ),
    localPref: Type.Optional(IntegerIn(0, 4_294_967_295, { description: 'LOCAL_PREF sent (iBGP).' })),
    med: Type.Optional(IntegerIn(0, 4_294_967_295, { description: 'MED sent.' })),
    asPathPrepend: Type.Optional(IntegerIn(0, 16, { description: 'Extra prepends of our AS.' })),
  },
  { description: 'One VIP as this node handles it.' },
);

/** The spec of an AnyvipNodeStatus: only which node it describes. */
export const AnyvipNodeStatusSpecSchema = Type.Object(
  { nodeName: Text(253, { minLength: 1, description: 'The node; equal to metadata.name.' }) },
  { description: 'Which node this describes.' },
);

/** What the node's anyvip reports (status subresource), at most every 5 s and on change. */
export const AnyvipNodeStatusStatusSchema = Type.Object(
  {
    nodeName: Type.Optional(Text(253, { description: 'The node.' })),
    asn: Type.Optional(IntegerIn(0, 4_294_967_295, { description: "The node's AS number." })),
    routerID: Type.Optional(Text(15, { description: "The node's BGP identifier." })),
    updatedAt: Type.Optional(rfc3339('When anyvip last wrote this (RFC 3339).')),
    sessions: Type.Optional(
      Type.Array(NodeSessionStatusSchema, { maxItems: 1024, description: 'Every BGP session of the node.' }),
    ),
    vips: Type.Optional(
      Type.Array(NodeVipStatusSchema, { maxItems: 16_384, description: 'Every VIP the node knows.' }),
    ),
    conditions: Type.Optional(ConditionsSchema('Ready: anyvip on the node runs and reports.')),
  },
  { description: "Written by the node's anyvip." },
);

/** The whole AnyvipNodeStatus object. */
export const AnyvipNodeStatusSchema = withRules(
  customResourceSchema(
    anyvipNodeStatusNames.kind,
    AnyvipNodeStatusSpecSchema,
    AnyvipNodeStatusStatusSchema,
    "AnyvipNodeStatus: one node's BGP sessions and VIPs, kept current by that node's anyvip.",
  ),
  [
    {
      rule: 'self.spec.nodeName == self.metadata.name',
      message: 'spec.nodeName must equal metadata.name',
      fieldPath: '.spec.nodeName',
      reason: 'InvalidField',
      holds: (self) =>
        (self.spec as { nodeName?: unknown }).nodeName === (self.metadata as { name?: unknown }).name,
    },
  ],
);

/** An AnyvipNodeStatus spec: `{nodeName}`. */
export type AnyvipNodeStatusSpec = Static<typeof AnyvipNodeStatusSpecSchema>;
/** What a node reports: sessions, VIPs, the `Ready` condition. */
export type AnyvipNodeStatusStatus = Static<typeof AnyvipNodeStatusStatusSchema>;
/** One session in a node's status. */
export type NodeSessionStatus = Static<typeof NodeSessionStatusSchema>;
/** One VIP in a node's status. */
export type NodeVipStatus = Static<typeof NodeVipStatusSchema>;
/** Session state names. */
export type SessionStateName = (typeof sessionStates)[number];
/** BFD state names. */
export type BfdStateName = (typeof bfdStates)[number];
/** An `anyvip.io/v1alpha1` AnyvipNodeStatus: one per node, named after it. */
export type AnyvipNodeStatus = Static<typeof AnyvipNodeStatusSchema>;

/** The CRD facts for AnyvipNodeStatus. */
export const anyvipNodeStatusDefinition: KindDefinition<typeof AnyvipNodeStatusSchema> = {
  ...anyvipNodeStatusNames,
  description: "AnyvipNodeStatus: one node's BGP sessions and VIPs, kept current by that node's anyvip.",
  schema: AnyvipNodeStatusSchema,
  printerColumns: [
    { name: 'ASN', type: 'integer', jsonPath: '.status.asn' },
    { name: 'Router ID', type: 'string', jsonPath: '.status.routerID' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Updated', type: 'date', jsonPath: '.status.updatedAt' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

/** Checks an AnyvipNodeStatus read from the API (for `status --cluster`): schema and addresses. Pure. */
export function checkAnyvipNodeStatus(obj: unknown): CheckResult<AnyvipNodeStatus> {
  return checkObject(AnyvipNodeStatusSchema, obj, (ns) => {
    const problems: Problem[] = [];
    (ns.status?.sessions ?? []).forEach((s, i) => {
      const p = addressProblem(s.peerAddress, `status.sessions[${i}].peerAddress`);
      if (p !== undefined) problems.push(p);
    });
    (ns.status?.vips ?? []).forEach((v, i) => {
      const p = addressProblem(v.address, `status.vips[${i}].address`);
      if (p !== undefined) problems.push(p);
    });
    return problems;
  });
}
