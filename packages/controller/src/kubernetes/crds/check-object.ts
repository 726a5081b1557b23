import type { Static, TSchema } from '@sinclair/typebox';
import { Value, type ValueError, ValueErrorType } from '@sinclair/typebox/value';
import { type CheckResult, fieldPathOf, type Problem, pointerSegments } from './problem.js';
import { rulesOf } from './validation-rule.js';

/**
 * Checks `input` against a kind's schema as the API server would (defaults, types, ranges,
 * patterns, enums, sets, then the CEL rules), then against `semantic` (what no schema can say:
 * that an address parses). Pure; `input` is never changed.
 */
export function checkObject<T extends TSchema>(
  schema: T,
  input: unknown,
  semantic: (value: Static<T>) => readonly Problem[],
): CheckResult<Static<T>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, problems: [{ path: '', message: 'not an object', reason: 'InvalidField' }] };
  const value = Value.Default(schema, Value.Clone(input)) as unknown;
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const p = problemOf(e);
    if (seen.has(p.path)) continue;
    seen.add(p.path);
    problems.push(p);
  }
  if (problems.length > 0) return { ok: false, problems };
  walk(schema, value, [], problems);
  problems.push(...semantic(value as Static<T>));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: value as Static<T> };
}

/** A TypeBox error in the API server's words ("Required value", "Unsupported value"). */
function problemOf(e: ValueError): Problem {
  const path = fieldPathOf(pointerSegments(e.path));
  const s = e.schema as Record<string, unknown>;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return { path, message: 'Required value', reason: 'MissingField' };
    case ValueErrorType.Union: {
      const anyOf = (s.anyOf ?? []) as readonly { const?: unknown }[];
      if (anyOf.length > 0 && anyOf.every((a) => a.const !== undefined))
        return {
          path,
          message: `Unsupported value: ${JSON.stringify(e.value)}: supported values: ${anyOf.map((a) => JSON.stringify(a.const)).join(', ')}`,
          reason: 'InvalidField',
        };
      return { path, message: e.message, reason: 'InvalidField' };
    }
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return {
        path,
        message: `should be greater than or equal to ${String(s.minimum)}`,
        reason: 'InvalidField',
      };
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return {
        path,
        message: `should be less than or equal to ${String(s.maximum)}`,
        reason: 'InvalidField',
      };
    case ValueErrorType.StringPattern:
      return {
        path,
        message: `${JSON.stringify(e.value)} should match '${String(s.pattern)}'`,
        reason: 'InvalidField',
      };
    case ValueErrorType.StringMaxLength:
      return { path, message: `may not be longer than ${String(s.maxLength)}`, reason: 'InvalidField' };
    case ValueErrorType.ArrayMaxItems:
      return { path, message: `must have at most ${String(s.maxItems)} items`, reason: 'InvalidField' };
    default:
      return { path, message: e.message, reason: 'InvalidField' };
  }
}

/** Walks schema and value together for what TypeBox does not check: CEL-equivalent rules and sets. */
function walk(schema: TSchema, value: unknown, at: readonly string[], problems: Problem[]): void {
  const s = schema as Record<string, unknown>;
  if (Array.isArray(value)) {
    const listType = s['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys = (s['x-kubernetes-list-map-keys'] ?? []) as readonly string[];
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const key =
          listType === 'set'
            ? JSON.stringify(item)
            : JSON.stringify(keys.map((k) => (item as Record<string, unknown>)[k]));
        if (seen.has(key))
          problems.push({
            path: fieldPathOf([...at, String(i)]),
            message: `Duplicate value: ${listType === 'set' ? JSON.stringify(item) : key}`,
            reason: 'DuplicateValue',
          });
        seen.add(key);
      });
    }
    const items = s.items as TSchema | undefined;
    if (items !== undefined)
      for (const [i, item] of value.entries()) walk(items, item, [...at, String(i)], problems);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const r of rulesOf(schema)) {
    if (!r.holds(record))
      problems.push({
        path: fieldPathOf([...at, ...(r.fieldPath ?? '').split('.').filter((x) => x !== '')]),
        message: r.message,
        reason: r.reason,
      });
  }
  const properties = s.properties as Record<string, TSchema> | undefined;
  if (properties !== undefined) {
    for (const [k, child] of Object.entries(properties))
      if (record[k] !== undefined) walk(child, record[k], [...at, k], problems);
  }
  const patterns = s.patternProperties as Record<string, TSchema> | undefined;
  const mapValue = patterns === undefined ? undefined : Object.values(patterns)[0];
  if (mapValue !== undefined)
    for (const [k, v] of Object.entries(record)) walk(mapValue, v, [...at, k], problems);
}
