import { hexOf } from './decode/format-json.js';
import { describeDownReason } from './event-log.js';
import type { SpeakerEvent } from './events.js';
import { assertNever } from './wire/assert-never.js';
import { names } from './wire/constants.js';

const familyName = (afi: number, safi: number): string =>
  `${names.afi.get(afi)?.toLowerCase() ?? afi}-${names.safi.get(safi)?.toLowerCase() ?? safi}`;

/**
 * A speaker event as one flat JSON object, as `anyvip-bgp speak` prints it (an
 * `event` name in kebab case, families as `ipv4-unicast`);
 * undefined for `routesReceived`, which is better counted than printed (one line per
 * route would flood a log with a full table).
 */
export function formatSpeakerEvent(e: SpeakerEvent): Record<string, unknown> | undefined {
  switch (e.kind) {
    case 'stateChange':
      return { event: 'state', peer: e.peer, from: e.from, to: e.to };
    case 'bfdStateChange':
      return {
        event: 'bfd-state',
        peer: e.peer,
        from: e.from,
        to: e.to,
        diag: e.diagName,
        remoteState: e.remoteState,
        bgpStopped: e.bgpStopped,
      };
    case 'peerUp':
      return {
        event: 'peer-up',
        peer: e.peer,
        localAddress: e.localAddress,
        peerAsn: e.negotiated.peerAsn,
        peerRouterId: e.negotiated.peerBgpIdentifier,
        ibgp: e.negotiated.ibgp,
        holdTimeSec: e.negotiated.holdTimeSec,
        keepaliveTimeSec: e.negotiated.keepaliveTimeSec,
        families: e.negotiated.families.map((f) => familyName(f.afi, f.safi)),
        fourOctetAs: e.negotiated.fourOctetAs,
        routeRefresh: e.negotiated.routeRefresh,
        enhancedRouteRefresh: e.negotiated.enhancedRouteRefresh,
        extendedMessage: e.negotiated.extendedMessage,
      };
    case 'peerDown':
      return {
        event: 'peer-down',
        peer: e.peer,
        reason: describeDownReason(e.reason),
        routesWithdrawn: e.routesWithdrawn,
        uptimeMs: Math.round(e.uptimeMs),
      };
    case 'notificationSent':
    case 'notificationReceived':
      return {
        event: e.kind === 'notificationSent' ? 'notification-sent' : 'notification-received',
        peer: e.peer,
        code: e.code,
        subcode: e.subcode,
        name: e.name,
        ...(e.shutdownMessage !== undefined ? { shutdownMessage: e.shutdownMessage } : {}),
        ...(e.data.length > 0 ? { data: hexOf(e.data) } : {}),
      };
    case 'eorSent':
    case 'eorReceived':
      return {
        event: e.kind === 'eorSent' ? 'eor-sent' : 'eor-received',
        peer: e.peer,
        family: familyName(e.afi, e.safi),
        afi: e.afi,
        safi: e.safi,
        count: e.count,
        msSinceEstablished: Math.round(e.msSinceEstablished * 10) / 10,
      };
    case 'malformed':
      return {
        event: 'malformed',
        peer: e.peer,
        action: e.action,
        code: e.error.errorCode,
        reason: e.error.message,
        issues: e.issues.length,
      };
    case 'maxPrefix':
      return {
        event: 'max-prefix',
        peer: e.peer,
        action: e.action,
        limit: e.limit,
        count: e.count,
        afi: e.afi,
      };
    case 'routesRejected':
      return {
        event: 'routes-rejected',
        peer: e.peer,
        reason: e.reason,
        localAsn: e.localAsn,
        occurrences: e.occurrences,
        count: e.count,
      };
    case 'routeRefresh':
      return {
        event: 'route-refresh',
        peer: e.peer,
        direction: e.direction,
        family: familyName(e.afi, e.safi),
        subtype: e.subtype,
      };
    case 'error':
      return { event: 'error', peer: e.peer, context: e.context, reason: e.error.message };
    case 'listening':
      return { event: 'listening', address: e.address, port: e.port };
    case 'connectionRejected':
      return {
        event: 'connection-rejected',
        remoteAddress: e.remoteAddress,
        remotePort: e.remotePort,
        reason: e.reason,
      };
    case 'routesReceived':
      // Counted, not printed: one line per route would flood stdout with a full table.
      return undefined;
    default:
      return assertNever(e);
  }
}
