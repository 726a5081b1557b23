import { type Static, Type } from '@sinclair/typebox';
import { parseAddress } from '../../address/ip-range.js';
import { checkObject } from './check-object.js';
import { acceptedStatusProperties } from './condition.js';
import { customResourceSchema, type KindDefinition } from './custom-resource.js';
import { checkLabelSelector, labelSelectorSchema } from './label-selector.js';
import { anyvipPeerNames } from './names.js';
import type { CheckResult, Problem } from './problem.js';
import {
  dnsSubdomainPattern,
  IntegerIn,
  ipLiteralPattern,
  StringEnum,
  StringSet,
  Text,
} from './schema-builders.js';
import { withRules } from './validation-rule.js';

/** Address families a session carries (IPv4 and IPv6 unicast). */
export const peerFamilies = ['ipv4', 'ipv6'] as const;

const defaultHoldTimeSeconds = 90;

const ipLiteral = (description: string) => Text(45, { pattern: ipLiteralPattern, description });

/** BFD (RFC 5880) on the session; absent: off. */
export const PeerBfdSchema = Type.Object(
  {
    minTxMs: Type.Optional(
      IntegerIn(10, 60_000, {
        default: 300,
        description: 'Desired minimum transmit interval, ms (default 300).',
      }),
    ),
    minRxMs: Type.Optional(
      IntegerIn(10, 60_000, {
        default: 300,
        description: 'Required minimum receive interval, ms (default 300).',
      }),
    ),
    multiplier: Type.Optional(
      IntegerIn(1, 255, { default: 3, description: 'Detect multiplier (default 3).' }),
    ),
  },
  { description: 'BFD (RFC 5880) for the session; absent: off.' },
);

/** The TCP-MD5 (RFC 2385) key: a Secret in anyvip's own namespace, never a literal. */
export const SecretKeyRefSchema = Type.Object(
  {
    name: Text(253, { pattern: dnsSubdomainPattern, description: "Secret name, in anyvip's own namespace." }),
    key: Type.Optional(
      Text(253, {
        pattern: '^[-._a-zA-Z0-9]+$',
        default: 'password',
        description: 'Key in the Secret (default "password").',
      }),
    ),
  },
  { description: "TCP-MD5 (RFC 2385) key from a Secret in anyvip's own namespace; never a literal." },
);

