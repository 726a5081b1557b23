import { acceptedCondition, type FabricCondition, type FabricObject, refusedCondition } from './fabric.js';

/**
 * "Everything else keeps the last good state": when an anyvip.io object that was accepted is
 * edited into something refused, its last accepted spec stays in force (the object gets
 * Accepted=False saying so) until it is fixed or deleted, as kube-apiserver-fronted
 * controllers such as Cilium's keep their last applied configuration. An object refused
 * from its first version is never used. Pure; the map is carried from one computation to
 * the next (ClusterMemory), so a restart starts afresh.
 */

/** An accepted spec, and the generation it was accepted at. */
export interface LastGood {
  readonly generation: number | undefined;
  readonly spec: unknown;
}

/** A check's verdict on an object's spec: usable (with what the check found), or why not. */
export type Verdict<T> =
  | ({ readonly kind: 'ok' } & T)
  | {
      readonly kind: 'refused';
      readonly reason: string;
      readonly message: string;
      /** Not decided yet (a Secret still being listed). */
      readonly pending?: boolean;
    };

export function refused(
  reason: string,
  message: string,
  pending = false,
): { kind: 'refused'; reason: string; message: string; pending?: boolean } {
  return pending ? { kind: 'refused', reason, message, pending } : { kind: 'refused', reason, message };
}

/** The key an object's last good spec is kept under: kind and uid (a re-created object starts afresh). */
export function lastGoodKey(kind: FabricCondition['kind'], o: FabricObject<unknown>): string {
  return `${kind}/${o.name}/${o.uid ?? ''}`;
}

/**
 * Checks `o`; when refused, tries its last accepted spec. Returns the condition to report and
 * the object to use (with its verdict), if any.
 */
export function checkWithLastGood<S, T>(
  kind: FabricCondition['kind'],
  o: FabricObject<S>,
  lastGood: ReadonlyMap<string, LastGood>,
  check: (o: FabricObject<S>) => Verdict<T>,
): {
  readonly condition: FabricCondition;
  readonly used: { readonly o: FabricObject<S>; readonly verdict: { readonly kind: 'ok' } & T } | undefined;
} {
  const verdict = check(o);
  if (verdict.kind === 'ok') return { condition: acceptedCondition(kind, o), used: { o, verdict } };
  const pending = verdict.pending === true ? { pending: true } : {};
  const last = lastGood.get(lastGoodKey(kind, o));
  if (last !== undefined) {
    const before: FabricObject<S> = { ...o, spec: last.spec as S, generation: last.generation };
    const again = check({ ...before, invalid: undefined });
    if (again.kind === 'ok')
      return {
        condition: {
          ...refusedCondition(
            kind,
            o,
            verdict.reason,
            `${verdict.message}; generation ${last.generation ?? '?'} stays in force`,
          ),
          ...pending,
        },
        used: { o: { ...before, invalid: undefined }, verdict: again },
      };
  }
  return {
    condition: { ...refusedCondition(kind, o, verdict.reason, verdict.message), ...pending },
    used: undefined,
  };
}
