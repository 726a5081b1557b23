import { describe, expect, it } from 'vitest';
import type { FsmEvent } from '../../src/fsm/events.js';
import { fsmEventKinds } from '../../src/fsm/events.js';
import { OPEN_SENT_HOLD_TIME_SEC, step } from '../../src/fsm/session-fsm.js';
import type { SessionState } from '../../src/fsm/state.js';
import { WireError } from '../../src/wire/errors.js';
import { hex, toHex } from '../support/bytes.js';
import { at, config, drive, peerOpen, type Setup, sample, summarize } from './fsm-fixtures.js';

/**
 * The transition table of RFC 4271 §8.2.2, one row per (state, event): the state we
 * start from (reached through real events), the event, the state we end in and the
 * exact actions. Failures to Idle end with the IdleHold timer of the automatic restart.
 */
/** `to` is 'unchanged' for an ignored event, which must also hand back the same session. */
type Row = readonly [
  event: FsmEvent['kind'],
  to: SessionState | 'unchanged',
  actions: readonly string[],
  cite?: string,
];

const restart = 'start idleHold 5000';
const ignored = (event: FsmEvent['kind'], cite?: string): Row => [event, 'unchanged', [], cite];
const startEvents: FsmEvent['kind'][] = [
  'manualStart',
  'automaticStart',
  'manualStartWithPassiveTcpEstablishment',
  'automaticStartWithPassiveTcpEstablishment',
  'automaticStartWithDampPeerOscillations',
  'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment',
];

const tables: Record<
  'idle' | 'connect' | 'active' | 'openSent' | 'openConfirm' | 'established',
  readonly Row[]
