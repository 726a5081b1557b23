import { describe, expect, it } from 'vitest';
import { ribAttributesAsUpdate } from '../../src/mrt/rib-attributes.js';
import { hex } from '../support/bytes.js';

describe('ribAttributesAsUpdate (RFC 6396 §4.3.4 abbreviated MP_REACH_NLRI)', () => {
  it('expands next-hop-length + next hop to AFI, SAFI, next hop, reserved octet and no NLRI', () => {
    const attrs = hex('40010100 800e11 10 20010db8000000000000000000000001 40020000');
    expect(ribAttributesAsUpdate(attrs, 2, 1)).toEqual(
      hex('40010100 800e15 0002 01 10 20010db8000000000000000000000001 00 40020000'),
    );
  });

  it('sets Extended Length when the expanded value no longer fits one octet', () => {
    const nh = 'aa'.repeat(253);
    const attrs = hex(`800e fe fd ${nh}`);
    expect(ribAttributesAsUpdate(attrs, 1, 128)).toEqual(hex(`900e 0102 0001 80 fd ${nh} 00`));
  });

  it('leaves the full RFC 4760 form (Quagga, RIS) and blocks without MP_REACH_NLRI untouched', () => {
    const full = hex('800e1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8');
    expect(ribAttributesAsUpdate(full, 2, 1)).toBe(full);
    const plain = hex('40010100 400200');
    expect(ribAttributesAsUpdate(plain, 1, 1)).toBe(plain);
  });

  it('leaves a damaged block for the UPDATE decoder to report', () => {
    const damaged = hex('400101');
    expect(ribAttributesAsUpdate(damaged, 1, 1)).toBe(damaged);
  });
});
