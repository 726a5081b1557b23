import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingPrefixes } from '../../src/rib/pending-prefixes.js';
import type { Prefix } from '../../src/wire/prefix.js';
import { arbIpv4Prefix, arbIpv6Prefix } from '../arbitraries/update.js';

describe('PendingPrefixes', () => {
  it('visits equal prefixes in the order they were pushed, and says which families it holds', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(arbIpv4Prefix(), arbIpv6Prefix()), { maxLength: 50 }), (prefixes) => {
        const pending = new PendingPrefixes();
        for (const p of prefixes) pending.push(p);
        const out: Prefix[] = [];
        pending.forEach((p) => {
          out.push(p);
        });
        expect(out).toEqual(prefixes);
        const families = prefixes.reduce((f, p) => f | p.afi, 0);
        expect(pending.families).toBe(families);
      }),
    );
  });
});
