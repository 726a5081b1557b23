import { describe, expect, it } from 'vitest';
import type { Capability } from '../../src/wire/capabilities/capability.js';
import { capabilityCode, decodeCapability, encodeCapability } from '../../src/wire/capabilities/index.js';
import { LocalProtocolError, WireError } from '../../src/wire/errors.js';
import { Writer } from '../../src/wire/writer.js';
import { hex, toHex } from '../support/bytes.js';

/** Decodes a whole capability TLV (code, length, value) written in hex. */
function decodeTlv(tlv: string): Capability {
  const b = hex(tlv);
  expect(b[1]).toBe(b.length - 2);
  return decodeCapability(b[0]!, b.subarray(2));
}

function encodeTlv(cap: Capability): string {
  const w = new Writer(8);
  encodeCapability(cap, w);
  return toHex(w.finish());
}

function expectMalformed(tlv: string, reason: RegExp): void {
  let caught: unknown;
  try {
    decodeTlv(tlv);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WireError);
  const err = caught as WireError;
  expect(err.errorCode).toBe('BGP_OPEN_MALFORMED');
  expect([err.code, err.subcode]).toEqual([2, 0]);
  expect(err.message).toMatch(reason);
}

/** [description, TLV hex, decoded value] — every TLV is canonical, so it must also encode back to itself. */
const vectors: [string, string, Capability][] = [
  [
    'Multiprotocol IPv4 unicast: AFI 1, reserved 0, SAFI 1 (RFC 4760 §8)',
    '01 04 0001 00 01',
    { kind: 'multiprotocol', afi: 1, safi: 1 },
  ],
  [
    'Multiprotocol L2VPN EVPN, from tcpdump bgp-evpn.pcap (RFC 4760 §8)',
    '01 04 0019 00 46',
    { kind: 'multiprotocol', afi: 25, safi: 70 },
  ],
  ['Route Refresh with an empty value (RFC 2918 §2)', '02 00', { kind: 'routeRefresh' }],
  [
    'Extended Next Hop with three 6-octet tuples and 2-octet SAFIs, from pmacct 301 (RFC 8950 §3)',
    '05 12 0001 0001 0002 | 0001 0002 0002 | 0001 0080 0002',
    {
      kind: 'extendedNextHop',
      entries: [
        { afi: 1, safi: 1, nextHopAfi: 2 },
        { afi: 1, safi: 2, nextHopAfi: 2 },
        { afi: 1, safi: 128, nextHopAfi: 2 },
      ],
    },
  ],
  ['Extended Message with an empty value (RFC 8654 §3)', '06 00', { kind: 'extendedMessage' }],
  [
    'BGP Role customer (3), from tcpdump bgp-role.pcapng (RFC 9234 §4.1)',
    '09 01 03',
    { kind: 'role', role: 3 },
  ],
  [
    'Graceful Restart with N bit, 60 s and IPv4 unicast with F bit, from tcpdump bgp-cease-hard-reset (RFC 4724 §3, RFC 8538 §2)',
    '40 06 403c 0001 01 80',
    {
      kind: 'gracefulRestart',
      restartState: false,
      notification: true,
      restartTimeSec: 60,
      families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
    },
  ],
  [
    'Graceful Restart with R and N bits, 300 s and no families, from tcpdump bgp-4byte-asn (RFC 4724 §3)',
    '40 02 c12c',
    { kind: 'gracefulRestart', restartState: true, notification: true, restartTimeSec: 300, families: [] },
  ],
  [
    'Graceful Restart with a family whose forwarding state was not kept (RFC 4724 §3)',
    '40 0a 0fff 0001 80 00 0002 01 80',
    {
      kind: 'gracefulRestart',
      restartState: false,
      notification: false,
      restartTimeSec: 4095,
      families: [
        { afi: 1, safi: 128, forwardingPreserved: false },
        { afi: 2, safi: 1, forwardingPreserved: true },
      ],
    },
  ],
  [
    '4-octet AS 2764334674, from tcpdump bgp-4byte-asn (RFC 6793 §3)',
    '41 04 a4c46652',
    { kind: 'fourOctetAs', asn: 2764334674 },
  ],
  [
    'ADD-PATH receive for IPv4 and IPv6 unicast, from tcpdump bgp-extended-optional-parameters-length (RFC 7911 §4)',
    '45 08 0001 01 01 0002 01 01',
    {
      kind: 'addPath',
      families: [
        { afi: 1, safi: 1, receive: true, send: false },
        { afi: 2, safi: 1, receive: true, send: false },
      ],
    },
  ],
  [
    'ADD-PATH send (2) and both (3) (RFC 7911 §4)',
    '45 08 0001 01 02 0001 04 03',
    {
      kind: 'addPath',
      families: [
        { afi: 1, safi: 1, receive: false, send: true },
        { afi: 1, safi: 4, receive: true, send: true },
      ],
    },
  ],
  ['Enhanced Route Refresh with an empty value (RFC 7313 §3.1)', '46 00', { kind: 'enhancedRouteRefresh' }],
  [
    'Long-Lived Graceful Restart with F bit and stale time 0, from tcpdump bgp-role.pcapng (RFC 9494 §3)',
    '47 07 0001 01 80 000000',
    {
      kind: 'longLivedGracefulRestart',
      families: [{ afi: 1, safi: 1, forwardingPreserved: true, staleTimeSec: 0 }],
    },
  ],
  [
    'Long-Lived Graceful Restart with two families of 360 s, from tcpdump bgp-extended-optional-parameters-length (RFC 9494 §3)',
    '47 0e 0001 01 80 000168 0002 01 80 000168',
    {
      kind: 'longLivedGracefulRestart',
      families: [
        { afi: 1, safi: 1, forwardingPreserved: true, staleTimeSec: 360 },
        { afi: 2, safi: 1, forwardingPreserved: true, staleTimeSec: 360 },
      ],
    },
  ],
  [
    'Long-Lived Graceful Restart with a 24-bit stale time and no F bit (RFC 9494 §3)',
    '47 07 0002 80 00 fffffe',
    {
      kind: 'longLivedGracefulRestart',
      families: [{ afi: 2, safi: 128, forwardingPreserved: false, staleTimeSec: 0xfffffe }],
    },
  ],
  [
    'Long-Lived Graceful Restart with no families, from tcpdump bgp-evpn.pcap (RFC 9494 §3)',
    '47 00',
    { kind: 'longLivedGracefulRestart', families: [] },
  ],
  [
    'FQDN "donatas-pc" with an empty domain, from tcpdump bgp-role.pcapng (draft-walton-bgp-hostname-capability)',
    '49 0c 0a 646f6e617461732d7063 00',
    { kind: 'fqdn', hostname: 'donatas-pc', domainName: '' },
  ],
  [
    'FQDN with host and domain names, from exabgp qa/encoding/conf-hostname.ci',
    '49 20 0c 6d792d686f73742d6e616d65 12 6d792d646f6d61696e2d6e616d652e636f6d',
    { kind: 'fqdn', hostname: 'my-host-name', domainName: 'my-domain-name.com' },
  ],
  [
    'FQDN with UTF-8 names (draft-walton-bgp-hostname-capability)',
    '49 12 0a 726f75746575722dc3a9 06 65782e6f7267',
    { kind: 'fqdn', hostname: 'routeur-é', domainName: 'ex.org' },
  ],
  [
    'Software Version, from exabgp qa/decoding/bgp-open-sofware-version (draft-ietf-idr-software-version)',
    '4b 20 1f 4578614247502f6d61696e2d633261326561386562642d3230323430373135',
    { kind: 'softwareVersion', version: 'ExaBGP/main-c2a2ea8ebd-20240715' },
  ],
  [
    'Cisco pre-standard Route Refresh (128) kept as unknown (RFC 5492 §4)',
    '80 00',
    { kind: 'unknown', code: 128, value: new Uint8Array(0) },
  ],
  [
    'Multiple Labels (8) kept as unknown, byte-exact, from tcpdump bgp-lu-multiple-labels (RFC 5492 §4)',
    '08 04 00010407',
    { kind: 'unknown', code: 8, value: hex('00010407') },
  ],
];

