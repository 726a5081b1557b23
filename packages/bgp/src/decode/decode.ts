import { readBgpCapture } from '../capture/bgp-capture.js';
import { BgpStreamFramer } from '../capture/bgp-stream-framer.js';
import { readMrt } from '../mrt/reader.js';
import {
  Bgp4mpSubtype,
  type MrtHeader,
  type MrtPeer,
  type MrtRecord,
  MrtType,
  TableDumpV2Subtype,
} from '../mrt/record.js';
import { ribAttributesAsUpdate } from '../mrt/rib-attributes.js';
import { assertNever } from '../wire/assert-never.js';
import type { CodecContext } from '../wire/context.js';
import { WireError } from '../wire/errors.js';
import { type BgpMessage, decodeMessage } from '../wire/message.js';
import { formatPrefix } from '../wire/prefix.js';
import { type ParsedUpdate, parseUpdate, type UpdateMessage } from '../wire/update.js';
import {
  formatAttributes,
  formatError,
  formatIssues,
  formatMessage,
  hexOf,
  type JsonObject,
} from './format-json.js';
import { type Bunzip2, decompress, detectFormat, type InputFormat, parseHexText } from './input-format.js';
import { type DirectionContext, GUESSED_ADD_PATH_FAMILIES, SessionContexts } from './session-context.js';

/** Options of {@link decodeInput} (`anyvip-bgp decode`). */
export interface DecodeOptions {
  /**
   * Decompresses bzip2 input (gzip needs nothing). Without it, bzip2 input gives one
   * ERROR record (`ANYVIP_INPUT_UNREADABLE`).
   */
  readonly bunzip2?: Bunzip2;
  /** Input format; `auto` (default) detects it (after gunzip/bunzip2). */
  readonly format?: InputFormat;
  /** TCP ports that carry BGP in captures (default [179]). */
  readonly ports?: readonly number[];
  /**
   * AS number size for sessions whose OPEN exchange is not in the input: `auto`
   * (default) guesses per message, as Wireshark does; 2 or 4 fixes it.
   */
  readonly asnSize?: 'auto' | 2 | 4;
  /** ADD-PATH for sessions whose OPEN exchange is not in the input: `auto` (default) guesses; `on`/`off` fixes it. */
  readonly addPath?: 'auto' | 'on' | 'off';
  /**
   * Called for every BGP message decoded (or not), with the context used, before its
   * JSON record is yielded: lets tests and tools check what the records summarise.
   */
  readonly observe?: (m: DecodedMessage) => void;
}

/** One message as the decode loop saw it, for {@link DecodeOptions.observe}. */
export interface DecodedMessage {
  readonly bytes: Uint8Array;
  /** The context the message was decoded with (after any guess). */
  readonly ctx: CodecContext;
  readonly message: BgpMessage | undefined;
  readonly parsed: ParsedUpdate | undefined;
  /** What decoding threw (a WireError, unless something is badly wrong). */
  readonly error: unknown;
  readonly record: JsonObject;
}

/** Where a message sits: its session, who sent it and who received it. */
interface Direction {
  readonly session: string;
  readonly sender: string;
  readonly receiver: string;
}

/** Codec settings an input format fixes regardless of OPENs (MRT subtypes). */
interface Fixed {
  readonly fourOctetAs?: boolean;
  readonly addPath?: boolean;
  readonly extendedMessage?: boolean;
}

const EMPTY = new Uint8Array(0);
const NO_ADD_PATH: ReadonlySet<number> = new Set();

/** An ERROR record for damage outside any BGP message (input, capture, MRT framing). */
function inputError(errorCode: string, reason: string, position: JsonObject = {}): JsonObject {
  return { type: 'ERROR', ...position, code: 0, subcode: 0, errorCode, reason };
}

function roundTime(t: number): number {
  return Math.round(t * 1e6) / 1e6;
}

/**
 * Decodes BGP messages against what their session negotiated, tracking OPENs, and
 * turns each into its JSON record. For a direction whose OPEN exchange was not seen,
 * the unknown parts (4-octet AS, ADD-PATH) are guessed per UPDATE: the variant that
 * parses without faults wins and is tried first next time, the way Wireshark
 * auto-detects the AS number size.
 */
export class MessageDecoder {
  readonly sessions: SessionContexts;
  private readonly options: DecodeOptions;

  constructor(options: DecodeOptions = {}) {
    this.options = options;
    this.sessions = new SessionContexts({
      fourOctetAs: options.asnSize !== 2,
      addPath: options.addPath === 'on' ? GUESSED_ADD_PATH_FAMILIES : NO_ADD_PATH,
      extendedMessage: false,
      extendedNextHop: new Set(),
    });
  }

