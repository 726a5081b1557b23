/**
 * @anyvip/controller: health-gated virtual IPs. Configuration (a YAML file, or control-plane
 * flags) and health checks (`@anyvip/healthcheck`) become a desired state; a level-triggered
 * reconcile loop carries it to sinks: the loopback device (VIPs bound as /32 and /128), our
 * BGP speaker (`@anyvip/bgp`, mode `bgp`) or a kernel routing table for BIRD/FRR (mode `table`).
 */

export { checkVipInPools, type PoolVerdict, prefixContains } from './address/allowed-ranges.js';
export {
  computeLiveness,
  computeReadiness,
  type LivenessInput,
  type ProbeVerdict,
  type ReadinessInput,
} from './admin/probes.js';
export { RuntimeView } from './admin/runtime-view.js';
export { type AdminHandlers, type AdminServer, startAdminServer } from './admin/server.js';
export {
  buildStatusReport,
  type CheckStatus,
  type PeerStatus,
  type StatusInput,
  type StatusReport,
  type VipStatus,
} from './admin/status-report.js';
export {
  AnyvipRuntime,
  type ClusterFeed,
  type ClusterHooks,
  type RuntimeDeps,
  type RuntimeStatus,
  summarizeReload,
} from './app.js';
export { fetchStatus } from './cli/status-command.js';
export { formatStatus } from './cli/status-format.js';
export {
  type AdminConfig,
  defaultAdminAddress,
  type ParsedAdminAddress,
  parseAdminAddress,
} from './config/admin.js';
export { type ControlPlaneFlags, controlPlaneCheck, controlPlaneConfig } from './config/control-plane.js';
export { loadConfigFile, parseConfigText, readConfigFile } from './config/load.js';
export { type PreflightFault, preflight, preflightFaults } from './config/preflight.js';
export {
  type BgpConfig,
  type ControllerConfig,
  defaultLoopbackMetric,
  defaultTable,
  type FamilyName,
  type GracefulShutdownConfig,
  type ListenConfig,
  type LogLevel,
  type LoopbackConfig,
  type Mode,
  type PeerConfig,
  parseConfig,
  type ReconcileConfig,
  type TableConfig,
  type VipConfig,
} from './config/schema.js';
export { computeDesiredState, computeDesiredWorld, computeShutdownState } from './desired/compute.js';
export type { Lifecycle } from './desired/lifecycle.js';
export type { ClusterInput, ClusterSettings, ClusterSnapshot, Observation } from './desired/observation.js';
export type * from './desired/types.js';
export { AnyvipError, type AnyvipErrorCode } from './errors.js';
export type * from './events.js';
export * from './kubernetes/crds/index.js';
export {
  bgpLogger,
  type ControllerLogger,
  createLogger,
  logEvent,
  silentLogger,
} from './observability/log.js';
export { bfdSessionStates, ControllerMetrics, type PeerCounters } from './observability/metrics.js';
export { FileSource, type FileSourceEvent, type SignalSource } from './observe/file-source.js';
export { type GateEntry, HealthGate, type HealthLookup } from './observe/health-gate.js';
export { type Change, diffKeyed, type KeyedDiff } from './reconcile/diff.js';
export { type LoopTiming, type PassReport, ReconcileLoop } from './reconcile/loop.js';
export type { Phase, Sink, SinkChange, SinkFailure, SinkResult } from './reconcile/sink.js';
export { type BgpRouter, BgpSink, GRACEFUL_SHUTDOWN, type RouterFactory } from './sinks/bgp.js';
export { runIpBatch } from './sinks/ip-batch.js';
export { createIpRunner, type IpResult, type IpRunner, type IpRunnerOptions } from './sinks/ip-runner.js';
export { LoopbackSink } from './sinks/loopback.js';
export { RouteTableSink } from './sinks/route-table.js';