describe('capability codecs (RFC 5492 §4)', () => {
  for (const [name, tlv, cap] of vectors) {
    it(`decodes ${name}`, () => {
      expect(decodeTlv(tlv)).toEqual(cap);
    });
    it(`encodes ${name}`, () => {
      expect(encodeTlv(cap)).toBe(toHex(hex(tlv)));
    });
  }

  it('maps every kind to its IANA code (capabilityCode)', () => {
    for (const [, tlv, cap] of vectors) expect(capabilityCode(cap)).toBe(hex(tlv)[0]);
  });

  it('writes the code and length in front of the value, filling the length in afterwards', () => {
    const w = new Writer(1);
    encodeCapability({ kind: 'fourOctetAs', asn: 65001 }, w);
    encodeCapability({ kind: 'routeRefresh' }, w);
    expect(toHex(w.finish())).toBe('41040000fde90200');
  });
});

describe('malformed capability values → OPEN Message Error / Unspecific (RFC 4271 §6.2, RFC 5492 §3)', () => {
  it('rejects Multiprotocol of length 3 and 5 (RFC 4760 §8)', () => {
    expectMalformed('01 03 000100', /Multiprotocol.*length 3, expected 4/);
    expectMalformed('01 05 0001000100', /Multiprotocol.*length 5/);
  });
  it('rejects Route Refresh, Extended Message and Enhanced Route Refresh with a value', () => {
    expectMalformed('02 01 00', /Route Refresh/);
    expectMalformed('06 01 00', /Extended Message/);
    expectMalformed('46 02 0000', /Enhanced Route Refresh/);
  });
  it('rejects a BGP Role of length 0 or 2 (RFC 9234 §4.1)', () => {
    expectMalformed('09 00', /BGP Role/);
    expectMalformed('09 02 0303', /BGP Role/);
  });
  it('rejects a Graceful Restart shorter than 2 octets or with a partial tuple (RFC 4724 §3)', () => {
    expectMalformed('40 00', /Graceful Restart.*length 0/);
    expectMalformed('40 01 40', /Graceful Restart/);
    expectMalformed('40 05 0078 000101', /Graceful Restart.*length 5 is not 2 \+ a multiple of 4/);
  });
  it('rejects a 4-octet AS capability of length 2 (RFC 6793 §3)', () => {
    expectMalformed('41 02 fde9', /4-octet AS.*length 2, expected 4/);
  });
  it('rejects ADD-PATH whose length is not a multiple of 4 (RFC 7911 §4)', () => {
    expectMalformed('45 03 000101', /ADD-PATH/);
    expectMalformed('45 05 0001010100', /ADD-PATH/);
  });
  it('rejects Extended Next Hop whose length is not a multiple of 6 (RFC 8950 §3)', () => {
    expectMalformed('05 04 00010001', /Extended Next Hop/);
  });
  it('rejects Long-Lived Graceful Restart whose length is not a multiple of 7 (RFC 9494 §3)', () => {
    expectMalformed('47 06 000101800000', /Long-Lived Graceful Restart/);
  });
});

