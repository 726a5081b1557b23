import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FsmConfig } from '../../src/fsm/config.js';
import { type FsmEvent, fsmEventKinds } from '../../src/fsm/events.js';
import { createFsmSession, step } from '../../src/fsm/session-fsm.js';
import {
  type FsmSession,
  type SessionState,
  sessionStates,
  type TimerName,
  timerNames,
} from '../../src/fsm/state.js';
import { assertNever } from '../../src/wire/assert-never.js';
import type { Capability } from '../../src/wire/capabilities/capability.js';
import type { ErrorAction } from '../../src/wire/errors.js';
import { WireError } from '../../src/wire/errors.js';
import { config, peerOpen, sample } from './fsm-fixtures.js';

/**
 * Random event sequences against the FSM (RFC 4271 §8): whatever arrives, in whatever
 * order, step() never throws, and the actions keep the promises the driver relies on.
 */

const configArb: fc.Arbitrary<FsmConfig> = fc
  .record({
    holdTimeSec: fc.constantFrom(0, 3, 90),
    delayOpenTimeMs: fc.constantFrom(0, 1000),
    passiveTcpEstablishment: fc.boolean(),
    dampPeerOscillations: fc.boolean(),
    allowAutomaticStart: fc.boolean(),
    sendNotificationWithoutOpen: fc.boolean(),
    routeRefresh: fc.boolean(),
    stableTimeMs: fc.constantFrom(0, 60_000),
  })
  .map((extra) => ({ ...config, ...extra }));

const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  fc.constant<Capability>({ kind: 'multiprotocol', afi: 1, safi: 1 }),
  fc.constant<Capability>({ kind: 'multiprotocol', afi: 2, safi: 1 }),
  fc.constant<Capability>({ kind: 'routeRefresh' }),
  fc.constant<Capability>({ kind: 'enhancedRouteRefresh' }),
  fc.constant<Capability>({ kind: 'extendedMessage' }),
  fc.integer({ min: 0, max: 6 }).map<Capability>((role) => ({ kind: 'role', role })),
  fc.constantFrom(0, 65002, 65003, 4200000000).map<Capability>((asn) => ({ kind: 'fourOctetAs', asn })),
  fc.constant<Capability>({
    kind: 'addPath',
    families: [{ afi: 1, safi: 1, send: true, receive: true }],
  }),
  fc.constant<Capability>({ kind: 'unknown', code: 128, value: new Uint8Array(0) }),
);

/** Mostly the peer's good OPEN, sometimes one with a field the negotiation must refuse. */
const openEventArb: fc.Arbitrary<FsmEvent> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<FsmEvent>(sample.bgpOpen) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        version: fc.constantFrom(3, 4, 4, 5),
        myAsn: fc.constantFrom(0, 23456, 65002, 65003),
        holdTimeSec: fc.constantFrom(0, 1, 2, 3, 90, 65535),
        bgpIdentifier: fc.constantFrom('0.0.0.0', '192.0.2.1', '192.0.2.2', 'x'),
        capabilities: fc.array(capabilityArb, { maxLength: 5 }),
      })
      .map<FsmEvent>((o) => ({ kind: 'bgpOpen', message: { ...peerOpen, ...o } })),
  },
);

const wireErrorArb: fc.Arbitrary<WireError> = fc
  .record({
    code: fc.integer({ min: 1, max: 7 }),
    subcode: fc.integer({ min: 0, max: 11 }),
    action: fc.constantFrom<ErrorAction>(
      'sessionReset',
      'afiSafiDisable',
      'treatAsWithdraw',
      'attributeDiscard',
    ),
  })
  .map((e) => new WireError({ errorCode: 'BGP_TRUNCATED', ...e }, 'random'));

const eventArb: fc.Arbitrary<FsmEvent> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<FsmEvent>(...Object.values(sample)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<FsmEvent>(sample.tcpCrAcked, sample.keepAliveMsg, sample.automaticStart),
  },
  { weight: 2, arbitrary: openEventArb },
  {
    weight: 1,
    arbitrary: fc
      .record({ kind: fc.constantFrom('bgpHeaderErr', 'bgpOpenMsgErr', 'updateMsgErr'), error: wireErrorArb })
      .map((e) => e as FsmEvent),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        afi: fc.constantFrom(1, 2),
        safi: fc.constantFrom(1, 128),
        subtype: fc.integer({ min: 0, max: 3 }),
      })
      .map<FsmEvent>((m) => ({ kind: 'routeRefreshMsg', message: { kind: 'routeRefresh', ...m } })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        ceaseSubcode: fc.integer({ min: 0, max: 10 }),
        shutdownMessage: fc.option(fc.string(), { nil: undefined }),
      })
      .map<FsmEvent>((m) => ({ kind: 'manualStop', ...m })),
  },
);

