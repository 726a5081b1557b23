import type { UnicastAfi } from '../wire/family.js';
import { ipv4Prefix, ipv6Prefix, type Prefix } from '../wire/prefix.js';
import type { Reader } from '../wire/reader.js';
import { bodyReader, mrtFault, readAddress } from './body.js';
import type { MrtHeader, TableDumpEntry, TableDumpRecord } from './record.js';

/**
 * Decodes a TABLE_DUMP (v1) record (RFC 6396 §4.2): the subtype is the AFI, the
 * prefix is a full address plus a length, the peer AS is 2 octets and so are the AS
 * numbers in the attributes. Early RIPE RIS dumps (2000) packed further entries,
 * without view and sequence numbers, after the first one; they are read too.
 */
export function decodeTableDump(
  buf: Uint8Array,
  start: number,
  end: number,
  header: MrtHeader,
): TableDumpRecord {
  const afi = header.subtype;
  if (afi !== 1 && afi !== 2) throw mrtFault(`TABLE_DUMP subtype (AFI) ${afi} is neither IPv4 nor IPv6`);
  const r = bodyReader(buf, start, end);
  const viewNumber = r.u16('view number');
  const sequence = r.u16('sequence number');
  const entries: TableDumpEntry[] = [entry(r, afi)];
  while (r.remaining > 0) entries.push(entry(r, afi));
  return { kind: 'tableDump', header, viewNumber, sequence, entries };
}

function entry(r: Reader, afi: UnicastAfi): TableDumpEntry {
  const address = r.bytes(afi === 1 ? 4 : 16, 'prefix');
  const length = r.u8('prefix length');
  if (length > (afi === 1 ? 32 : 128)) throw mrtFault(`prefix length ${length} is too long`);
  let prefix: Prefix;
  if (afi === 1) {
    prefix = ipv4Prefix(
      ((address[0]! << 24) | (address[1]! << 16) | (address[2]! << 8) | address[3]!) >>> 0,
      length,
    );
  } else {
    prefix = ipv6Prefix(address, length);
  }
  const status = r.u8('status');
  const originatedTimeSec = r.u32('originated time');
  const peerIp = readAddress(r, afi);
  const peerAs = r.u16('peer AS');
  const attrLength = r.u16('attribute length');
  const attributes = r.bytes(attrLength, 'path attributes');
  return { prefix, status, originatedTimeSec, peerIp, peerAs, attributes };
}
