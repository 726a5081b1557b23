import { describe, expect, it } from 'vitest';
import { LocalProtocolError, WireError } from '../../src/wire/errors.js';
import { decodeOpen, encodeOpen, type OpenMessage, openAsn } from '../../src/wire/open.js';
import { concat, hex, message, toHex } from '../support/bytes.js';

const OPEN = 1;

function expectOpenError(msg: Uint8Array, subcode: number, errorCode: string, reason?: RegExp): WireError {
  let caught: unknown;
  try {
    decodeOpen(msg);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WireError);
  const err = caught as WireError;
  expect([err.code, err.subcode, err.errorCode]).toEqual([2, subcode, errorCode]);
  if (reason) expect(err.message).toMatch(reason);
  return err;
}

/** decodeOpen(b) then encodeOpen gives back b exactly. */
function expectRoundTrip(b: Uint8Array): OpenMessage {
  const m = decodeOpen(b);
  expect(toHex(encodeOpen(m))).toBe(toHex(b));
  return m;
}

describe('OPEN fixed fields (RFC 4271 §4.2)', () => {
  it('decodes version, My AS, Hold Time, BGP Identifier and an empty parameter list', () => {
    // 04 | fde9 = 65001 | 00b4 = 180 s | c0000201 = 192.0.2.1 | 00 = no optional parameters
    const b = message(OPEN, '04 fde9 00b4 c0000201 00');
    expect(decodeOpen(b)).toEqual({
      kind: 'open',
      version: 4,
      myAsn: 65001,
      holdTimeSec: 180,
      bgpIdentifier: '192.0.2.1',
      capabilities: [],
      layout: { grouping: 'perCapability', extendedLength: false },
    });
  });

  it('encodes the same fields to a 29-octet message', () => {
    const m: OpenMessage = {
      kind: 'open',
      version: 4,
      myAsn: 65001,
      holdTimeSec: 180,
      bgpIdentifier: '192.0.2.1',
      capabilities: [],
    };
    expect(toHex(encodeOpen(m))).toBe(`${'ff'.repeat(16)}001d0104fde900b4c000020100`);
  });

  it('round-trips the parameterless OPEN of the Wireshark sample capture bgp.pcap', () => {
    const m = expectRoundTrip(hex('ffffffffffffffffffffffffffffffff001d0104fe0900b4c0a8000f00'));
    expect([m.myAsn, m.holdTimeSec, m.bgpIdentifier]).toEqual([65033, 180, '192.168.0.15']);
  });

  it('does not judge Hold Time 1, BGP Identifier 0.0.0.0 or My AS 0: that is the negotiation (RFC 4271 §6.2)', () => {
    const m = decodeOpen(message(OPEN, '04 0000 0001 00000000 00'));
    expect([m.myAsn, m.holdTimeSec, m.bgpIdentifier]).toEqual([0, 1, '0.0.0.0']);
  });

  it('refuses version 3 with 2/1 and data 0x0004, the largest version supported (RFC 4271 §6.2)', () => {
    const err = expectOpenError(
      message(OPEN, '03 fde9 00b4 c0000201 00'),
      1,
      'BGP_OPEN_UNSUPPORTED_VERSION_NUMBER',
    );
    expect(toHex(err.data)).toBe('0004');
    expect(err.action).toBe('sessionReset');
  });

  it('refuses version 255 of the tcpdump bgp_capabilities_print-oobr-1 capture with 2/1 (RFC 4271 §6.2)', () => {
    const b = hex(
      'ffffffffffffffffffffffffffffffff003b01fffff810e4900820041d000002084000000041040000000202020202e80302070400080080004000',
    );
    expect(toHex(expectOpenError(b, 1, 'BGP_OPEN_UNSUPPORTED_VERSION_NUMBER').data)).toBe('0004');
  });
});