  /** The context and what is known of it, for one direction, with `fixed` applied. */
  context(dir: Direction, fixed: Fixed = {}): DirectionContext {
    const dc = this.sessions.directionContext(dir.session, dir.sender, dir.receiver);
    let { ctx, fourOctetAsKnown, addPathKnown } = dc;
    if (!fourOctetAsKnown && this.options.asnSize !== undefined && this.options.asnSize !== 'auto') {
      fourOctetAsKnown = true;
    }
    if (!addPathKnown && this.options.addPath !== undefined && this.options.addPath !== 'auto')
      addPathKnown = true;
    if (
      fixed.fourOctetAs !== undefined ||
      fixed.addPath !== undefined ||
      fixed.extendedMessage !== undefined
    ) {
      ctx = {
        ...ctx,
        fourOctetAs: fixed.fourOctetAs ?? ctx.fourOctetAs,
        addPath: fixed.addPath === true ? GUESSED_ADD_PATH_FAMILIES : ctx.addPath,
        extendedMessage: fixed.extendedMessage ?? ctx.extendedMessage,
      };
      if (fixed.fourOctetAs !== undefined) fourOctetAsKnown = true;
      if (fixed.addPath !== undefined) addPathKnown = true;
    }
    return { ctx, fourOctetAsKnown, addPathKnown };
  }

  /** Decodes one whole message into its JSON record (an ERROR record when malformed). */
  decode(bytes: Uint8Array, dir: Direction, position: JsonObject, fixed: Fixed = {}): JsonObject {
    const dc = this.context(dir, fixed);
    let message: BgpMessage | undefined;
    let result: { parsed: ParsedUpdate; ctx: CodecContext } | undefined;
    let record: JsonObject;
    let error: unknown;
    try {
      message = decodeMessage(bytes, dc.ctx);
      if (message.kind === 'open') this.sessions.recordOpen(dir.session, dir.sender, message);
      if (message.kind === 'update') {
        result = this.parseAdaptive(message, dc, dir);
        record = formatMessage(message, position, result.parsed);
      } else {
        record = formatMessage(message, position);
      }
    } catch (e) {
      error = e;
      record = this.failure(e, bytes, position);
    }
    this.options.observe?.({
      bytes,
      ctx: result?.ctx ?? dc.ctx,
      message,
      parsed: result?.parsed,
      error,
      record,
    });
    return record;
  }

  /** The JSON of an ERROR record for a fault while decoding `bytes`. */
  failure(e: unknown, bytes: Uint8Array, position: JsonObject): JsonObject {
    const messageType = bytes.length >= 19 ? bytes[18] : undefined;
    if (e instanceof WireError) return formatError(e, position, { messageType, length: bytes.length });
    // Never expected: the codec throws only WireError. Reported, not thrown, so one bad
    // message cannot end a long decode; the fuzz tests look for this errorCode.
    return inputError('ANYVIP_INTERNAL_ERROR', e instanceof Error ? `${e.name}: ${e.message}` : String(e), {
      ...position,
      messageType,
      hex: hexOf(bytes),
    });
  }

  /**
   * Parses an UPDATE; where 4-octet AS or ADD-PATH is unknown, tries the other
   * settings when the first attempt has faults, and keeps the cleanest result.
   */
  parseAdaptive(
    m: UpdateMessage,
    dc: DirectionContext,
    dir: Direction,
  ): { readonly parsed: ParsedUpdate; readonly ctx: CodecContext } {
    if (dc.fourOctetAsKnown && dc.addPathKnown) return { parsed: parseUpdate(m, dc.ctx), ctx: dc.ctx };
    const guess = this.sessions.guessFor(dir.session, dir.sender);
    const as4First = guess?.fourOctetAs ?? dc.ctx.fourOctetAs;
    const apFirst = guess?.addPath ?? dc.ctx.addPath.size > 0;
    const as4Options = dc.fourOctetAsKnown ? [dc.ctx.fourOctetAs] : [as4First, !as4First];
    const apOptions = dc.addPathKnown ? [undefined] : [apFirst, !apFirst];
    let best: { parsed: ParsedUpdate; ctx: CodecContext; as4: boolean; ap: boolean | undefined } | undefined;
    let firstError: unknown;
    for (const ap of apOptions) {
      for (const as4 of as4Options) {
        const ctx: CodecContext = {
          ...dc.ctx,
          fourOctetAs: as4,
          addPath: ap === undefined ? dc.ctx.addPath : ap ? GUESSED_ADD_PATH_FAMILIES : NO_ADD_PATH,
        };
        let parsed: ParsedUpdate;
        try {
          parsed = parseUpdate(m, ctx);
        } catch (e) {
          // A bad NLRI field is what a wrong guess produces; any other fault says more.
          if (firstError === undefined || isNetworkFieldError(firstError)) firstError = e;
          continue;
        }
        if (best === undefined || parsed.issues.length < best.parsed.issues.length)
          best = { parsed, ctx, as4, ap };
        if (parsed.issues.length === 0) break;
      }
      if (best !== undefined && best.parsed.issues.length === 0) break;
    }
    if (best === undefined) throw firstError;
    this.sessions.rememberGuess(dir.session, dir.sender, {
      fourOctetAs: dc.fourOctetAsKnown ? undefined : best.as4,
      addPath: best.ap,
    });
    return { parsed: best.parsed, ctx: best.ctx };
  }

