/**
 * `@anyvip/bgp/decode`: BGP messages from captures (pcap/pcapng), MRT dumps (RFC 6396),
 * raw BGP streams or hex text, as JSON objects, one per message, RIB entry or fault —
 * what `anyvip-bgp decode` prints. Decoding never throws on bad input: a malformed
 * message gives an ERROR record with its RFC code and subcode, and decoding goes on.
 *
 * ```ts
 * import { decodeInput } from '@anyvip/bgp/decode';
 * for (const record of decodeInput(readFileSync('capture.pcapng'))) console.log(JSON.stringify(record));
 * ```
 */
export { type DecodedMessage, type DecodeOptions, decodeInput, mrtName } from './decode.js';
export {
  formatAttributes,
  formatCapability,
  formatError,
  formatIssues,
  formatMessage,
  formatNlri,
  formatParsedUpdate,
  hexOf,
  type JsonObject,
  type JsonValue,
  messageTypeName,
} from './format-json.js';
export { type Bunzip2, compressionOf, decompress, detectFormat, type InputFormat } from './input-format.js';
