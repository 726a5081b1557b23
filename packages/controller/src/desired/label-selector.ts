import type { LabelSelector } from '../kubernetes/crds/index.js';

export type { LabelSelector };

/**
 * Matching the Kubernetes `LabelSelector` (meta/v1; the type is the crd contract's), as
 * anyvip.io objects use it to pick nodes, peers and Services. Pure. An absent selector and an empty one (`{}`) both select everything
 * (Kubernetes convention, and what CRDS.md promises operators).
 */

/**
 * Whether `labels` satisfy `selector` (undefined: everything). An unknown operator matches
 * nothing, so a selector the schema did not catch can never widen what it selects.
 */
export function matchesSelector(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (selector === undefined) return true;
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (have[key] !== value) return false;
  for (const r of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, r.key);
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
        if (!present || !values.includes(have[r.key] ?? '')) return false;
        break;
      case 'NotIn':
        if (present && values.includes(have[r.key] ?? '')) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