  /**
   * Parses a RIB entry's attribute block (MRT) as the attributes of an UPDATE. With
   * `guessAsSize` (TABLE_DUMP v1, whose 2-octet rule some writers such as OpenBGPD
   * do not follow), the AS number size is guessed per peer like a capture's.
   */
  ribAttributes(attrs: Uint8Array, ctx: CodecContext, guessAsSize?: string): ParsedUpdate {
    const update: UpdateMessage = {
      kind: 'update',
      withdrawnRoutes: EMPTY,
      pathAttributes: attrs,
      nlri: EMPTY,
    };
    if (guessAsSize === undefined) return parseUpdate(update, ctx);
    const dc: DirectionContext = { ctx, fourOctetAsKnown: false, addPathKnown: true };
    return this.parseAdaptive(update, dc, { session: guessAsSize, sender: 'rib', receiver: 'rib' }).parsed;
  }
}

function isNetworkFieldError(e: unknown): boolean {
  return e instanceof WireError && e.errorCode === 'BGP_UPDATE_INVALID_NETWORK_FIELD';
}

/** Decodes a byte stream of back-to-back BGP messages (raw or from hex text). */
export function* decodeStream(bytes: Uint8Array, decoder: MessageDecoder): Generator<JsonObject> {
  const dir: Direction = { session: 'stream', sender: 'stream', receiver: 'stream' };
  const framer = new BgpStreamFramer();
  framer.write(bytes);
  for (;;) {
    framer.maxLength = decoder.context(dir).ctx.extendedMessage ? 65535 : 4096;
    const ev = framer.read();
    if (ev === undefined) break;
    if (ev.kind === 'message') yield decoder.decode(ev.bytes, dir, { offset: ev.offset });
    else yield formatError(ev.error, { offset: ev.offset });
  }
  for (const ev of framer.finish()) {
    yield formatError(ev.error, { offset: ev.offset }, { messageType: ev.messageType });
  }
}

/** Decodes the BGP sessions of a pcap/pcapng capture. */
export function* decodeCapture(
  bytes: Uint8Array,
  decoder: MessageDecoder,
  ports: readonly number[] | undefined,
): Generator<JsonObject> {
  const events = readBgpCapture(bytes, {
    ports,
    maxLengthFor: (flow) =>
      decoder.context({ session: flow.connection, sender: flow.src, receiver: flow.dst }).ctx.extendedMessage
        ? 65535
        : 4096,
  });
  for (const ev of events) {
    switch (ev.kind) {
      case 'message': {
        const position = { time: roundTime(ev.timeSec), src: ev.flow.src, dst: ev.flow.dst, frame: ev.frame };
        yield decoder.decode(
          ev.bytes,
          { session: ev.flow.connection, sender: ev.flow.src, receiver: ev.flow.dst },
          position,
        );
        break;
      }
      case 'connection':
        if (ev.initiator) decoder.sessions.reset(ev.flow.connection);
        break;
      case 'error': {
        const position: JsonObject = {
          time: ev.timeSec === undefined ? undefined : roundTime(ev.timeSec),
          src: ev.flow?.src,
          dst: ev.flow?.dst,
          frame: ev.frame,
          offset: ev.offset,
        };
        if (ev.error !== undefined) yield formatError(ev.error, position, { messageType: ev.messageType });
        else
          yield inputError(ev.source === 'tcp' ? 'TCP_STREAM_GAP' : 'CAPTURE_MALFORMED', ev.reason, position);
        break;
      }
      default:
        assertNever(ev);
    }
  }
}

