import { ProbeTimeout } from '../../src/probes/probe.js';

/** An AbortSignal that aborts with a {@link ProbeTimeout} after `ms` of real time, as a check would. */
export function deadline(ms: number): AbortSignal {
  const controller = new AbortController();
  const t = setTimeout(() => controller.abort(new ProbeTimeout(ms)), ms);
  t.unref();
  return controller.signal;
}

/** A signal that never aborts (within the test). */
export function never(): AbortSignal {
  return new AbortController().signal;
}
