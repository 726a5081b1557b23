import { parsePrefix } from '@anyvip/bgp/wire';
import { describe, expect, it } from 'vitest';
import { checkVipInPools, parseRanges, prefixContains } from '../../src/address/allowed-ranges.js';

const p = parsePrefix;

describe('prefixContains', () => {
  it.each([
    ['10.250.255.0/24', '10.250.255.1/32', true],
    ['10.250.255.0/24', '10.250.254.255/32', false],
    ['10.250.0.0/16', '10.250.255.0/24', true],
    ['10.250.255.0/24', '10.250.0.0/16', false],
    ['0.0.0.0/0', '192.0.2.1/32', true],
    ['10.250.255.1/32', '10.250.255.1/32', true],
    ['fd00:250::/64', 'fd00:250::ff:1/128', true],
    ['fd00:250::/64', 'fd00:251::1/128', false],
    ['fd00:250::/60', 'fd00:250:0:f::1/128', true],
    ['fd00:250::/61', 'fd00:250:0:f::1/128', false],
    ['10.250.0.0/16', 'fd00:250::1/128', false],
  ])('%s contains %s: %s', (outer, inner, want) => {
    expect(prefixContains(p(outer), p(inner))).toBe(want);
  });
});

describe('checkVipInPools (anti-hijack)', () => {
  it('allows anything when no range is configured', () => {
    expect(checkVipInPools(p('192.0.2.1/32'), [])).toEqual({ kind: 'allowed' });
  });

  it('refuses a VIP outside every range, naming the ranges', () => {
    expect(checkVipInPools(p('192.0.2.1/32'), parseRanges(['10.250.255.0/24', 'fd00:250::/64']))).toEqual({
      kind: 'refused',
      reason: '192.0.2.1/32 is outside allowedRanges (10.250.255.0/24, fd00:250::/64)',
    });
  });

  it('allows a VIP inside any of the ranges', () => {
    expect(checkVipInPools(p('fd00:250::7/128'), parseRanges(['10.250.255.0/24', 'fd00:250::/64']))).toEqual({
      kind: 'allowed',
    });
  });
});
