import { describe, expect, it } from 'vitest';
import { type CollisionInput, resolveCollision } from '../../src/fsm/collision.js';
import { sessionStates } from '../../src/fsm/state.js';

const HIGH = '192.0.2.200';
const LOW = '192.0.2.7';

function input(change: Partial<CollisionInput> = {}): CollisionInput {
  return {
    localBgpIdentifier: HIGH,
    remoteBgpIdentifier: LOW,
    localAsn: 65001,
    remoteAsn: 65002,
    received: { initiator: 'remote' },
    other: { initiator: 'local', state: 'openConfirm' },
    ...change,
  };
}

describe('connection collision (RFC 4271 §6.8)', () => {
  it('keeps the connection we initiated when our identifier is higher', () => {
    // The OPEN came on the peer's connection: drop it.
    expect(resolveCollision(input())).toBe('closeReceived');
    // The OPEN came on our connection: drop the peer's other one.
    expect(
      resolveCollision(
        input({ received: { initiator: 'local' }, other: { initiator: 'remote', state: 'openConfirm' } }),
      ),
    ).toBe('closeOther');
  });

  it('keeps the connection the peer initiated when its identifier is higher', () => {
    const swap = { localBgpIdentifier: LOW, remoteBgpIdentifier: HIGH };
    expect(resolveCollision(input(swap))).toBe('closeOther');
    expect(
      resolveCollision(
        input({
          ...swap,
          received: { initiator: 'local' },
          other: { initiator: 'remote', state: 'openConfirm' },
        }),
      ),
    ).toBe('closeReceived');
  });

  it('compares identifiers as unsigned 32-bit integers, not as text', () => {
    // As text '10.0.0.9' > '10.0.0.10'; as numbers it is the other way round.
    const r = resolveCollision(input({ localBgpIdentifier: '10.0.0.9', remoteBgpIdentifier: '10.0.0.10' }));
    expect(r).toBe('closeOther');
    const high = resolveCollision(input({ localBgpIdentifier: '255.0.0.1', remoteBgpIdentifier: '1.0.0.1' }));
    expect(high).toBe('closeReceived');
  });

  it('gives the same survivor on both speakers', () => {
    for (const [a, b] of [
      [HIGH, LOW],
      [LOW, HIGH],
    ] as const) {
      // Speaker A sees the OPEN on B's connection.
      const atA = resolveCollision(
        input({ localBgpIdentifier: a, remoteBgpIdentifier: b, received: { initiator: 'remote' } }),
      );
      // Speaker B sees the OPEN on A's connection, which B did not initiate.
      const atB = resolveCollision(input({ localBgpIdentifier: b, remoteBgpIdentifier: a }));
      // The connection A initiated is "other" at A and "received" at B.
      expect(atA === 'closeOther').toBe(atB === 'closeReceived');
      expect(atA).not.toBe('noCollision');
    }
  });

  it('also resolves against a connection in OpenSent (the RFC’s MAY)', () => {
    expect(resolveCollision(input({ other: { initiator: 'local', state: 'openSent' } }))).toBe(
      'closeReceived',
    );
  });

  it('finds no collision with Idle, Connect or Active', () => {
    for (const state of ['idle', 'connect', 'active'] as const) {
      expect(resolveCollision(input({ other: { initiator: 'local', state } }))).toBe('noCollision');
    }
  });

  it('keeps an Established connection and drops the new one by default (RFC 4271 §6.8)', () => {
    const swap = { localBgpIdentifier: LOW, remoteBgpIdentifier: HIGH };
    expect(resolveCollision(input({ ...swap, other: { initiator: 'local', state: 'established' } }))).toBe(
      'closeReceived',
    );
  });

  it('resolves against Established by identifier with CollisionDetectEstablishedState (RFC 4271 §8.1.1)', () => {
    const swap = {
      localBgpIdentifier: LOW,
      remoteBgpIdentifier: HIGH,
      collisionDetectEstablishedState: true,
    };
    expect(resolveCollision(input({ ...swap, other: { initiator: 'local', state: 'established' } }))).toBe(
      'closeOther',
    );
  });

  it('breaks a tie of equal identifiers by the larger AS (RFC 6286 §2.3)', () => {
    const same = { localBgpIdentifier: HIGH, remoteBgpIdentifier: HIGH };
    expect(resolveCollision(input({ ...same, localAsn: 65001, remoteAsn: 65002 }))).toBe('closeOther');
    expect(resolveCollision(input({ ...same, localAsn: 65003, remoteAsn: 65002 }))).toBe('closeReceived');
  });

  it('applies the literal rule when both connections have the same initiator', () => {
    const both = {
      received: { initiator: 'remote' as const },
      other: { initiator: 'remote' as const, state: 'openConfirm' as const },
    };
    // Local lower: close the existing connection. Local higher: close the new one.
    expect(resolveCollision(input({ ...both, localBgpIdentifier: LOW, remoteBgpIdentifier: HIGH }))).toBe(
      'closeOther',
    );
    expect(resolveCollision(input(both))).toBe('closeReceived');
  });

  it('always returns one of the three decisions', () => {
    for (const state of sessionStates) {
      for (const initiator of ['local', 'remote'] as const) {
        const r = resolveCollision(input({ other: { initiator, state } }));
        expect(['noCollision', 'closeReceived', 'closeOther']).toContain(r);
      }
    }
  });
});
