import type { Reader } from '../wire/reader.js';
import { bodyReader, mrtFault, readAddress } from './body.js';
import {
  type Bgp4mpMessageRecord,
  type Bgp4mpStateChangeRecord,
  Bgp4mpSubtype,
  type MrtHeader,
  type MrtRecord,
} from './record.js';

/**
 * Decodes the body of a BGP4MP or BGP4MP_ET record (RFC 6396 §4.4, RFC 8050 §3).
 * `start` is where the body begins after the _ET microseconds field.
 */
export function decodeBgp4mp(buf: Uint8Array, start: number, end: number, header: MrtHeader): MrtRecord {
  const r = bodyReader(buf, start, end);
  switch (header.subtype) {
    case Bgp4mpSubtype.STATE_CHANGE:
    case Bgp4mpSubtype.STATE_CHANGE_AS4:
      return stateChange(r, header, header.subtype === Bgp4mpSubtype.STATE_CHANGE_AS4);
    case Bgp4mpSubtype.MESSAGE:
    case Bgp4mpSubtype.MESSAGE_AS4:
    case Bgp4mpSubtype.MESSAGE_LOCAL:
    case Bgp4mpSubtype.MESSAGE_AS4_LOCAL:
    case Bgp4mpSubtype.MESSAGE_ADDPATH:
    case Bgp4mpSubtype.MESSAGE_AS4_ADDPATH:
    case Bgp4mpSubtype.MESSAGE_LOCAL_ADDPATH:
    case Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH:
      return message(r, header);
    default:
      return {
        kind: 'skipped',
        header,
        reason:
          header.subtype === Bgp4mpSubtype.ENTRY || header.subtype === Bgp4mpSubtype.SNAPSHOT
            ? `deprecated BGP4MP subtype ${header.subtype} (RFC 6396 Appendix B)`
            : `unknown BGP4MP subtype ${header.subtype}`,
      };
  }
}

const as4Subtypes: ReadonlySet<number> = new Set([
  Bgp4mpSubtype.MESSAGE_AS4,
  Bgp4mpSubtype.MESSAGE_AS4_LOCAL,
  Bgp4mpSubtype.MESSAGE_AS4_ADDPATH,
  Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH,
]);
const localSubtypes: ReadonlySet<number> = new Set([
  Bgp4mpSubtype.MESSAGE_LOCAL,
  Bgp4mpSubtype.MESSAGE_AS4_LOCAL,
  Bgp4mpSubtype.MESSAGE_LOCAL_ADDPATH,
  Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH,
]);
const addPathSubtypes: ReadonlySet<number> = new Set([
  Bgp4mpSubtype.MESSAGE_ADDPATH,
  Bgp4mpSubtype.MESSAGE_AS4_ADDPATH,
  Bgp4mpSubtype.MESSAGE_LOCAL_ADDPATH,
  Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH,
]);

function endpoints(r: Reader, as4: boolean) {
  const peerAs = as4 ? r.u32('peer AS') : r.u16('peer AS');
  const localAs = as4 ? r.u32('local AS') : r.u16('local AS');
  const interfaceIndex = r.u16('interface index');
  const afi = r.u16('address family');
  if (afi !== 1 && afi !== 2) throw mrtFault(`BGP4MP address family ${afi} is neither IPv4 nor IPv6`);
  const peerIp = readAddress(r, afi);
  const localIp = readAddress(r, afi);
  return { peerAs, localAs, interfaceIndex, afi, peerIp, localIp };
}

function message(r: Reader, header: MrtHeader): Bgp4mpMessageRecord {
  const as4 = as4Subtypes.has(header.subtype);
  const ep = endpoints(r, as4);
  return {
    kind: 'bgp4mpMessage',
    header,
    ...ep,
    fourOctetAs: as4,
    addPath: addPathSubtypes.has(header.subtype),
    local: localSubtypes.has(header.subtype),
    message: r.rest(),
    legacy: false,
  };
}

function stateChange(r: Reader, header: MrtHeader, as4: boolean): Bgp4mpStateChangeRecord {
  const ep = endpoints(r, as4);
  const oldState = r.u16('old state');
  const newState = r.u16('new state');
  return { kind: 'bgp4mpStateChange', header, ...ep, oldState, newState };
}