describe('capability layouts re-encode byte-exact (RFC 5492 §4)', () => {
  it('one Capabilities parameter per capability: FRR OPEN of tcpdump bgp-role.pcapng', () => {
    const b = hex(
      'ffffffffffffffffffffffffffffffff006b0104fdea00b4c0a80a114e' +
        '0206010400010001 02028000 02020200 02024600 020641040000fdea 02020600 0203090103' +
        ' 020645040001010102 0e490c0a646f6e617461732d706300 020440024078 0209470700010180000000',
    );
    const m = expectRoundTrip(b);
    expect(m.layout).toEqual({ grouping: 'perCapability', extendedLength: false });
    expect(m.capabilities).toEqual([
      { kind: 'multiprotocol', afi: 1, safi: 1 },
      { kind: 'unknown', code: 128, value: new Uint8Array(0) },
      { kind: 'routeRefresh' },
      { kind: 'enhancedRouteRefresh' },
      { kind: 'fourOctetAs', asn: 65002 },
      { kind: 'extendedMessage' },
      { kind: 'role', role: 3 },
      { kind: 'addPath', families: [{ afi: 1, safi: 1, receive: true, send: false }] },
      { kind: 'fqdn', hostname: 'donatas-pc', domainName: '' },
      { kind: 'gracefulRestart', restartState: false, notification: true, restartTimeSec: 120, families: [] },
      {
        kind: 'longLivedGracefulRestart',
        families: [{ afi: 1, safi: 1, forwardingPreserved: true, staleTimeSec: 0 }],
      },
    ]);
    expect(openAsn(m)).toBe(65002);
  });

  it('all capabilities packed in one parameter: tcpdump bgp-4byte-asn.pcap, AS_TRANS and a 4-octet ASN (RFC 6793 §4.1)', () => {
    const b = hex(
      'ffffffffffffffffffffffffffffffff003701045ba000b4000001011a' +
        '0218 01040001 0001 0200 4002c12c 4104a4c46652 450400010101',
    );
    const m = expectRoundTrip(b);
    expect(m.layout).toEqual({ grouping: 'packed', extendedLength: false });
    expect(m.myAsn).toBe(23456);
    expect(m.capabilities).toHaveLength(5);
    expect(openAsn(m)).toBe(2764334674);
  });

  it('a mixed layout (GR alone, then Route Refresh + MP together): tcpdump bgp-cease-hard-reset.pcap', () => {
    const b = hex(
      'ffffffffffffffffffffffffffffffff0031010400640e1001000101 14' +
        '0208 4006403c00010180 0208 0200 010400010001',
    );
    const m = expectRoundTrip(b);
    expect(m.layout).toEqual({ grouping: 'packed', extendedLength: false, capabilitiesPerParameter: [1, 2] });
    expect(m.holdTimeSec).toBe(3600);
    expect(m.capabilities.map((c) => c.kind)).toEqual(['gracefulRestart', 'routeRefresh', 'multiprotocol']);
  });

  it('the exabgp OPEN with Software Version matches its expected JSON (exabgp qa/decoding/bgp-open-sofware-version)', () => {
    const b = hex(
      'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00510104FFFD00B40A000002340206010400010001020641040000FFFD02224B201F4578614247502F6D61696E2D633261326561386562642D3230323430373135',
    );
    const m = expectRoundTrip(b);
    // "open": { "version": 4, "asn": 65533, "hold_time": 180, "router_id": "10.0.0.2", "capabilities": {
    //   "1": families ["ipv4/unicast"], "65": { "asn4": 65533 }, "75": { "software": "ExaBGP/main-c2a2ea8ebd-20240715" } } }
    expect(m).toMatchObject({ version: 4, myAsn: 65533, holdTimeSec: 180, bgpIdentifier: '10.0.0.2' });
    expect(m.capabilities).toEqual([
      { kind: 'multiprotocol', afi: 1, safi: 1 },
      { kind: 'fourOctetAs', asn: 65533 },
      { kind: 'softwareVersion', version: 'ExaBGP/main-c2a2ea8ebd-20240715' },
    ]);
  });

  it('encodes perCapability when no layout is given, and packed on request', () => {
    const base: OpenMessage = {
      kind: 'open',
      version: 4,
      myAsn: 65001,
      holdTimeSec: 90,
      bgpIdentifier: '10.0.0.1',
      capabilities: [{ kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'routeRefresh' }],
    };
    const fixed = `${'ff'.repeat(16)}`;
    expect(toHex(encodeOpen(base))).toBe(
      `${fixed}0029 01 04fde9005a0a000001 0c 0206010400010001 02020200`.replace(/ /g, ''),
    );
    expect(toHex(encodeOpen({ ...base, layout: { grouping: 'packed', extendedLength: false } }))).toBe(
      `${fixed}0027 01 04fde9005a0a000001 0a 0208 01040001000102 00`.replace(/ /g, ''),
    );
  });

  it('keeps an empty Capabilities parameter through a round trip', () => {
    const b = message(OPEN, '04 fde9 005a 0a000001 06 0200 02020200');
    const m = expectRoundTrip(b);
    expect(m.layout?.capabilitiesPerParameter).toEqual([0, 1]);
    expect(m.capabilities).toEqual([{ kind: 'routeRefresh' }]);
  });

  it('falls back to grouping when capabilitiesPerParameter does not add up to the capabilities', () => {
    const m: OpenMessage = {
      kind: 'open',
      version: 4,
      myAsn: 1,
      holdTimeSec: 0,
      bgpIdentifier: '1.1.1.1',
      capabilities: [{ kind: 'routeRefresh' }],
      layout: { grouping: 'perCapability', extendedLength: false, capabilitiesPerParameter: [1, 2] },
    };
    expect(toHex(encodeOpen(m)).slice(56)).toBe('0402020200');
  });
});