/** The spec of an AnyvipPeer: one BGP neighbour for the nodes it selects. */
export const AnyvipPeerSpecSchema = withRules(
  Type.Object(
    {
      nodeSelector: Type.Optional(
        labelSelectorSchema('Which nodes peer with this neighbour (Node labels); absent: every node.'),
      ),
      peerAddress: Type.Optional(
        ipLiteral('Neighbour IPv4 or IPv6 address; exactly one of peerAddress and autoDiscovery.'),
      ),
      autoDiscovery: Type.Optional(
        Type.Object(
          {
            mode: StringEnum(['DefaultGateway'], {
              description: "DefaultGateway: the node's default gateway is the neighbour.",
            }),
            family: StringEnum(peerFamilies, { description: 'Which default gateway: ipv4 or ipv6.' }),
          },
          { description: 'Find the neighbour on each node; exactly one of peerAddress and autoDiscovery.' },
        ),
      ),
      peerASN: IntegerIn(1, 4_294_967_295, { description: "The neighbour's AS number." }),
      myASN: Type.Optional(
        IntegerIn(1, 4_294_967_295, {
          description:
            'Our AS number; default the --asn flag. A node label or annotation anyvip.io/asn (or kube-vip <prefix>/node-asn) overrides it per node.',
        }),
      ),
      port: Type.Optional(
        IntegerIn(1, 65_535, { default: 179, description: 'Neighbour TCP port (default 179).' }),
      ),
      sourceAddress: Type.Optional(ipLiteral('Session source address; exclusive with sourceInterface.')),
      sourceInterface: Type.Optional(
        Text(15, {
          pattern: '^[^/\\s:]+$',
          description:
            "Session source: the first address of the neighbour's family on this interface; exclusive with sourceAddress.",
        }),
      ),
      ebgpMultihop: Type.Optional(
        IntegerIn(1, 255, {
          description: 'TTL of the session packets (eBGP multihop); absent: directly connected.',
        }),
      ),
      passive: Type.Optional(
        Type.Boolean({ default: false, description: 'Wait for the neighbour to connect (default false).' }),
      ),
      holdTimeSeconds: Type.Optional(
        IntegerIn(0, 65_535, {
          default: defaultHoldTimeSeconds,
          description: 'Hold time proposed in OPEN, seconds: 0 or 3-65535 (default 90).',
        }),
      ),
      keepaliveTimeSeconds: Type.Optional(
        IntegerIn(1, 21_845, {
          description:
            'Keepalive interval, seconds; less than holdTimeSeconds (default holdTimeSeconds / 3).',
        }),
      ),
      connectRetryTimeSeconds: Type.Optional(
        IntegerIn(1, 65_535, { default: 5, description: 'ConnectRetry time, seconds (default 5).' }),
      ),
      bfd: Type.Optional(PeerBfdSchema),
      passwordSecretRef: Type.Optional(SecretKeyRefSchema),
      ttlSecurity: Type.Optional(
        Type.Object(
          {
            hops: Type.Optional(
              IntegerIn(1, 254, {
                default: 1,
                description: 'How many hops away the neighbour may be (default 1: directly connected).',
              }),
            ),
          },
          { description: 'GTSM (RFC 5082); absent: off. Exclusive with ebgpMultihop.' },
        ),
      ),
      gracefulRestart: Type.Optional(
        Type.Object(
          {
            enabled: Type.Boolean({ description: 'Announce the Graceful Restart capability (RFC 4724).' }),
            restartTimeSeconds: Type.Optional(
              IntegerIn(0, 4095, {
                default: 120,
                description: 'Restart time announced to the neighbour, seconds (default 120).',
              }),
            ),
          },
          { description: 'Graceful Restart (RFC 4724); absent: off.' },
        ),
      ),
      families: Type.Optional(
        StringSet(StringEnum(peerFamilies), 2, {
          minItems: 1,
          description:
            "Address families on the session (ipv4, ipv6); default the peer address's family. The other family's next hop: nextHop, else the node's address of that family on the session's link (a directly connected peer), else its InternalIP.",
        }),
      ),
      nextHop: Type.Optional(
        Type.Object(
          {
            ipv4: Type.Optional(ipLiteral('IPv4 next hop for IPv4 routes (over an IPv6 session).')),
            ipv6: Type.Optional(ipLiteral('IPv6 next hop for IPv6 routes (over an IPv4 session).')),
          },
          { description: "Explicit next hops per family; override the node's address." },
        ),
      ),
      routerID: Type.Optional(
        Text(15, {
          pattern: '^[0-9.]+$',
          description:
            "BGP identifier (dotted quad) for IPv6-only nodes; the node annotation anyvip.io/router-id wins; default the node's first IPv4 InternalIP.",
        }),
      ),
    },
    { description: 'One BGP neighbour for the nodes the selector picks.' },
  ),
  [
    {
      rule: 'has(self.peerAddress) != has(self.autoDiscovery)',
      message: 'exactly one of peerAddress and autoDiscovery must be set',
      reason: 'ConflictingFields',
      holds: (s) => (s.peerAddress !== undefined) !== (s.autoDiscovery !== undefined),
    },
    {
      rule: '!(has(self.sourceAddress) && has(self.sourceInterface))',
      message: 'sourceAddress and sourceInterface are exclusive',
      reason: 'ConflictingFields',
      holds: (s) => !(s.sourceAddress !== undefined && s.sourceInterface !== undefined),
    },
    {
      rule: '!(has(self.ttlSecurity) && has(self.ebgpMultihop))',
      message: 'ttlSecurity and ebgpMultihop are exclusive (GTSM sends with TTL 255)',
      reason: 'ConflictingFields',
      holds: (s) => !(s.ttlSecurity !== undefined && s.ebgpMultihop !== undefined),
    },
    {
      rule: '!has(self.holdTimeSeconds) || self.holdTimeSeconds == 0 || self.holdTimeSeconds >= 3',
      message: 'holdTimeSeconds must be 0 or at least 3 (RFC 4271 §4.2)',
      fieldPath: '.holdTimeSeconds',
      reason: 'InvalidField',
      holds: (s) =>
        s.holdTimeSeconds === undefined || s.holdTimeSeconds === 0 || (s.holdTimeSeconds as number) >= 3,
    },
    {
      rule: `!has(self.keepaliveTimeSeconds) || self.keepaliveTimeSeconds < (has(self.holdTimeSeconds) ? self.holdTimeSeconds : ${defaultHoldTimeSeconds})`,
      message:
        'keepaliveTimeSeconds must be less than holdTimeSeconds (and absent when holdTimeSeconds is 0)',
      fieldPath: '.keepaliveTimeSeconds',
      reason: 'ConflictingFields',
      holds: (s) =>
        s.keepaliveTimeSeconds === undefined ||
        (s.keepaliveTimeSeconds as number) <
          ((s.holdTimeSeconds as number | undefined) ?? defaultHoldTimeSeconds),
    },
  ],
);

