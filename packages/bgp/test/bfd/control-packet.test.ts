import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BfdPacketError,
  type BfdState,
  decodeBfdControlPacket,
  encodeBfdControlPacket,
} from '../../src/bfd/wire/control-packet.js';
import { hex, toHex } from '../support/bytes.js';

// RFC 5880 §4.1: Vers=1 Diag=0 | Sta=Up(3) P=1 | DetectMult 3 | Length 24 | discriminators | intervals (µs).
const UP_POLL = hex(`
  20 e0 03 18
  00 00 00 01
  00 00 00 02
  00 01 86 a0
  00 00 c3 50
  00 00 00 00`);

describe('BFD Control packet (RFC 5880 §4.1)', () => {
  it('decodes an Up packet with the Poll bit, intervals in microseconds', () => {
    expect(decodeBfdControlPacket(UP_POLL)).toEqual({
      version: 1,
      diag: 0,
      state: 'up',
      poll: true,
      final: false,
      controlPlaneIndependent: false,
      demand: false,
      multipoint: false,
      detectMult: 3,
      myDiscriminator: 1,
      yourDiscriminator: 2,
      desiredMinTxIntervalUs: 100_000,
      requiredMinRxIntervalUs: 50_000,
      requiredMinEchoRxIntervalUs: 0,
      auth: undefined,
    });
  });

  it('encodes the same packet byte for byte', () => {
    const bytes = encodeBfdControlPacket({
      diag: 0,
      state: 'up',
      poll: true,
      final: false,
      detectMult: 3,
      myDiscriminator: 1,
      yourDiscriminator: 2,
      desiredMinTxIntervalUs: 100_000,
      requiredMinRxIntervalUs: 50_000,
    });
    expect(toHex(bytes)).toBe(toHex(UP_POLL));
  });

  it('encodes AdminDown with Diag 7 (Administratively Down) and the Final bit in the low bits', () => {
    const bytes = encodeBfdControlPacket({
      diag: 7,
      state: 'adminDown',
      poll: false,
      final: true,
      detectMult: 3,
      myDiscriminator: 0xffffffff,
      yourDiscriminator: 0,
      desiredMinTxIntervalUs: 1_000_000,
      requiredMinRxIntervalUs: 1_000_000,
    });
    expect(toHex(bytes.subarray(0, 12))).toBe('27100318ffffffff00000000');
  });

  it('refuses fewer than 24 octets (RFC 5880 §6.8.6)', () => {
    expect(() => decodeBfdControlPacket(UP_POLL.subarray(0, 23))).toThrow(BfdPacketError);
  });

  it('refuses version 0 (RFC 5880 §6.8.6)', () => {
    const b = UP_POLL.slice();
    b[0] = 0x00;
    expect(() => decodeBfdControlPacket(b)).toThrowError(
      expect.objectContaining({ code: 'BFD_PACKET_BAD_VERSION' }),
    );
  });

  it('refuses a Length larger than the payload (RFC 5880 §6.8.6)', () => {
    const b = UP_POLL.slice();
    b[3] = 25;
    expect(() => decodeBfdControlPacket(b)).toThrowError(
      expect.objectContaining({ code: 'BFD_PACKET_BAD_LENGTH' }),
    );
  });

  it('refuses the A bit with a Length of 24 (RFC 5880 §6.8.6)', () => {
    const b = UP_POLL.slice();
    b[1] = b[1]! | 0x04;
    expect(() => decodeBfdControlPacket(b)).toThrowError(
      expect.objectContaining({ code: 'BFD_PACKET_BAD_LENGTH' }),
    );
  });

  it('keeps an Authentication Section raw (RFC 5880 §4.2)', () => {
    const b = new Uint8Array(24 + 8);
    b.set(UP_POLL);
    b[1] = b[1]! | 0x04;
    b[3] = 32;
    b.set(hex('01 08 05 61 62 63 64 65'), 24); // Simple Password, key id 5
    const p = decodeBfdControlPacket(b);
    expect(p.auth?.authType).toBe(1);
    expect(toHex(p.auth!.raw)).toBe('0108056162636465');
    expect(toHex(encodeBfdControlPacket(p))).toBe(toHex(b));
  });

  it('round-trips every field combination (fast-check)', () => {
    const states: BfdState[] = ['adminDown', 'down', 'init', 'up'];
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(
        fc.record({
          diag: fc.integer({ min: 0, max: 31 }),
          state: fc.constantFrom(...states),
          poll: fc.boolean(),
          final: fc.boolean(),
          controlPlaneIndependent: fc.boolean(),
          demand: fc.boolean(),
          multipoint: fc.boolean(),
          detectMult: fc.integer({ min: 0, max: 255 }),
          myDiscriminator: u32,
          yourDiscriminator: u32,
          desiredMinTxIntervalUs: u32,
          requiredMinRxIntervalUs: u32,
          requiredMinEchoRxIntervalUs: u32,
        }),
        (p) => {
          expect(decodeBfdControlPacket(encodeBfdControlPacket(p))).toEqual({
            ...p,
            version: 1,
            auth: undefined,
          });
        },
      ),
    );
  });

  it('gives a packet or BfdPacketError for any bytes (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          decodeBfdControlPacket(b);
        } catch (e) {
          expect(e).toBeInstanceOf(BfdPacketError);
        }
      }),
    );
  });
});