describe('lenient capabilities', () => {
  it('keeps ADD-PATH with a Send/Receive value of 0 or 4 as unknown, "not understood and ignored" (RFC 7911 §4)', () => {
    expect(decodeTlv('45 04 0001 01 00')).toEqual({ kind: 'unknown', code: 69, value: hex('00010100') });
    expect(decodeTlv('45 08 0001 01 01 0002 01 04')).toEqual({
      kind: 'unknown',
      code: 69,
      value: hex('0001010100020104'),
    });
  });
  it('keeps an FQDN whose inner lengths disagree with the capability length as unknown, byte-exact', () => {
    for (const tlv of ['49 00', '49 01 05', '49 03 01 61 05', '49 04 01 61 00 ff']) {
      const b = hex(tlv);
      expect(decodeTlv(tlv)).toEqual({ kind: 'unknown', code: 73, value: b.subarray(2) });
      expect(encodeTlv(decodeTlv(tlv))).toBe(toHex(b));
    }
    // Both names empty is well-formed.
    expect(decodeTlv('49 02 00 00')).toEqual({ kind: 'fqdn', hostname: '', domainName: '' });
  });
  it('keeps an FQDN that is not UTF-8 as unknown', () => {
    expect(decodeTlv('49 04 02 c328 00')).toEqual({ kind: 'unknown', code: 73, value: hex('02c32800') });
  });
  it('keeps a Software Version whose length octet disagrees or that is not UTF-8 as unknown', () => {
    for (const tlv of ['4b 00', '4b 03 05 6162', '4b 03 01 6162', '4b 02 01 ff']) {
      const b = hex(tlv);
      expect(decodeTlv(tlv)).toEqual({ kind: 'unknown', code: 75, value: b.subarray(2) });
      expect(encodeTlv(decodeTlv(tlv))).toBe(toHex(b));
    }
  });
  it('decodes multi-byte UTF-8 text and keeps a byte-order mark so it re-encodes byte-exact', () => {
    const tlv = '4b 0b 0a efbbbf 72c3a9 e29c93 41';
    expect(decodeTlv(tlv)).toEqual({ kind: 'softwareVersion', version: '\ufeffré✓A' });
    expect(encodeTlv(decodeTlv(tlv))).toBe(toHex(hex(tlv)));
  });
  it('copies unknown values, so later changes to the message buffer do not show through', () => {
    const b = hex('08 02 abcd');
    const cap = decodeCapability(8, b.subarray(2));
    b[2] = 0;
    expect(cap).toEqual({ kind: 'unknown', code: 8, value: hex('abcd') });
  });
});

