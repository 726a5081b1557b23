import { type Static, Type } from '@sinclair/typebox';
import type { Problem } from './problem.js';
import { StringEnum, StringMap, Text } from './schema-builders.js';
import { type ValidationRule, withRules } from './validation-rule.js';

/** The operators of a label selector requirement (Kubernetes `metav1.LabelSelectorOperator`). */
export const labelSelectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

const valuesRule: ValidationRule = {
  rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0",
  message: 'values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist',
  fieldPath: '.values',
  reason: 'InvalidSelector',
  holds: (self) => {
    const values = self.values as readonly string[] | undefined;
    const n = values?.length ?? 0;
    return self.operator === 'In' || self.operator === 'NotIn' ? n > 0 : n === 0;
  },
};

/** One requirement of a label selector: `key operator values`. */
export const LabelSelectorRequirementSchema = withRules(
  Type.Object(
    {
      /** The label key (`rack`, `topology.kubernetes.io/zone`). */
      key: Text(317, { description: 'The label key the requirement applies to.' }),
      operator: StringEnum(labelSelectorOperators, {
        description: 'In, NotIn (values non-empty), Exists, DoesNotExist (values empty).',
      }),
      values: Type.Optional(
        Type.Array(Text(63), { maxItems: 64, description: 'Label values, for In and NotIn.' }),
      ),
    },
    { description: 'A label selector requirement: key, operator and values.' },
  ),
  [valuesRule],
);

/**
 * A Kubernetes label selector (`metav1.LabelSelector`): every `matchLabels` pair and every
 * `matchExpressions` requirement must hold. An absent selector and an empty one (`{}`) both
 * select everything, as Kubernetes does.
 */
export function labelSelectorSchema(description: string) {
  return Type.Object(
    {
      matchLabels: Type.Optional(
        StringMap({ description: 'Labels that must all be present with these values.' }),
      ),
      matchExpressions: Type.Optional(
        Type.Array(LabelSelectorRequirementSchema, {
          maxItems: 32,
          description: 'Requirements that must all hold.',
        }),
      ),
    },
    { 'x-kubernetes-map-type': 'atomic', description },
  );
}

/** A Kubernetes label selector; absent or empty (`{}`) selects everything. */
export const LabelSelectorSchema = labelSelectorSchema(
  'A Kubernetes label selector; absent or empty ({}) selects everything.',
);

/** A Kubernetes label selector; absent or `{}` selects everything. */
export type LabelSelector = Static<typeof LabelSelectorSchema>;

/** One `matchExpressions` requirement. */
export type LabelSelectorRequirement = Static<typeof LabelSelectorRequirementSchema>;

const labelNamePattern = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a Kubernetes label key (`[prefix/]name`), or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomain.test(prefix)))
    return `label key prefix ${JSON.stringify(prefix)} is not a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !labelNamePattern.test(name))
    return `label key ${JSON.stringify(key)}: the name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  return undefined;
}

/** Why `value` is not a Kubernetes label value (empty, or ≤ 63 characters like a name). */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !labelNamePattern.test(value))
    return `label value ${JSON.stringify(value)} must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  return undefined;
}

/**
 * What the API server accepts in a CRD but Kubernetes would refuse in a built-in selector:
 * label key and value syntax. `path` is the selector's field path.
 */
export function checkLabelSelector(selector: LabelSelector | undefined, path: string): Problem[] {
  if (selector === undefined) return [];
  const problems: Problem[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    const message = labelKeyProblem(k) ?? labelValueProblem(v);
    if (message !== undefined)
      problems.push({ path: `${path}.matchLabels[${k}]`, message, reason: 'InvalidSelector' });
  }
  (selector.matchExpressions ?? []).forEach((r, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const keyMessage = labelKeyProblem(r.key);
    if (keyMessage !== undefined)
      problems.push({ path: `${at}.key`, message: keyMessage, reason: 'InvalidSelector' });
    (r.values ?? []).forEach((v, j) => {
      const message = labelValueProblem(v);
      if (message !== undefined)
        problems.push({ path: `${at}.values[${j}]`, message, reason: 'InvalidSelector' });
    });
  });
  return problems;
}
