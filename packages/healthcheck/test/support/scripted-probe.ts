import type { FakeClock } from '@anyvip/clock';
import { describeAbort, type Probe, type ProbeResult } from '../../src/probes/probe.js';

/** What a scripted probe does on its next runs. */
export type Behaviour =
  | { readonly kind: 'answer'; readonly ok: boolean; readonly latencyMs?: number; readonly reason?: string }
  /** Never answers; settles only when aborted. */
  | { readonly kind: 'hang' }
  /** Answers `ok` after `latencyMs`, whatever happens to its signal. */
  | { readonly kind: 'deaf'; readonly latencyMs: number; readonly ok: boolean }
  | { readonly kind: 'throw' };

export const pass: Behaviour = { kind: 'answer', ok: true };
export const failing: Behaviour = { kind: 'answer', ok: false };

/** A fake probe on a fake clock, counting runs and overlap. */
export interface ScriptedProbe extends Probe {
  behaviour: Behaviour;
  readonly starts: number[];
  readonly aborts: number;
  readonly maxConcurrent: number;
}

export function scriptedProbe(clock: FakeClock, name: string, behaviour: Behaviour = pass): ScriptedProbe {
  let concurrent = 0;
  let maxConcurrent = 0;
  let aborts = 0;
  const starts: number[] = [];
  const probe: ScriptedProbe = {
    name,
    behaviour,
    starts,
    get aborts() {
      return aborts;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    async run(signal: AbortSignal): Promise<ProbeResult> {
      const b = probe.behaviour;
      const startedMs = clock.now();
      starts.push(startedMs);
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      try {
        if (b.kind === 'throw') throw new Error('scripted failure');
        return await new Promise<ProbeResult>((resolve) => {
          const done = (ok: boolean, reason: string): void => {
            resolve({ ok, latencyMs: clock.now() - startedMs, reason });
          };
          if (b.kind === 'deaf') {
            clock.setTimeout(() => done(b.ok, b.ok ? 'fine (late)' : 'failed (late)'), b.latencyMs);
            return;
          }
          const timer =
            b.kind === 'answer'
              ? clock.setTimeout(() => done(b.ok, b.reason ?? (b.ok ? 'fine' : 'failed')), b.latencyMs ?? 5)
              : undefined;
          signal.addEventListener(
            'abort',
            () => {
              aborts++;
              if (timer !== undefined) clock.clearTimeout(timer);
              done(false, describeAbort(signal));
            },
            { once: true },
          );
        });
      } finally {
        concurrent--;
      }
    },
  };
  return probe;
}
