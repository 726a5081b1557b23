import { describe, expect, it } from 'vitest';
import { looksLikeMrt, readMrt } from '../../src/mrt/reader.js';
import type { MrtRecord } from '../../src/mrt/record.js';
import { message } from '../support/bytes.js';
import { concat, hex, mrtRecord } from './records.js';

const keepalive = message(4, '');

function only<K extends MrtRecord['kind']>(buf: Uint8Array, kind: K): Extract<MrtRecord, { kind: K }> {
  const recs = [...readMrt(buf)];
  expect(recs.map((r) => r.kind)).toEqual([kind]);
  return recs[0] as Extract<MrtRecord, { kind: K }>;
}

describe('readMrt: BGP4MP (RFC 6396 §4.4, RFC 8050 §3)', () => {
  it('reads MESSAGE with 2-octet AS numbers and IPv4 addresses', () => {
    const body = concat(hex('fde8 fde9 0003 0001 c0000201 c0000202'), keepalive);
    const r = only(mrtRecord(16, 1, body), 'bgp4mpMessage');
    expect(r).toMatchObject({
      peerAs: 65000,
      localAs: 65001,
      interfaceIndex: 3,
      afi: 1,
      peerIp: '192.0.2.1',
      localIp: '192.0.2.2',
      fourOctetAs: false,
      addPath: false,
      local: false,
      legacy: false,
      message: keepalive,
    });
    expect(r.header).toEqual({ offset: 0, timeSec: 0x5f5e1000, type: 16, subtype: 1, length: body.length });
  });

  it('reads MESSAGE_AS4_LOCAL_ADDPATH over IPv6: 4-octet AS, sent by the local side, path ids', () => {
    const body = concat(
      hex('00030d40 0000fde8 0000 0002'),
      hex('20010db8000000000000000000000001 20010db8000000000000000000000002'),
      keepalive,
    );
    const r = only(mrtRecord(16, 11, body), 'bgp4mpMessage');
    expect(r).toMatchObject({
      peerAs: 200000,
      localAs: 65000,
      peerIp: '2001:db8::1',
      fourOctetAs: true,
      local: true,
      addPath: true,
    });
  });

  it('reads the microsecond field of BGP4MP_ET into the time (RFC 6396 §3)', () => {
    const body = concat(hex('0007a120'), hex('0000fde8 0000fde9 0000 0001 c0000201 c0000202'), keepalive);
    const r = only(mrtRecord(17, 4, body, 1000), 'bgp4mpMessage');
    expect(r.header.timeSec).toBeCloseTo(1000.5, 6);
    expect(r.message).toEqual(keepalive);
  });

  it('reads STATE_CHANGE and STATE_CHANGE_AS4', () => {
    const r = only(
      mrtRecord(16, 0, hex('fde8 fde9 0000 0001 c0000201 c0000202 0001 0002')),
      'bgp4mpStateChange',
    );
    expect(r).toMatchObject({ peerAs: 65000, oldState: 1, newState: 2 });
    const r4 = only(
      mrtRecord(16, 5, hex('00030d40 0000fde9 0000 0001 c0000201 c0000202 0006 0001')),
      'bgp4mpStateChange',
    );
    expect(r4).toMatchObject({ peerAs: 200000, oldState: 6, newState: 1 });
  });

  it('reports a body too short for its subtype as an error record and goes on', () => {
    const recs = [
      ...readMrt(
        concat(
          mrtRecord(16, 0, hex('fde8 fde9 0000 0001')),
          mrtRecord(16, 1, concat(hex('fde8 fde9 0000 0001 c0000201 c0000202'), keepalive)),
        ),
      ),
    ];
    expect(recs.map((r) => r.kind)).toEqual(['error', 'bgp4mpMessage']);
  });

  it('skips (and names) BGP4MP_ENTRY, a deprecated subtype, and unknown subtypes', () => {
    expect(only(mrtRecord(16, 2, hex('00')), 'skipped').reason).toContain('deprecated');
  });
});

describe('readMrt: TABLE_DUMP_V2 (RFC 6396 §4.3, RFC 8050 §4)', () => {
  const peerTable = mrtRecord(
    13,
    1,
    concat(
      hex('c0000201 0004'),
      new TextEncoder().encode('view'),
      hex('0002'),
      hex('00 0a000001 c0000202 fde8'),
      hex('03 0a000002 20010db8000000000000000000000002 00030d40'),
    ),
  );

  it('reads PEER_INDEX_TABLE with IPv4/IPv6 and 2/4-octet AS peers', () => {
    const r = only(peerTable, 'peerIndexTable');
    expect(r).toMatchObject({
      collectorBgpId: '192.0.2.1',
      viewName: 'view',
      peers: [
        { bgpId: '10.0.0.1', ip: '192.0.2.2', asn: 65000 },
        { bgpId: '10.0.0.2', ip: '2001:db8::2', asn: 200000 },
      ],
    });
  });

  it('reads RIB_IPV4_UNICAST entries with their raw attribute blocks', () => {
    const body = hex('00000007 18 c63364 0002  0000 5f5e0000 0004 40010100  0001 5f5e0001 0000');
    const r = only(mrtRecord(13, 2, body), 'rib');
    expect(r.sequence).toBe(7);
    expect(r).toMatchObject({ afi: 1, safi: 1, addPath: false, nlri: hex('18 c63364') });
    expect(r.prefix).toMatchObject({ afi: 1, length: 24, v4: 0xc6336400 });
    expect(r.entries).toEqual([
      { peerIndex: 0, originatedTimeSec: 0x5f5e0000, pathId: undefined, attributes: hex('40010100') },
      { peerIndex: 1, originatedTimeSec: 0x5f5e0001, pathId: undefined, attributes: new Uint8Array(0) },
    ]);
  });

  it('reads RIB_IPV6_UNICAST_ADDPATH entries with their path ids', () => {
    const body = hex('00000001 20 20010db8 0001  0000 00000000 0000002a 0000');
    const r = only(mrtRecord(13, 10, body), 'rib');
    expect(r).toMatchObject({ afi: 2, safi: 1, addPath: true, entries: [{ pathId: 42 }] });
  });

  it('keeps the NLRI of RIB_GENERIC raw and still reads its entries', () => {
    const body = hex('00000003 0001 80 70 000641 0000fde800000001 0a0000  0001 0000 00000000 0000');
    const r = only(mrtRecord(13, 6, body), 'rib');
    expect(r).toMatchObject({
      afi: 1,
      safi: 128,
      prefix: undefined,
      nlri: hex('70 000641 0000fde800000001 0a0000'),
    });
    expect(r.entries).toHaveLength(1);
  });

  it('reports entries that do not fill the record exactly', () => {
    const body = hex('00000007 18 c63364 0001  0000 5f5e0000 0000 ff');
    expect(only(mrtRecord(13, 2, body), 'error').reason).toContain('left after');
  });

  it('skips GEO_PEER_TABLE (RFC 6397)', () => {
    expect(only(mrtRecord(13, 7, hex('00')), 'skipped').reason).toContain('GEO_PEER_TABLE');
  });
});

