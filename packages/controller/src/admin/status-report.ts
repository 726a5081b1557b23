import type { PeerInfo, SessionState } from '@anyvip/bgp';
import { describeDownReason } from '@anyvip/bgp';
import type { HealthState } from '@anyvip/healthcheck';
import type { Mode, PeerConfig } from '../config/schema.js';
import type { GateEntry } from '../desired/health.js';
import type { VipHealth, VipPlan } from '../desired/types.js';
import type { BfdSessionState } from '../events.js';
import { isoTimestamp } from '../iso-timestamp.js';

/**
 * What `GET /status` answers and `anyvip status` prints: one JSON document, versioned so that
 * an older `anyvip status` can refuse a newer daemon's answer rather than misread it.
 */
export interface StatusReport {
  readonly version: 1;
  readonly mode: Mode;
  /** ISO 8601: when the runtime started. */
  readonly startedAt: string;
  readonly ready: boolean;
  /** Why not ready (empty when ready). */
  readonly notReady: readonly string[];
  readonly passes: number;
  /** ISO 8601 end of the last reconcile pass. */
  readonly lastPassAt: string | undefined;
  readonly peers: readonly PeerStatus[];
  readonly vips: readonly VipStatus[];
  readonly checks: readonly CheckStatus[];
}

/** One BGP neighbor. */
export interface PeerStatus {
  readonly address: string;
  readonly asn: number;
  readonly port: number;
  /** RFC 4271 §8.2.2 state; `idle` for a configured peer the speaker has not taken yet. */
  readonly state: SessionState;
  /** ISO 8601: the last state change seen (undefined: none since start). */
  readonly since: string | undefined;
  readonly prefixesSent: number;
  readonly prefixesReceived: number;
  readonly updatesSent: number;
  readonly updatesReceived: number;
  /** Why the session last left Established. */
  readonly lastDown: string | undefined;
  /** The BFD session's state (RFC 5880 §4.1); undefined without BFD. */
  readonly bfd: BfdSessionState | undefined;
}

/** One VIP: its health and what this node does with it now. */
export interface VipStatus {
  readonly prefix: string;
  readonly healthcheck: string | undefined;
  readonly health: VipHealth;
  /** Route announced over BGP or written to the kernel table (as the last pass applied it). */
  readonly announced: boolean;
  /** Address on the loopback device (as the last pass applied it). */
  readonly bound: boolean;
  readonly refused: string | undefined;
  /** Why a VIP that should be announced is not (its address is not bound); absent otherwise. */
  readonly withheld?: string;
}

/** One health check. */
export interface CheckStatus {
  readonly name: string;
  readonly state: HealthState;
  /** ISO 8601: the last transition seen. */
  readonly since: string | undefined;
  /** The reasons the last transition gave. */
  readonly reasons: readonly string[];
}

/** Everything {@link buildStatusReport} needs, as plain data. */
export interface StatusInput {
  readonly mode: Mode;
  readonly startedAtMs: number;
  readonly ready: { readonly ready: boolean; readonly reasons: readonly string[] };
  readonly passes: number;
  readonly lastPassAtMs: number | undefined;
  /** Configured peers (desired), so that a peer the speaker lacks still shows. */
  readonly peerConfigs: readonly PeerConfig[];
  readonly peerInfos: readonly PeerInfo[];
  /** Wall-clock ms of each peer's last state change. */
  readonly peerSinceMs: ReadonlyMap<string, number>;
  /** Each peer's last BFD state, from `bfdStateChanged` events. */
  readonly peerBfd: ReadonlyMap<string, BfdSessionState>;
  readonly vips: readonly VipPlan[];
  /** Prefixes each sink held after the last pass. */
  readonly applied: ReadonlyMap<string, readonly string[]>;
  readonly checks: ReadonlyMap<string, GateEntry>;
  readonly checkSince: ReadonlyMap<string, { readonly atMs: number; readonly reasons: readonly string[] }>;
}

/** Builds the status document. Pure. */
export function buildStatusReport(input: StatusInput): StatusReport {
  const infos = new Map(input.peerInfos.map((p) => [p.address, p]));
  const peers: PeerStatus[] = input.peerConfigs.map((c) => {
    const info = infos.get(c.address);
    return {
      address: c.address,
      asn: c.asn,
      port: c.port,
      state: info?.state ?? 'idle',
      since: iso(input.peerSinceMs.get(c.address)),
      prefixesSent: info?.prefixesSent ?? 0,
      prefixesReceived: info?.prefixesReceived ?? 0,
      updatesSent: info?.updatesSent ?? 0,
      updatesReceived: info?.updatesReceived ?? 0,
      lastDown: info?.lastDownReason === undefined ? undefined : describeDownReason(info.lastDownReason),
      bfd: input.peerBfd.get(c.address),
    };
  });
  const announced = new Set([
    ...(input.applied.get('bgp') ?? []),
    ...(input.applied.get('routeTable') ?? []),
  ]);
  const bound = new Set(input.applied.get('loopback') ?? []);
  const vips: VipStatus[] = input.vips.map((v) => ({
    prefix: v.prefix,
    healthcheck: v.healthcheck,
    health: v.health,
    announced: announced.has(v.prefix),
    bound: bound.has(v.prefix),
    refused: v.refused,
    ...(v.withheld !== undefined ? { withheld: v.withheld } : {}),
  }));
  const checks: CheckStatus[] = [...input.checks].map(([name, entry]) => {
    const since = input.checkSince.get(name);
    return { name, state: entry.state, since: iso(since?.atMs), reasons: since?.reasons ?? [] };
  });
  return {
    version: 1,
    mode: input.mode,
    startedAt: iso(input.startedAtMs) ?? '',
    ready: input.ready.ready,
    notReady: input.ready.reasons,
    passes: input.passes,
    lastPassAt: iso(input.lastPassAtMs),
    peers,
    vips,
    checks,
  };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : isoTimestamp(ms);
}