> = {
  idle: [
    [
      'manualStart',
      'connect',
      ['start connectRetry', 'connect', '→ connect'],
      'RFC 4271 §8.2.2 Idle, event 1',
    ],
    ignored('manualStop', 'RFC 4271 §8.2.2 Idle: stop events are ignored'),
    [
      'automaticStart',
      'connect',
      ['start connectRetry', 'connect', '→ connect'],
      'RFC 4271 §8.2.2 Idle, event 3',
    ],
    ['manualStartWithPassiveTcpEstablishment', 'active', ['→ active'], 'RFC 4271 §8.2.2 Idle, event 4'],
    ['automaticStartWithPassiveTcpEstablishment', 'active', ['→ active'], 'RFC 4271 §8.2.2 Idle, event 5'],
    [
      'automaticStartWithDampPeerOscillations',
      'connect',
      ['start connectRetry', 'connect', '→ connect'],
      'RFC 4271 §8.2.2 Idle, event 6',
    ],
    ['automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment', 'active', ['→ active'], 'event 7'],
    ignored('automaticStop', 'RFC 4271 §8.2.2 Idle'),
    ignored('connectRetryTimerExpires', 'stale timer'),
    ignored('holdTimerExpires', 'stale timer'),
    ignored('keepaliveTimerExpires', 'stale timer'),
    ignored('delayOpenTimerExpires', 'stale timer'),
    ignored('idleHoldTimerExpires', 'stale timer'),
    ignored('tcpConnectionValid', 'RFC 4271 §8.2.2 Idle: any other event'),
    ignored('tcpCrInvalid'),
    ignored('tcpCrAcked'),
    ignored('tcpConnectionConfirmed'),
    ignored('tcpConnectionFails'),
    ignored('bgpOpen'),
    ignored('bgpHeaderErr'),
    ignored('bgpOpenMsgErr'),
    ignored('openCollisionDump'),
    ignored('notifMsgVerErr'),
    ignored('notifMsg'),
    ignored('keepAliveMsg'),
    ignored('updateMsg'),
    ignored('updateMsgErr'),
    ignored('routeRefreshMsg'),
  ],
  connect: [
    ...startEvents.map((e) => ignored(e, 'RFC 4271 §8.2.2 Connect: start events are ignored')),
    ['manualStop', 'idle', ['close', 'stop connectRetry', '→ idle'], 'RFC 4271 §8.2.2 Connect, event 2'],
    [
      'automaticStop',
      'idle',
      ['close', 'stop connectRetry', restart, '→ idle'],
      'RFC 4271 §8.2.2 Connect, event 8',
    ],
    [
      'connectRetryTimerExpires',
      'connect',
      ['close', 'start connectRetry', 'connect'],
      'RFC 4271 §8.2.2 Connect, event 9',
    ],
    ignored('holdTimerExpires', 'stale timer'),
    ignored('keepaliveTimerExpires', 'stale timer'),
    ignored('delayOpenTimerExpires', 'stale timer'),
    ignored('idleHoldTimerExpires', 'stale timer'),
    ignored('tcpConnectionValid', 'RFC 4271 §8.2.2 Connect, event 14'),
    ignored('tcpCrInvalid', 'RFC 4271 §8.2.2 Connect, event 15'),
    [
      'tcpCrAcked',
      'openSent',
      ['stop connectRetry', 'send OPEN', 'start hold 240000', '→ openSent'],
      'RFC 4271 §8.2.2 Connect, event 16',
    ],
    [
      'tcpConnectionConfirmed',
      'openSent',
      ['stop connectRetry', 'send OPEN', 'start hold 240000', '→ openSent'],
      'RFC 4271 §8.2.2 Connect, event 17',
    ],
    ['tcpConnectionFails', 'active', ['→ active'], 'retry paced by the running ConnectRetry timer'],
    [
      'bgpOpen',
      'idle',
      ['close', 'stop connectRetry', restart, '→ idle'],
      'RFC 4271 §8.2.2 Connect: any other event',
    ],
    [
      'bgpHeaderErr',
      'idle',
      ['close', 'stop connectRetry', restart, '→ idle'],
      'RFC 4271 §8.2.2 Connect, event 21',
    ],
    [
      'bgpOpenMsgErr',
      'idle',
      ['close', 'stop connectRetry', restart, '→ idle'],
      'RFC 4271 §8.2.2 Connect, event 22',
    ],
    ['openCollisionDump', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    [
      'notifMsgVerErr',
      'idle',
      ['close', 'stop connectRetry', restart, '→ idle'],
      'RFC 4271 §8.2.2 Connect, event 24',
    ],
    ['notifMsg', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    ['keepAliveMsg', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    ['updateMsg', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    ['updateMsgErr', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    ['routeRefreshMsg', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
  ],
  active: [
    ...startEvents.map((e) => ignored(e, 'RFC 4271 §8.2.2 Active: start events are ignored')),
    ['manualStop', 'idle', ['close', 'stop connectRetry', '→ idle'], 'RFC 4271 §8.2.2 Active, event 2'],
    [
      'automaticStop',
      'idle',
      ['close', 'stop connectRetry', restart, '→ idle'],
      'RFC 4271 §8.2.2 Active, event 8',
    ],
    [
      'connectRetryTimerExpires',
      'connect',
      ['start connectRetry', 'connect', '→ connect'],
      'RFC 4271 §8.2.2 Active, event 9',
    ],
    ignored('holdTimerExpires', 'stale timer'),
    ignored('keepaliveTimerExpires', 'stale timer'),
    ignored('delayOpenTimerExpires', 'stale timer'),
    ignored('idleHoldTimerExpires', 'stale timer'),
    ignored('tcpConnectionValid', 'RFC 4271 §8.2.2 Active, event 14'),
    ignored('tcpCrInvalid', 'RFC 4271 §8.2.2 Active, event 15'),
    [
      'tcpCrAcked',
      'openSent',
      ['stop connectRetry', 'send OPEN', 'start hold 240000', '→ openSent'],
      'RFC 4271 §8.2.2 Active, event 16',
    ],
    [
      'tcpConnectionConfirmed',
      'openSent',
      ['stop connectRetry', 'send OPEN', 'start hold 240000', '→ openSent'],
      'RFC 4271 §8.2.2 Active, event 17',
    ],
    [
      'tcpConnectionFails',
      'idle',
      ['close', 'stop connectRetry', restart, '→ idle'],
      'RFC 4271 §8.2.2 Active, event 18',
    ],
    ['bgpOpen', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    [
      'bgpHeaderErr',
      'idle',
      ['close', 'stop connectRetry', restart, '→ idle'],
      'RFC 4271 §8.2.2 Active, event 21',
    ],
    [
      'bgpOpenMsgErr',
      'idle',
      ['close', 'stop connectRetry', restart, '→ idle'],
      'RFC 4271 §8.2.2 Active, event 22',
    ],
    ['openCollisionDump', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    [
      'notifMsgVerErr',
      'idle',
      ['close', 'stop connectRetry', restart, '→ idle'],
      'RFC 4271 §8.2.2 Active, event 24',
    ],
    ['notifMsg', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    ['keepAliveMsg', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    ['updateMsg', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    ['updateMsgErr', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
    ['routeRefreshMsg', 'idle', ['close', 'stop connectRetry', restart, '→ idle'], 'any other event'],
  ],
  openSent: [
    ...startEvents.map((e) => ignored(e, 'RFC 4271 §8.2.2 OpenSent: start events are ignored')),
    [
      'manualStop',
      'idle',
      ['send NOTIFICATION 6/2', 'close', 'stop hold', '→ idle'],
      'RFC 4271 §8.2.2 OpenSent, event 2; RFC 4486',
    ],
    [
      'automaticStop',
      'idle',
      ['send NOTIFICATION 6/8', 'close', 'stop hold', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenSent, event 8',
    ],
    ignored('connectRetryTimerExpires', 'stale timer'),
    [
      'holdTimerExpires',
      'idle',
      ['send NOTIFICATION 4/0', 'close', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenSent, event 10',
    ],
    ignored('keepaliveTimerExpires', 'stale timer'),
    ignored('delayOpenTimerExpires', 'stale timer'),
    ignored('idleHoldTimerExpires', 'stale timer'),
    ignored('tcpConnectionValid', 'RFC 4271 §8.2.2 OpenSent: second connection, RFC 4271 §6.8'),
    ignored('tcpCrInvalid', 'RFC 4271 §8.2.2 OpenSent, event 15'),
    ignored('tcpCrAcked', 'RFC 4271 §8.2.2 OpenSent: second connection, RFC 4271 §6.8'),
    ignored('tcpConnectionConfirmed', 'RFC 4271 §8.2.2 OpenSent: second connection, RFC 4271 §6.8'),
    [
      'tcpConnectionFails',
      'active',
      ['close', 'stop hold', 'start connectRetry', '→ active'],
      'RFC 4271 §8.2.2 OpenSent, event 18',
    ],
    [
      'bgpOpen',
      'openConfirm',
      ['send KEEPALIVE', 'start keepalive', 'start hold 90000', '→ openConfirm'],
      'RFC 4271 §8.2.2 OpenSent, event 19',
    ],
    [
      'bgpHeaderErr',
      'idle',
      ['send NOTIFICATION 1/2 [0012]', 'close', 'stop hold', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenSent, event 21; RFC 4271 §6.1',
    ],
    [
      'bgpOpenMsgErr',
      'idle',
      ['send NOTIFICATION 2/0', 'close', 'stop hold', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenSent, event 22',
    ],
    [
      'openCollisionDump',
      'idle',
      ['send NOTIFICATION 6/7', 'close', 'stop hold', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenSent, event 23; RFC 4486',
    ],
    [
      'notifMsgVerErr',
      'idle',
      ['close', 'stop hold', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenSent, event 24',
    ],
    ['notifMsg', 'idle', ['close', 'stop hold', restart, '→ idle'], 'no NOTIFICATION answers a NOTIFICATION'],
    [
      'keepAliveMsg',
      'idle',
      ['send NOTIFICATION 5/1 [04]', 'close', 'stop hold', restart, '→ idle'],
      'RFC 6608 §4, data = message type',
    ],
    [
      'updateMsg',
      'idle',
      ['send NOTIFICATION 5/1 [02]', 'close', 'stop hold', restart, '→ idle'],
      'RFC 6608 §4, data = message type',
    ],
    [
      'updateMsgErr',
      'idle',
      ['send NOTIFICATION 5/1 [02]', 'close', 'stop hold', restart, '→ idle'],
      'RFC 6608 §4, data = message type',
    ],
    [
      'routeRefreshMsg',
      'idle',
      ['send NOTIFICATION 5/1 [05]', 'close', 'stop hold', restart, '→ idle'],
      'RFC 6608 §4, data = message type',
    ],
  ],
  openConfirm: [
    ...startEvents.map((e) => ignored(e, 'RFC 4271 §8.2.2 OpenConfirm: start events are ignored')),
    [
      'manualStop',
      'idle',
      ['send NOTIFICATION 6/2', 'close', 'stop hold', 'stop keepalive', '→ idle'],
      'RFC 4271 §8.2.2 OpenConfirm, event 2',
    ],
    [
      'automaticStop',
      'idle',
      ['send NOTIFICATION 6/8', 'close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenConfirm, event 8',
    ],
    ignored('connectRetryTimerExpires', 'stale timer'),
    [
      'holdTimerExpires',
      'idle',
      ['send NOTIFICATION 4/0', 'close', 'stop keepalive', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenConfirm, event 10',
    ],
    [
      'keepaliveTimerExpires',
      'openConfirm',
      ['send KEEPALIVE', 'start keepalive'],
      'RFC 4271 §8.2.2 OpenConfirm, event 11',
    ],
    ignored('delayOpenTimerExpires', 'stale timer'),
    ignored('idleHoldTimerExpires', 'stale timer'),
    ignored('tcpConnectionValid', 'RFC 4271 §8.2.2 OpenConfirm: second connection, RFC 4271 §6.8'),
    ignored('tcpCrInvalid', 'RFC 4271 §8.2.2 OpenConfirm, event 15'),
    ignored('tcpCrAcked', 'RFC 4271 §8.2.2 OpenConfirm: second connection'),
    ignored('tcpConnectionConfirmed', 'RFC 4271 §8.2.2 OpenConfirm: second connection'),
    [
      'tcpConnectionFails',
      'idle',
      ['close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenConfirm, event 18',
    ],
    [
      'bgpOpen',
      'idle',
      ['send NOTIFICATION 5/2 [01]', 'close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'second OPEN on one connection, RFC 6608 §4',
    ],
    [
      'bgpHeaderErr',
      'idle',
      ['send NOTIFICATION 1/2 [0012]', 'close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenConfirm, event 21',
    ],
    [
      'bgpOpenMsgErr',
      'idle',
      ['send NOTIFICATION 2/0', 'close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenConfirm, event 22',
    ],
    [
      'openCollisionDump',
      'idle',
      ['send NOTIFICATION 6/7', 'close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenConfirm, event 23',
    ],
    [
      'notifMsgVerErr',
      'idle',
      ['close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenConfirm, event 24',
    ],
    [
      'notifMsg',
      'idle',
      ['close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'RFC 4271 §8.2.2 OpenConfirm, event 25',
    ],
    [
      'keepAliveMsg',
      'established',
      ['start hold 90000', '→ established', 'established'],
      'RFC 4271 §8.2.2 OpenConfirm, event 26',
    ],
    [
      'updateMsg',
      'idle',
      ['send NOTIFICATION 5/2 [02]', 'close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'RFC 6608 §4',
    ],
    [
      'updateMsgErr',
      'idle',
      ['send NOTIFICATION 5/2 [02]', 'close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'RFC 6608 §4',
    ],
    [
      'routeRefreshMsg',
      'idle',
      ['send NOTIFICATION 5/2 [05]', 'close', 'stop hold', 'stop keepalive', restart, '→ idle'],
      'RFC 6608 §4',
    ],
  ],
  established: [
    ...startEvents.map((e) => ignored(e, 'RFC 4271 §8.2.2 Established: start events are ignored')),
    [
      'manualStop',
      'idle',
      ['send NOTIFICATION 6/2', 'close', 'stop hold', 'stop keepalive', 'down notificationSent', '→ idle'],
      'RFC 4271 §8.2.2 Established, event 2',
    ],
    [
      'automaticStop',
      'idle',
      [
        'send NOTIFICATION 6/8',
        'close',
        'stop hold',
        'stop keepalive',
        'down notificationSent',
        restart,
        '→ idle',
      ],
      'RFC 4271 §8.2.2 Established, event 8',
    ],
    ignored('connectRetryTimerExpires', 'stale timer'),
    [
      'holdTimerExpires',
      'idle',
      ['send NOTIFICATION 4/0', 'close', 'stop keepalive', 'down notificationSent', restart, '→ idle'],
      'RFC 4271 §8.2.2 Established, event 10',
    ],
    [
      'keepaliveTimerExpires',
      'established',
      ['send KEEPALIVE', 'start keepalive'],
      'RFC 4271 §8.2.2 Established, event 11',
    ],
    ignored('delayOpenTimerExpires', 'stale timer'),
    ignored('idleHoldTimerExpires', 'stale timer'),
    ignored('tcpConnectionValid', 'RFC 4271 §8.2.2 Established, event 14'),
    ignored('tcpCrInvalid', 'RFC 4271 §8.2.2 Established, event 15'),
    ignored('tcpCrAcked', 'RFC 4271 §8.2.2 Established: second connection'),
    ignored('tcpConnectionConfirmed', 'RFC 4271 §8.2.2 Established: second connection'),
    [
      'tcpConnectionFails',
      'idle',
      ['close', 'stop hold', 'stop keepalive', 'down connectionLost', restart, '→ idle'],
      'RFC 4271 §8.2.2 Established, event 18',
    ],
    [
      'bgpOpen',
      'idle',
      [
        'send NOTIFICATION 5/3 [01]',
        'close',
        'stop hold',
        'stop keepalive',
        'down notificationSent',
        restart,
        '→ idle',
      ],
      'RFC 6608 §4',
    ],
    [
      'bgpHeaderErr',
      'idle',
      [
        'send NOTIFICATION 1/2 [0012]',
        'close',
        'stop hold',
        'stop keepalive',
        'down notificationSent',
        restart,
        '→ idle',
      ],
      'RFC 4271 §6.1',
    ],
    [
      'bgpOpenMsgErr',
      'idle',
      [
        'send NOTIFICATION 5/3 [01]',
        'close',
        'stop hold',
        'stop keepalive',
        'down notificationSent',
        restart,
        '→ idle',
      ],
      'RFC 4271 §8.2.2 Established, event 22; RFC 6608 §4',
    ],
    [
      'openCollisionDump',
      'idle',
      [
        'send NOTIFICATION 6/7',
        'close',
        'stop hold',
        'stop keepalive',
        'down notificationSent',
        restart,
        '→ idle',
      ],
      'RFC 4271 §8.2.2 Established, event 23',
    ],
    [
      'notifMsgVerErr',
      'idle',
      ['close', 'stop hold', 'stop keepalive', 'down notificationReceived', restart, '→ idle'],
      'RFC 4271 §8.2.2 Established, event 24',
    ],
    [
      'notifMsg',
      'idle',
      ['close', 'stop hold', 'stop keepalive', 'down notificationReceived', restart, '→ idle'],
      'RFC 4271 §8.2.2 Established, event 25',
    ],
    ['keepAliveMsg', 'established', ['start hold 90000'], 'RFC 4271 §8.2.2 Established, event 26'],
    [
      'updateMsg',
      'established',
      ['start hold 90000', 'deliver UPDATE'],
      'RFC 4271 §8.2.2 Established, event 27',
    ],
    [
      'updateMsgErr',
      'idle',
      [
        'send NOTIFICATION 3/1',
        'close',
        'stop hold',
        'stop keepalive',
        'down notificationSent',
        restart,
        '→ idle',
      ],
      'RFC 4271 §8.2.2 Established, event 28',
    ],
    ['routeRefreshMsg', 'established', ['start hold 90000', 'deliver ROUTE-REFRESH'], 'RFC 2918 §4'],
  ],
};

function title(state: SessionState, row: Row): string {
  const [event, to, actions, cite] = row;
  const note = actions.find((a) => a.startsWith('send NOTIFICATION'));
  const outcome =
    to === 'unchanged'
      ? 'ignored'
      : `${to}${note === undefined ? '' : `, NOTIFICATION ${note.split(' ')[2]}`}`;
  return `${state} + ${event} → ${outcome}${cite === undefined ? '' : ` (${cite})`}`;
}

const setupOf: Record<keyof typeof tables, Setup> = {
  idle: 'idle',
  connect: 'connect',
  active: 'active',
  openSent: 'openSent',
  openConfirm: 'openConfirm',
  established: 'established',
};

describe('transition table (RFC 4271 §8.2.2)', () => {
  for (const [state, rows] of Object.entries(tables) as [keyof typeof tables, readonly Row[]][]) {
    describe(state, () => {
      it(`lists every event exactly once for ${state}`, () => {
        expect(rows.map((r) => r[0]).sort()).toEqual([...fsmEventKinds].sort());
      });
      for (const row of rows) {
        it(title(state, row), () => {
          const from = at(setupOf[state]);
          const { session, actions } = step(from, sample[row[0]]);
          expect(summarize(actions)).toEqual(row[2]);
          expect(session.state).toBe(row[1] === 'unchanged' ? from.state : row[1]);
          if (row[1] === 'unchanged') expect(session).toBe(from);
        });
      }
    });
  }
});

describe('ConnectRetryCounter (RFC 4271 §8)', () => {
  it('counts failures and is reset by a manual stop (RFC 4271 §8.2.2 events 2, 10)', () => {
    let s = at('openSent');
    s = step(s, sample.holdTimerExpires).session;
    expect(s.connectRetryCounter).toBe(1);
    s = drive(s, [sample.idleHoldTimerExpires, sample.tcpCrAcked, sample.notifMsg]).session;
    expect(s.connectRetryCounter).toBe(2);
    s = step(s, sample.manualStop).session;
    expect(s.connectRetryCounter).toBe(0);
  });

  it('is not counted for a version NOTIFICATION (RFC 4271 §8.2.2 event 24)', () => {
    for (const setup of ['openSent', 'openConfirm', 'connectDelayOpen'] as const) {
      expect(step(at(setup), sample.notifMsgVerErr).session.connectRetryCounter).toBe(0);
    }
  });

  it('is set to zero by a start from Idle (RFC 4271 §8.2.2 Idle, events 1 and 3)', () => {
    const s = step(at('idleAfterError'), sample.manualStart).session;
    expect(s.connectRetryCounter).toBe(0);
  });

  it('survives the automatic restart, which is event 13, not a new start', () => {
    const s = step(at('idleAfterError'), sample.idleHoldTimerExpires).session;
    expect(s.connectRetryCounter).toBe(1);
  });
});

describe('our OPEN (RFC 4271 §4.2)', () => {
  function sentOpen(extra: Parameters<typeof at>[1] = {}) {
    const { actions } = step(at('connect', extra), sample.tcpCrAcked);
    const a = actions.find((x) => x.kind === 'sendOpen');
    if (a?.kind !== 'sendOpen') throw new Error('no OPEN');
    return a.message;
  }

  it('puts a 2-octet ASN in My AS, with the 4-octet AS capability too (RFC 6793 §4.1)', () => {
    const open = sentOpen();
    expect(open.myAsn).toBe(65001);
    expect(open.holdTimeSec).toBe(90);
    expect(open.bgpIdentifier).toBe('192.0.2.1');
    expect(open.version).toBe(4);
    expect(open.capabilities).toEqual([
      { kind: 'multiprotocol', afi: 1, safi: 1 },
      { kind: 'routeRefresh' },
      { kind: 'enhancedRouteRefresh' },
      { kind: 'fourOctetAs', asn: 65001 },
    ]);
  });

  it('puts AS_TRANS in My AS only when the ASN needs 4 octets (RFC 6793 §4.1)', () => {
    const open = sentOpen({ localAsn: 4200000001 });
    expect(open.myAsn).toBe(23456);
    expect(open.capabilities).toContainEqual({ kind: 'fourOctetAs', asn: 4200000001 });
    expect(sentOpen({ localAsn: 65535 }).myAsn).toBe(65535);
  });

  it('advertises each configured family and option (RFC 4760, RFC 7911, RFC 8654, RFC 8950, RFC 9234, RFC 4724, RFC 9494)', () => {
    const gracefulRestart = {
      restartState: false,
      notification: true,
      restartTimeSec: 120,
      families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
    };
    const longLivedGracefulRestart = {
      families: [{ afi: 1, safi: 1, forwardingPreserved: false, staleTimeSec: 3600 }],
    };
    const open = sentOpen({
      families: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
      routeRefresh: false,
      enhancedRouteRefresh: false,
      addPath: [{ afi: 2, safi: 1, send: true, receive: false }],
      extendedMessage: true,
      extendedNextHop: [{ afi: 1, safi: 1, nextHopAfi: 2 }],
      role: { role: 3 },
      gracefulRestart,
      longLivedGracefulRestart,
    });
    expect(open.capabilities).toEqual([
      { kind: 'multiprotocol', afi: 1, safi: 1 },
      { kind: 'multiprotocol', afi: 2, safi: 1 },
      { kind: 'fourOctetAs', asn: 65001 },
      { kind: 'addPath', families: [{ afi: 2, safi: 1, send: true, receive: false }] },
      { kind: 'extendedMessage' },
      { kind: 'extendedNextHop', entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
      { kind: 'role', role: 3 },
      { kind: 'gracefulRestart', ...gracefulRestart },
      { kind: 'longLivedGracefulRestart', ...longLivedGracefulRestart },
    ]);
  });
});

describe('hold time and keepalives (RFC 4271 §4.2, §4.4, §10)', () => {
  it(`uses a ${OPEN_SENT_HOLD_TIME_SEC} s Hold timer while waiting for the OPEN (RFC 4271 §8.2.2)`, () => {
    const { actions } = step(at('connect'), sample.tcpCrAcked);
    expect(actions).toContainEqual({ kind: 'startTimer', timer: 'hold', durationMs: 240_000 });
  });

  it('negotiates min(ours, peer) and keepalives at a jittered third of it', () => {
    const { session, actions } = step(at('openSent'), {
      kind: 'bgpOpen',
      message: { ...peerOpen, holdTimeSec: 30 },
    });
    expect(session.negotiated?.holdTimeSec).toBe(30);
    expect(session.negotiated?.keepaliveTimeSec).toBe(10);
    expect(actions).toContainEqual({ kind: 'startTimer', timer: 'hold', durationMs: 30_000 });
    const ka = actions.find((a) => a.kind === 'startTimer' && a.timer === 'keepalive');
    expect(ka?.kind === 'startTimer' && ka.durationMs >= 7_500 && ka.durationMs <= 10_000).toBe(true);
  });

  it('runs neither Hold nor Keepalive timer when the peer offers 0 (RFC 4271 §4.4)', () => {
    const { session, actions } = step(at('openSent'), {
      kind: 'bgpOpen',
      message: { ...peerOpen, holdTimeSec: 0 },
    });
    expect(summarize(actions)).toEqual(['send KEEPALIVE', 'stop hold', '→ openConfirm']);
    expect(session.timers.hold || session.timers.keepalive).toBe(false);
    const est = step(session, sample.keepAliveMsg);
    expect(summarize(est.actions)).toEqual(['→ established', 'established']);
    expect(summarize(step(est.session, sample.keepAliveMsg).actions)).toEqual([]);
    expect(summarize(step(est.session, sample.updateMsg).actions)).toEqual(['deliver UPDATE']);
  });

  it('runs no timers at all with our hold time 0, even if the peer offers 90', () => {
    const s = step(at('openSent', { holdTimeSec: 0 }), sample.bgpOpen).session;
    expect(s.negotiated?.holdTimeSec).toBe(0);
    expect(Object.values(s.timers).some(Boolean)).toBe(false);
  });

  it('refuses a peer hold time of 1 or 2 s with 2/6 (RFC 4271 §6.2)', () => {
    for (const holdTimeSec of [1, 2]) {
      const { actions } = step(at('openSent'), { kind: 'bgpOpen', message: { ...peerOpen, holdTimeSec } });
      expect(summarize(actions)[0]).toBe('send NOTIFICATION 2/6');
    }
  });

  it('restarts the Hold timer on every KEEPALIVE and UPDATE in Established and enforces it (RFC 4271 §6.5)', () => {
    let s = at('established');
    for (const e of [sample.keepAliveMsg, sample.updateMsg, sample.keepAliveMsg]) {
      const r = step(s, e);
      expect(r.actions[0]).toEqual({ kind: 'startTimer', timer: 'hold', durationMs: 90_000 });
      s = r.session;
    }
    expect(summarize(step(s, sample.holdTimerExpires).actions)[0]).toBe('send NOTIFICATION 4/0');
  });

  it('re-arms the Keepalive timer with fresh jitter within [0.75, 1] of 30 s (RFC 4271 §10)', () => {
    let s = at('established');
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const r = step(s, sample.keepaliveTimerExpires);
      const start = r.actions[1];
      if (start?.kind !== 'startTimer') throw new Error('no keepalive restart');
      expect(start.durationMs).toBeGreaterThanOrEqual(22_500);
      expect(start.durationMs).toBeLessThanOrEqual(30_000);
      seen.add(start.durationMs);
      s = r.session;
    }
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('ConnectRetry backoff (RFC 4271 §8, §10)', () => {
  function retryDurations(events: readonly FsmEvent[]): number[] {
    const { actions } = drive(at('connect', { connectRetryTimeMs: 1000, connectRetryMaxMs: 8000 }), events);
    return actions.flatMap((a) =>
      a.kind === 'startTimer' && a.timer === 'connectRetry' ? [a.durationMs] : [],
    );
  }

  it('doubles the ConnectRetry time per attempt up to the cap, with 75–100 % jitter', () => {
    const events: FsmEvent[] = [];
    for (let i = 0; i < 6; i++) events.push(sample.tcpConnectionFails, sample.connectRetryTimerExpires);
    const ds = retryDurations(events);
    expect(ds).toHaveLength(6);
    const nominal = [2000, 4000, 8000, 8000, 8000, 8000];
    ds.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(nominal[i]! * 0.75);
      expect(d).toBeLessThanOrEqual(nominal[i]!);
    });
  });

  it('keeps growing when connects time out in Connect (RFC 4271 §8.2.2 Connect, event 9)', () => {
    const ds = retryDurations([sample.connectRetryTimerExpires, sample.connectRetryTimerExpires]);
    expect(ds[0]).toBeGreaterThanOrEqual(1500);
    expect(ds[1]).toBeGreaterThanOrEqual(3000);
  });

  it('resets once Established', () => {
    let s = at('established', { connectRetryTimeMs: 1000 });
    expect(s.connectAttempt).toBe(0);
    s = drive(s, [sample.tcpConnectionFails, sample.idleHoldTimerExpires]).session;
    expect(s.connectAttempt).toBe(1);
  });

  it('is deterministic for a given seed', () => {
    const a = drive(at('connect'), [sample.connectRetryTimerExpires, sample.connectRetryTimerExpires]);
    const b = drive(at('connect'), [sample.connectRetryTimerExpires, sample.connectRetryTimerExpires]);
    expect(a.actions).toEqual(b.actions);
  });
});

describe('automatic restart and IdleHold (RFC 4271 §8.1.1 AllowAutomaticStart, DampPeerOscillations)', () => {
  it('restarts after IdleHold with the attributes of the last start (event 13)', () => {
    const { session, actions } = step(at('idleAfterError'), sample.idleHoldTimerExpires);
    expect(summarize(actions)).toEqual(['start connectRetry', 'connect', '→ connect']);
    expect(session.start).toEqual({
      automatic: true,
      passiveTcpEstablishment: false,
      dampPeerOscillations: false,
    });
    const passive = drive(at('activePassive'), [
      sample.tcpConnectionConfirmed,
      sample.holdTimerExpires,
    ]).session;
    expect(summarize(step(passive, sample.idleHoldTimerExpires).actions)).toEqual(['→ active']);
  });

  it('does not restart after a manual stop, and a manual stop in Idle cancels a pending restart', () => {
    expect(step(at('established'), sample.manualStop).session.timers.idleHold).toBe(false);
    const { session, actions } = step(at('idleAfterError'), sample.manualStop);
    expect(summarize(actions)).toEqual(['stop idleHold']);
    expect(session.start).toBeUndefined();
  });

  it('does not restart without AllowAutomaticStart', () => {
    const { actions } = step(at('openSent', { allowAutomaticStart: false }), sample.holdTimerExpires);
    expect(summarize(actions)).toEqual(['send NOTIFICATION 4/0', 'close', '→ idle']);
  });

  it('keeps IdleHold constant without damping', () => {
    let s = at('idleAfterError');
    for (let i = 0; i < 3; i++) {
      const r = drive(s, [sample.idleHoldTimerExpires, sample.tcpCrAcked, sample.holdTimerExpires]);
      expect(summarize(r.actions)).toContain('start idleHold 5000');
      s = r.session;
    }
  });

  it('doubles IdleHold per failure with DampPeerOscillations, up to the cap, and resets after a stable Established period', () => {
    const extra = {
      dampPeerOscillations: true,
      idleHoldTimeMs: 1000,
      idleHoldMaxMs: 4000,
      stableTimeMs: 60_000,
    };
    let s = drive(at('idle', extra), [
      sample.automaticStart,
      sample.tcpCrAcked,
      sample.holdTimerExpires,
    ]).session;
    const idleHolds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = drive(s, [sample.idleHoldTimerExpires, sample.tcpCrAcked, sample.holdTimerExpires]);
      idleHolds.push(...summarize(r.actions).filter((a) => a.startsWith('start idleHold')));
      s = r.session;
    }
    expect(idleHolds).toEqual([
      'start idleHold 2000',
      'start idleHold 4000',
      'start idleHold 4000',
      'start idleHold 4000',
    ]);
    // Established for one keepalive (30 s) is not stable yet; two (60 s) is.
    s = drive(s, [
      sample.idleHoldTimerExpires,
      sample.tcpCrAcked,
      sample.bgpOpen,
      sample.keepAliveMsg,
    ]).session;
    s = step(s, sample.keepaliveTimerExpires).session;
    expect(s.idleHoldLevel).toBeGreaterThan(0);
    s = step(s, sample.keepaliveTimerExpires).session;
    expect(s.idleHoldLevel).toBe(0);
    expect(summarize(step(s, sample.holdTimerExpires).actions)).toContain('start idleHold 1000');
  });

  it('waits out IdleHold for events 6 and 7 but not for events 1, 3 (RFC 4271 §8.2.2 Idle)', () => {
    const s = at('idleAfterError');
    expect(step(s, sample.automaticStartWithDampPeerOscillations).actions).toEqual([]);
    expect(step(s, sample.automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment).actions).toEqual(
      [],
    );
    expect(summarize(step(s, sample.automaticStart).actions)).toEqual([
      'stop idleHold',
      'start connectRetry',
      'connect',
      '→ connect',
    ]);
    expect(summarize(step(s, sample.manualStartWithPassiveTcpEstablishment).actions)).toEqual([
      'stop idleHold',
      '→ active',
    ]);
  });

  it('takes passive and damping from the configuration for plain start events', () => {
    const s = step(
      at('idle', { passiveTcpEstablishment: true, dampPeerOscillations: true }),
      sample.manualStart,
    ).session;
    expect(s.state).toBe('active');
    expect(s.start).toEqual({ automatic: false, passiveTcpEstablishment: true, dampPeerOscillations: true });
  });
});

describe('PassiveTcpEstablishment (RFC 4271 §8.1.1)', () => {
  it('waits in Active without a ConnectRetry timer or a connect', () => {
    const s = at('activePassive');
    expect(Object.values(s.timers).some(Boolean)).toBe(false);
    expect(step(s, sample.connectRetryTimerExpires).actions).toEqual([]);
  });

  it('sends OPEN when the peer connects (RFC 4271 §8.2.2 Active, event 17)', () => {
    expect(summarize(step(at('activePassive'), sample.tcpConnectionConfirmed).actions)).toEqual([
      'send OPEN',
      'start hold 240000',
      '→ openSent',
    ]);
  });

  it('goes back to Active, not Connect, when the connection fails in OpenSent (RFC 4271 §8.2.2 OpenSent, event 18)', () => {
    const s = step(at('activePassive'), sample.tcpConnectionConfirmed).session;
    expect(summarize(step(s, sample.tcpConnectionFails).actions)).toEqual(['close', 'stop hold', '→ active']);
  });
});

describe('DelayOpen (RFC 4271 §8.1.1, §8.2.2)', () => {
  it('starts the DelayOpen timer instead of sending OPEN when the connection comes up (event 16)', () => {
    const s = at('connect', { delayOpenTimeMs: 2000 });
    expect(summarize(step(s, sample.tcpCrAcked).actions)).toEqual([
      'stop connectRetry',
      'start delayOpen 2000',
    ]);
    expect(
      summarize(step(at('activePassive', { delayOpenTimeMs: 2000 }), sample.tcpConnectionConfirmed).actions),
    ).toEqual(['start delayOpen 2000']);
  });

  for (const setup of ['connectDelayOpen', 'activeDelayOpen'] as const) {
    const state = setup === 'connectDelayOpen' ? 'connect' : 'active';
    it(`${state} + delayOpenTimerExpires → openSent, sends OPEN (RFC 4271 §8.2.2 event 12)`, () => {
      expect(summarize(step(at(setup), sample.delayOpenTimerExpires).actions)).toEqual([
        'send OPEN',
        'start hold 240000',
        '→ openSent',
      ]);
    });

    it(`${state} + bgpOpen while DelayOpen runs → openConfirm, sends OPEN and KEEPALIVE (RFC 4271 §8.2.2 event 20)`, () => {
      const { session, actions } = step(at(setup), sample.bgpOpen);
      expect(summarize(actions)).toEqual([
        'stop delayOpen',
        'send OPEN',
        'send KEEPALIVE',
        'start keepalive',
        'start hold 90000',
        '→ openConfirm',
      ]);
      expect(session.negotiated?.peerAsn).toBe(65002);
    });

    it(`${state} + a refused OPEN while DelayOpen runs → idle without NOTIFICATION (RFC 4271 §8.2.2 event 22)`, () => {
      const bad: FsmEvent = { kind: 'bgpOpen', message: { ...peerOpen, myAsn: 65099, capabilities: [] } };
      expect(summarize(step(at(setup), bad).actions)).toEqual(['close', 'stop delayOpen', restart, '→ idle']);
      const withNote = step(at(setup, { sendNotificationWithoutOpen: true }), bad);
      expect(summarize(withNote.actions)[0]).toBe('send NOTIFICATION 2/2');
    });

    it(`${state} + notifMsgVerErr while DelayOpen runs → idle, counter unchanged (RFC 4271 §8.2.2 event 24)`, () => {
      const { session, actions } = step(at(setup), sample.notifMsgVerErr);
      expect(summarize(actions)).toEqual(['close', 'stop delayOpen', restart, '→ idle']);
      expect(session.connectRetryCounter).toBe(0);
    });
  }

  it('connect + tcpConnectionFails while DelayOpen runs → active, ConnectRetry restarted (RFC 4271 §8.2.2 Connect, event 18)', () => {
    expect(summarize(step(at('connectDelayOpen'), sample.tcpConnectionFails).actions)).toEqual([
      'stop delayOpen',
      'start connectRetry',
      '→ active',
    ]);
  });

  it('active + tcpConnectionFails while DelayOpen runs → idle (RFC 4271 §8.2.2 Active, event 18)', () => {
    expect(summarize(step(at('activeDelayOpen'), sample.tcpConnectionFails).actions)).toEqual([
      'close',
      'stop delayOpen',
      restart,
      '→ idle',
    ]);
  });

  it('connect + connectRetryTimerExpires is stale while DelayOpen runs: ConnectRetry was stopped', () => {
    expect(step(at('connectDelayOpen'), sample.connectRetryTimerExpires).actions).toEqual([]);
  });

  it('active + manualStop while DelayOpen runs sends Cease only with SendNOTIFICATIONwithoutOPEN (RFC 4271 §8.2.2 Active, event 2)', () => {
    expect(summarize(step(at('activeDelayOpen'), sample.manualStop).actions)).toEqual([
      'close',
      'stop delayOpen',
      '→ idle',
    ]);
    const s = at('activeDelayOpen', { sendNotificationWithoutOpen: true });
    expect(summarize(step(s, sample.manualStop).actions)).toEqual([
      'send NOTIFICATION 6/2',
      'close',
      'stop delayOpen',
      '→ idle',
    ]);
  });

  it('sends header errors before OPEN only with SendNOTIFICATIONwithoutOPEN (RFC 4271 §8.2.2 Connect, event 21)', () => {
    const s = at('connectDelayOpen', { sendNotificationWithoutOpen: true });
    expect(summarize(step(s, sample.bgpHeaderErr).actions)).toEqual([
      'send NOTIFICATION 1/2 [0012]',
      'close',
      'stop delayOpen',
      restart,
      '→ idle',
    ]);
  });
});

describe('OPEN refusals in OpenSent (RFC 4271 §6.2, §8.2.2 event 19)', () => {
  const cases: [string, Partial<typeof peerOpen>, string][] = [
    ['unsupported version → 2/1 with our version', { version: 3 }, 'send NOTIFICATION 2/1 [0004]'],
    ['wrong peer AS → 2/2', { myAsn: 65003, capabilities: [] }, 'send NOTIFICATION 2/2'],
    ['BGP Identifier 0.0.0.0 → 2/3 (RFC 6286 §2.1)', { bgpIdentifier: '0.0.0.0' }, 'send NOTIFICATION 2/3'],
    ['hold time 2 → 2/6', { holdTimeSec: 2 }, 'send NOTIFICATION 2/6'],
  ];
  for (const [name, change, note] of cases) {
    it(`openSent + bgpOpen with ${name}, then idle`, () => {
      const { session, actions } = step(at('openSent'), {
        kind: 'bgpOpen',
        message: { ...peerOpen, ...change },
      });
      expect(summarize(actions)).toEqual([note, 'close', 'stop hold', restart, '→ idle']);
      expect(session.connectRetryCounter).toBe(1);
      expect(session.negotiated).toBeUndefined();
    });
  }
});

describe('Established details', () => {
  it('enters Established with the negotiated parameters and exposes them on the session', () => {
    const { session, actions } = step(at('openConfirm'), sample.keepAliveMsg);
    const est = actions.find((a) => a.kind === 'established');
    expect(est?.kind === 'established' && est.negotiated).toBe(session.negotiated);
    expect(session.negotiated?.families).toEqual([{ afi: 1, safi: 1 }]);
  });

  it('clears the negotiated parameters on the way back to Idle', () => {
    expect(step(at('established'), sample.tcpConnectionFails).session.negotiated).toBeUndefined();
  });

  it('reports the received NOTIFICATION as the reason for going down', () => {
    const { actions } = step(at('established'), sample.notifMsg);
    expect(actions).toContainEqual({
      kind: 'down',
      reason: { kind: 'notificationReceived', notification: sample.notifMsg.message },
    });
  });

  it('keeps the session on an UPDATE fault weaker than session reset, restarting the Hold timer (RFC 7606 §2)', () => {
    const error = sample.updateMsgErr.error.withAction('treatAsWithdraw');
    const { session, actions } = step(at('established'), { kind: 'updateMsgErr', error });
    expect(summarize(actions)).toEqual(['start hold 90000']);
    expect(session.state).toBe('established');
  });

  it('sends the UPDATE error with its data for a session reset (RFC 4271 §6.3)', () => {
    const error = new WireError(
      { errorCode: 'BGP_UPDATE_MALFORMED_AS_PATH', code: 3, subcode: 11, data: hex('0203') },
      'as path',
    );
    const { actions } = step(at('established'), { kind: 'updateMsgErr', error });
    expect(summarize(actions)[0]).toBe('send NOTIFICATION 3/11 [0203]');
  });

  it('ignores ROUTE-REFRESH for a family not negotiated (RFC 2918 §4)', () => {
    const { actions } = step(at('established'), {
      kind: 'routeRefreshMsg',
      message: { kind: 'routeRefresh', afi: 2, safi: 1, subtype: 0 },
    });
    expect(summarize(actions)).toEqual(['start hold 90000']);
  });

  it('ignores ROUTE-REFRESH with a reserved subtype, and BoRR without Enhanced Route Refresh (RFC 7313 §5)', () => {
    for (const subtype of [1, 3, 255]) {
      const { actions } = step(at('established'), {
        kind: 'routeRefreshMsg',
        message: { kind: 'routeRefresh', afi: 1, safi: 1, subtype },
      });
      expect(summarize(actions)).toEqual(['start hold 90000']);
    }
  });

  it('delivers BoRR and EoRR when Enhanced Route Refresh was negotiated (RFC 7313 §4)', () => {
    const open = {
      ...peerOpen,
      capabilities: [...peerOpen.capabilities, { kind: 'enhancedRouteRefresh' as const }],
    };
    const s = drive(at('openSent'), [{ kind: 'bgpOpen', message: open }, sample.keepAliveMsg]).session;
    for (const subtype of [1, 2]) {
      const { actions } = step(s, {
        kind: 'routeRefreshMsg',
        message: { kind: 'routeRefresh', afi: 1, safi: 1, subtype },
      });
      expect(summarize(actions)).toEqual(['start hold 90000', 'deliver ROUTE-REFRESH']);
    }
  });

  it('ignores ROUTE-REFRESH when we did not advertise Route Refresh (RFC 2918 §4)', () => {
    const s = at('established', { routeRefresh: false });
    expect(summarize(step(s, sample.routeRefreshMsg).actions)).toEqual(['start hold 90000']);
  });
});

describe('stop events carry a Cease subcode and shutdown communication (RFC 4486, RFC 9003)', () => {
  it('manualStop sends Administrative Shutdown with the message', () => {
    const { actions } = step(at('established'), { kind: 'manualStop', shutdownMessage: 'maintenance' });
    const a = actions[0];
    expect(a?.kind).toBe('sendNotification');
    if (a?.kind === 'sendNotification') {
      expect(a.message.code).toBe(6);
      expect(a.message.subcode).toBe(2);
      expect(toHex(a.message.data)).toBe(`0b${toHex(new TextEncoder().encode('maintenance'))}`);
    }
  });

  it('manualStop with Peer De-configured sends subcode 3 and no message (RFC 9003 covers subcodes 2 and 4 only)', () => {
    const { actions } = step(at('openConfirm'), {
      kind: 'manualStop',
      ceaseSubcode: 3,
      shutdownMessage: 'bye',
    });
    expect(summarize(actions)[0]).toBe('send NOTIFICATION 6/3');
  });

  it('automaticStop sends its subcode and data (RFC 4486 §4, maximum prefixes)', () => {
    const { actions } = step(at('established'), {
      kind: 'automaticStop',
      ceaseSubcode: 1,
      data: hex('0001 01 00000064'),
    });
    expect(summarize(actions)[0]).toBe('send NOTIFICATION 6/1 [00010100000064]');
  });
});

describe('purity', () => {
  it('does not change the session it was given', () => {
    const s = at('openConfirm');
    const copy = structuredClone({ ...s, config: undefined, negotiated: undefined });
    step(s, sample.keepAliveMsg);
    step(s, sample.holdTimerExpires);
    expect({ ...s, config: undefined, negotiated: undefined }).toEqual(copy);
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('uses the same configuration object in every session', () => {
    const s = at('established');
    expect(step(s, sample.keepAliveMsg).session.config).toBe(s.config);
    expect(config.localAsn).toBe(s.config.localAsn);
  });
});
