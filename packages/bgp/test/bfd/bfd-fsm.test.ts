import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BfdAction } from '../../src/bfd/fsm/actions.js';
import { detectionTimeUs, stepBfd, txIntervalUs } from '../../src/bfd/fsm/bfd-fsm.js';
import type { BfdEvent } from '../../src/bfd/fsm/events.js';
import { type BfdSessionVars, initialBfdSession } from '../../src/bfd/fsm/state.js';
import type { BfdControlPacket, BfdState } from '../../src/bfd/wire/control-packet.js';

const LOCAL = 0x1111;
const REMOTE = 0x2222;
const config = {
  localDiscriminator: LOCAL,
  desiredMinTxIntervalMs: 100,
  requiredMinRxIntervalMs: 100,
  detectMult: 3,
};

function peerPacket(state: BfdState, over: Partial<BfdControlPacket> = {}): BfdControlPacket {
  return {
    version: 1,
    diag: 0,
    state,
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: 3,
    myDiscriminator: REMOTE,
    yourDiscriminator: state === 'down' ? 0 : LOCAL,
    desiredMinTxIntervalUs: 1_000_000,
    requiredMinRxIntervalUs: 100_000,
    requiredMinEchoRxIntervalUs: 0,
    auth: undefined,
    ...over,
  };
}

function run(vars: BfdSessionVars, ...events: BfdEvent[]): { vars: BfdSessionVars; actions: BfdAction[] } {
  const actions: BfdAction[] = [];
  for (const e of events) {
    const s = stepBfd(vars, e);
    vars = s.vars;
    actions.push(...s.actions);
  }
  return { vars, actions };
}

const recv = (packet: BfdControlPacket): BfdEvent => ({ kind: 'packetReceived', packet });
const sent = (actions: BfdAction[]) => actions.flatMap((a) => (a.kind === 'sendControl' ? [a.packet] : []));
const changes = (actions: BfdAction[]) =>
  actions.flatMap((a) => (a.kind === 'stateChange' ? [`${a.from}→${a.to}/${a.diag}`] : []));

function upSession(): BfdSessionVars {
  return run(initialBfdSession(config), { kind: 'start' }, recv(peerPacket('down')), recv(peerPacket('up')))
    .vars;
}

