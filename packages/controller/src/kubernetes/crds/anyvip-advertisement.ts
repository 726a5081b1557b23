import { parseCommunity, parseLargeCommunity, WellKnownCommunity } from '@anyvip/bgp/wire';
import { type Static, Type } from '@sinclair/typebox';
import { checkObject } from './check-object.js';
import { acceptedStatusProperties } from './condition.js';
import { customResourceSchema, type KindDefinition } from './custom-resource.js';
import { checkLabelSelector, labelSelectorSchema } from './label-selector.js';
import { anyvipAdvertisementNames } from './names.js';
import type { CheckResult, Problem } from './problem.js';
import { dnsLabelPattern, dnsSubdomainPattern, IntegerIn, StringSet, Text } from './schema-builders.js';

/**
 * Community text the schema admits: `high:low` or a well-known name. GRACEFUL_SHUTDOWN is not
 * among them: anyvip sets it itself while draining (RFC 8326).
 */
export const communityPattern =
  '^([0-9]{1,5}:[0-9]{1,5}|no-export|no-advertise|no-export-subconfed|blackhole)$';

/** Large community text (RFC 8092): `global:local1:local2`. */
export const largeCommunityPattern = '^[0-9]{1,10}:[0-9]{1,10}:[0-9]{1,10}$';

/** The spec of an AnyvipAdvertisement: which VIPs go to which peers, with what attributes. */
export const AnyvipAdvertisementSpecSchema = Type.Object(
  {
    serviceSelector: Type.Optional(
      labelSelectorSchema('Services (by their labels) whose VIPs this covers; absent: all.'),
    ),
    namespaces: Type.Optional(
      StringSet(Text(63, { pattern: dnsLabelPattern }), 256, {
        description: 'Service namespaces; absent or empty: all.',
      }),
    ),
    pools: Type.Optional(
      StringSet(Text(253, { pattern: dnsSubdomainPattern }), 256, {
        description: 'AnyvipPool (or pools ConfigMap) names the VIP is drawn from; absent: any.',
      }),
    ),
    peerSelector: Type.Optional(
      labelSelectorSchema('AnyvipPeers (by their labels) that get these VIPs; absent: every peer.'),
    ),
    nodeSelector: Type.Optional(
      labelSelectorSchema('Nodes (by their labels) that announce; absent: every node that would.'),
    ),
    communities: Type.Optional(
      StringSet(Text(32, { pattern: communityPattern }), 64, {
        description:
          'BGP communities (RFC 1997): "65000:100" or no-export, no-advertise, no-export-subconfed, blackhole.',
      }),
    ),
    largeCommunities: Type.Optional(
      StringSet(Text(32, { pattern: largeCommunityPattern }), 64, {
        description: 'BGP large communities (RFC 8092): "65000:1:2".',
      }),
    ),
    localPref: Type.Optional(
      IntegerIn(0, 4_294_967_295, { description: 'LOCAL_PREF, iBGP sessions only (RFC 4271 §5.1.5).' }),
    ),
    med: Type.Optional(IntegerIn(0, 4_294_967_295, { description: 'MULTI_EXIT_DISC (RFC 4271 §5.1.4).' })),
    asPathPrepend: Type.Optional(
      IntegerIn(0, 16, { description: 'How many extra times our AS is prepended on eBGP sessions.' }),
    ),
    noExport: Type.Optional(Type.Boolean({ description: 'Add NO_EXPORT (65535:65281).' })),
  },
  { description: 'Which VIPs go to which peers, with which attributes.' },
);

/** The status of an AnyvipAdvertisement, written by the leader. */
export const AnyvipAdvertisementStatusSchema = Type.Object(
  acceptedStatusProperties('Accepted: True, or False with a reason.'),
  { description: 'Written by the leader.' },
);

/** The whole AnyvipAdvertisement object. */
export const AnyvipAdvertisementSchema = customResourceSchema(
  anyvipAdvertisementNames.kind,
  AnyvipAdvertisementSpecSchema,
  AnyvipAdvertisementStatusSchema,
  'AnyvipAdvertisement: which VIPs go to which peers, with which BGP attributes.',
);

/** An AnyvipAdvertisement spec: selectors (Services, namespaces, pools, peers, nodes) and attributes. */
export type AnyvipAdvertisementSpec = Static<typeof AnyvipAdvertisementSpecSchema>;
/** An AnyvipAdvertisement status: observedGeneration and the `Accepted` condition. */
export type AnyvipAdvertisementStatus = Static<typeof AnyvipAdvertisementStatusSchema>;
/**
 * An `anyvip.io/v1alpha1` AnyvipAdvertisement. With none in the cluster every VIP goes to every
 * peer; once any exists, a VIP goes to a peer only if an advertisement selects both.
 */
export type AnyvipAdvertisement = Static<typeof AnyvipAdvertisementSchema>;

/** The CRD facts for AnyvipAdvertisement. */
export const anyvipAdvertisementDefinition: KindDefinition<typeof AnyvipAdvertisementSchema> = {
  ...anyvipAdvertisementNames,
  description: 'AnyvipAdvertisement: which VIPs go to which peers, with which BGP attributes.',
  schema: AnyvipAdvertisementSchema,
  printerColumns: [
    { name: 'Pools', type: 'string', jsonPath: '.spec.pools' },
    { name: 'Namespaces', type: 'string', jsonPath: '.spec.namespaces' },
    { name: 'Communities', type: 'string', jsonPath: '.spec.communities' },
    { name: 'Accepted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Accepted")].status' },
    { name: 'Peer Selector', type: 'string', jsonPath: '.spec.peerSelector', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

/**
 * Checks an AnyvipAdvertisement read from the API: the schema, community values in range
 * (`65536:1` matches the pattern but is no community), GRACEFUL_SHUTDOWN refused in any
 * spelling, and selector syntax. Pure.
 */
export function checkAnyvipAdvertisement(obj: unknown): CheckResult<AnyvipAdvertisement> {
  return checkObject(AnyvipAdvertisementSchema, obj, (adv) => {
    const s = adv.spec;
    const problems: Problem[] = [];
    (s.communities ?? []).forEach((text, i) => {
      const path = `spec.communities[${i}]`;
      try {
        if (parseCommunity(text) === WellKnownCommunity.GRACEFUL_SHUTDOWN)
          problems.push({
            path,
            message: 'GRACEFUL_SHUTDOWN (65535:0) is refused: anyvip sets it itself when draining (RFC 8326)',
            reason: 'InvalidCommunity',
          });
      } catch {
        problems.push({
          path,
          message: `${JSON.stringify(text)} is not a community (0-65535:0-65535)`,
          reason: 'InvalidCommunity',
        });
      }
    });
    (s.largeCommunities ?? []).forEach((text, i) => {
      try {
        parseLargeCommunity(text);
      } catch {
        problems.push({
          path: `spec.largeCommunities[${i}]`,
          message: `${JSON.stringify(text)} is not a large community (three 32-bit numbers)`,
          reason: 'InvalidCommunity',
        });
      }
    });
    problems.push(
      ...checkLabelSelector(s.serviceSelector, 'spec.serviceSelector'),
      ...checkLabelSelector(s.peerSelector, 'spec.peerSelector'),
      ...checkLabelSelector(s.nodeSelector, 'spec.nodeSelector'),
    );
    return problems;
  });
}
