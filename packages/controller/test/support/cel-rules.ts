/**
 * The `x-kubernetes-validations` rules of a CRD schema, evaluated as kube-apiserver does:
 * `self` is the value at the node carrying the rules, typed by the schema (integers are CEL
 * `int`, objects and maps CEL maps, arrays lists), a rule holds when it evaluates to `true`.
 * Uses @bufbuild/cel, a maintained CEL evaluator; the Kubernetes CEL libraries (`isIP`,
 * `quantity`, ...) are not there, so a rule that calls them fails loudly (an error result is a
 * refusal with the evaluator's message), never silently passes.
 */
import { type CelInput, isCelError, run } from '@bufbuild/cel';
import { fieldPathOf } from '../../src/kubernetes/crds/problem.js';
import type { JsonSchema } from './crd-schema.js';

/** A refused rule: where, and the rule's message. */
export interface RuleFailure {
  readonly field: string;
  readonly message: string;
}

interface Rule {
  readonly rule: string;
  readonly message?: string;
  readonly fieldPath?: string;
}

/** Every rule in `schema` that `value` breaks, depth first. */
export function evaluateRules(schema: JsonSchema, value: unknown, at: readonly string[] = []): RuleFailure[] {
  const failures: RuleFailure[] = [];
  const rules = (schema['x-kubernetes-validations'] ?? []) as readonly Rule[];
  for (const r of rules) {
    const result = run(r.rule, { self: toCel(value, schema) });
    if (result === true) continue;
    const extra = (r.fieldPath ?? '').split('.').filter((s) => s !== '');
    failures.push({
      field: fieldPathOf([...at, ...extra]),
      message: isCelError(result)
        ? `rule ${r.rule} failed to evaluate: ${String(result)}`
        : (r.message ?? `failed rule: ${r.rule}`),
    });
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    for (const [i, item] of value.entries())
      failures.push(...evaluateRules(schema.items, item, [...at, String(i)]));
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const [k, child] of Object.entries(schema.properties ?? {}))
      if (record[k] !== undefined) failures.push(...evaluateRules(child, record[k], [...at, k]));
    if (typeof schema.additionalProperties === 'object')
      for (const [k, v] of Object.entries(record))
        failures.push(...evaluateRules(schema.additionalProperties, v, [...at, k]));
  }
  return failures;
}

/** A JSON value as the CEL value its schema says (integers → `int`, objects → maps). */
function toCel(value: unknown, schema: JsonSchema | undefined): CelInput {
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.items));
  if (typeof value === 'object' && value !== null) {
    const additional =
      typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    return new Map(
      Object.entries(value).map(([k, v]) => [k, toCel(v, schema?.properties?.[k] ?? additional)] as const),
    );
  }
  if (
    typeof value === 'number' &&
    (schema?.type === 'integer' || (schema === undefined && Number.isInteger(value)))
  )
    return BigInt(value);
  return value as CelInput;
}
