import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeInput } from '../../src/decode/decode.js';
import { detectFormat } from '../../src/decode/input-format.js';
import { ethernet, pcapFile, pcapngFile, tcp4 } from '../capture/frames.js';
import { mrtRecord } from '../mrt/records.js';
import { bunzip2 } from '../support/bunzip2.js';
import { concat, hex, message, toHex } from '../support/bytes.js';

const open4 = message(1, '04 5ba0 00b4 0a000001 18 02064104 00030d40 020601040001 0001 0206450400010103');
const update4 = message(
  2,
  '0000 002e 40010100 40020a 0202 00030d40 0000fde8 4003040a000001 c00804fde80064 c0200c00030d400000000100000002 00000001 18c63364',
);
const update2 = message(2, '0000 0014 40010100 400206 0202fde8fde9 4003040a000001 18c63364');
const keepalive = message(4, '');
const notification = message(3, '0602 05 68656c6c6f');
const routeRefresh = message(5, '0001 00 01');

function all(input: Uint8Array, options = {}) {
  return [...decodeInput(input, options)];
}

const c = { src: '192.0.2.1', dst: '192.0.2.2', sport: 50000, dport: 179 };
const s = { src: '192.0.2.2', dst: '192.0.2.1', sport: 179, dport: 50000 };

