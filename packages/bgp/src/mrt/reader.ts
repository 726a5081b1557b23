import { WireError } from '../wire/errors.js';
import { decodeBgp4mp } from './bgp4mp.js';
import { decodeLegacyBgp } from './legacy-bgp.js';
import { Bgp4mpSubtype, type MrtHeader, type MrtRecord, MrtType, TableDumpV2Subtype } from './record.js';
import { decodeTableDump } from './table-dump.js';
import { decodeTableDumpV2 } from './table-dump-v2.js';

/** The MRT common header (RFC 6396 §2). */
const HEADER_LENGTH = 12;
/** No real record is this large; a larger length means the framing is broken. */
const MAX_RECORD_LENGTH = 1 << 24;

const extendedTimestampTypes: ReadonlySet<number> = new Set([
  MrtType.BGP4MP_ET,
  MrtType.ISIS_ET,
  MrtType.OSPFV3_ET,
]);

/** Highest subtype that exists for each type this reader knows; any subtype for the rest. */
const maxSubtype: ReadonlyMap<number, number> = new Map([
  [MrtType.BGP, 7],
  [MrtType.TABLE_DUMP, 2],
  [MrtType.TABLE_DUMP_V2, TableDumpV2Subtype.RIB_GENERIC_ADDPATH],
  [MrtType.BGP4MP, Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH],
  [MrtType.BGP4MP_ET, Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH],
]);

/** Types a header may plausibly carry (all of RFC 6396 and its Appendix B). */
const knownTypes: ReadonlySet<number> = new Set(Object.values(MrtType));

