import { type Static, Type } from '@sinclair/typebox';

/**
 * The `metadata` fields anyvip reads from its objects. In the CRD `metadata` is only
 * `{type: object}` (the API server owns its schema), so this shapes the TypeScript type and the
 * runtime check, never the CRD.
 */
export const ObjectMetaSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253 }),
    uid: Type.Optional(Type.String()),
    resourceVersion: Type.Optional(Type.String()),
    generation: Type.Optional(Type.Integer({ minimum: 0 })),
    creationTimestamp: Type.Optional(Type.String()),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { description: 'Standard object metadata.' },
);

/** Object metadata as anyvip reads it. */
export type ObjectMeta = Static<typeof ObjectMetaSchema>;