describe('decodeInput: the decode loop behind `anyvip-bgp decode`', () => {
  it('decodes a pcap session with the context its OPENs negotiated (4-octet AS, ADD-PATH)', () => {
    const file = pcapFile([
      { timeSec: 1700000000, fraction: 250000, data: ethernet(tcp4({ ...c, seq: 1, payload: open4 })) },
      { timeSec: 1700000000, fraction: 500000, data: ethernet(tcp4({ ...s, seq: 1, payload: open4 })) },
      {
        timeSec: 1700000001,
        fraction: 0,
        data: ethernet(tcp4({ ...s, seq: 1 + open4.length, payload: update4 })),
      },
    ]);
    const out = all(file);
    expect(out.map((o) => o.type)).toEqual(['OPEN', 'OPEN', 'UPDATE']);
    expect(out[0]).toMatchObject({
      time: 1700000000.25,
      src: '192.0.2.1:50000',
      dst: '192.0.2.2:179',
      asn: 200000,
      holdTime: 180,
      routerId: '10.0.0.1',
      capabilities: [
        { code: 65, name: 'FOUR_OCTET_AS', asn: 200000 },
        { code: 1, name: 'MULTIPROTOCOL', afi: 1, safi: 1 },
        { code: 69, name: 'ADD_PATH', families: [{ afi: 1, safi: 1, send: true, receive: true }] },
      ],
    });
    expect(out[2]).toMatchObject({
      type: 'UPDATE',
      src: '192.0.2.2:179',
      dst: '192.0.2.1:50000',
      withdrawn: [],
      nlri: [{ prefix: '198.51.100.0/24', pathId: 1 }],
      attributes: {
        origin: 'IGP',
        asPath: [{ type: 'AS_SEQUENCE', asns: [200000, 65000] }],
        nextHop: '10.0.0.1',
        communities: ['65000:100'],
        largeCommunities: ['200000:1:2'],
      },
    });
  });

  it('guesses 2-octet AS for a capture without OPENs, as Wireshark does', () => {
    const file = pcapngFile([
      { timeSec: 1, fraction: 0, data: ethernet(tcp4({ ...c, seq: 1, payload: update2 })) },
    ]);
    const [out] = all(file);
    expect(out).toMatchObject({
      type: 'UPDATE',
      nlri: ['198.51.100.0/24'],
      attributes: { asPath: [{ asns: [65000, 65001] }] },
    });
  });

  it('prints NOTIFICATION, ROUTE-REFRESH and KEEPALIVE fields from a raw stream', () => {
    const out = all(concat(notification, routeRefresh, keepalive));
    expect(out).toEqual([
      {
        type: 'NOTIFICATION',
        offset: 0,
        code: 6,
        subcode: 2,
        codeName: 'CEASE',
        subcodeName: 'ADMINISTRATIVE_SHUTDOWN',
        data: '0568656c6c6f',
        shutdownMessage: 'hello',
        hardReset: undefined,
      },
      { type: 'ROUTE-REFRESH', offset: 27, afi: 1, safi: 1, subtype: 0, subtypeName: 'NORMAL' },
      { type: 'KEEPALIVE', offset: 50 },
    ]);
  });

  it('prints a malformed message as an ERROR record and goes on with the next one', () => {
    const bad = message(2, '0000 0004 40010102'); // ORIGIN value 2 is fine; AS_PATH missing is not fatal…
    const worse = message(2, '0005 0000'); // Withdrawn Routes Length overruns the message: 3/1, session reset
    const out = all(concat(worse, keepalive, bad));
    expect(out[0]).toMatchObject({
      type: 'ERROR',
      offset: 0,
      code: 3,
      subcode: 1,
      errorCode: 'BGP_UPDATE_MALFORMED_ATTRIBUTE_LIST',
      messageType: 2,
    });
    expect(out.slice(1).map((o) => o.type)).toEqual(['KEEPALIVE', 'UPDATE']);
  });

  it('resyncs after junk in a raw stream, with one framing ERROR', () => {
    const out = all(concat(keepalive, hex('0102030405'), keepalive));
    expect(out.map((o) => `${o.type}${o.type === 'ERROR' ? `:${o.errorCode}` : ''}`)).toEqual([
      'KEEPALIVE',
      'ERROR:BGP_HEADER_CONNECTION_NOT_SYNCHRONIZED',
      'KEEPALIVE',
    ]);
  });

  it('reads hex text with whitespace, colon separators and comments', () => {
    const text = `# an UPDATE then a KEEPALIVE\n${toHex(update2).replace(/(..)/g, '$1:')}\n  ${toHex(keepalive)}\n`;
    const input = new TextEncoder().encode(text);
    expect(detectFormat(input)).toBe('hex');
    expect(all(input).map((o) => o.type)).toEqual(['UPDATE', 'KEEPALIVE']);
  });

  it('decompresses gzip, and bzip2 with the bunzip2 it is given, before detecting the format', () => {
    expect(all(gzipSync(keepalive)).map((o) => o.type)).toEqual(['KEEPALIVE']);
    const bz2 = hex(
      '425a6839314159265359df08ae98000003e000c40408000000a00030cd00c345311ee2ee48a70a121be115d300',
    );
    expect(all(bz2, { bunzip2 }).map((o) => o.type)).toEqual(['KEEPALIVE']);
    // The library has no bzip2 decoder of its own: without one, bzip2 input is one ERROR record.
    expect(all(bz2)).toMatchObject([{ type: 'ERROR', errorCode: 'ANYVIP_INPUT_UNREADABLE' }]);
    expect(all(hex('1f8b0800 0000'))).toMatchObject([
      { type: 'ERROR', errorCode: 'ANYVIP_INPUT_UNREADABLE' },
    ]);
  });

  it('decodes BGP4MP messages with time and peer info, and RIB entries with the abbreviated MP_REACH_NLRI', () => {
    const bgp4mp = mrtRecord(
      16,
      4,
      concat(hex('00030d40 0000fde8 0000 0001 c0000201 c0000202'), update4.slice()),
      1700000000,
    );
    // The ADD-PATH NLRI of update4 needs the ADDPATH subtype here: use MESSAGE_AS4_ADDPATH (9).
    bgp4mp[7] = 9;
    const peers = mrtRecord(13, 1, hex('c0000201 0000 0001 02 0a000001 c0000201 00030d40'), 1700000000);
    const rib = mrtRecord(
      13,
      4,
      hex(
        '00000001 30 20010db80001 0001  0000 6553f100 0021 40010100 40020602010000fde8 800e1110 20010db8000000000000000000000001',
      ),
      1700000000,
    );
    const out = all(concat(bgp4mp, peers, rib));
    expect(out.map((o) => o.type)).toEqual(['UPDATE', 'PEER_INDEX_TABLE', 'RIB']);
    expect(out[0]).toMatchObject({
      time: 1700000000,
      mrt: 'BGP4MP/MESSAGE_AS4_ADDPATH',
      peer: { ip: '192.0.2.1', asn: 200000 },
      local: { ip: '192.0.2.2', asn: 65000 },
      nlri: [{ prefix: '198.51.100.0/24', pathId: 1 }],
    });
    expect(out[2]).toMatchObject({
      type: 'RIB',
      mrt: 'TABLE_DUMP_V2/RIB_IPV6_UNICAST',
      prefix: '2001:db8:1::/48',
      peer: { index: 0, ip: '192.0.2.1', asn: 200000 },
      attributes: {
        origin: 'IGP',
        asPath: [{ type: 'AS_SEQUENCE', asns: [65000] }],
        mpReach: { afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: [] },
      },
    });
  });

  it('reports MRT damage as ERROR records with the file offset', () => {
    const good = mrtRecord(16, 1, concat(hex('fde8 fde9 0000 0001 c0000201 c0000202'), keepalive));
    const out = all(concat(good, good, hex('0102')), { format: 'mrt' });
    expect(out.map((o) => o.type)).toEqual(['KEEPALIVE', 'KEEPALIVE', 'ERROR']);
    expect(out[2]).toMatchObject({ errorCode: 'MRT_MALFORMED_RECORD', offset: 2 * good.length });
  });
});
