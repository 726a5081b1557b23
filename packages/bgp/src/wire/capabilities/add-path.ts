import { CapabilityCode } from '../constants.js';
import { LocalProtocolError } from '../errors.js';
import type { Writer } from '../writer.js';
import type { AddPathCapability, UnknownCapability } from './capability.js';
import { checkCapabilityField, expectCapabilityTuples } from './capability-fault.js';

/** Send/Receive values (RFC 7911 §4). */
const RECEIVE = 1;
const SEND = 2;

/**
 * Decodes ADD-PATH: AFI(2) SAFI(1) Send/Receive(1) tuples (RFC 7911 §4). A
 * Send/Receive value other than 1, 2 or 3 makes the capability one that "SHOULD be
 * treated as not understood and ignored" (RFC 7911 §4), so it comes back as
 * `unknown`, byte-exact, rather than as an error.
 */
export function decodeAddPathCapability(value: Uint8Array): AddPathCapability | UnknownCapability {
  expectCapabilityTuples(value, 0, 4, 'ADD-PATH');
  const families: { afi: number; safi: number; receive: boolean; send: boolean }[] = [];
  for (let i = 0; i < value.length; i += 4) {
    const sendReceive = value[i + 3]!;
    if (sendReceive < RECEIVE || sendReceive > (RECEIVE | SEND)) {
      return { kind: 'unknown', code: CapabilityCode.ADD_PATH, value: value.slice() };
    }
    families.push({
      afi: (value[i]! << 8) | value[i + 1]!,
      safi: value[i + 2]!,
      receive: (sendReceive & RECEIVE) !== 0,
      send: (sendReceive & SEND) !== 0,
    });
  }
  return { kind: 'addPath', families };
}

/** Writes one tuple per family; a family that neither sends nor receives is a caller error (RFC 7911 §4). */
export function encodeAddPathCapability(cap: AddPathCapability, w: Writer): void {
  for (const f of cap.families) {
    checkCapabilityField(f.afi, 0xffff, 'ADD-PATH AFI');
    checkCapabilityField(f.safi, 0xff, 'ADD-PATH SAFI');
    if (!f.receive && !f.send) {
      throw new LocalProtocolError(
        'ANYVIP_BAD_CAPABILITY',
        `ADD-PATH ${f.afi}/${f.safi} neither sends nor receives`,
      );
    }
    const sendReceive = (f.receive ? RECEIVE : 0) | (f.send ? SEND : 0);
    w.u16(f.afi).u8(f.safi).u8(sendReceive);
  }
}