describe('other optional parameters (RFC 4271 §4.2)', () => {
  it('keeps a non-Capabilities parameter raw and re-encodes it in place when it comes first', () => {
    // type 1 (deprecated Authentication) with 2 octets, then a Capabilities parameter.
    const b = message(OPEN, '04 fde9 00b4 0a000001 0c 0102abcd 0206 0104 0001 0001');
    const m = expectRoundTrip(b);
    expect(m.otherParameters).toEqual([{ type: 1, value: hex('abcd') }]);
    expect(m.capabilities).toEqual([{ kind: 'multiprotocol', afi: 1, safi: 1 }]);
  });

  it('re-encodes other parameters before the capabilities, whatever their received order', () => {
    const b = message(OPEN, '04 fde9 00b4 0a000001 0c 0206 0104 0001 0001 0102abcd');
    expect(toHex(encodeOpen(decodeOpen(b)))).toBe(
      toHex(message(OPEN, '04 fde9 00b4 0a000001 0c 0102abcd 0206 0104 0001 0001')),
    );
  });

  it('has no otherParameters field when there are none', () => {
    expect(decodeOpen(message(OPEN, '04 fde9 00b4 0a000001 00'))).not.toHaveProperty('otherParameters');
  });
});

describe('RFC 9072 extended optional parameters length', () => {
  const captured = hex(
    'ffffffffffffffffffffffffffffffff008c010400ae00b406060606ffff006c' +
      '020006010400010001 020006010400020001 0200028000 0200020200 0200024600 02000641040000' +
      '00ae 0200020600 02000a4508000101010002010102 001349110f65786974312d64656269616e2d313100' +
      '02000440020078 020010470e0001018000016800020180000168',
  );

  it('decodes and re-encodes the extended-length OPEN of tcpdump bgp-extended-optional-parameters-length (RFC 9072 §2)', () => {
    const m = expectRoundTrip(captured);
    expect(m.layout).toEqual({ grouping: 'perCapability', extendedLength: true });
    expect([m.myAsn, m.bgpIdentifier]).toEqual([174, '6.6.6.6']);
    expect(m.capabilities).toHaveLength(11);
    expect(m.capabilities[8]).toEqual({ kind: 'fqdn', hostname: 'exit1-debian-11', domainName: '' });
  });

  it('encodes the short form for the same OPEN when extendedLength is not asked for', () => {
    const m = decodeOpen(captured);
    const short = encodeOpen({ ...m, layout: { grouping: 'perCapability', extendedLength: false } });
    expect(short.length).toBe(captured.length - 3 - 11);
    expect(short[28]).toBe(0x6c - 11);
    expect(decodeOpen(short).capabilities).toEqual(m.capabilities);
  });

  it('encodes the extended form on request: 255, 255, then a 2-octet length and 2-octet parameter lengths', () => {
    const m: OpenMessage = {
      kind: 'open',
      version: 4,
      myAsn: 65001,
      holdTimeSec: 180,
      bgpIdentifier: '10.0.0.1',
      capabilities: [{ kind: 'routeRefresh' }],
      layout: { grouping: 'perCapability', extendedLength: true },
    };
    expect(toHex(encodeOpen(m))).toBe(toHex(message(OPEN, '04 fde9 00b4 0a000001 ff ff 0005 02 0002 0200')));
  });

  it('switches to the extended form when the parameters exceed 255 octets (RFC 9072 §2)', () => {
    // 40 Multiprotocol capabilities, one per parameter: 40 × 8 = 320 octets in the short form.
    const capabilities = Array.from({ length: 40 }, (_, i) => ({
      kind: 'multiprotocol' as const,
      afi: 1,
      safi: i,
    }));
    const b = encodeOpen({
      kind: 'open',
      version: 4,
      myAsn: 1,
      holdTimeSec: 3,
      bgpIdentifier: '1.2.3.4',
      capabilities,
    });
    // 40 × (1 + 2 + 6) = 360 = 0x0168
    expect(toHex(b.subarray(28, 32))).toBe('ffff0168');
    expect(b.length).toBe(19 + 10 + 3 + 360);
    expect(toHex(b.subarray(32, 41))).toBe('020006010400010000');
    const m = decodeOpen(b);
    expect(m.capabilities).toEqual(capabilities);
    expect(m.layout).toEqual({ grouping: 'perCapability', extendedLength: true });
  });

  it('switches to the extended form when one packed parameter alone exceeds 255 octets', () => {
    const capabilities = Array.from({ length: 50 }, (_, i) => ({
      kind: 'multiprotocol' as const,
      afi: 2,
      safi: i,
    }));
    const b = encodeOpen({
      kind: 'open',
      version: 4,
      myAsn: 1,
      holdTimeSec: 3,
      bgpIdentifier: '1.2.3.4',
      capabilities,
      layout: { grouping: 'packed', extendedLength: false },
    });
    // one parameter: type 2, length 300 = 0x012c
    expect(toHex(b.subarray(28, 35))).toBe('ffff012f02012c');
    expect(decodeOpen(b).layout).toEqual({ grouping: 'packed', extendedLength: true });
  });

  it('reads a short-form list of exactly 255 octets whose first parameter is not type 255 as short form', () => {
    const value = new Uint8Array(253).fill(0xaa);
    const b = message(OPEN, concat(hex('04 fde9 00b4 0a000001 ff 01 fd'), value));
    const m = expectRoundTrip(b);
    expect(m.layout?.extendedLength).toBe(false);
    expect(m.otherParameters).toEqual([{ type: 1, value }]);
  });

  it('uses the extended form for a 255-octet list that starts with a type-255 parameter, which would be ambiguous', () => {
    const value = new Uint8Array(253);
    const b = encodeOpen({
      kind: 'open',
      version: 4,
      myAsn: 1,
      holdTimeSec: 3,
      bgpIdentifier: '1.2.3.4',
      capabilities: [],
      otherParameters: [{ type: 255, value }],
    });
    expect(toHex(b.subarray(28, 35))).toBe('ffff0100ff00fd');
    expect(decodeOpen(b).otherParameters).toEqual([{ type: 255, value }]);
  });
});