describe('encoding refuses what cannot go on the wire (LocalProtocolError)', () => {
  const bad: [string, Capability][] = [
    ['AFI above 65535', { kind: 'multiprotocol', afi: 65536, safi: 1 }],
    ['SAFI above 255', { kind: 'multiprotocol', afi: 1, safi: 256 }],
    ['a negative role', { kind: 'role', role: -1 }],
    [
      'a restart time above 4095 (RFC 4724 §3)',
      {
        kind: 'gracefulRestart',
        restartState: false,
        notification: false,
        restartTimeSec: 4096,
        families: [],
      },
    ],
    ['an ASN above 2^32-1', { kind: 'fourOctetAs', asn: 2 ** 32 }],
    ['a fractional ASN', { kind: 'fourOctetAs', asn: 1.5 }],
    [
      'an ADD-PATH family that neither sends nor receives (RFC 7911 §4)',
      { kind: 'addPath', families: [{ afi: 1, safi: 1, receive: false, send: false }] },
    ],
    [
      'a stale time above 2^24-1 (RFC 9494 §3)',
      {
        kind: 'longLivedGracefulRestart',
        families: [{ afi: 1, safi: 1, forwardingPreserved: false, staleTimeSec: 0x1000000 }],
      },
    ],
    ['an FQDN over 255 octets', { kind: 'fqdn', hostname: 'h'.repeat(200), domainName: 'd'.repeat(54) }],
    ['a software version over 254 octets', { kind: 'softwareVersion', version: 'v'.repeat(255) }],
    ['an unknown value over 255 octets', { kind: 'unknown', code: 200, value: new Uint8Array(256) }],
    ['an unknown code above 255', { kind: 'unknown', code: 256, value: new Uint8Array(0) }],
  ];
  for (const [name, cap] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => encodeCapability(cap, new Writer())).toThrow(LocalProtocolError);
    });
  }

  it('accepts the largest values that fit', () => {
    expect(encodeTlv({ kind: 'fqdn', hostname: 'h'.repeat(200), domainName: 'd'.repeat(53) })).toMatch(
      /^49ff/,
    );
    expect(encodeTlv({ kind: 'softwareVersion', version: 'v'.repeat(254) })).toMatch(/^4bfffe/);
    expect(encodeTlv({ kind: 'unknown', code: 255, value: new Uint8Array(255) })).toMatch(/^ffff/);
  });
});
