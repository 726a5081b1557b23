import type { Logger as BgpLogger } from '@anyvip/bgp';
import winston from 'winston';
import { assertNever } from '../assert-never.js';
import type { LogLevel } from '../config/schema.js';
import type { ControllerEvent } from '../events.js';
import { isoTimestamp } from '../iso-timestamp.js';

/** The controller's logger: winston, one JSON object per line. */
export type ControllerLogger = winston.Logger;

/**
 * A JSON Lines logger on `stream` (stdout by default): `{"level":"info","message":"announced",
 * "vip":"10.250.255.1/32","timestamp":"…"}`. Messages are short constants; values are fields
 * (`vip`, `peer`, `check`, `reason`), never spliced into the message.
 */
export function createLogger(
  options: { readonly level?: LogLevel; readonly stream?: NodeJS.WritableStream } = {},
): ControllerLogger {
  return dropDisabledEarly(
    winston.createLogger({
      level: options.level ?? 'info',
      format: winston.format.combine(utcTimestamp(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream: options.stream ?? process.stdout })],
    }),
  );
}

/**
 * logform's `timestamp()` without options (`timestamp: new Date().toISOString()`), through
 * isoTimestamp, which spares the process ICU's time zone (iso-timestamp.ts).
 */
const utcTimestamp = winston.format((info) => {
  info.timestamp = isoTimestamp(Date.now());
  return info;
});

/**
 * winston filters by level only in the transport, after the line went through the logger's
 * stream and was timestamped and serialised; a pass that binds and announces 10,000 VIPs at
 * `log.level: warn` spent ~100 ms of its critical path formatting 20,000 `info` lines to drop
 * them. `log(level, …)` (which `info()`, `debug()` and child loggers all reach) now returns at
 * once for a level that is not enabled; the level is read at each call, so a reload that
 * changes it takes effect as before.
 */
function dropDisabledEarly(logger: winston.Logger): winston.Logger {
  const log = logger.log;
  const early = function (this: winston.Logger, ...args: unknown[]): winston.Logger {
    if (typeof args[0] === 'string' && args.length > 1 && !this.isLevelEnabled(args[0])) return this;
    return (log as (...a: unknown[]) => winston.Logger).apply(this, args);
  };
  logger.log = early as winston.LogMethod;
  return logger;
}

/** A logger that writes nothing (tests). */
export function silentLogger(): ControllerLogger {
  return winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
}

/** `@anyvip/bgp`'s injected logger interface on top of ours, its lines marked `component: bgp`. */
export function bgpLogger(logger: ControllerLogger): BgpLogger {
  const child = logger.child({ component: 'bgp' });
  return {
    debug: (message, fields) => child.debug(message, { ...fields }),
    info: (message, fields) => child.info(message, { ...fields }),
    warn: (message, fields) => child.warn(message, { ...fields }),
    error: (message, fields) => child.error(message, { ...fields }),
  };
}

