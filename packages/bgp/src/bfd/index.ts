export type { BfdAction, BfdDiscardReason } from './fsm/actions.js';
export { type BfdStep, detectionTimeUs, stepBfd, txIntervalUs } from './fsm/bfd-fsm.js';
export type { BfdEvent, BfdEventKind } from './fsm/events.js';
export {
  BFD_SLOW_TX_INTERVAL_US,
  type BfdConfig,
  type BfdSessionVars,
  initialBfdSession,
} from './fsm/state.js';
export { BfdDiag, BfdPort, bfdDiagName } from './wire/constants.js';
export {
  type BfdControlPacket,
  BfdPacketError,
  type BfdPacketErrorCode,
  type BfdState,
  decodeBfdControlPacket,
  encodeBfdControlPacket,
} from './wire/control-packet.js';
