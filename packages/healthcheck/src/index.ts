/**
 * @anyvip/healthcheck: decides when a VIP must be withdrawn. Fast to notice failure (fast
 * interval, timeouts that abort), slow to flap (rise/fall), with HTTP(S), TCP, exec and
 * kube-apiserver probes combined all/any/quorum, and a disable file for maintenance.
 */

export { type Clock, FakeClock, systemClock, type TimerHandle } from '@anyvip/clock';
export {
  Check,
  type CheckDeps,
  type CheckOptions,
  type CheckSettings,
  type CheckStatus,
  resolveCheckSettings,
} from './check.js';
export {
  type CombinePolicy,
  combineResults,
  type NamedResult,
  requiredPasses,
  type Verdict,
} from './combine.js';
export { parseCheckConfig, parseProbeShorthand } from './config.js';
export { formatDuration, parseDuration } from './duration.js';
export { HealthError, type HealthErrorCode } from './errors.js';
export type {
  CheckEvent,
  CheckListener,
  DownEvent,
  ResultEvent,
  UnknownEvent,
  Unsubscribe,
  UpEvent,
} from './events.js';
export {
  type ApiserverEndpoint,
  type ApiserverProbeOptions,
  createApiserverProbe,
  defaultApiserverServer,
  defaultApiserverServerName,
  defaultHostCaFiles,
  defaultServiceAccountDir,
} from './probes/apiserver.js';
export { createExecProbe, type ExecProbeOptions } from './probes/exec.js';
export {
  createHttpProbe,
  defaultExpectStatus,
  type HttpProbeOptions,
  type StatusRange,
} from './probes/http.js';
export { CheckStopped, type Probe, type ProbeResult, ProbeTimeout } from './probes/probe.js';
export { createProbe, type ProbeSpec } from './probes/probe-spec.js';
export { createTcpProbe, type TcpProbeOptions } from './probes/tcp.js';
export {
  type HealthState,
  initialRiseFallState,
  isChanging,
  type RiseFallConfig,
  type RiseFallInput,
  type RiseFallState,
  type RiseFallStep,
  type RiseFallTransition,
  stepRiseFall,
  type TransitionCause,
} from './rise-fall.js';
export { computeNextStartMs, type ScheduledRun, Scheduler, type SchedulerOptions } from './scheduler.js';
