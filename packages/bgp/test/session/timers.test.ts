import { FakeClock } from '@anyvip/clock';
import { describe, expect, it } from 'vitest';
import type { TimerName } from '../../src/fsm/state.js';
import { SessionTimers, timerExpiryEvent } from '../../src/session/timers.js';

function setup(): { clock: FakeClock; timers: SessionTimers; fired: TimerName[] } {
  const clock = new FakeClock();
  const fired: TimerName[] = [];
  const timers = new SessionTimers(clock, (t) => fired.push(t));
  return { clock, timers, fired };
}

describe('SessionTimers (RFC 4271 §8 one-shot timers on an injected Clock)', () => {
  it('fires a started timer once, after its duration', () => {
    const { clock, timers, fired } = setup();
    timers.start('hold', 90_000);
    clock.advanceSync(89_999);
    expect(fired).toEqual([]);
    clock.advanceSync(1);
    expect(fired).toEqual(['hold']);
    clock.advanceSync(1_000_000);
    expect(fired).toEqual(['hold']);
    expect(timers.running('hold')).toBe(false);
  });

  it('restarting a running timer replaces it (RFC 4271 §8: a restarted Hold timer)', () => {
    const { clock, timers, fired } = setup();
    timers.start('hold', 1000);
    clock.advanceSync(900);
    timers.start('hold', 1000);
    clock.advanceSync(900);
    expect(fired).toEqual([]);
    clock.advanceSync(100);
    expect(fired).toEqual(['hold']);
  });

  it('a stopped timer never fires, and stopAll cancels every timer', () => {
    const { clock, timers, fired } = setup();
    timers.start('keepalive', 10);
    timers.start('connectRetry', 20);
    timers.start('idleHold', 30);
    timers.stop('keepalive');
    expect(timers.size).toBe(2);
    timers.stopAll();
    clock.advanceSync(100);
    expect(fired).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires timers in deadline order', () => {
    const { clock, timers, fired } = setup();
    timers.start('hold', 30);
    timers.start('keepalive', 10);
    timers.start('delayOpen', 20);
    clock.advanceSync(30);
    expect(fired).toEqual(['keepalive', 'delayOpen', 'hold']);
  });

  it('maps each timer to its RFC 4271 §8.1.3 expiry event (events 9–13)', () => {
    expect(
      (['connectRetry', 'hold', 'keepalive', 'delayOpen', 'idleHold'] as const).map(
        (t) => timerExpiryEvent(t).kind,
      ),
    ).toEqual([
      'connectRetryTimerExpires',
      'holdTimerExpires',
      'keepaliveTimerExpires',
      'delayOpenTimerExpires',
      'idleHoldTimerExpires',
    ]);
  });
});
