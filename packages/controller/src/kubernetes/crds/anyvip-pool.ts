import { type Static, Type } from '@sinclair/typebox';
import { parseRange } from '../../address/ip-range.js';
import { checkObject } from './check-object.js';
import { acceptedStatusProperties } from './condition.js';
import { customResourceSchema, type KindDefinition } from './custom-resource.js';
import { checkLabelSelector, labelSelectorSchema } from './label-selector.js';
import { anyvipPoolNames } from './names.js';
import type { CheckResult, Problem } from './problem.js';
import { dnsLabelPattern, IntegerIn, StringSet, Text } from './schema-builders.js';

/** The spec of an AnyvipPool: addresses Services may draw from. */
export const AnyvipPoolSpecSchema = Type.Object(
  {
    addresses: StringSet(Text(91, { pattern: '^[0-9A-Fa-f.:/-]+$' }), 256, {
      minItems: 1,
      description: 'CIDRs (10.0.0.0/24, fd00::/120) or first-last ranges, IPv4 and IPv6.',
    }),
    autoAssign: Type.Optional(
      Type.Boolean({
        default: true,
        description: 'false: only Services that ask for an address of this pool get one (default true).',
      }),
    ),
    serviceAllocation: Type.Optional(
      Type.Object(
        {
          namespaces: Type.Optional(
            StringSet(Text(63, { pattern: dnsLabelPattern }), 256, {
              description: 'Namespaces whose Services may draw; absent or empty: all.',
            }),
          ),
          serviceSelector: Type.Optional(
            labelSelectorSchema('Services (by their labels) that may draw; absent: all.'),
          ),
        },
        { description: 'Who may draw from the pool; absent: anyone.' },
      ),
    ),
  },
  { description: 'Addresses Services may draw from.' },
);

/** The status of an AnyvipPool, written by the leader. */
export const AnyvipPoolStatusSchema = Type.Object(
  {
    ...acceptedStatusProperties('Accepted: True, or False with a reason (InvalidRange, ...).'),
    assigned: Type.Optional(
      IntegerIn(0, Number.MAX_SAFE_INTEGER, {
        format: 'int64',
        description: 'Addresses assigned to Services.',
      }),
    ),
    available: Type.Optional(
      Text(64, {
        description: 'Addresses still free, as decimal text (an IPv6 pool may hold 2^64 or more).',
      }),
    ),
  },
  { description: 'Written by the leader.' },
);

/** The whole AnyvipPool object. */
export const AnyvipPoolSchema = customResourceSchema(
  anyvipPoolNames.kind,
  AnyvipPoolSpecSchema,
  AnyvipPoolStatusSchema,
  'AnyvipPool: addresses Services may draw their VIPs from.',
);

/** An AnyvipPool spec: addresses, auto-assign, who may draw. */
export type AnyvipPoolSpec = Static<typeof AnyvipPoolSpecSchema>;
/** An AnyvipPool status: the `Accepted` condition and address counts. */
export type AnyvipPoolStatus = Static<typeof AnyvipPoolStatusSchema>;
/**
 * An `anyvip.io/v1alpha1` AnyvipPool. Merged with the pools ConfigMap by name; the CRD wins a
 * name found in both.
 */
export type AnyvipPool = Static<typeof AnyvipPoolSchema>;

/** The CRD facts for AnyvipPool. */
export const anyvipPoolDefinition: KindDefinition<typeof AnyvipPoolSchema> = {
  ...anyvipPoolNames,
  description: 'AnyvipPool: addresses Services may draw their VIPs from.',
  schema: AnyvipPoolSchema,
  printerColumns: [
    { name: 'Addresses', type: 'string', jsonPath: '.spec.addresses' },
    { name: 'Auto Assign', type: 'boolean', jsonPath: '.spec.autoAssign' },
    { name: 'Assigned', type: 'integer', jsonPath: '.status.assigned' },
    { name: 'Available', type: 'string', jsonPath: '.status.available' },
    { name: 'Accepted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Accepted")].status' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

/** Checks an AnyvipPool read from the API: the schema, every CIDR or range parses, selector syntax. Pure. */
export function checkAnyvipPool(obj: unknown): CheckResult<AnyvipPool> {
  return checkObject(AnyvipPoolSchema, obj, (pool) => {
    const problems: Problem[] = [];
    pool.spec.addresses.forEach((text, i) => {
      const r = parseRange(text);
      if ('error' in r)
        problems.push({ path: `spec.addresses[${i}]`, message: r.error, reason: 'InvalidRange' });
    });
    problems.push(
      ...checkLabelSelector(
        pool.spec.serviceAllocation?.serviceSelector,
        'spec.serviceAllocation.serviceSelector',
      ),
    );
    return problems;
  });
}
