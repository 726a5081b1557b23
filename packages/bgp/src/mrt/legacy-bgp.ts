import { HEADER_LENGTH, MessageType } from '../wire/constants.js';
import { bodyReader, mrtFault, readAddress } from './body.js';
import { LegacyBgpSubtype, type MrtHeader, type MrtRecord } from './record.js';

const messageTypeOf: ReadonlyMap<number, number> = new Map([
  [LegacyBgpSubtype.UPDATE, MessageType.UPDATE],
  [LegacyBgpSubtype.OPEN, MessageType.OPEN],
  [LegacyBgpSubtype.NOTIFY, MessageType.NOTIFICATION],
  [LegacyBgpSubtype.KEEPALIVE, MessageType.KEEPALIVE],
]);

/**
 * Decodes the deprecated MRT type 5 "BGP" (RFC 6396 Appendix B.2.1, as written by
 * early Zebra/RIPE RIS collectors): IPv4 peers, 2-octet AS numbers, and the BGP
 * message body without its marker and header, which is rebuilt here so that the
 * message decodes like any other. STATE_CHANGE becomes a state-change record.
 */
export function decodeLegacyBgp(buf: Uint8Array, start: number, end: number, header: MrtHeader): MrtRecord {
  const r = bodyReader(buf, start, end);
  if (header.subtype === LegacyBgpSubtype.STATE_CHANGE) {
    const peerAs = r.u16('peer AS');
    const peerIp = readAddress(r, 1);
    const oldState = r.u16('old state');
    const newState = r.u16('new state');
    return {
      kind: 'bgp4mpStateChange',
      header,
      peerAs,
      localAs: 0,
      interfaceIndex: 0,
      afi: 1,
      peerIp,
      localIp: '0.0.0.0',
      oldState,
      newState,
    };
  }
  const type = messageTypeOf.get(header.subtype);
  if (type === undefined) {
    return { kind: 'skipped', header, reason: `legacy BGP subtype ${header.subtype} carries no BGP message` };
  }
  const peerAs = r.u16('peer AS');
  const peerIp = readAddress(r, 1);
  const localAs = r.u16('local AS');
  const localIp = readAddress(r, 1);
  const body = r.rest();
  const length = HEADER_LENGTH + body.length;
  if (length > 0xffff) throw mrtFault(`legacy BGP message of ${length} octets cannot be framed`);
  const message = new Uint8Array(length);
  message.fill(0xff, 0, 16);
  message[16] = length >> 8;
  message[17] = length & 0xff;
  message[18] = type;
  message.set(body, HEADER_LENGTH);
  return {
    kind: 'bgp4mpMessage',
    header,
    peerAs,
    localAs,
    interfaceIndex: 0,
    afi: 1,
    peerIp,
    localIp,
    fourOctetAs: false,
    addPath: false,
    local: false,
    message,
    legacy: true,
  };
}
