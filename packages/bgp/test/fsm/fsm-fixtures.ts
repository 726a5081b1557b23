/**
 * Shared FSM test fixtures: a configuration, the peer's OPEN, one sample of every
 * event, ways to reach each state through real events, and a compact text form of
 * actions so transition tables read like the RFC.
 */
import { expect } from 'vitest';
import type { FsmAction } from '../../src/fsm/actions.js';
import type { FsmConfig } from '../../src/fsm/config.js';
import type { FsmEvent } from '../../src/fsm/events.js';
import { createFsmSession, step } from '../../src/fsm/session-fsm.js';
import type { FsmSession, SessionState } from '../../src/fsm/state.js';
import { assertNever } from '../../src/wire/assert-never.js';
import { WireError } from '../../src/wire/errors.js';
import type { OpenMessage } from '../../src/wire/open.js';
import { toHex } from '../support/bytes.js';

export const config: FsmConfig = {
  localAsn: 65001,
  bgpIdentifier: '192.0.2.1',
  remoteAsn: 65002,
  holdTimeSec: 90,
};

export const peerOpen: OpenMessage = {
  kind: 'open',
  version: 4,
  myAsn: 65002,
  holdTimeSec: 90,
  bgpIdentifier: '192.0.2.2',
  capabilities: [
    { kind: 'multiprotocol', afi: 1, safi: 1 },
    { kind: 'routeRefresh' },
    { kind: 'fourOctetAs', asn: 65002 },
  ],
};

export const headerError = new WireError(
  { errorCode: 'BGP_HEADER_BAD_MESSAGE_LENGTH', code: 1, subcode: 2, data: Uint8Array.of(0x00, 0x12) },
  'length 18',
);
export const openMessageError = new WireError(
  { errorCode: 'BGP_OPEN_MALFORMED', code: 2, subcode: 0 },
  'bad OPEN',
);
export const updateError = new WireError(
  { errorCode: 'BGP_UPDATE_MALFORMED_ATTRIBUTE_LIST', code: 3, subcode: 1 },
  'attribute list',
);

/** One instance of every event kind. */
export const sample: { readonly [K in FsmEvent['kind']]: Extract<FsmEvent, { kind: K }> } = {
  manualStart: { kind: 'manualStart' },
  manualStop: { kind: 'manualStop' },
  automaticStart: { kind: 'automaticStart' },
  manualStartWithPassiveTcpEstablishment: { kind: 'manualStartWithPassiveTcpEstablishment' },
  automaticStartWithPassiveTcpEstablishment: { kind: 'automaticStartWithPassiveTcpEstablishment' },
  automaticStartWithDampPeerOscillations: { kind: 'automaticStartWithDampPeerOscillations' },
  automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment: {
    kind: 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment',
  },
  automaticStop: { kind: 'automaticStop', ceaseSubcode: 8 },
  connectRetryTimerExpires: { kind: 'connectRetryTimerExpires' },
  holdTimerExpires: { kind: 'holdTimerExpires' },
  keepaliveTimerExpires: { kind: 'keepaliveTimerExpires' },
  delayOpenTimerExpires: { kind: 'delayOpenTimerExpires' },
  idleHoldTimerExpires: { kind: 'idleHoldTimerExpires' },
  tcpConnectionValid: { kind: 'tcpConnectionValid' },
  tcpCrInvalid: { kind: 'tcpCrInvalid' },
  tcpCrAcked: { kind: 'tcpCrAcked' },
  tcpConnectionConfirmed: { kind: 'tcpConnectionConfirmed' },
  tcpConnectionFails: { kind: 'tcpConnectionFails' },
  bgpOpen: { kind: 'bgpOpen', message: peerOpen },
  bgpHeaderErr: { kind: 'bgpHeaderErr', error: headerError },
  bgpOpenMsgErr: { kind: 'bgpOpenMsgErr', error: openMessageError },
  openCollisionDump: { kind: 'openCollisionDump' },
  notifMsgVerErr: {
    kind: 'notifMsgVerErr',
    message: { kind: 'notification', code: 2, subcode: 1, data: Uint8Array.of(0, 3) },
  },
  notifMsg: {
    kind: 'notifMsg',
    message: { kind: 'notification', code: 6, subcode: 2, data: new Uint8Array(0) },
  },
  keepAliveMsg: { kind: 'keepAliveMsg' },
  updateMsg: {
    kind: 'updateMsg',
    message: {
      kind: 'update',
      withdrawnRoutes: new Uint8Array(0),
      pathAttributes: new Uint8Array(0),
      nlri: new Uint8Array(0),
    },
  },
  updateMsgErr: { kind: 'updateMsgErr', error: updateError },
  routeRefreshMsg: {
    kind: 'routeRefreshMsg',
    message: { kind: 'routeRefresh', afi: 1, safi: 1, subtype: 0 },
  },
};

