import { formatIpv4Bytes } from '../wire/address.js';
import type { UnicastAfi } from '../wire/family.js';
import type { Reader } from '../wire/reader.js';
import { bodyReader, mrtFault, readAddress, readPrefix } from './body.js';
import { type MrtHeader, type MrtPeer, type MrtRecord, type RibEntry, TableDumpV2Subtype } from './record.js';

/** AFI/SAFI and ADD-PATH of the RIB_AFI subtypes (RFC 6396 §4.3.2, RFC 8050 §4). */
const ribSubtypes: ReadonlyMap<number, { afi: UnicastAfi; safi: number; addPath: boolean }> = new Map([
  [TableDumpV2Subtype.RIB_IPV4_UNICAST, { afi: 1, safi: 1, addPath: false }],
  [TableDumpV2Subtype.RIB_IPV4_MULTICAST, { afi: 1, safi: 2, addPath: false }],
  [TableDumpV2Subtype.RIB_IPV6_UNICAST, { afi: 2, safi: 1, addPath: false }],
  [TableDumpV2Subtype.RIB_IPV6_MULTICAST, { afi: 2, safi: 2, addPath: false }],
  [TableDumpV2Subtype.RIB_IPV4_UNICAST_ADDPATH, { afi: 1, safi: 1, addPath: true }],
  [TableDumpV2Subtype.RIB_IPV4_MULTICAST_ADDPATH, { afi: 1, safi: 2, addPath: true }],
  [TableDumpV2Subtype.RIB_IPV6_UNICAST_ADDPATH, { afi: 2, safi: 1, addPath: true }],
  [TableDumpV2Subtype.RIB_IPV6_MULTICAST_ADDPATH, { afi: 2, safi: 2, addPath: true }],
]);

/** Decodes a TABLE_DUMP_V2 record (RFC 6396 §4.3). */
export function decodeTableDumpV2(buf: Uint8Array, start: number, end: number, header: MrtHeader): MrtRecord {
  const r = bodyReader(buf, start, end);
  const st = header.subtype;
  if (st === TableDumpV2Subtype.PEER_INDEX_TABLE) return peerIndexTable(r, header);
  const rib = ribSubtypes.get(st);
  if (rib !== undefined) {
    const sequence = r.u32('sequence number');
    const nlriStart = r.pos;
    const prefix = readPrefix(r, rib.afi);
    const nlri = r.buf.subarray(nlriStart, r.pos);
    const entries = ribEntries(r, rib.addPath);
    return {
      kind: 'rib',
      header,
      sequence,
      afi: rib.afi,
      safi: rib.safi,
      prefix,
      nlri,
      addPath: rib.addPath,
      entries,
    };
  }
  if (st === TableDumpV2Subtype.RIB_GENERIC || st === TableDumpV2Subtype.RIB_GENERIC_ADDPATH) {
    const addPath = st === TableDumpV2Subtype.RIB_GENERIC_ADDPATH;
    const sequence = r.u32('sequence number');
    const afi = r.u16('AFI');
    const safi = r.u8('SAFI');
    // A single NLRI in its BGP encoding (RFC 4760 §5): for the families in use
    // (labeled, VPN, unicast) a bit length then that many bits; kept raw.
    const nlriStart = r.pos;
    const bits = r.u8('NLRI length');
    r.skip((bits + 7) >> 3, 'NLRI');
    const nlri = r.buf.subarray(nlriStart, r.pos);
    const entries = ribEntries(r, addPath);
    return { kind: 'rib', header, sequence, afi, safi, prefix: undefined, nlri, addPath, entries };
  }
  return {
    kind: 'skipped',
    header,
    reason:
      st === TableDumpV2Subtype.GEO_PEER_TABLE
        ? 'GEO_PEER_TABLE (RFC 6397) is not decoded'
        : `unknown TABLE_DUMP_V2 subtype ${st}`,
  };
}

function peerIndexTable(r: Reader, header: MrtHeader): MrtRecord {
  const collectorBgpId = formatIpv4Bytes(r.bytes(4, 'collector BGP ID'));
  const nameLength = r.u16('view name length');
  const viewName = new TextDecoder().decode(r.bytes(nameLength, 'view name'));
  const count = r.u16('peer count');
  const peers: MrtPeer[] = [];
  for (let i = 0; i < count; i++) {
    const type = r.u8('peer type');
    const bgpId = formatIpv4Bytes(r.bytes(4, 'peer BGP ID'));
    // Peer type bit 0: IPv6 address; bit 1: 4-octet AS (RFC 6396 §4.3.1).
    const ip = readAddress(r, type & 0x01 ? 2 : 1);
    const asn = type & 0x02 ? r.u32('peer AS') : r.u16('peer AS');
    peers.push({ bgpId, ip, asn });
  }
  return { kind: 'peerIndexTable', header, collectorBgpId, viewName, peers };
}

function ribEntries(r: Reader, addPath: boolean): RibEntry[] {
  const count = r.u16('entry count');
  const entries: RibEntry[] = [];
  for (let i = 0; i < count; i++) {
    const peerIndex = r.u16('peer index');
    const originatedTimeSec = r.u32('originated time');
    const pathId = addPath ? r.u32('path identifier') : undefined;
    const attrLength = r.u16('attribute length');
    const attributes = r.bytes(attrLength, 'path attributes');
    entries.push({ peerIndex, originatedTimeSec, pathId, attributes });
  }
  if (r.remaining > 0) throw mrtFault(`${r.remaining} octets left after ${count} RIB entries`);
  return entries;
}
