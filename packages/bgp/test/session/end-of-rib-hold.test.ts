import { describe, expect, it } from 'vitest';
import { formatPrefix } from '../../src/wire/prefix.js';
import { type ParsedUpdate, parseUpdate } from '../../src/wire/update.js';
import { Harness, settle, until } from './harness.js';
import type { RouterEnd } from './memory-transport.js';

function updates(router: RouterEnd): ParsedUpdate[] {
  return router.ofKind('update').map((u) => parseUpdate(u, router.ctx));
}

function announced(router: RouterEnd): string[] {
  return updates(router).flatMap((u) => u.nlri.map(formatPrefix));
}

function eors(router: RouterEnd): number {
  return updates(router).filter((u) => u.endOfRib !== undefined).length;
}

describe('holding End-of-RIB while the table is still being originated (RFC 4724 §2, §4.2)', () => {
  it('sends the routes of a held table as they come, and End-of-RIB only at the release', async () => {
    const h = new Harness();
    h.speaker.holdEndOfRib();
    expect(h.speaker.endOfRibHeld).toBe(true);
    h.speaker.announce({ prefix: '198.51.100.1/32' });
    const { router } = await h.establish();
    await until(() => announced(router).length === 1, 'the first route');
    h.speaker.announce({ prefix: '198.51.100.2/32' });
    await until(() => announced(router).length === 2, 'the route announced while held');
    await settle();
    expect(eors(router)).toBe(0);
    expect(h.of('eorSent')).toHaveLength(0);
    h.speaker.releaseEndOfRib();
    expect(h.speaker.endOfRibHeld).toBe(false);
    await until(() => eors(router) === 1, 'End-of-RIB after the release');
    // The marker comes last, after every route of the table.
    expect(updates(router).at(-1)?.endOfRib).toEqual({ afi: 1, safi: 1 });
    expect(announced(router).sort()).toEqual(['198.51.100.1/32', '198.51.100.2/32']);
    expect(h.of('eorSent')).toMatchObject([{ afi: 1, safi: 1 }]);
  });

  it('holds End-of-RIB for an empty table too, and for a session that comes up while held', async () => {
    const h = new Harness();
    h.speaker.holdEndOfRib();
    const { router } = await h.establish();
    await settle();
    expect(router.ofKind('update')).toHaveLength(0);
    h.speaker.releaseEndOfRib();
    await until(() => eors(router) === 1, 'End-of-RIB');
    expect(updates(router)).toHaveLength(1);
  });

  it('a release before the session is up changes nothing: table, then End-of-RIB', async () => {
    const h = new Harness();
    h.speaker.holdEndOfRib();
    h.speaker.announce({ prefix: '203.0.113.0/24' });
    h.speaker.releaseEndOfRib();
    h.speaker.releaseEndOfRib(); // Idempotent.
    const { router } = await h.establish();
    await until(() => eors(router) === 1, 'End-of-RIB');
    expect(announced(router)).toEqual(['203.0.113.0/24']);
    expect(updates(router).at(-1)?.endOfRib).toEqual({ afi: 1, safi: 1 });
  });

  it('a closed speaker refuses a hold (API misuse throws LocalProtocolError)', async () => {
    const h = new Harness();
    await h.speaker.close();
    expect(() => h.speaker.holdEndOfRib()).toThrow(/closed/);
    expect(() => h.speaker.releaseEndOfRib()).not.toThrow();
  });
});