/** Timers each state may have running (RFC 4271 §8.2.2). */
const allowedTimers: Record<SessionState, ReadonlySet<TimerName>> = {
  idle: new Set(['idleHold']),
  connect: new Set(['connectRetry', 'delayOpen']),
  active: new Set(['connectRetry', 'delayOpen']),
  openSent: new Set(['hold']),
  openConfirm: new Set(['hold', 'keepalive']),
  established: new Set(['hold', 'keepalive']),
};

/** Checks one step against the driver-side model of running timers; returns the updated model. */
function checkStep(before: FsmSession, event: FsmEvent, running: Set<TimerName>): FsmSession {
  const { session, actions } = step(before, event);
  const from = before.state;
  const to = session.state;
  expect(sessionStates).toContain(to);

  const changes = actions.filter((a) => a.kind === 'stateChange');
  if (from === to) expect(changes).toEqual([]);
  else {
    expect(changes).toEqual([{ kind: 'stateChange', from, to }]);
    // The change comes last, except that `established` follows it (peerUp after stateChange → established).
    if (to === 'established') expect(actions.slice(-2)).toEqual([changes[0], actions.at(-1)]);
    else expect(actions.at(-1)).toEqual(changes[0]);
    if (to === 'established') expect(actions.at(-1)?.kind).toBe('established');
  }

  // A fired timer is no longer running, whatever the FSM does with the event.
  const fired: Partial<Record<FsmEvent['kind'], TimerName>> = {
    connectRetryTimerExpires: 'connectRetry',
    holdTimerExpires: 'hold',
    keepaliveTimerExpires: 'keepalive',
    delayOpenTimerExpires: 'delayOpen',
    idleHoldTimerExpires: 'idleHold',
  };
  const firedTimer = fired[event.kind];
  if (firedTimer !== undefined) {
    if (!running.has(firedTimer)) expect(actions).toEqual([]); // stale
    running.delete(firedTimer);
  }

  actions.forEach((a, i) => {
    switch (a.kind) {
      case 'startTimer':
        expect(Number.isInteger(a.durationMs) && a.durationMs > 0).toBe(true);
        running.add(a.timer);
        break;
      case 'stopTimer':
        expect(running.has(a.timer)).toBe(true);
        running.delete(a.timer);
        break;
      case 'sendNotification':
        expect(actions.slice(i + 1).some((b) => b.kind === 'close')).toBe(true);
        expect(from === 'idle').toBe(false);
        expect(to).toBe('idle');
        break;
      case 'connect':
        expect(to).toBe('connect');
        break;
      case 'sendOpen':
        expect(['openSent', 'openConfirm']).toContain(to);
        break;
      case 'established':
        expect([from, to]).toEqual(['openConfirm', 'established']);
        break;
      case 'down':
        expect([from, to]).toEqual(['established', 'idle']);
        break;
      case 'deliverUpdate':
      case 'deliverRouteRefresh':
        expect([from, to]).toEqual(['established', 'established']);
        break;
      case 'sendKeepalive':
      case 'close':
      case 'stateChange':
        break;
      default:
        assertNever(a);
    }
  });
  if (from === 'established' && to !== 'established')
    expect(actions.some((a) => a.kind === 'down')).toBe(true);

  // The driver's view of the timers is the FSM's, and fits the state.
  for (const timer of timerNames) expect(session.timers[timer]).toBe(running.has(timer));
  for (const timer of running) expect(allowedTimers[to].has(timer)).toBe(true);
  expect(session.negotiated !== undefined).toBe(to === 'openConfirm' || to === 'established');
  if (session.negotiated?.holdTimeSec === 0)
    expect(running.has('hold') || running.has('keepalive')).toBe(false);
  expect(Number.isInteger(session.connectRetryCounter) && session.connectRetryCounter >= 0).toBe(true);
  if (to === 'idle' && session.start === undefined) expect(running.size).toBe(0);
  return session;
}

/** What the next step of a script does: move the session on, fire a running timer, or anything. */
type ScriptItem = { readonly kind: 'progress' } | { readonly kind: 'tick'; readonly n: number } | FsmEvent;

const scriptArb: fc.Arbitrary<ScriptItem[]> = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.constant<ScriptItem>({ kind: 'progress' }) },
    { weight: 2, arbitrary: fc.nat().map<ScriptItem>((n) => ({ kind: 'tick', n })) },
    { weight: 3, arbitrary: eventArb },
  ),
  { maxLength: 60 },
);

