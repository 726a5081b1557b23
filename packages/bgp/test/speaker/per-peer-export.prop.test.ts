import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Harness, settle } from '../session/harness.js';
import type { RouterEnd } from '../session/memory-transport.js';
import { openMessage } from '../session/peer-messages.js';
import { medOf, routerRib } from '../session/router-rib.js';

const PREFIXES = ['198.51.100.0/24', '198.51.100.0/25', '203.0.113.1/32', '203.0.113.2/32'];

type Op =
  | { readonly kind: 'speakerAnnounce'; readonly prefix: string; readonly med: number }
  | { readonly kind: 'speakerWithdraw'; readonly prefix: string }
  | { readonly kind: 'peerAnnounce'; readonly peer: 0 | 1; readonly prefix: string; readonly med: number }
  | { readonly kind: 'peerWithdraw'; readonly peer: 0 | 1; readonly prefix: string }
  | { readonly kind: 'flush' };

const prefix = fc.constantFrom(...PREFIXES);
const med = fc.integer({ min: 1, max: 3 });
const peer = fc.constantFrom<0 | 1>(0, 1);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('speakerAnnounce' as const), prefix, med }),
  fc.record({ kind: fc.constant('speakerWithdraw' as const), prefix }),
  fc.record({ kind: fc.constant('peerAnnounce' as const), peer, prefix, med }),
  fc.record({ kind: fc.constant('peerWithdraw' as const), peer, prefix }),
  fc.constant({ kind: 'flush' as const }),
);

/** prefix → MED as the router holds it after every UPDATE, in order (-1: none). */
const ribOf = (router: RouterEnd): Map<string, number> => routerRib(router, medOf);

/** The model: a peer gets its own route, else the speaker's when it exports speaker routes. */
function expected(
  speaker: Map<string, number>,
  own: Map<string, number>,
  exportSpeakerRoutes: boolean,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of PREFIXES) {
    const m = own.get(p) ?? (exportSpeakerRoutes ? speaker.get(p) : undefined);
    if (m !== undefined) out.set(p, m);
  }
  return out;
}

const sortedEntries = (m: Map<string, number>): [string, number][] =>
  [...m].sort(([a], [b]) => a.localeCompare(b));

describe('per-peer export (property)', () => {
  it('after any sequence of speaker-wide and per-peer changes, each router holds its own routes over the speaker-wide ones', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), fc.boolean(), async (ops, secondExports) => {
        const h = new Harness();
        const exports = [true, secondExports];
        const { peer: a, router: ra } = await h.establish();
        const { peer: b, router: rb } = await h.establish(
          { address: '192.0.2.3', remoteAsn: 65003, exportSpeakerRoutes: secondExports },
          openMessage({ asn: 65003, id: '192.0.2.3' }),
        );
        const peers = [a, b];
        const routers = [ra, rb];
        const speaker = new Map<string, number>();
        const own = [new Map<string, number>(), new Map<string, number>()];
        const check = async (): Promise<void> => {
          await settle(20);
          for (const i of [0, 1]) {
            expect(sortedEntries(ribOf(routers[i]!))).toEqual(
              sortedEntries(expected(speaker, own[i]!, exports[i]!)),
            );
          }
        };
        for (const o of ops) {
          switch (o.kind) {
            case 'speakerAnnounce':
              h.speaker.announce({ prefix: o.prefix, med: o.med });
              speaker.set(o.prefix, o.med);
              break;
            case 'speakerWithdraw':
              expect(h.speaker.withdraw(o.prefix)).toBe(speaker.delete(o.prefix));
              break;
            case 'peerAnnounce':
              peers[o.peer]!.announce({ prefix: o.prefix, med: o.med });
              own[o.peer]!.set(o.prefix, o.med);
              break;
            case 'peerWithdraw':
              expect(peers[o.peer]!.withdraw(o.prefix)).toBe(own[o.peer]!.delete(o.prefix));
              break;
            case 'flush':
              await check();
              break;
          }
        }
        await check();
        for (const i of [0, 1]) {
          expect(
            peers[i]!.routes()
              .map((r) => [r.prefix, r.med] as [string, number])
              .sort(([x], [y]) => x.localeCompare(y)),
          ).toEqual(sortedEntries(own[i]!));
        }
        await h.speaker.close();
      }),
      { numRuns: 60 },
    );
  });
});
