import type { DesiredState } from '../desired/types.js';

/**
 * A pass runs in two phases: first every sink removes what is no longer desired, in reverse
 * order (routes are withdrawn before their loopback address goes), then every sink adds and
 * changes, in order (the address is bound before routers are told to send traffic to it).
 */
export type Phase = 'remove' | 'add';

/** One thing a sink really did. */
export interface SinkChange {
  readonly action: 'add' | 'remove' | 'change';
  /** What changed: a prefix, a peer address, `speaker`. */
  readonly key: string;
  /** The VIP concerned (a prefix), when the change is about one. */
  readonly vip?: string;
  /** The peer concerned, when the change is about one. */
  readonly peer?: string;
  /** Words for the log line: `announced`, `bound`, `route written`, `peer added`. */
  readonly what: string;
}

/** One thing a sink could not do; the loop retries the pass with back-off. */
export interface SinkFailure {
  readonly key: string;
  readonly vip?: string;
  readonly peer?: string;
  readonly reason: string;
}

/** What one phase of a sink did: applied changes, failures, and the keys it holds afterwards. */
export interface SinkResult {
  readonly changes: readonly SinkChange[];
  readonly errors: readonly SinkFailure[];
  /** Every key the sink really holds after the phase (e.g. prefixes on lo that are ours). */
  readonly applied: readonly string[];
}

/**
 * Carries part of the desired state to the world: the loopback device, the BGP speaker, the
 * kernel routing table. A sink observes what is really there (or what it did), diffs it
 * against the desired state by key, and applies the difference. It never throws for a failed
 * operation: it reports it in `errors` and returns what it did apply.
 */
export interface Sink {
  readonly name: string;
  /** Ascending in the add phase, descending in the remove phase. */
  readonly order: number;
  /**
   * `progress` is given to the feeding sink's add phase only (see reconcile/loop.ts
   * `AppliedFeedback`): a sink whose add phase takes long may report, while it runs, keys it
   * already holds for certain (what it held before, plus what the kernel confirmed since); the
   * loop then lets the sinks after it apply that much early (see {@link Sink.progress}).
   */
  apply(
    desired: DesiredState,
    phase: Phase,
    progress?: (held: ReadonlySet<string>) => void,
  ): Promise<SinkResult>;
  /**
   * An early, partial add phase while the feeding sink's add phase still runs: `desired` is the
   * world derived from what the feeding sink confirmed so far. Only additions: nothing is
   * withdrawn or removed here (the pass's own remove and add phases, which follow, converge),
   * and a failure is left for the pass's own add phase to retry and report. Optional: a
   * sink without it waits for the pass's add phase, as before. The BGP sink has it, so a
   * route leaves as soon as its address is bound rather than after the whole batch.
   */
  progress?(desired: DesiredState): Promise<readonly SinkChange[]>;
}

/** A result with nothing done. */
export function emptyResult(applied: readonly string[] = []): SinkResult {
  return { changes: [], errors: [], applied };
}
