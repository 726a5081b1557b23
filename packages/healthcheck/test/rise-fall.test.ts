import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type HealthState,
  initialRiseFallState,
  isChanging,
  type RiseFallConfig,
  type RiseFallInput,
  type RiseFallState,
  type RiseFallTransition,
  stepRiseFall,
} from '../src/rise-fall.js';

/** `S` success, `F` failure, `D` disable file present, `E` disable file absent. */
type Letter = 'S' | 'F' | 'D' | 'E';

const inputOf: Record<Letter, RiseFallInput> = {
  S: { kind: 'success' },
  F: { kind: 'failure' },
  D: { kind: 'disabled' },
  E: { kind: 'enabled' },
};

const short: Record<HealthState, string> = { unknown: '?', up: 'U', down: 'D' };

interface Trace {
  /** Health after each input, `?`/`U`/`D`. */
  readonly health: string;
  /** `*` where the next round would use the fast interval. */
  readonly changing: string;
  readonly transitions: readonly (RiseFallTransition & { readonly at: number })[];
  readonly state: RiseFallState;
}

function run(letters: string, config: RiseFallConfig, from: RiseFallState = initialRiseFallState): Trace {
  let state = from;
  let health = '';
  let changing = '';
  const transitions: (RiseFallTransition & { at: number })[] = [];
  [...letters.replace(/\s/g, '')].forEach((l, at) => {
    const step = stepRiseFall(state, inputOf[l as Letter], config);
    state = step.state;
    health += short[state.health];
    changing += step.changing ? '*' : '.';
    if (step.transition) transitions.push({ ...step.transition, at });
  });
  return { health, changing, transitions, state };
}

const up: RiseFallState = { health: 'up', disabled: false, successes: 3, failures: 0 };
const down: RiseFallState = { health: 'down', disabled: false, successes: 0, failures: 3 };

describe('rise/fall state machine (ExaBGP healthcheck semantics)', () => {
  it.each([
    // [name, config, from, inputs, health after each input]
    [
      'unknown is announced only after `rise` successes',
      { rise: 3, fall: 3 },
      initialRiseFallState,
      'SSS',
      '??U',
    ],
    ['unknown is withdrawn after `fall` failures', { rise: 3, fall: 2 }, initialRiseFallState, 'FF', '?D'],
    [
      'a failure during a rise from unknown restarts the rise',
      { rise: 3, fall: 3 },
      initialRiseFallState,
      'SSFSSS',
      '?????U',
    ],
    [
      'a success during a fall from unknown restarts the fall',
      { rise: 3, fall: 3 },
      initialRiseFallState,
      'FFSFFF',
      '?????D',
    ],
    ['up falls after `fall` consecutive failures', { rise: 2, fall: 3 }, up, 'FFF', 'UUD'],
    [
      'up survives fewer than `fall` failures and a success resets the count',
      { rise: 2, fall: 3 },
      up,
      'FFSFF',
      'UUUUU',
    ],
    ['down rises after `rise` consecutive successes', { rise: 2, fall: 3 }, down, 'SS', 'DU'],
    ['down ignores an isolated success', { rise: 2, fall: 3 }, down, 'SFSF', 'DDDD'],
    ['rise=1 and fall=1 follow every result', { rise: 1, fall: 1 }, initialRiseFallState, 'SFSSF', 'UDUUD'],
    [
      'an alternating target never moves once up (slow to flap)',
      { rise: 2, fall: 2 },
      up,
      'FSFSFSFS',
      'UUUUUUUU',
    ],
    ['an alternating target never moves once down', { rise: 2, fall: 2 }, down, 'SFSFSFSF', 'DDDDDDDD'],
    [
      'a long run of successes after up emits nothing more',
      { rise: 2, fall: 2 },
      initialRiseFallState,
      'SSSSS',
      '?UUUU',
    ],
  ] as const)('%s', (_name, config, from, inputs, expected) => {
    expect(run(inputs, config, from).health).toBe(expected);
  });

  it('reports each transition once, with its cause', () => {
    const t = run('SSS FFF SSS', { rise: 3, fall: 3 });
    expect(t.transitions).toEqual([
      { from: 'unknown', to: 'up', cause: 'rise', at: 2 },
      { from: 'up', to: 'down', cause: 'fall', at: 5 },
      { from: 'down', to: 'up', cause: 'rise', at: 8 },
    ]);
  });

  it('asks for the fast interval while a streak disagrees with the state, until rise/fall is reached', () => {
    // ExaBGP: RISING and FALLING sleep `fast-interval`, UP and DOWN sleep `interval`.
    const t = run('SSS S F F S F F F F', { rise: 3, fall: 3 });
    expect(t.health).toBe('??UUUUUUUDD');
    expect(t.changing).toBe('**..**.**..');
    expect(isChanging(initialRiseFallState)).toBe(false);
  });

  it('goes down at once when the disable file appears, ignores results meanwhile, and starts over when it goes', () => {
    const t = run('D SSSS FF D E SS S', { rise: 3, fall: 3 }, up);
    expect(t.health).toBe('DDDDDDDD???U');
    expect(t.transitions).toEqual([
      { from: 'up', to: 'down', cause: 'disabled', at: 0 },
      { from: 'down', to: 'unknown', cause: 'enabled', at: 8 },
      { from: 'unknown', to: 'up', cause: 'rise', at: 11 },
    ]);
    expect(t.changing.slice(0, 8)).toBe('........');
  });

  it('treats "enabled" without a preceding "disabled" as nothing', () => {
    const t = run('E', { rise: 3, fall: 3 }, up);
    expect(t.transitions).toEqual([]);
    expect(t.state).toEqual(up);
  });

  it('matches a reference model on random input sequences (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.constantFrom<Letter>('S', 'S', 'F', 'F', 'D', 'E'), { maxLength: 60 }),
        (rise, fall, letters) => {
          const t = run(letters.join(''), { rise, fall });
          expect(t.state.health).toBe(reference(letters, rise, fall));
          // No transition ever repeats the current state, and transitions alternate sensibly.
          for (const tr of t.transitions) expect(tr.from).not.toBe(tr.to);
        },
      ),
    );
  });
});

/**
 * Independent model: health is whichever threshold was reached last (a success streak reaching
 * `rise`, or a failure streak reaching `fall`) since the last effective enable; `down` while
 * disabled.
 */
function reference(letters: readonly Letter[], rise: number, fall: number): HealthState {
  let disabled = false;
  let lastUpAt = -1;
  let lastDownAt = -1;
  let streakS = 0;
  let streakF = 0;
  letters.forEach((l, i) => {
    if (l === 'D') disabled = true;
    else if (l === 'E') {
      if (disabled) {
        disabled = false;
        lastUpAt = -1;
        lastDownAt = -1;
        streakS = 0;
        streakF = 0;
      }
    } else if (!disabled) {
      if (l === 'S') {
        streakS++;
        streakF = 0;
        if (streakS === rise) lastUpAt = i;
      } else {
        streakF++;
        streakS = 0;
        if (streakF === fall) lastDownAt = i;
      }
    }
  });
  if (disabled) return 'down';
  if (lastUpAt === -1 && lastDownAt === -1) return 'unknown';
  return lastUpAt > lastDownAt ? 'up' : 'down';
}
