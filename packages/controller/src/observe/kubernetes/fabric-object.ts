import type { FabricObject } from '../../desired/fabric.js';
import {
  checkAnyvipAdvertisement,
  checkAnyvipPeer,
  checkAnyvipPool,
  type Problem,
} from '../../kubernetes/crds/index.js';
import type { CustomObject, FabricKind } from './fabric-observer.js';

/*
 * Apart from fabric-observer.ts so that the observer loads it (and with it the schema library)
 * only once an anyvip.io CRD is installed.
 */

/** Each kind's check (kubernetes/crds/): the object with defaults, or its problems. */
const checkers: Record<
  FabricKind,
  (o: unknown) => { ok: true; value: { spec: unknown } } | { ok: false; problems: readonly Problem[] }
> = {
  AnyvipPeer: checkAnyvipPeer,
  AnyvipAdvertisement: checkAnyvipAdvertisement,
  AnyvipPool: checkAnyvipPool,
};

/**
 * One object as desired/ reads it: the kind's check (schema, CEL rules, addresses) gives the
 * spec with the schema's defaults filled in, as the API server would have, or the first
 * problem in its words (`invalid`, `invalidReason`). Pure.
 */
export function fabricObjectOf(kind: FabricKind, o: CustomObject): FabricObject<unknown> {
  const checked = checkers[kind](o);
  const first = checked.ok ? undefined : checked.problems[0];
  const more = checked.ok ? 0 : checked.problems.length - 1;
  return {
    name: o.metadata?.name ?? '',
    ...(o.metadata?.uid !== undefined ? { uid: o.metadata.uid } : {}),
    generation: o.metadata?.generation,
    labels: o.metadata?.labels ?? {},
    spec: checked.ok ? checked.value.spec : (o.spec ?? {}),
    ...(first !== undefined
      ? {
          invalid: `${first.path === '' ? '' : `${first.path}: `}${first.message}${more > 0 ? ` (and ${more} more)` : ''}`,
          invalidReason: first.reason,
        }
      : {}),
  };
}