describe('BFD session FSM (RFC 5880 §6.8)', () => {
  it('start sends Down at the slow 1 s rate with jitter (RFC 5880 §6.8.3, §6.8.7)', () => {
    const { actions } = run(initialBfdSession(config), { kind: 'start' });
    const [p] = sent(actions);
    expect(p).toMatchObject({ state: 'down', yourDiscriminator: 0, desiredMinTxIntervalUs: 1_000_000 });
    const tx = actions.find((a) => a.kind === 'armTxTimer');
    expect(tx?.kind === 'armTxTimer' && tx.delayMs >= 750 && tx.delayMs <= 1000).toBe(true);
  });

  it('down + peer Down → init, learns Your Discriminator (RFC 5880 §6.8.6)', () => {
    const { vars, actions } = run(initialBfdSession(config), { kind: 'start' }, recv(peerPacket('down')));
    expect(vars.sessionState).toBe('init');
    expect(vars.remoteDiscr).toBe(REMOTE);
    expect(sent(actions).at(-1)).toMatchObject({ state: 'init', yourDiscriminator: REMOTE });
  });

  it('down + peer Init → up; init + peer Up → up (RFC 5880 §6.8.6)', () => {
    expect(run(initialBfdSession(config), recv(peerPacket('init'))).vars.sessionState).toBe('up');
    const { vars, actions } = run(
      initialBfdSession(config),
      recv(peerPacket('down')),
      recv(peerPacket('up')),
    );
    expect(vars.sessionState).toBe('up');
    expect(changes(actions)).toEqual(['down→init/0', 'init→up/0']);
  });

  it('reaching up advertises the configured interval and starts a Poll Sequence (RFC 5880 §6.8.3)', () => {
    const v = upSession();
    expect(v.advertisedDesiredMinTxUs).toBe(100_000);
    expect(v.pollActive).toBe(true);
    const { actions } = run(v, { kind: 'txTimerExpires' });
    expect(sent(actions)[0]).toMatchObject({ state: 'up', poll: true, final: false });
  });

  it('up + Final ends the Poll Sequence; later packets carry no P (RFC 5880 §6.8.3)', () => {
    const { vars, actions } = run(upSession(), recv(peerPacket('up', { final: true })), {
      kind: 'txTimerExpires',
    });
    expect(vars.pollActive).toBe(false);
    expect(actions.some((a) => a.kind === 'pollComplete')).toBe(true);
    expect(sent(actions).at(-1)).toMatchObject({ poll: false });
  });

  it('a received Poll is answered at once with F and never P (RFC 5880 §6.8.6)', () => {
    const { actions } = run(upSession(), recv(peerPacket('up', { poll: true })));
    const finals = sent(actions).filter((p) => p.final);
    expect(finals).toHaveLength(1);
    expect(finals[0]!.poll).toBe(false);
  });

  it('up + detection time expires → down with Diag 1, Your Discriminator zeroed (RFC 5880 §6.8.4, §6.8.1)', () => {
    const { vars, actions } = run(upSession(), { kind: 'detectTimerExpires' });
    expect(vars.sessionState).toBe('down');
    expect(vars.localDiag).toBe(1);
    expect(vars.remoteDiscr).toBe(0);
    expect(changes(actions)).toEqual(['up→down/1']);
    expect(sent(actions)[0]).toMatchObject({ state: 'down', diag: 1, desiredMinTxIntervalUs: 1_000_000 });
  });

  it('detection time is the peer Detect Mult × max(our RequiredMinRx, its DesiredMinTx) (RFC 5880 §6.8.4)', () => {
    const v = run(upSession(), recv(peerPacket('up', { desiredMinTxIntervalUs: 50_000, final: true }))).vars;
    expect(detectionTimeUs(v)).toBe(3 * 100_000);
    const slow = run(v, recv(peerPacket('up', { desiredMinTxIntervalUs: 300_000, detectMult: 5 }))).vars;
    expect(detectionTimeUs(slow)).toBe(5 * 300_000);
  });

  it('TX interval is the larger of ours and the peer RequiredMinRx, jittered 75–100 % (RFC 5880 §6.8.7)', () => {
    const v = run(
      upSession(),
      recv(peerPacket('up', { requiredMinRxIntervalUs: 250_000, final: true })),
    ).vars;
    expect(txIntervalUs(v)).toBe(250_000);
    let vars = v;
    for (let i = 0; i < 200; i++) {
      const s = stepBfd(vars, { kind: 'txTimerExpires' });
      vars = s.vars;
      const tx = s.actions.find((a) => a.kind === 'armTxTimer');
      if (tx?.kind !== 'armTxTimer') throw new Error('no TX timer');
      expect(tx.delayMs).toBeGreaterThanOrEqual(187.5);
      expect(tx.delayMs).toBeLessThanOrEqual(250);
    }
  });

  it('with Detect Mult 1 the jitter is 75–90 % (RFC 5880 §6.8.7)', () => {
    let vars = initialBfdSession({ ...config, detectMult: 1 });
    for (let i = 0; i < 200; i++) {
      const s = stepBfd(vars, { kind: 'txTimerExpires' });
      vars = s.vars;
      const tx = s.actions.find((a) => a.kind === 'armTxTimer');
      if (tx?.kind !== 'armTxTimer') throw new Error('no TX timer');
      expect(tx.delayMs).toBeGreaterThanOrEqual(750);
      expect(tx.delayMs).toBeLessThanOrEqual(900);
    }
  });

  it('up + peer Down → down with Diag 3 (RFC 5880 §6.8.6)', () => {
    const { vars, actions } = run(upSession(), recv(peerPacket('down')));
    expect(vars.sessionState).toBe('down');
    expect(changes(actions)).toEqual(['up→down/3']);
  });

  it('up + peer AdminDown → down, Diag 3, reporting the peer as adminDown (RFC 5880 §6.8.6, RFC 5882 §3.2)', () => {
    const { actions } = run(upSession(), recv(peerPacket('adminDown', { diag: 7 })));
    const change = actions.find((a) => a.kind === 'stateChange');
    expect(change).toMatchObject({ from: 'up', to: 'down', diag: 3, remoteState: 'adminDown' });
  });

  it('adminDown sends AdminDown with Diag 7 and stops detection; packets are then discarded (RFC 5880 §6.8.16)', () => {
    const { vars, actions } = run(upSession(), { kind: 'adminDown' }, recv(peerPacket('up')));
    expect(vars.sessionState).toBe('adminDown');
    expect(sent(actions)[0]).toMatchObject({ state: 'adminDown', diag: 7 });
    expect(actions).toContainEqual({ kind: 'stopDetectTimer' });
    expect(actions.at(-1)).toEqual({ kind: 'discarded', reason: 'adminDown' });
  });

  it('adminUp leaves AdminDown for Down with Diag 0', () => {
    const { vars } = run(upSession(), { kind: 'adminDown' }, { kind: 'adminUp' });
    expect(vars.sessionState).toBe('down');
    expect(vars.localDiag).toBe(0);
  });

  it.each([
    ['detectMultZero', { detectMult: 0 }],
    ['multipoint', { multipoint: true }],
    ['myDiscriminatorZero', { myDiscriminator: 0 }],
    ['yourDiscriminatorZero', { yourDiscriminator: 0 }],
    ['yourDiscriminatorMismatch', { yourDiscriminator: 99 }],
    ['authenticationNotConfigured', { auth: { authType: 1, raw: new Uint8Array([1, 3, 0]) } }],
  ] as const)('discards a packet with %s (RFC 5880 §6.8.6)', (reason, over) => {
    const v = upSession();
    const { vars, actions } = run(v, recv(peerPacket('up', over)));
    expect(actions).toEqual([{ kind: 'discarded', reason }]);
    expect(vars).toBe(v);
  });

  it('raising the TX interval while up waits for the Final (RFC 5880 §6.8.3)', () => {
    const up = run(
      upSession(),
      recv(peerPacket('up', { final: true, desiredMinTxIntervalUs: 100_000 })),
    ).vars;
    const slower = run(up, {
      kind: 'setIntervals',
      desiredMinTxIntervalMs: 300,
      requiredMinRxIntervalMs: 100,
      detectMult: 3,
    });
    expect(slower.vars.pollActive).toBe(true);
    expect(slower.vars.advertisedDesiredMinTxUs).toBe(300_000);
    expect(txIntervalUs(slower.vars)).toBe(100_000);
    expect(sent(slower.actions)[0]).toMatchObject({ poll: true, desiredMinTxIntervalUs: 300_000 });
    const done = run(slower.vars, recv(peerPacket('up', { final: true }))).vars;
    expect(txIntervalUs(done)).toBe(300_000);
  });

  it('lowering the RX interval while up keeps the old detection time until the Final (RFC 5880 §6.8.3)', () => {
    const up = run(upSession(), recv(peerPacket('up', { final: true, desiredMinTxIntervalUs: 50_000 }))).vars;
    const faster = run(up, {
      kind: 'setIntervals',
      desiredMinTxIntervalMs: 100,
      requiredMinRxIntervalMs: 50,
      detectMult: 3,
    });
    expect(detectionTimeUs(faster.vars)).toBe(300_000);
    const done = run(
      faster.vars,
      recv(peerPacket('up', { final: true, desiredMinTxIntervalUs: 50_000 })),
    ).vars;
    expect(detectionTimeUs(done)).toBe(150_000);
  });

  it('a peer RequiredMinRx of 0 stops periodic transmission (RFC 5880 §6.8.7)', () => {
    const v = run(upSession(), recv(peerPacket('up', { requiredMinRxIntervalUs: 0 }))).vars;
    const { actions } = run(v, { kind: 'txTimerExpires' });
    expect(actions).toEqual([{ kind: 'stopTxTimer' }]);
  });

  it('any event sequence: no throw, a valid state, never P with F (fast-check)', () => {
    const states: BfdState[] = ['adminDown', 'down', 'init', 'up'];
    const event: fc.Arbitrary<BfdEvent> = fc.oneof(
      fc.constantFrom<BfdEvent>(
        { kind: 'start' },
        { kind: 'adminDown' },
        { kind: 'adminUp' },
        { kind: 'txTimerExpires' },
        { kind: 'detectTimerExpires' },
      ),
      fc
        .record({
          state: fc.constantFrom(...states),
          poll: fc.boolean(),
          final: fc.boolean(),
          your: fc.constantFrom(0, LOCAL, 7),
          mine: fc.constantFrom(0, REMOTE),
          detectMult: fc.integer({ min: 0, max: 5 }),
          rx: fc.constantFrom(0, 1, 50_000, 2_000_000),
        })
        .map(
          (r): BfdEvent =>
            recv(
              peerPacket(r.state, {
                poll: r.poll,
                final: r.final,
                yourDiscriminator: r.your,
                myDiscriminator: r.mine,
                detectMult: r.detectMult,
                requiredMinRxIntervalUs: r.rx,
              }),
            ),
        ),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let vars = initialBfdSession(config);
        for (const e of events) {
          const s = stepBfd(vars, e);
          vars = s.vars;
          for (const p of sent([...s.actions])) expect(p.poll && p.final).toBe(false);
          for (const a of s.actions) {
            if (a.kind === 'armTxTimer' || a.kind === 'armDetectTimer')
              expect(Number.isFinite(a.delayMs)).toBe(true);
          }
        }
        expect(states).toContain(vars.sessionState);
        if (vars.sessionState !== 'up')
          expect(vars.advertisedDesiredMinTxUs).toBeGreaterThanOrEqual(1_000_000);
      }),
    );
  });
});
