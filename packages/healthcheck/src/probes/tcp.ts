import { isIP, Socket } from 'node:net';
import { type Clock, systemClock } from '@anyvip/clock';
import { badConfig } from '../errors.js';
import { describeAbort, describeError, type Probe, type ProbeResult } from './probe.js';

/** A TCP connect probe: success is a completed three-way handshake. */
export interface TcpProbeOptions {
  /** An IPv4 or IPv6 address (no brackets) or a host name. */
  readonly host: string;
  readonly port: number;
  /** Defaults to `tcp <host>:<port>`. */
  readonly name?: string;
}

/** Checks a TCP port number. @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG` */
export function validatePort(port: number, path?: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw badConfig(`port must be an integer in 1-65535, got ${port}`, path);
  }
}

/**
 * Builds a TCP connect probe. Once connected it closes with a reset (as HAProxy's TCP checks
 * do), so that a check every 100 ms does not leave a TIME_WAIT socket behind each time.
 *
 * @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG`
 */
export function createTcpProbe(options: TcpProbeOptions, clock: Clock = systemClock): Probe {
  if (options.host === '') throw badConfig('host must not be empty', 'host');
  validatePort(options.port, 'port');
  const host = options.host.startsWith('[') ? options.host.slice(1, -1) : options.host;
  const target = isIP(host) === 6 ? `[${host}]:${options.port}` : `${host}:${options.port}`;
  return {
    name: options.name ?? `tcp ${target}`,
    run(signal) {
      const startedMs = clock.now();
      return new Promise<ProbeResult>((resolve) => {
        const socket = new Socket();
        let settled = false;
        const settle = (ok: boolean, reason: string): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          if (ok) socket.resetAndDestroy();
          else socket.destroy();
          resolve({ ok, latencyMs: clock.now() - startedMs, reason });
        };
        const onAbort = (): void => settle(false, `${describeAbort(signal)} while connecting to ${target}`);
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('connect', () => settle(true, `connected to ${target}`));
        socket.once('error', (err) => settle(false, describeError(err)));
        socket.connect({ host, port: options.port });
      });
    },
  };
}