/** The one place controller events become log lines. */
export function logEvent(logger: ControllerLogger, e: ControllerEvent): void {
  switch (e.kind) {
    case 'started':
      logger.info('started', { mode: e.mode, source: e.source, vips: e.vips, peers: e.peers });
      return;
    case 'configReloaded':
      logger.info('configuration reloaded', { source: e.source, ...nonEmpty(e.summary) });
      return;
    case 'configRejected':
      logger.error('configuration refused; the previous one stays in force', {
        source: e.source,
        code: e.code,
        reason: e.reason,
      });
      return;
    case 'healthChanged':
      logger.log(e.to === 'up' ? 'info' : 'warn', `healthcheck ${e.to}`, {
        check: e.check,
        from: e.from,
        cause: e.cause,
        reason: e.reasons.join('; '),
        vips: e.vips,
      });
      return;
    case 'probeResult':
      logger.debug('probe', {
        check: e.check,
        probe: e.probe,
        ok: e.ok,
        latencyMs: Math.round(e.latencyMs * 10) / 10,
        reason: e.reason,
      });
      return;
    case 'applied':
      logger.info(e.what, {
        sink: e.sink,
        action: e.action,
        ...(e.vip !== undefined ? { vip: e.vip } : {}),
        ...(e.peer !== undefined ? { peer: e.peer } : {}),
        ...(e.health !== undefined ? { health: e.health } : {}),
        ...(e.vip === undefined && e.peer === undefined ? { key: e.key } : {}),
      });
      return;
    case 'sinkError':
      logger.error('apply failed', {
        sink: e.sink,
        key: e.key,
        reason: e.reason,
        ...(e.vip !== undefined ? { vip: e.vip } : {}),
        ...(e.peer !== undefined ? { peer: e.peer } : {}),
        ...(e.retryInMs !== undefined ? { retryInMs: e.retryInMs } : {}),
      });
      return;
    case 'reconciled':
      logger.log(e.changes > 0 || e.errors > 0 ? 'info' : 'debug', 'reconciled', {
        trigger: e.trigger,
        durationMs: Math.round(e.durationMs * 10) / 10,
        changes: e.changes,
        errors: e.errors,
      });
      return;
    case 'peerUp':
      logger.info('peer up', { peer: e.peer });
      return;
    case 'peerDown':
      logger.warn('peer down', { peer: e.peer, reason: e.reason });
      return;
    case 'peerStateChanged':
      // The speaker logs its own state changes (component bgp); this line is for debugging the controller.
      logger.debug('peer state', { peer: e.peer, from: e.from, to: e.to });
      return;
    case 'bfdStateChanged':
      logger.log(e.to === 'down' && e.from === 'up' ? 'warn' : 'info', `bfd ${e.to}`, {
        peer: e.peer,
        from: e.from,
        reason: e.diagnostic,
        bgpStopped: e.bgpStopped,
      });
      return;
    case 'shutdown':
      logger.info(`shutdown ${e.phase}`, {
        reason: e.reason,
        ...(e.routes !== undefined ? { routes: e.routes } : {}),
        ...(e.waitMs !== undefined ? { waitMs: e.waitMs } : {}),
      });
      return;
    case 'kubernetesSynced':
      logger.info('kubernetes synced', { resource: e.resource, items: e.items });
      return;
    case 'poolRejected':
      logger.warn('pools ConfigMap key refused; that pool is ignored', {
        configMap: e.configMap,
        key: e.key,
        code: e.code,
        reason: e.reason,
      });
      return;
    case 'kubernetesKindAbsent':
      if (e.why === 'forbidden')
        logger.warn(
          'not allowed to read this kind (RBAC from before the CRDs?); using the flags alone for it',
          {
            resource: e.resource,
            recheckInMs: e.recheckInMs,
          },
        );
      else
        logger.info('CRD not installed; using the flags alone for it', {
          resource: e.resource,
          recheckInMs: e.recheckInMs,
        });
      return;
    case 'fabricRefused':
      if (e.accepted) logger.info('object accepted', { object: e.object });
      else logger.warn('object refused', { object: e.object, reason: e.reason, message: e.message });
      return;
    case 'nodeWarning':
      logger.warn('node fabric problem', { node: e.node, reason: e.reason, message: e.message });
      return;
    case 'kubernetesError':
      logger.warn('kubernetes unreachable; keeping the last known state', {
        resource: e.resource,
        reason: e.reason,
        ...(e.retryInMs !== undefined ? { retryInMs: e.retryInMs } : {}),
      });
      return;
    case 'leaderChanged':
      logger.info(e.leader ? 'leader elected' : 'leader lost', {
        lease: e.lease,
        ...(e.detail !== undefined ? { detail: e.detail } : {}),
      });
      return;
    case 'vipWithheld':
      if (e.withheld) logger.warn('vip withheld: not announced', { vip: e.vip, reason: e.reason });
      else logger.info('vip bound: announced again', { vip: e.vip });
      return;
    case 'vipRefused':
      logger.warn('vip refused', { service: e.service, vip: e.vip, reason: e.reason });
      return;
    case 'serviceStatus':
      logger.log(e.result === 'written' ? 'info' : 'warn', `service status ${e.result}`, {
        service: e.service,
        addresses: e.addresses,
        ...(e.reason !== undefined ? { reason: e.reason } : {}),
      });
      return;
    default:
      assertNever(e);
  }
}

function nonEmpty(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!Array.isArray(v) || v.length > 0) out[k] = v;
  return out;
}