/** The event that moves each state towards Established (and, there, keeps it busy). */
const progress: Record<SessionState, readonly FsmEvent[]> = {
  idle: [sample.automaticStart, sample.manualStart, sample.manualStartWithPassiveTcpEstablishment],
  connect: [sample.tcpCrAcked],
  active: [sample.tcpConnectionConfirmed],
  openSent: [sample.bgpOpen],
  openConfirm: [sample.keepAliveMsg],
  established: [sample.keepAliveMsg, sample.updateMsg, sample.routeRefreshMsg],
};

/** Turns a script item into an event for the current session; undefined when there is nothing to tick. */
function eventFor(
  item: ScriptItem,
  session: FsmSession,
  running: ReadonlySet<TimerName>,
  i: number,
): FsmEvent | undefined {
  if (item.kind === 'progress') {
    const choices = progress[session.state];
    return choices[i % choices.length];
  }
  if (item.kind === 'tick') {
    const timers = [...running];
    if (timers.length === 0) return undefined;
    const timer = timers[item.n % timers.length]!;
    return { kind: `${timer}TimerExpires` } as FsmEvent;
  }
  return item;
}

describe('random event sequences (RFC 4271 §8)', () => {
  it('never throw, keep a valid state, and account for every timer', () => {
    fc.assert(
      fc.property(configArb, fc.integer(), scriptArb, (cfg, seed, script) => {
        let session = createFsmSession(cfg, { seed });
        const running = new Set<TimerName>();
        script.forEach((item, i) => {
          const event = eventFor(item, session, running, i);
          if (event !== undefined) session = checkStep(session, event, running);
        });
      }),
      { numRuns: 600 },
    );
  });

  it('try every (state, event) pair where the event can happen', () => {
    // Each run walks a random distance towards Established, then delivers one event of
    // a kind drawn uniformly, then carries on; the seed is fixed so the coverage is stable.
    const kinds = Object.keys(sample) as FsmEvent['kind'][];
    const runArb = fc.tuple(
      configArb,
      fc.array(
        fc.oneof(
          fc.constant<ScriptItem>({ kind: 'progress' }),
          fc.nat().map<ScriptItem>((n) => ({ kind: 'tick', n })),
        ),
        {
          maxLength: 8,
        },
      ),
      fc.constantFrom(...kinds),
      fc.array(eventArb, { maxLength: 10 }),
    );
    const pairs = new Set<string>();
    fc.assert(
      fc.property(runArb, ([cfg, prefix, kind, tail]) => {
        let session = createFsmSession(cfg);
        const running = new Set<TimerName>();
        const script: ScriptItem[] = [...prefix, sample[kind], ...tail];
        script.forEach((item, i) => {
          const event = eventFor(item, session, running, i);
          if (event === undefined) return;
          pairs.add(`${session.state}+${event.kind}`);
          // The invariants are checked by the test above; here only the timers are tracked.
          session = step(session, event).session;
          running.clear();
          for (const timer of timerNames) if (session.timers[timer]) running.add(timer);
        });
      }),
      { numRuns: 1500, seed: 4271 },
    );
    // Timer events count only where the timer can run.
    const missing: string[] = [];
    for (const state of sessionStates) {
      for (const kind of fsmEventKinds) {
        const timer = kind.endsWith('TimerExpires')
          ? (kind.replace('TimerExpires', '') as TimerName)
          : undefined;
        if (timer !== undefined && !allowedTimers[state].has(timer)) continue;
        if (!pairs.has(`${state}+${kind}`)) missing.push(`${state}+${kind}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('ignore stale timer expiries in every state', () => {
    fc.assert(
      fc.property(configArb, scriptArb, fc.constantFrom(...timerNames), (cfg, script, timer) => {
        let session = createFsmSession(cfg);
        const running = new Set<TimerName>();
        script.forEach((item, i) => {
          const event = eventFor(item, session, running, i);
          if (event !== undefined) session = checkStep(session, event, running);
        });
        if (!running.has(timer)) {
          const r = step(session, { kind: `${timer}TimerExpires` } as FsmEvent);
          expect(r.actions).toEqual([]);
          expect(r.session).toBe(session);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('leave nothing running in Idle after a manual stop, from any state', () => {
    fc.assert(
      fc.property(configArb, scriptArb, (cfg, script) => {
        let session = createFsmSession(cfg);
        const running = new Set<TimerName>();
        script.forEach((item, i) => {
          const event = eventFor(item, session, running, i);
          if (event !== undefined) session = checkStep(session, event, running);
        });
        session = checkStep(session, { kind: 'manualStop' }, running);
        expect(session.state).toBe('idle');
        expect(running.size).toBe(0);
        expect(session.start).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});
