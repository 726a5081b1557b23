/**
 * A CustomResourceDefinition as @kubernetes/client-node's typed API wants its body. The client
 * serializes `V1JSONSchemaProps` by its model's property names (`_default`, `_enum`,
 * `x_kubernetes_validations`, ...) and silently drops the JSON names (`default`, `enum`,
 * `x-kubernetes-validations`) of a plain object; so a plain CRD is renamed here first. Only
 * nodes reached through `properties` are models: `items` and `additionalProperties` are typed
 * `any` by the client and pass through as JSON.
 */

const modelNames: Readonly<Record<string, string>> = {
  $ref: 'ref',
  $schema: 'schema',
  default: '_default',
  enum: '_enum',
  'x-kubernetes-embedded-resource': 'x_kubernetes_embedded_resource',
  'x-kubernetes-int-or-string': 'x_kubernetes_int_or_string',
  'x-kubernetes-list-map-keys': 'x_kubernetes_list_map_keys',
  'x-kubernetes-list-type': 'x_kubernetes_list_type',
  'x-kubernetes-map-type': 'x_kubernetes_map_type',
  'x-kubernetes-preserve-unknown-fields': 'x_kubernetes_preserve_unknown_fields',
  'x-kubernetes-validations': 'x_kubernetes_validations',
};

/** `crd` with every schema node's keywords under client-node's model names. */
export function crdClientBody<T extends object>(crd: T): T {
  const c = structuredClone(crd) as { spec: { versions: { schema?: { openAPIV3Schema?: unknown } }[] } };
  for (const v of c.spec.versions)
    if (v.schema?.openAPIV3Schema !== undefined)
      v.schema.openAPIV3Schema = renameSchema(v.schema.openAPIV3Schema);
  return c as T;
}

function renameSchema(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const name = modelNames[k] ?? k;
    if (k === 'properties')
      out[name] = Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, renameSchema(s)]));
    else out[name] = v; // items and additionalProperties are `any` to the client: sent as they are
  }
  return out;
}