/** The status of an AnyvipPeer, written by the leader. */
export const AnyvipPeerStatusSchema = Type.Object(
  acceptedStatusProperties(
    'Accepted: True, or False with a reason (InvalidAddress, SecretNotFound, ConflictingASN, ...).',
  ),
  { description: 'Written by the leader.' },
);

/** The whole AnyvipPeer object. */
export const AnyvipPeerSchema = customResourceSchema(
  anyvipPeerNames.kind,
  AnyvipPeerSpecSchema,
  AnyvipPeerStatusSchema,
  'AnyvipPeer: one BGP neighbour for the nodes it selects.',
);

/** An AnyvipPeer spec: neighbour address (or default-gateway discovery), ASNs, session options. */
export type AnyvipPeerSpec = Static<typeof AnyvipPeerSpecSchema>;
/** An AnyvipPeer status: observedGeneration and the `Accepted` condition. */
export type AnyvipPeerStatus = Static<typeof AnyvipPeerStatusSchema>;
/** An `anyvip.io/v1alpha1` AnyvipPeer: one BGP neighbour for the nodes its `nodeSelector` picks. */
export type AnyvipPeer = Static<typeof AnyvipPeerSchema>;
/** BFD settings of a peer. */
export type PeerBfd = Static<typeof PeerBfdSchema>;
/** A reference to a key of a Secret in anyvip's namespace. */
export type SecretKeyRef = Static<typeof SecretKeyRefSchema>;

/** The CRD facts for AnyvipPeer. */
export const anyvipPeerDefinition: KindDefinition<typeof AnyvipPeerSchema> = {
  ...anyvipPeerNames,
  description: 'AnyvipPeer: one BGP neighbour for the nodes it selects.',
  schema: AnyvipPeerSchema,
  printerColumns: [
    { name: 'Peer Address', type: 'string', jsonPath: '.spec.peerAddress' },
    { name: 'Discovery', type: 'string', jsonPath: '.spec.autoDiscovery.mode' },
    { name: 'Peer ASN', type: 'integer', jsonPath: '.spec.peerASN' },
    { name: 'My ASN', type: 'integer', jsonPath: '.spec.myASN' },
    { name: 'Accepted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Accepted")].status' },
    { name: 'Hold', type: 'integer', jsonPath: '.spec.holdTimeSeconds', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

/** Checks an address field: parses, and (when `family` is given) is of that family. */
export function addressProblem(text: string | undefined, path: string, family?: 4 | 6): Problem | undefined {
  if (text === undefined) return undefined;
  const a = parseAddress(text);
  if (a === undefined)
    return { path, message: `${JSON.stringify(text)} is not an IP address`, reason: 'InvalidAddress' };
  if (family !== undefined && a.family !== family)
    return {
      path,
      message: `${JSON.stringify(text)} is not an IPv${family} address`,
      reason: 'InvalidAddress',
    };
  return undefined;
}

/**
 * Checks an AnyvipPeer read from the API: the schema and its CEL rules, and what the API server
 * cannot judge (addresses parse, source and peer of one family, router ID a non-zero dotted
 * quad, selector syntax). Pure.
 */
export function checkAnyvipPeer(obj: unknown): CheckResult<AnyvipPeer> {
  return checkObject(AnyvipPeerSchema, obj, (peer) => {
    const s = peer.spec;
    const peerFamily = s.peerAddress === undefined ? undefined : parseAddress(s.peerAddress)?.family;
    const problems = [
      addressProblem(s.peerAddress, 'spec.peerAddress'),
      addressProblem(s.sourceAddress, 'spec.sourceAddress', peerFamily),
      addressProblem(s.nextHop?.ipv4, 'spec.nextHop.ipv4', 4),
      addressProblem(s.nextHop?.ipv6, 'spec.nextHop.ipv6', 6),
      routerIdProblem(s.routerID),
    ].filter((p): p is Problem => p !== undefined);
    problems.push(...checkLabelSelector(s.nodeSelector, 'spec.nodeSelector'));
    return problems;
  });
}

function routerIdProblem(text: string | undefined): Problem | undefined {
  if (text === undefined) return undefined;
  const a = parseAddress(text);
  if (a === undefined || a.family !== 4 || a.value === 0n)
    return {
      path: 'spec.routerID',
      message: `${JSON.stringify(text)} is not a BGP identifier (a non-zero dotted quad, RFC 6286)`,
      reason: 'InvalidAddress',
    };
  return undefined;
}
