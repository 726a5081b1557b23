import {
  type SchemaOptions,
  type TArray,
  type TInteger,
  type TRecord,
  type TSchema,
  type TString,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';

/**
 * Building blocks for schemas that are at once TypeBox types (for `Static<>` and runtime checks)
 * and, through structural-schema.ts, Kubernetes structural OpenAPI v3. They avoid what a
 * structural schema forbids: `const` (an enum of literals becomes `enum`), `uniqueItems`
 * (sets are `x-kubernetes-list-type: set`), and unbounded strings where the API server would
 * have to estimate CEL cost.
 */

/** A string that is one of `values`: TypeBox checks it as a union of literals, the CRD says `enum`. */
export function StringEnum<const T extends readonly [string, ...string[]]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  // Unsafe keeps the options' Kind (Union), so TypeBox still checks it as a union of literals.
  return Type.Unsafe<T[number]>(
    Type.Union(
      values.map((v) => Type.Literal(v)),
      options,
    ),
  );
}

/** An integer in `[minimum, maximum]`; 32-bit unsigned ranges are written `int64` for Kubernetes. */
export function IntegerIn(minimum: number, maximum: number, options: SchemaOptions = {}): TInteger {
  return Type.Integer({
    minimum,
    maximum,
    ...(maximum > 2_147_483_647 ? { format: 'int64' } : { format: 'int32' }),
    ...options,
  });
}

/** A string of at most `maxLength` characters. */
export function Text(maxLength: number, options: SchemaOptions = {}): TString {
  return Type.String({ maxLength, ...options });
}

/** An unordered list of distinct strings (`x-kubernetes-list-type: set`); duplicates are refused. */
export function StringSet<T extends TSchema>(
  items: T,
  maxItems: number,
  options: SchemaOptions = {},
): TArray<T> {
  return Type.Array(items, { maxItems, 'x-kubernetes-list-type': 'set', ...options });
}

/** A map of string to string (labels), `additionalProperties: {type: string}` in the CRD. */
export function StringMap(options: SchemaOptions = {}): TRecord<TString, TString> {
  return Type.Record(Type.String(), Type.String({ maxLength: 63 }), options);
}

/**
 * An RFC 1123 DNS subdomain (object names: Secrets, pools, peers): lower-case alphanumerics,
 * `-` and `.`, at most 253 characters.
 */
export const dnsSubdomainPattern = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** An RFC 1123 DNS label (namespace names), at most 63 characters. */
export const dnsLabelPattern = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/**
 * The characters an IPv4 or IPv6 literal may contain: the schema refuses host names early; the
 * runtime check (crds/*.ts `check*`) parses the address, which a CRD schema cannot do portably.
 */
export const ipLiteralPattern = '^[0-9A-Fa-f.:]+$';