describe('malformed optional parameters → 2/0 BGP_OPEN_MALFORMED, as FRR and BIRD send (RFC 4271 §6.2)', () => {
  const malformed = (body: string | Uint8Array, reason?: RegExp) =>
    expectOpenError(message(OPEN, body), 0, 'BGP_OPEN_MALFORMED', reason);

  it('an OPEN body too short for the fixed fields is an OPEN error, not a header error', () => {
    malformed('04 fde9 00b4', /fixed fields/);
    malformed('', /version/);
  });
  it('an optional parameters length past the end of the message', () => {
    malformed('04 fde9 00b4 0a000001 05 0202 0200', /length 5, but 4 octets follow/);
  });
  it('octets after the optional parameters', () => {
    malformed('04 fde9 00b4 0a000001 04 0202 0200 00', /length 4, but 5 octets follow/);
  });
  it('a parameter whose length runs past the parameter area', () => {
    malformed('04 fde9 00b4 0a000001 04 0203 0200', /Capabilities parameter/);
    malformed('04 fde9 00b4 0a000001 03 0105 00', /optional parameter 1/);
  });
  it('a parameter type without its length octet', () => {
    malformed('04 fde9 00b4 0a000001 01 02', /optional parameter length/);
  });
  it('a capability whose length runs past its parameter (RFC 5492 §4)', () => {
    malformed('04 fde9 00b4 0a000001 06 0204 4104 0000', /capability 65/);
  });
  it('a capability code without its length octet (RFC 5492 §4)', () => {
    malformed('04 fde9 00b4 0a000001 03 0201 41', /capability length/);
  });
  it('an RFC 9072 marker without room for the 2-octet length', () => {
    malformed('04 fde9 00b4 0a000001 ff ff 00', /extended optional parameters length/);
  });
  it('an RFC 9072 length that disagrees with the message, or a 1-octet parameter length under it', () => {
    malformed('04 fde9 00b4 0a000001 ff ff 0005 02 0002 02', /length 5, but 4 octets follow/);
    malformed('04 fde9 00b4 0a000001 ff ff 0004 02 02 0200', /Capabilities parameter/);
  });
  it('a known capability with a malformed value, e.g. Multiprotocol of 3 octets (RFC 4760 §8)', () => {
    malformed('04 fde9 00b4 0a000001 07 0205 0103 000100', /Multiprotocol.*length 3/);
  });
  it('carries no data and asks for a session reset', () => {
    const err = malformed('04 fde9 00b4 0a000001 01 02');
    expect(err.data.length).toBe(0);
    expect(err.action).toBe('sessionReset');
  });
});