/** Steps through events, returning the last session and all actions. */
export function drive(
  session: FsmSession,
  events: readonly FsmEvent[],
): { session: FsmSession; actions: FsmAction[] } {
  const actions: FsmAction[] = [];
  for (const e of events) {
    const r = step(session, e);
    session = r.session;
    actions.push(...r.actions);
  }
  return { session, actions };
}

/** Named starting points, each reached through real events. */
export type Setup =
  | 'idle'
  | 'idleAfterError'
  | 'connect'
  | 'connectDelayOpen'
  | 'active'
  | 'activePassive'
  | 'activeDelayOpen'
  | 'openSent'
  | 'openConfirm'
  | 'established';

const setups: Record<Setup, { config?: Partial<FsmConfig>; events: FsmEvent[]; state: SessionState }> = {
  idle: { events: [], state: 'idle' },
  idleAfterError: { events: [sample.manualStart, sample.tcpCrAcked, sample.holdTimerExpires], state: 'idle' },
  connect: { events: [sample.manualStart], state: 'connect' },
  connectDelayOpen: {
    config: { delayOpenTimeMs: 2000 },
    events: [sample.manualStart, sample.tcpCrAcked],
    state: 'connect',
  },
  active: { events: [sample.manualStart, sample.tcpConnectionFails], state: 'active' },
  activePassive: { events: [sample.manualStartWithPassiveTcpEstablishment], state: 'active' },
  activeDelayOpen: {
    config: { delayOpenTimeMs: 2000 },
    events: [sample.manualStartWithPassiveTcpEstablishment, sample.tcpConnectionConfirmed],
    state: 'active',
  },
  openSent: { events: [sample.manualStart, sample.tcpCrAcked], state: 'openSent' },
  openConfirm: { events: [sample.manualStart, sample.tcpCrAcked, sample.bgpOpen], state: 'openConfirm' },
  established: {
    events: [sample.manualStart, sample.tcpCrAcked, sample.bgpOpen, sample.keepAliveMsg],
    state: 'established',
  },
};

/** A session in the given setup, built with `config` plus `extra`. */
export function at(setup: Setup, extra: Partial<FsmConfig> = {}): FsmSession {
  const s = setups[setup];
  const { session } = drive(createFsmSession({ ...config, ...s.config, ...extra }, { seed: 7 }), s.events);
  expect(session.state).toBe(s.state);
  return session;
}

/** Actions as short text: durations only for timers without jitter. */
export function summarize(actions: readonly FsmAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case 'sendOpen':
        return 'send OPEN';
      case 'sendKeepalive':
        return 'send KEEPALIVE';
      case 'sendNotification': {
        const m = a.message;
        return `send NOTIFICATION ${m.code}/${m.subcode}${m.data.length > 0 ? ` [${toHex(m.data)}]` : ''}`;
      }
      case 'startTimer':
        return a.timer === 'connectRetry' || a.timer === 'keepalive'
          ? `start ${a.timer}`
          : `start ${a.timer} ${a.durationMs}`;
      case 'stopTimer':
        return `stop ${a.timer}`;
      case 'connect':
        return 'connect';
      case 'close':
        return 'close';
      case 'established':
        return 'established';
      case 'down':
        return `down ${a.reason.kind}`;
      case 'deliverUpdate':
        return 'deliver UPDATE';
      case 'deliverRouteRefresh':
        return 'deliver ROUTE-REFRESH';
      case 'stateChange':
        return `→ ${a.to}`;
      default:
        return assertNever(a);
    }
  });
}