const mrtTypeName = new Map<number, string>(Object.entries(MrtType).map(([k, v]) => [v, k]));
const bgp4mpSubtypeName = new Map<number, string>(Object.entries(Bgp4mpSubtype).map(([k, v]) => [v, k]));
const tableDumpV2SubtypeName = new Map<number, string>(
  Object.entries(TableDumpV2Subtype).map(([k, v]) => [v, k]),
);
const legacyBgpSubtypeName = [
  'NULL',
  'UPDATE',
  'PREF_UPDATE',
  'STATE_CHANGE',
  'SYNC',
  'OPEN',
  'NOTIFY',
  'KEEPALIVE',
];

/** `TYPE/SUBTYPE` of an MRT record, e.g. `BGP4MP_ET/MESSAGE_AS4`. */
export function mrtName(h: MrtHeader): string {
  let sub: string | undefined;
  switch (h.type) {
    case MrtType.BGP4MP:
    case MrtType.BGP4MP_ET:
      sub = bgp4mpSubtypeName.get(h.subtype);
      break;
    case MrtType.TABLE_DUMP_V2:
      sub = tableDumpV2SubtypeName.get(h.subtype);
      break;
    case MrtType.TABLE_DUMP:
      sub = h.subtype === 1 ? 'AFI_IPv4' : h.subtype === 2 ? 'AFI_IPv6' : undefined;
      break;
    case MrtType.BGP:
      sub = legacyBgpSubtypeName[h.subtype];
      break;
  }
  return `${mrtTypeName.get(h.type) ?? h.type}/${sub ?? h.subtype}`;
}

/** FSM state names of BGP4MP STATE_CHANGE (RFC 6396 §4.4.1; 7 and 8 are Quagga's). */
const stateName = [
  '',
  'Idle',
  'Connect',
  'Active',
  'OpenSent',
  'OpenConfirm',
  'Established',
  'Clearing',
  'Deleted',
];

const mrtFourOctetAs: CodecContext = {
  fourOctetAs: true,
  addPath: NO_ADD_PATH,
  extendedMessage: true,
  extendedNextHop: new Set(),
};
const mrtTwoOctetAs: CodecContext = { ...mrtFourOctetAs, fourOctetAs: false };

/** Decodes an MRT file: one JSON record per BGP message, state change, peer table and RIB entry. */
export function* decodeMrtFile(bytes: Uint8Array, decoder: MessageDecoder): Generator<JsonObject> {
  let peers: readonly MrtPeer[] = [];
  for (const rec of readMrt(bytes)) {
    switch (rec.kind) {
      case 'bgp4mpMessage': {
        const session = `${rec.peerIp}|${rec.localIp}`;
        const position: JsonObject = {
          time: roundTime(rec.header.timeSec),
          mrt: mrtName(rec.header),
          peer: { ip: rec.peerIp, asn: rec.peerAs },
          local: { ip: rec.localIp, asn: rec.localAs },
          from: rec.local ? 'local' : undefined,
        };
        const dir: Direction = rec.local
          ? { session, sender: 'local', receiver: 'peer' }
          : { session, sender: 'peer', receiver: 'local' };
        const out = decoder.decode(rec.message, dir, position, {
          fourOctetAs: rec.fourOctetAs,
          addPath: rec.addPath ? true : undefined,
          extendedMessage: true,
        });
        yield out.type === 'ERROR' ? { ...out, offset: rec.header.offset } : out;
        break;
      }
      case 'bgp4mpStateChange':
        // Back to Idle/Connect/Active: the next session will exchange new OPENs.
        if (rec.newState <= 3) decoder.sessions.reset(`${rec.peerIp}|${rec.localIp}`);
        yield {
          type: 'STATE_CHANGE',
          time: roundTime(rec.header.timeSec),
          mrt: mrtName(rec.header),
          peer: { ip: rec.peerIp, asn: rec.peerAs },
          local: { ip: rec.localIp, asn: rec.localAs },
          oldState: stateName[rec.oldState] ?? rec.oldState,
          newState: stateName[rec.newState] ?? rec.newState,
        };
        break;
      case 'peerIndexTable':
        peers = rec.peers;
        yield {
          type: 'PEER_INDEX_TABLE',
          time: roundTime(rec.header.timeSec),
          mrt: mrtName(rec.header),
          collectorId: rec.collectorBgpId,
          viewName: rec.viewName,
          peers: rec.peers.map((p, index) => ({ index, bgpId: p.bgpId, ip: p.ip, asn: p.asn })),
        };
        break;
      case 'rib':
      case 'tableDump':
        yield* ribEntries(rec, peers, decoder);
        break;
      case 'skipped':
        yield {
          type: 'MRT_SKIPPED',
          time: roundTime(rec.header.timeSec),
          mrt: mrtName(rec.header),
          offset: rec.header.offset,
          length: rec.header.length,
          reason: rec.reason,
        };
        break;
      case 'error':
        yield inputError('MRT_MALFORMED_RECORD', rec.reason, {
          time: rec.header === undefined ? undefined : roundTime(rec.header.timeSec),
          mrt: rec.header === undefined ? undefined : mrtName(rec.header),
          offset: rec.offset,
          resumedAt: rec.resumedAt,
        });
        break;
      default:
        assertNever(rec);
    }
  }
}