describe('encodeOpen refuses what cannot go on the wire (LocalProtocolError)', () => {
  const base: OpenMessage = {
    kind: 'open',
    version: 4,
    myAsn: 65001,
    holdTimeSec: 180,
    bgpIdentifier: '10.0.0.1',
    capabilities: [],
  };
  it('a BGP Identifier that is not dotted-quad text', () => {
    expect(() => encodeOpen({ ...base, bgpIdentifier: '10.0.0' })).toThrow(LocalProtocolError);
    expect(() => encodeOpen({ ...base, bgpIdentifier: '::1' })).toThrow(LocalProtocolError);
  });
  it('My AS above 65535 (RFC 6793 §4.1 wants AS_TRANS there)', () => {
    expect(() => encodeOpen({ ...base, myAsn: 65536 })).toThrow(LocalProtocolError);
  });
  it('a Hold Time or version out of range', () => {
    expect(() => encodeOpen({ ...base, holdTimeSec: -1 })).toThrow(LocalProtocolError);
    expect(() => encodeOpen({ ...base, version: 256 })).toThrow(LocalProtocolError);
  });
  it('an OPEN over 4096 octets, which RFC 8654 never allows', () => {
    const otherParameters = Array.from({ length: 17 }, () => ({ type: 1, value: new Uint8Array(250) }));
    expect(() => encodeOpen({ ...base, otherParameters })).toThrow(LocalProtocolError);
  });
});

describe('openAsn (RFC 6793 §4.1)', () => {
  it('is My AS without a 4-octet AS capability', () => {
    expect(
      openAsn({
        kind: 'open',
        version: 4,
        myAsn: 65001,
        holdTimeSec: 0,
        bgpIdentifier: '1.1.1.1',
        capabilities: [],
      }),
    ).toBe(65001);
  });
});