describe('readMrt: TABLE_DUMP (RFC 6396 §4.2) and the legacy BGP type (RFC 6396 Appendix B)', () => {
  const entry = hex('c6336400 18 01 5f5e0000 c0000201 fde8 0004 40010100');

  it('reads a TABLE_DUMP AFI_IPv4 route', () => {
    const r = only(mrtRecord(12, 1, concat(hex('0000 0005'), entry)), 'tableDump');
    expect(r).toMatchObject({ viewNumber: 0, sequence: 5 });
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0]).toMatchObject({
      status: 1,
      peerIp: '192.0.2.1',
      peerAs: 65000,
      attributes: hex('40010100'),
    });
    expect(r.entries[0]!.prefix).toMatchObject({ afi: 1, length: 24, v4: 0xc6336400 });
  });

  it('reads early RIS records that batch entries and declare a length 4 octets short', () => {
    const one = mrtRecord(12, 1, concat(hex('0000 0000'), entry, entry));
    // Declare 4 octets less than written, as the 2000 RIPE RIS dumps do.
    const quirk = (rec: Uint8Array) => {
      const copy = rec.slice();
      new DataView(copy.buffer).setUint32(8, rec.length - 12 - 4);
      return copy;
    };
    const recs = [...readMrt(concat(quirk(one), quirk(one)))];
    expect(recs.map((r) => r.kind)).toEqual(['tableDump', 'tableDump']);
    expect(recs.map((r) => (r.kind === 'tableDump' ? r.entries.length : 0))).toEqual([2, 2]);
    expect(looksLikeMrt(concat(quirk(one), quirk(one)))).toBe(true);
  });

  it('rebuilds the BGP header of legacy type 5 records (no marker in the dump)', () => {
    const r = only(mrtRecord(5, 1, hex('0d05 c1000038 fffd c1000001 0000 0000')), 'bgp4mpMessage');
    expect(r).toMatchObject({
      legacy: true,
      peerAs: 3333,
      peerIp: '193.0.0.56',
      localAs: 65533,
      fourOctetAs: false,
    });
    expect(r.message).toEqual(message(2, '0000 0000'));
    const st = only(mrtRecord(5, 3, hex('0d05 c1000038 0001 0002')), 'bgp4mpStateChange');
    expect(st).toMatchObject({ peerAs: 3333, oldState: 1, newState: 2 });
    expect(only(mrtRecord(5, 4, hex('')), 'skipped').reason).toContain('legacy');
  });
});

describe('readMrt: framing damage', () => {
  const good = mrtRecord(16, 1, concat(hex('fde8 fde9 0000 0001 c0000201 c0000202'), keepalive));

  it('skips other MRT types (OSPF, IS-IS) as skipped records', () => {
    expect(only(mrtRecord(11, 0, hex('00')), 'skipped').reason).toContain('type 11');
  });

  it('reports an implausible header and resyncs on the next pair of sane headers', () => {
    const recs = [...readMrt(concat(good, hex('deadbeefcafe0102'), good, good))];
    expect(recs.map((r) => r.kind)).toEqual(['bgp4mpMessage', 'error', 'bgp4mpMessage', 'bgp4mpMessage']);
    expect(recs[1]).toMatchObject({ offset: good.length, resumedAt: good.length + 8 });
  });

  it('stops cleanly when nothing sane follows, and on trailing octets', () => {
    expect([...readMrt(concat(good, hex('ffffffffffffffffffffffffffff')))].map((r) => r.kind)).toEqual([
      'bgp4mpMessage',
      'error',
    ]);
    expect([...readMrt(concat(good, hex('0102')))].map((r) => r.kind)).toEqual(['bgp4mpMessage', 'error']);
  });

  it('detects MRT by two chained sane headers, and not random bytes', () => {
    expect(looksLikeMrt(concat(good, good))).toBe(true);
    expect(looksLikeMrt(good)).toBe(true);
    expect(looksLikeMrt(hex('0102030405060708090a0b0c0d0e0f'))).toBe(false);
    expect(looksLikeMrt(keepalive)).toBe(false);
  });
});
