import { BFD_CONTROL_LENGTH, BFD_VERSION, BfdStateCode } from './constants.js';

/** A BFD session state by name (RFC 5880 §4.1 Sta), lower-camel. */
export type BfdState = 'adminDown' | 'down' | 'init' | 'up';

const STATE_BY_CODE: readonly BfdState[] = ['adminDown', 'down', 'init', 'up'];

/** The Sta code of a state. */
export function bfdStateCode(state: BfdState): number {
  switch (state) {
    case 'adminDown':
      return BfdStateCode.ADMIN_DOWN;
    case 'down':
      return BfdStateCode.DOWN;
    case 'init':
      return BfdStateCode.INIT;
    case 'up':
      return BfdStateCode.UP;
  }
}

/**
 * The Authentication Section, kept raw: this implementation does not authenticate
 * (RFC 5880 §6.7 is optional), so a packet with the A bit is decoded but the FSM
 * discards it, as §6.8.6 asks when no authentication is configured.
 */
export interface BfdAuthSection {
  readonly authType: number;
  /** The whole section as received, Auth Type and Auth Len included. */
  readonly raw: Uint8Array;
}

/** A BFD Control packet (RFC 5880 §4.1). Intervals are in microseconds, as on the wire. */
export interface BfdControlPacket {
  readonly version: number;
  readonly diag: number;
  readonly state: BfdState;
  readonly poll: boolean;
  readonly final: boolean;
  readonly controlPlaneIndependent: boolean;
  readonly demand: boolean;
  readonly multipoint: boolean;
  readonly detectMult: number;
  readonly myDiscriminator: number;
  readonly yourDiscriminator: number;
  readonly desiredMinTxIntervalUs: number;
  readonly requiredMinRxIntervalUs: number;
  readonly requiredMinEchoRxIntervalUs: number;
  readonly auth: BfdAuthSection | undefined;
}

/** Stable codes for packets RFC 5880 §6.8.6 says to discard before any state is touched. */
export type BfdPacketErrorCode =
  | 'BFD_PACKET_TRUNCATED'
  | 'BFD_PACKET_BAD_VERSION'
  | 'BFD_PACKET_BAD_LENGTH'
  | 'BFD_PACKET_BAD_AUTH_LENGTH';

/** A Control packet that cannot be decoded (RFC 5880 §6.8.6: it is discarded). */
export class BfdPacketError extends Error {
  readonly code: BfdPacketErrorCode;
  constructor(code: BfdPacketErrorCode, message: string) {
    super(message);
    this.name = 'BfdPacketError';
    this.code = code;
  }
}

const POLL = 0x20;
const FINAL = 0x10;
const CPI = 0x08;
const AUTH = 0x04;
const DEMAND = 0x02;
const MULTIPOINT = 0x01;

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/**
 * Decodes one UDP payload as a Control packet. The structural checks of RFC 5880
 * §6.8.6 (version, Length against the payload and the A bit) throw
 * {@link BfdPacketError}; the semantic ones (Detect Mult, discriminators, M bit) are
 * the FSM's, so that they are tested there with the state they depend on.
 */
export function decodeBfdControlPacket(payload: Uint8Array): BfdControlPacket {
  if (payload.length < BFD_CONTROL_LENGTH) {
    throw new BfdPacketError('BFD_PACKET_TRUNCATED', `${payload.length} octets, at least 24 needed`);
  }
  const version = payload[0]! >>> 5;
  if (version !== BFD_VERSION) throw new BfdPacketError('BFD_PACKET_BAD_VERSION', `version ${version}`);
  const flags = payload[1]!;
  const length = payload[3]!;
  const hasAuth = (flags & AUTH) !== 0;
  if (length < (hasAuth ? BFD_CONTROL_LENGTH + 2 : BFD_CONTROL_LENGTH) || length > payload.length) {
    throw new BfdPacketError(
      'BFD_PACKET_BAD_LENGTH',
      `Length ${length} with ${payload.length} octets received${hasAuth ? ' and the A bit' : ''}`,
    );
  }
  let auth: BfdAuthSection | undefined;
  if (hasAuth) {
    const authLen = payload[BFD_CONTROL_LENGTH + 1]!;
    if (authLen < 2 || BFD_CONTROL_LENGTH + authLen > length) {
      throw new BfdPacketError(
        'BFD_PACKET_BAD_AUTH_LENGTH',
        `Auth Len ${authLen} in a ${length}-octet packet`,
      );
    }
    auth = {
      authType: payload[BFD_CONTROL_LENGTH]!,
      raw: payload.slice(BFD_CONTROL_LENGTH, BFD_CONTROL_LENGTH + authLen),
    };
  }
  return {
    version,
    diag: payload[0]! & 0x1f,
    state: STATE_BY_CODE[flags >>> 6]!,
    poll: (flags & POLL) !== 0,
    final: (flags & FINAL) !== 0,
    controlPlaneIndependent: (flags & CPI) !== 0,
    demand: (flags & DEMAND) !== 0,
    multipoint: (flags & MULTIPOINT) !== 0,
    detectMult: payload[2]!,
    myDiscriminator: u32(payload, 4),
    yourDiscriminator: u32(payload, 8),
    desiredMinTxIntervalUs: u32(payload, 12),
    requiredMinRxIntervalUs: u32(payload, 16),
    requiredMinEchoRxIntervalUs: u32(payload, 20),
    auth,
  };
}

/** What {@link encodeBfdControlPacket} needs; flags default to clear, version to 1. */
export type BfdControlPacketInit = Omit<
  BfdControlPacket,
  'version' | 'controlPlaneIndependent' | 'demand' | 'multipoint' | 'auth' | 'requiredMinEchoRxIntervalUs'
> &
  Partial<
    Pick<
      BfdControlPacket,
      'version' | 'controlPlaneIndependent' | 'demand' | 'multipoint' | 'auth' | 'requiredMinEchoRxIntervalUs'
    >
  >;

/** Encodes a Control packet; Length covers the Authentication Section when there is one (RFC 5880 §4.1). */
export function encodeBfdControlPacket(p: BfdControlPacketInit): Uint8Array {
  const authLen = p.auth?.raw.length ?? 0;
  const out = new Uint8Array(BFD_CONTROL_LENGTH + authLen);
  out[0] = (((p.version ?? BFD_VERSION) & 0x7) << 5) | (p.diag & 0x1f);
  out[1] =
    (bfdStateCode(p.state) << 6) |
    (p.poll ? POLL : 0) |
    (p.final ? FINAL : 0) |
    (p.controlPlaneIndependent === true ? CPI : 0) |
    (p.auth !== undefined ? AUTH : 0) |
    (p.demand === true ? DEMAND : 0) |
    (p.multipoint === true ? MULTIPOINT : 0);
  out[2] = p.detectMult & 0xff;
  out[3] = out.length;
  putU32(out, 4, p.myDiscriminator);
  putU32(out, 8, p.yourDiscriminator);
  putU32(out, 12, p.desiredMinTxIntervalUs);
  putU32(out, 16, p.requiredMinRxIntervalUs);
  putU32(out, 20, p.requiredMinEchoRxIntervalUs ?? 0);
  if (p.auth !== undefined) out.set(p.auth.raw, BFD_CONTROL_LENGTH);
  return out;
}
