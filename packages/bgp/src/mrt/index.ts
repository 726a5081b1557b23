/** MRT (RFC 6396, RFC 8050) reader for routing-information dumps. */
export { looksLikeMrt, readMrt } from './reader.js';
export {
  type Bgp4mpMessageRecord,
  type Bgp4mpStateChangeRecord,
  Bgp4mpSubtype,
  LegacyBgpSubtype,
  type MrtErrorRecord,
  type MrtHeader,
  type MrtPeer,
  type MrtRecord,
  type MrtSkippedRecord,
  MrtType,
  type PeerIndexTableRecord,
  type RibEntry,
  type RibRecord,
  type TableDumpEntry,
  type TableDumpRecord,
  TableDumpV2Subtype,
} from './record.js';
export { ribAttributesAsUpdate } from './rib-attributes.js';