function* ribEntries(
  rec: Extract<MrtRecord, { kind: 'rib' | 'tableDump' }>,
  peers: readonly MrtPeer[],
  decoder: MessageDecoder,
): Generator<JsonObject> {
  const time = roundTime(rec.header.timeSec);
  const mrt = mrtName(rec.header);
  if (rec.kind === 'tableDump') {
    for (const e of rec.entries) {
      const position: JsonObject = {
        time,
        mrt,
        view: rec.viewNumber,
        sequence: rec.sequence,
        prefix: formatPrefix(e.prefix),
        status: e.status,
        originatedTime: e.originatedTimeSec,
        peer: { ip: e.peerIp, asn: e.peerAs },
      };
      const attrs = ribAttributesAsUpdate(e.attributes, e.prefix.afi, 1);
      yield ribEntry(decoder, attrs, mrtTwoOctetAs, position, rec, `table-dump|${e.peerIp}`);
    }
    return;
  }
  for (const e of rec.entries) {
    const peer = peers[e.peerIndex];
    const position: JsonObject = {
      time,
      mrt,
      sequence: rec.sequence,
      ...(rec.prefix === undefined
        ? { afi: rec.afi, safi: rec.safi, nlriHex: hexOf(rec.nlri) }
        : { prefix: formatPrefix(rec.prefix) }),
      pathId: e.pathId,
      peer: { index: e.peerIndex, ip: peer?.ip, asn: peer?.asn, bgpId: peer?.bgpId },
      originatedTime: e.originatedTimeSec,
    };
    yield ribEntry(
      decoder,
      ribAttributesAsUpdate(e.attributes, rec.afi, rec.safi),
      mrtFourOctetAs,
      position,
      rec,
    );
  }
}

function ribEntry(
  decoder: MessageDecoder,
  attrs: Uint8Array,
  ctx: CodecContext,
  position: JsonObject,
  rec: { readonly header: MrtHeader },
  guessAsSize?: string,
): JsonObject {
  try {
    const parsed = decoder.ribAttributes(attrs, ctx, guessAsSize);
    return {
      type: 'RIB',
      ...position,
      attributes: formatAttributes(parsed.attributes),
      issues: parsed.issues.length === 0 ? undefined : formatIssues(parsed.issues),
    };
  } catch (e) {
    const out = decoder.failure(e, EMPTY, position);
    return { ...out, offset: rec.header.offset, attributesHex: hexOf(attrs) };
  }
}

/**
 * The `decode` loop: reads any supported input (pcap/pcapng, MRT, raw BGP stream,
 * hex text; gzip compressed, or bzip2 with {@link DecodeOptions.bunzip2}) and yields one JSON object per message,
 * RIB entry or fault. Never throws on bad input; a malformed message gives an ERROR
 * record and decoding goes on with the next one.
 */
export function* decodeInput(input: Uint8Array, options: DecodeOptions = {}): Generator<JsonObject> {
  let bytes: Uint8Array;
  try {
    bytes = decompress(input, options.bunzip2);
  } catch (e) {
    yield inputError(
      'ANYVIP_INPUT_UNREADABLE',
      `cannot decompress the input: ${e instanceof Error ? e.message : String(e)}`,
    );
    return;
  }
  const format =
    options.format === undefined || options.format === 'auto' ? detectFormat(bytes) : options.format;
  const decoder = new MessageDecoder(options);
  switch (format) {
    case 'pcap':
      yield* decodeCapture(bytes, decoder, options.ports);
      break;
    case 'mrt':
      yield* decodeMrtFile(bytes, decoder);
      break;
    case 'hex': {
      const raw = parseHexText(bytes);
      if (raw === undefined) yield inputError('ANYVIP_INPUT_UNREADABLE', 'the input is not valid hex text');
      else yield* decodeStream(raw, decoder);
      break;
    }
    case 'raw':
      yield* decodeStream(bytes, decoder);
      break;
    default:
      assertNever(format);
  }
}
