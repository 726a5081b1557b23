import type { Probe, ProbeResult } from '@anyvip/healthcheck';

/**
 * A probe whose answer the test sets: `probe.ok = false` and the next rounds fail. It answers
 * at once (latency 0) so that rounds on a FakeClock complete at the instant they start.
 */
export interface SwitchProbe extends Probe {
  ok: boolean;
  runs: number;
}

export function switchProbe(name: string, ok = true): SwitchProbe {
  const probe: SwitchProbe = {
    name,
    ok,
    runs: 0,
    async run(): Promise<ProbeResult> {
      probe.runs++;
      return { ok: probe.ok, latencyMs: 0, reason: probe.ok ? 'fine' : 'scripted failure' };
    },
  };
  return probe;
}
