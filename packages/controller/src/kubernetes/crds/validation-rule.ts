import type { TSchema } from '@sinclair/typebox';
import type { ProblemReason } from './problem.js';

/**
 * A cross-field rule, written twice on purpose and kept side by side so they cannot drift:
 * as CEL (`x-kubernetes-validations`, the API server evaluates it on every write) and as a
 * predicate (the controller's check, for objects an older API server admitted without CEL).
 * `self` is the object the rule is attached to.
 */
export interface ValidationRule {
  /** CEL expression over `self`; true when the object is valid. */
  readonly rule: string;
  readonly message: string;
  /** The field the message is about, relative to `self` (`.keepaliveTimeSeconds`). */
  readonly fieldPath?: string;
  readonly reason: ProblemReason;
  /** The same rule in TypeScript, on an object that already matched the schema. */
  readonly holds: (self: Readonly<Record<string, unknown>>) => boolean;
}

/**
 * Where the predicates live on a schema: a symbol key, so that TypeBox's copies (`Type.Optional`
 * spreads the schema) keep them and JSON (the CRD) never sees them.
 */
const rulesKey = Symbol.for('anyvip.validationRules');

/** Attaches `rules` to `schema`: as `x-kubernetes-validations` for the CRD, and for {@link rulesOf}. */
export function withRules<T extends TSchema>(schema: T, rules: readonly ValidationRule[]): T {
  (schema as Record<string, unknown>)['x-kubernetes-validations'] = rules.map((r) => ({
    rule: r.rule,
    message: r.message,
    ...(r.fieldPath !== undefined ? { fieldPath: r.fieldPath } : {}),
  }));
  (schema as unknown as Record<symbol, unknown>)[rulesKey] = rules;
  return schema;
}

/** The rules attached to `schema` by {@link withRules}. */
export function rulesOf(schema: TSchema): readonly ValidationRule[] {
  return (
    ((schema as unknown as Record<symbol, unknown>)[rulesKey] as readonly ValidationRule[] | undefined) ?? []
  );
}
