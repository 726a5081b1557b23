import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags anyvip sets on itself, first thing in the shipped entry (bin.ts), before the rest of
 * the program is compiled: what a user would otherwise have to remember to pass to `node`.
 *
 * `--no-sparkplug`: no baseline (Sparkplug) tier; a function goes from the interpreter straight
 * to Maglev, then TurboFan, as before. An idle anyvip is mostly code that runs once a second (a
 * health check, a BGP keepalive, a metrics sample): enough to get hundreds of functions
 * baseline-compiled in its first minute, and the machine code of each stays in the heap for as
 * long as the function does. Measured in one session (idle standalone, one peer, one VIP, one
 * check, interleaved with and without): 1.1 MB less idle RSS (60.9 against 62.0 MB, twice),
 * the idle CPU unchanged, the speaker's throughput against BIRD unchanged (bench:interop); hot
 * code still reaches Maglev and TurboFan, which is where throughput comes from.
 *
 * Measured and not set here: `--no-maglev` (idle RSS up 3.8 MB: TurboFan then compiles what Maglev
 * would, and its own code is larger), `--no-maglev --no-turbofan` (2.6 MB less, but that is
 * `--lite-mode`'s throughput loss), `--single-threaded-gc` and `--max-semi-space-size=1` (within
 * noise).
 */
export const engineFlags: readonly string[] = ['--no-sparkplug'];

/** Sets {@link engineFlags}; call before the modules whose code they concern are loaded. */
export function applyEngineFlags(): void {
  for (const flag of engineFlags) setFlagsFromString(flag);
}
