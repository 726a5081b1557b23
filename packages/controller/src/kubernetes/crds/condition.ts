import { FormatRegistry, type Static, Type } from '@sinclair/typebox';
import { IntegerIn, StringEnum, Text } from './schema-builders.js';

// RFC 3339 date-time (metav1.Time), so the runtime check knows the format the CRD names.
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set(
    'date-time',
    (v) =>
      /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(v) &&
      !Number.isNaN(Date.parse(v)),
  );

/**
 * A status condition, as Kubernetes' `metav1.Condition` (type, status, reason, message,
 * lastTransitionTime, observedGeneration). anyvip writes `Accepted` on its configuration kinds
 * and `Ready` on AnyvipNodeStatus.
 */
export const ConditionSchema = Type.Object(
  {
    type: Text(316, {
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      description: 'Condition type, CamelCase: Accepted (configuration kinds), Ready (AnyvipNodeStatus).',
    }),
    status: StringEnum(['True', 'False', 'Unknown'], { description: 'True, False or Unknown.' }),
    observedGeneration: Type.Optional(
      IntegerIn(0, Number.MAX_SAFE_INTEGER, {
        format: 'int64',
        description: 'The metadata.generation the condition was set from.',
      }),
    ),
    lastTransitionTime: Type.String({
      format: 'date-time',
      description: 'When the status last changed (RFC 3339).',
    }),
    reason: Text(1024, {
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      description: 'CamelCase reason (InvalidAddress, SecretNotFound, ConflictingASN, Established, ...).',
    }),
    message: Text(32768, { description: 'What happened, for a human.' }),
  },
  { description: 'A status condition (metav1.Condition).' },
);

/** A status condition (`metav1.Condition`). */
export type Condition = Static<typeof ConditionSchema>;

/** The conditions list: a map keyed by `type` (one condition per type). */
export function ConditionsSchema(description: string) {
  return Type.Array(ConditionSchema, {
    maxItems: 8,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description,
  });
}

/**
 * The status fields every configuration kind shares: the generation the leader last judged,
 * and its `Accepted` condition (`conditionsDescription` names the kind's reasons).
 */
export function acceptedStatusProperties(conditionsDescription: string) {
  return {
    observedGeneration: Type.Optional(
      IntegerIn(0, Number.MAX_SAFE_INTEGER, { format: 'int64', description: 'The generation last judged.' }),
    ),
    conditions: Type.Optional(ConditionsSchema(conditionsDescription)),
  };
}
