import type { SpeakerEvent } from './events.js';
import type { DownReason } from './fsm/actions.js';
import type { Logger } from './session/logger.js';
import { assertNever } from './wire/assert-never.js';
import { isDeliberateCease, notificationName } from './wire/notification.js';

/** A DownReason as log text. */
export function describeDownReason(reason: DownReason): string {
  switch (reason.kind) {
    case 'notificationSent':
      return `sent ${notificationName(reason.notification.code, reason.notification.subcode)}`;
    case 'notificationReceived':
      return `received ${notificationName(reason.notification.code, reason.notification.subcode)}`;
    case 'connectionLost':
      return 'connection lost';
    default:
      return assertNever(reason);
  }
}

/** The one place log lines come from: each event, at its level, as structured fields. */
export function logEvent(logger: Logger, e: SpeakerEvent): void {
  switch (e.kind) {
    case 'stateChange':
      logger.info('state change', { peer: e.peer, from: e.from, to: e.to });
      return;
    case 'bfdStateChange':
      (e.bgpStopped || e.to === 'down' ? logger.warn : logger.info).call(logger, 'bfd state change', {
        peer: e.peer,
        from: e.from,
        to: e.to,
        diag: e.diagName,
        remoteState: e.remoteState,
        bgpStopped: e.bgpStopped,
      });
      return;
    case 'peerUp':
      logger.info('session established', {
        peer: e.peer,
        localAddress: e.localAddress,
        holdTimeSec: e.negotiated.holdTimeSec,
        keepaliveTimeSec: e.negotiated.keepaliveTimeSec,
        families: e.negotiated.families.map((f) => `${f.afi}/${f.safi}`),
        ibgp: e.negotiated.ibgp,
      });
      return;
    case 'peerDown':
      (e.reason.kind !== 'connectionLost' && isDeliberateCease(e.reason.notification)
        ? logger.info
        : logger.warn
      ).call(logger, 'session down', {
        peer: e.peer,
        reason: describeDownReason(e.reason),
        routesWithdrawn: e.routesWithdrawn,
        uptimeMs: e.uptimeMs,
      });
      return;
    case 'notificationSent':
    case 'notificationReceived':
      (isDeliberateCease(e) ? logger.info : logger.warn).call(
        logger,
        e.kind === 'notificationSent' ? 'notification sent' : 'notification received',
        {
          peer: e.peer,
          code: e.code,
          subcode: e.subcode,
          name: e.name,
          ...(e.shutdownMessage !== undefined ? { shutdownMessage: e.shutdownMessage } : {}),
        },
      );
      return;
    case 'malformed':
      logger.warn('malformed update', {
        peer: e.peer,
        action: e.action,
        code: e.error.errorCode,
        reason: e.error.message,
        issues: e.issues.length,
      });
      return;
    case 'routesReceived':
      logger.debug('routes received', {
        peer: e.peer,
        announced: e.announced.length,
        withdrawn: e.withdrawn.length,
      });
      return;
    case 'eorSent':
    case 'eorReceived':
      logger.info(e.kind === 'eorSent' ? 'end-of-rib sent' : 'end-of-rib received', {
        peer: e.peer,
        afi: e.afi,
        safi: e.safi,
        count: e.count,
        msSinceEstablished: e.msSinceEstablished,
      });
      return;
    case 'maxPrefix':
      logger.warn('maximum prefixes exceeded', {
        peer: e.peer,
        action: e.action,
        limit: e.limit,
        count: e.count,
        afi: e.afi,
      });
      return;
    case 'routesRejected':
      // Routine: an eBGP router (FRR by default) sends our own routes back and we refuse them (RFC 4271 §9.1.2).
      logger.debug('routes rejected', {
        peer: e.peer,
        reason: e.reason,
        localAsn: e.localAsn,
        occurrences: e.occurrences,
        count: e.count,
      });
      return;
    case 'routeRefresh':
      logger.info('route refresh', {
        peer: e.peer,
        direction: e.direction,
        afi: e.afi,
        safi: e.safi,
        subtype: e.subtype,
      });
      return;
    case 'error':
      logger.error('error', { peer: e.peer, context: e.context, reason: e.error.message });
      return;
    case 'listening':
      logger.info('listening', { address: e.address, port: e.port });
      return;
    case 'connectionRejected':
      logger.info('connection rejected', {
        remoteAddress: e.remoteAddress,
        remotePort: e.remotePort,
        reason: e.reason,
      });
      return;
    default:
      assertNever(e);
  }
}
