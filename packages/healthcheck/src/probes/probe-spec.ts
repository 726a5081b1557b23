import type { Clock } from '@anyvip/clock';
import { systemClock } from '@anyvip/clock';
import { assertNever } from '../assert-never.js';
import { type ApiserverProbeOptions, createApiserverProbe } from './apiserver.js';
import { createExecProbe, type ExecProbeOptions } from './exec.js';
import { createHttpProbe, type HttpProbeOptions } from './http.js';
import type { Probe } from './probe.js';
import { createTcpProbe, type TcpProbeOptions } from './tcp.js';

/** A probe described as data (as configuration files and `--health` flags describe it). */
export type ProbeSpec =
  | ({ readonly kind: 'http' } & HttpProbeOptions)
  | ({ readonly kind: 'tcp' } & TcpProbeOptions)
  | ({ readonly kind: 'exec' } & ExecProbeOptions)
  | ({ readonly kind: 'apiserver' } & ApiserverProbeOptions);

/**
 * Builds the probe a spec describes.
 *
 * @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG` or `ANYVIP_HEALTH_BAD_KUBECONFIG`
 */
export function createProbe(spec: ProbeSpec, clock: Clock = systemClock): Probe {
  switch (spec.kind) {
    case 'http':
      return createHttpProbe(spec, clock);
    case 'tcp':
      return createTcpProbe(spec, clock);
    case 'exec':
      return createExecProbe(spec, clock);
    case 'apiserver':
      return createApiserverProbe(spec, clock);
    default:
      return assertNever(spec);
  }
}
