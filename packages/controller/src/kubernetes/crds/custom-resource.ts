import { type TSchema, Type } from '@sinclair/typebox';
import { anyvipApiVersion } from './group.js';
import { ObjectMetaSchema } from './object-meta.js';

/** A column `kubectl get` prints (`additionalPrinterColumns`). */
export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description?: string;
  /** 0 in the default view, 1 only with `-o wide`. */
  readonly priority?: 0 | 1;
}

/** Everything a CustomResourceDefinition says about one anyvip kind; the schema is the source of truth. */
export interface KindDefinition<S extends TSchema = TSchema> {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  /** What `kubectl explain` shows for the kind. */
  readonly description: string;
  /** The whole object (apiVersion, kind, metadata, spec, status). */
  readonly schema: S;
  readonly printerColumns: readonly PrinterColumn[];
}

/** The object schema of a kind: `apiVersion`, `kind`, `metadata`, `spec` and an optional `status`. */
export function customResourceSchema<K extends string, Spec extends TSchema, Status extends TSchema>(
  kind: K,
  spec: Spec,
  status: Status,
  description: string,
) {
  return Type.Object(
    {
      apiVersion: Type.Literal(anyvipApiVersion),
      kind: Type.Literal(kind),
      metadata: ObjectMetaSchema,
      spec,
      status: Type.Optional(status),
    },
    { description },
  );
}
