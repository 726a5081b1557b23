import { isoTimestamp } from '../iso-timestamp.js';

/**
 * A `Date` for the times anyvip sends to the API server (Lease `renewTime`/`acquireTime`, Event
 * timestamps), whose `toISOString` is {@link isoTimestamp}.
 *
 * Why: client-node's ObjectSerializer writes every `Date` with `toISOString`, and V8 works out
 * the host's time zone for that call, so the first one makes ICU load the zone's rules: ~0.9 MB
 * of RSS in every Kubernetes-mode node, which renews its node Lease every 2 s and so pays it
 * within seconds of starting. The text is the same (`iso-timestamp.test.ts`); it is still a
 * `Date`, so the client's types and its `instanceof Date` check hold.
 */
export class WireDate extends Date {
  override toISOString(): string {
    return isoTimestamp(this.getTime());
  }
}

/** Now, as a {@link WireDate}. */
export function wireNow(): WireDate {
  return new WireDate(Date.now());
}
