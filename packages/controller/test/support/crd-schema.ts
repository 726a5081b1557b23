/**
 * What kube-apiserver does with a custom resource write, from its CRD's `openAPIV3Schema`:
 * prune unknown fields (structural pruning), fill in `default`s, validate with a JSON Schema
 * validator (ajv, not a hand-written one), then evaluate the CEL rules. The result is the
 * causes of a 422 `Invalid`, in the API server's words and field paths.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fieldPathOf, pointerSegments } from '../../src/kubernetes/crds/problem.js';
import { evaluateRules } from './cel-rules.js';

/** The JSON Schema subset a structural CRD schema uses. */
export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-validations'?: readonly unknown[];
  readonly [keyword: string]: unknown;
}

/** One cause of a 422, as `details.causes[]` of a Kubernetes Status. */
export interface StatusCause {
  readonly reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported';
  readonly message: string;
  readonly field: string;
}

export interface SchemaOptions {
  /** Evaluate `x-kubernetes-validations` (kube-apiserver ≥ 1.25 does). Default true. */
  readonly celRules?: boolean;
}

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, useDefaults: true, logger: false });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
ajv.addFormat('date-time', (s: string) =>
  /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s),
);

/** A CRD version's schema, compiled once. */
export class CrdSchema {
  readonly #schema: JsonSchema;
  readonly #validate: ValidateFunction;
  readonly #celRules: boolean;

  constructor(schema: JsonSchema, options: SchemaOptions = {}) {
    this.#schema = schema;
    this.#validate = ajv.compile(schema as object);
    this.#celRules = options.celRules ?? true;
  }

  /**
   * Prunes and defaults `object` in place, then returns every cause it is refused for (empty:
   * admitted). `apiVersion`, `kind` and `metadata` are the server's and never pruned.
   */
  admit(object: Record<string, unknown>): StatusCause[] {
    prune(this.#schema, object, true);
    if (!this.#validate(object)) return (this.#validate.errors ?? []).map(causeOf);
    if (!this.#celRules) return [];
    return evaluateRules(this.#schema, object).map((f) => ({
      reason: 'FieldValueInvalid',
      field: f.field,
      message: `Invalid value: "object": ${f.message}`,
    }));
  }
}

/** Structural pruning: drops fields the schema does not name (unless it preserves unknown fields). */
function prune(schema: JsonSchema, value: unknown, root: boolean): void {
  if (Array.isArray(value)) {
    if (schema.items !== undefined) for (const v of value) prune(schema.items, v, false);
    return;
  }
  if (typeof value !== 'object' || value === null || schema['x-kubernetes-preserve-unknown-fields'] === true)
    return;
  const record = value as Record<string, unknown>;
  if (schema.properties !== undefined) {
    for (const k of Object.keys(record)) {
      if (root && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
      const child = schema.properties[k];
      if (child === undefined) delete record[k];
      else prune(child, record[k], false);
    }
  } else if (typeof schema.additionalProperties === 'object') {
    for (const v of Object.values(record)) prune(schema.additionalProperties, v, false);
  }
}

/** An ajv error in kube-apiserver's words: `spec.peerASN: Required value`. */
function causeOf(e: ErrorObject): StatusCause {
  const at = pointerSegments(e.instancePath);
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { reason: 'FieldValueRequired', field: fieldPathOf([...at, missing]), message: 'Required value' };
  }
  const field = fieldPathOf(at);
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return {
      reason: 'FieldValueNotSupported',
      field,
      message: `Unsupported value: ${JSON.stringify(e.data)}: supported values: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
    };
  }
  return {
    reason: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${JSON.stringify(e.data)}: ${field} in body ${e.message ?? 'is invalid'}`,
  };
}