/** The header at `pos`, if 12 octets are there; no sanity checks. */
function headerAt(buf: Uint8Array, pos: number): MrtHeader | undefined {
  if (pos + HEADER_LENGTH > buf.length) return undefined;
  const time = ((buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!) >>> 0;
  const type = (buf[pos + 4]! << 8) | buf[pos + 5]!;
  const subtype = (buf[pos + 6]! << 8) | buf[pos + 7]!;
  const length =
    ((buf[pos + 8]! << 24) | (buf[pos + 9]! << 16) | (buf[pos + 10]! << 8) | buf[pos + 11]!) >>> 0;
  let timeSec = time;
  if (extendedTimestampTypes.has(type) && length >= 4 && pos + HEADER_LENGTH + 4 <= buf.length) {
    const b = pos + HEADER_LENGTH;
    const micros = ((buf[b]! << 24) | (buf[b + 1]! << 16) | (buf[b + 2]! << 8) | buf[b + 3]!) >>> 0;
    timeSec = time + micros / 1e6;
  }
  return { offset: pos, timeSec, type, subtype, length };
}

/** Whether a header could be a real record that fits in the file. */
function plausible(h: MrtHeader, fileLength: number): boolean {
  if (!knownTypes.has(h.type)) return false;
  const max = maxSubtype.get(h.type);
  if (max !== undefined && h.subtype > max) return false;
  if (h.length > MAX_RECORD_LENGTH || h.offset + HEADER_LENGTH + h.length > fileLength) return false;
  if (extendedTimestampTypes.has(h.type) && h.length < 4) return false;
  return true;
}

/** A plausible header at `pos` that is followed by another plausible one, or by the end of the file. */
function chainsAt(buf: Uint8Array, pos: number): MrtHeader | undefined {
  const h = headerAt(buf, pos);
  if (h === undefined || !plausible(h, buf.length)) return undefined;
  const next = pos + HEADER_LENGTH + h.length;
  if (next === buf.length) return h;
  const n = headerAt(buf, next);
  return n !== undefined && plausible(n, buf.length) ? h : undefined;
}

/** A plausible TABLE_DUMP header at `pos`. */
function tableDumpAt(buf: Uint8Array, pos: number): boolean {
  const h = headerAt(buf, pos);
  return h !== undefined && h.type === MrtType.TABLE_DUMP && plausible(h, buf.length);
}

/**
 * Whether `buf` looks like an MRT file: its first record header is sane and so is
 * the one after it (MRT has no magic number, so this is the best test there is).
 */
export function looksLikeMrt(buf: Uint8Array): boolean {
  const h = headerAt(buf, 0);
  if (h === undefined || !plausible(h, buf.length)) return false;
  if (h.type !== MrtType.BGP && h.type < MrtType.TABLE_DUMP) return false;
  const end = HEADER_LENGTH + h.length;
  // The early TABLE_DUMP length quirk (see readMrt) puts the second header 4 octets late.
  return chainsAt(buf, 0) !== undefined || (h.type === MrtType.TABLE_DUMP && tableDumpAt(buf, end + 4));
}

/**
 * Reads an MRT file (RFC 6396, RFC 8050) record by record: BGP4MP/BGP4MP_ET
 * messages and state changes, TABLE_DUMP, TABLE_DUMP_V2 (peer index, RIB records
 * including ADD-PATH and RIB_GENERIC) and the deprecated type 5 BGP records.
 * Other types and unknown subtypes come out as `skipped`. Never throws: a body that
 * does not match its subtype gives an `error` record and reading goes on with the
 * next record; a broken header makes the reader scan for the next pair of sane
 * headers, or stop with an error if there is none.
 */
export function* readMrt(buf: Uint8Array): Generator<MrtRecord> {
  let pos = 0;
  while (pos < buf.length) {
    let h = headerAt(buf, pos);
    if (h === undefined) {
      yield {
        kind: 'error',
        offset: pos,
        header: undefined,
        reason: `${buf.length - pos} trailing octets are too few for a record header`,
      };
      return;
    }
    if (!plausible(h, buf.length)) {
      const bad = h;
      const resumed = resync(buf, pos + 1);
      yield {
        kind: 'error',
        offset: pos,
        header: bad,
        reason:
          `implausible record header (type ${bad.type}, subtype ${bad.subtype}, length ${bad.length})` +
          (resumed === undefined
            ? '; no further record found'
            : `; resynchronised after ${resumed - pos} octets`),
        resumedAt: resumed,
      };
      if (resumed === undefined) return;
      pos = resumed;
      continue;
    }
    let end = pos + HEADER_LENGTH + h.length;
    // Early RIPE RIS TABLE_DUMP files declare each record 4 octets shorter than written.
    if (
      h.type === MrtType.TABLE_DUMP &&
      end < buf.length &&
      !chainsAt(buf, end) &&
      (end + 4 === buf.length || tableDumpAt(buf, end + 4))
    ) {
      h = { ...h, length: h.length + 4 };
      end += 4;
    }
    const bodyStart = pos + HEADER_LENGTH + (extendedTimestampTypes.has(h.type) ? 4 : 0);
    yield decodeRecord(buf, bodyStart, end, h);
    pos = end;
  }
}

function decodeRecord(buf: Uint8Array, start: number, end: number, h: MrtHeader): MrtRecord {
  try {
    switch (h.type) {
      case MrtType.BGP4MP:
      case MrtType.BGP4MP_ET:
        return decodeBgp4mp(buf, start, end, h);
      case MrtType.TABLE_DUMP_V2:
        return decodeTableDumpV2(buf, start, end, h);
      case MrtType.TABLE_DUMP:
        return decodeTableDump(buf, start, end, h);
      case MrtType.BGP:
        return decodeLegacyBgp(buf, start, end, h);
      default:
        return { kind: 'skipped', header: h, reason: `MRT type ${h.type} is not decoded` };
    }
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    return { kind: 'error', offset: h.offset, header: h, reason: e.message };
  }
}

/** The offset of the next pair of chained plausible headers at or after `from`. */
function resync(buf: Uint8Array, from: number): number | undefined {
  for (let p = from; p + HEADER_LENGTH <= buf.length; p++) {
    // Cheap filter first: a known type in octets 4-5.
    if (buf[p + 4] !== 0 || !knownTypes.has(buf[p + 5]!)) continue;
    if (chainsAt(buf, p) !== undefined) return p;
  }
  return undefined;
}
