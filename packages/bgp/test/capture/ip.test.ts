import { describe, expect, it } from 'vitest';
import { decodeIpv4 } from '../../src/capture/ipv4.js';
import { decodeIpv6 } from '../../src/capture/ipv6.js';
import { concat, hex } from '../support/bytes.js';
import { ipv4, ipv6 } from './frames.js';

const A = 'fd000000000000000000000000000001';
const B = 'fd000000000000000000000000000002';

describe('decodeIpv4 (RFC 791 §3.1)', () => {
  it('returns addresses, protocol and the payload trimmed to Total Length (Ethernet padding dropped)', () => {
    const pkt = concat(ipv4('192.0.2.1', '192.0.2.2', hex('aabbcc')), hex('000000'));
    expect(decodeIpv4(pkt)).toEqual({
      version: 4,
      src: '192.0.2.1',
      dst: '192.0.2.2',
      protocol: 6,
      payload: hex('aabbcc'),
      fragment: false,
      snapped: 0,
    });
  });

  it('skips header options (IHL > 5)', () => {
    const pkt = hex('4600001a 00010000 40060000 c0000201 c0000202 01010100 dead');
    expect(decodeIpv4(pkt)?.payload).toEqual(hex('dead'));
  });

  it('reports how much a snapshot length cut off', () => {
    const pkt = ipv4('192.0.2.1', '192.0.2.2', hex('0102030405'));
    expect(decodeIpv4(pkt.subarray(0, 22))).toMatchObject({ payload: hex('0102'), snapped: 3 });
  });

  it('decodes a first fragment as far as it goes and flags later fragments', () => {
    expect(decodeIpv4(ipv4('192.0.2.1', '192.0.2.2', hex('01'), 6, 0x2000))?.fragment).toBe(false);
    expect(decodeIpv4(ipv4('192.0.2.1', '192.0.2.2', hex('01'), 6, 0x0010))?.fragment).toBe(true);
  });

  it('returns undefined for a header that is not IPv4 or is cut short', () => {
    expect(decodeIpv4(hex('4500'))).toBeUndefined();
    expect(decodeIpv4(ipv6(A, B, hex('00')))).toBeUndefined();
    expect(decodeIpv4(hex('4f000014 00000000 40060000 00000000 00000000'))).toBeUndefined();
  });
});

describe('decodeIpv6 (RFC 8200 §3, §4)', () => {
  it('returns RFC 5952 addresses, protocol and payload', () => {
    expect(decodeIpv6(ipv6(A, B, hex('abcd')))).toEqual({
      version: 6,
      src: 'fd00::1',
      dst: 'fd00::2',
      protocol: 6,
      payload: hex('abcd'),
      fragment: false,
      snapped: 0,
    });
  });

  it('walks hop-by-hop, destination options and fragment headers to TCP', () => {
    const ext = hex('3c00 0000 00000000  2c00 0000 00000000  0600 0001 00000001');
    const pkt = ipv6(A, B, concat(ext, hex('beef')), 0);
    expect(decodeIpv6(pkt)).toMatchObject({ protocol: 6, payload: hex('beef'), fragment: false });
    const later = ipv6(A, B, concat(hex('0600 0010 00000001'), hex('beef')), 44);
    expect(decodeIpv6(later)?.fragment).toBe(true);
  });

  it('returns undefined for a truncated extension header chain', () => {
    expect(decodeIpv6(ipv6(A, B, hex('06'), 0))).toBeUndefined();
  });
});
