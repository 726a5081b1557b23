import type { TSchema } from '@sinclair/typebox';

/**
 * A node of a Kubernetes structural schema (`JSONSchemaProps` of apiextensions.k8s.io/v1, the
 * subset anyvip emits).
 */
export interface StructuralSchema {
  readonly type: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly description?: string;
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: StructuralSchema;
  readonly items?: StructuralSchema;
  readonly enum?: readonly (string | number | boolean)[];
  readonly default?: unknown;
  readonly [extension: string]: unknown;
}

/** JSON Schema keywords a structural schema may carry as they are. */
const copied = [
  'description',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
  'default',
] as const;

/**
 * Turns a TypeBox schema into a Kubernetes structural schema: every node typed, no `$ref`,
 * `anyOf` or `const` (a union of string literals becomes `enum`), maps as
 * `additionalProperties`, `x-kubernetes-*` extensions kept, TypeBox's symbols dropped. At the
 * root, `metadata` becomes `{type: object}` (the API server owns its schema). Throws on a
 * construct a structural schema cannot express, so a new field cannot slip an invalid CRD out.
 */
export function toStructural(schema: TSchema, at = '', root = true): StructuralSchema {
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const anyOf = s.anyOf as readonly Record<string, unknown>[] | undefined;
  if (anyOf !== undefined) {
    if (!anyOf.every((a) => typeof a.const === 'string'))
      throw new Error(`${at || '<root>'}: only a union of string literals has a structural form`);
    out.type = 'string';
    out.enum = anyOf.map((a) => a.const);
  } else if (s.const !== undefined) {
    out.type = typeof s.const;
    out.enum = [s.const];
  } else if (typeof s.type === 'string') {
    out.type = s.type;
  } else {
    throw new Error(`${at || '<root>'}: a structural schema types every node`);
  }
  if ('$ref' in s || 'oneOf' in s || 'allOf' in s || 'not' in s)
    throw new Error(`${at || '<root>'}: $ref, oneOf, allOf and not are not structural`);
  if (s.uniqueItems === true)
    throw new Error(`${at}: uniqueItems is refused by Kubernetes; use a list-type set`);
  for (const k of copied) if (s[k] !== undefined) out[k] = s[k];
  for (const [k, v] of Object.entries(s)) if (k.startsWith('x-kubernetes-')) out[k] = v;
  if (out.type === 'object') {
    const properties = s.properties as Record<string, TSchema> | undefined;
    if (properties !== undefined) {
      const props: Record<string, StructuralSchema> = {};
      for (const [k, v] of Object.entries(properties)) {
        props[k] =
          root && k === 'metadata'
            ? { type: 'object' }
            : toStructural(v, at === '' ? k : `${at}.${k}`, false);
      }
      out.properties = props;
      const required = s.required as readonly string[] | undefined;
      if (required !== undefined && required.length > 0) out.required = [...required];
    }
    const patterns = s.patternProperties as Record<string, TSchema> | undefined;
    if (patterns !== undefined) {
      const values = Object.values(patterns);
      if (properties !== undefined || values.length !== 1 || values[0] === undefined)
        throw new Error(`${at}: a map has one value schema and no properties`);
      out.additionalProperties = toStructural(values[0], `${at}[*]`, false);
    }
  }
  if (out.type === 'array') {
    const items = s.items as TSchema | undefined;
    if (items === undefined || Array.isArray(items)) throw new Error(`${at}: an array has one items schema`);
    out.items = toStructural(items, `${at}[*]`, false);
  }
  return out as unknown as StructuralSchema;
}
