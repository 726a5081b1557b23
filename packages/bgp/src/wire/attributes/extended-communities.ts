import { formatIpv4Bytes, parseIpv4 } from '../address.js';
import { AttrFlag, AttrType } from '../constants.js';
import { LocalProtocolError } from '../errors.js';
import { attributeLengthError } from '../validate.js';
import type { AttributeCodec } from './codec.js';
import {
  decodeLinkBandwidth,
  encodeLinkBandwidth,
  formatLinkBandwidth,
  linkBandwidthHasText,
  parseLinkBandwidth,
} from './link-bandwidth.js';
import type { ExtendedCommunitiesAttribute } from './path-attribute.js';

/**
 * EXTENDED_COMMUNITIES (type 16, RFC 4360 §2): optional transitive, a list of
 * 8-octet values kept as received. A length that is not a non-zero multiple of 8
 * is treat-as-withdraw (RFC 7606 §7.14).
 */
export const extendedCommunitiesCodec: AttributeCodec<ExtendedCommunitiesAttribute> = {
  code: AttrType.EXTENDED_COMMUNITIES,
  kind: 'extendedCommunities',
  name: 'EXTENDED_COMMUNITIES',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  decode(attr, at) {
    const n = attr.length - at;
    if (n === 0 || n % 8 !== 0) {
      throw attributeLengthError(
        attr,
        'treatAsWithdraw',
        `EXTENDED_COMMUNITIES length ${n} is not a non-zero multiple of 8`,
      );
    }
    const values: Uint8Array[] = [];
    for (let p = at; p < attr.length; p += 8) values.push(attr.slice(p, p + 8));
    return { kind: 'extendedCommunities', flags: attr[0]!, values };
  },
  encode(w, a) {
    for (const v of a.values) {
      if (v.length !== 8) {
        throw new LocalProtocolError(
          'ANYVIP_BAD_COMMUNITY',
          `extended community of ${v.length} octets, expected 8`,
        );
      }
      w.bytes(v);
    }
  },
};

/** Type high octets (RFC 4360 §3, RFC 5668 §2, RFC 7153). */
const TWO_OCTET_AS = 0x00;
const IPV4_ADDRESS = 0x01;
const FOUR_OCTET_AS = 0x02;
const OPAQUE = 0x03;
const FLOW_SPEC = 0x80;

/** Sub-types shared by the AS- and address-specific types (RFC 4360 §4, §5). */
const ROUTE_TARGET = 0x02;
const ROUTE_ORIGIN = 0x03;

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

function float32(b: Uint8Array, p: number): number {
  return new DataView(b.buffer, b.byteOffset + p, 4).getFloat32(0);
}

function hexText(b: Uint8Array): string {
  let s = '0x';
  for (let i = 0; i < 8; i++) s += (b[i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

/**
 * Text of one extended community. The forms, one per (type, sub-type) we name:
 *
 * | Form | Type / sub-type | Spec |
 * |---|---|---|
 * | `target:65000:100`, `origin:65000:100` | 0x00 / 0x02, 0x03: 2-octet AS, 4-octet number | RFC 4360 §4 |
 * | `target:192.0.2.1:100`, `origin:…` | 0x01 / 0x02, 0x03: IPv4 address, 2-octet number | RFC 4360 §4 |
 * | `target:4200000000L:100`, `origin:…L:…` | 0x02 / 0x02, 0x03: 4-octet AS (`L` always marks this type), 2-octet number | RFC 5668 §2 |
 * | `color:100` | 0x03 / 0x0b | RFC 9012 §4.3 |
 * | `encap:8` | 0x03 / 0x0c: tunnel type | RFC 9012 §4.1 |
 * | `link-bandwidth:65000:1250000` | 0x40 / 0x04: AS, bytes per second | draft-ietf-idr-link-bandwidth §3 |
 * | `link-bandwidth-transitive:65000:1250000` | 0x00 / 0x04: the same, transitive | IANA, as FRR sends it |
 * | `rate-limit:0` | 0x80 / 0x06: bytes per second | RFC 8955 §7.3 |
 * | `redirect:65000:100` | 0x80 / 0x08 | RFC 8955 §7.6 |
 *
 * Anything else is `0x` and the 16 hex digits of the 8 octets. {@link parseExtendedCommunity}
 * reads every form back.
 */
export function formatExtendedCommunity(b: Uint8Array): string {
  if (b.length !== 8) return hexText(b);
  const type = b[0]!;
  const sub = b[1]!;
  const rtOrSoo = sub === ROUTE_TARGET ? 'target' : sub === ROUTE_ORIGIN ? 'origin' : undefined;
  if (rtOrSoo !== undefined) {
    if (type === TWO_OCTET_AS) return `${rtOrSoo}:${u16(b, 2)}:${u32(b, 4)}`;
    if (type === IPV4_ADDRESS) return `${rtOrSoo}:${formatIpv4Bytes(b, 2)}:${u16(b, 6)}`;
    if (type === FOUR_OCTET_AS) return `${rtOrSoo}:${u32(b, 2)}L:${u16(b, 6)}`;
  }
  if (type === OPAQUE && sub === 0x0b) return `color:${u32(b, 4)}`;
  if (type === OPAQUE && sub === 0x0c && u32(b, 2) === 0) return `encap:${u16(b, 6)}`;
  const lb = decodeLinkBandwidth(b);
  if (lb !== undefined && linkBandwidthHasText(lb)) return formatLinkBandwidth(lb);
  if (type === FLOW_SPEC && sub === 0x06 && u16(b, 2) === 0) return `rate-limit:${float32(b, 4)}`;
  if (type === FLOW_SPEC && sub === 0x08) return `redirect:${u16(b, 2)}:${u32(b, 4)}`;
  return hexText(b);
}

function badText(text: string): LocalProtocolError {
  return new LocalProtocolError('ANYVIP_BAD_COMMUNITY', `not an extended community: ${JSON.stringify(text)}`);
}

function build(type: number, sub: number, fill: (v: DataView) => void): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = type;
  out[1] = sub;
  fill(new DataView(out.buffer));
  return out;
}

/** Parses any form {@link formatExtendedCommunity} writes; throws `LocalProtocolError` otherwise. */
export function parseExtendedCommunity(text: string): Uint8Array {
  const t = text.trim();
  const hexMatch = /^0x([0-9a-fA-F]{16})$/.exec(t);
  if (hexMatch) {
    const out = new Uint8Array(8);
    for (let i = 0; i < 8; i++) out[i] = Number.parseInt(hexMatch[1]!.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  const parts = t.split(':');
  const num = (s: string | undefined, max: number): number => {
    if (s === undefined || !/^\d{1,10}$/.test(s) || Number(s) > max) throw badText(text);
    return Number(s);
  };
  const [kind, a, b] = parts;
  if ((kind === 'target' || kind === 'origin') && parts.length === 3 && a !== undefined) {
    const sub = kind === 'target' ? ROUTE_TARGET : ROUTE_ORIGIN;
    const ip = parseIpv4(a);
    if (ip !== undefined) {
      const n = num(b, 0xffff);
      return build(IPV4_ADDRESS, sub, (v) => {
        v.setUint32(2, ip);
        v.setUint16(6, n);
      });
    }
    if (a.endsWith('L') || (/^\d+$/.test(a) && Number(a) > 0xffff)) {
      const asn = num(a.replace(/L$/, ''), 0xffffffff);
      const n = num(b, 0xffff);
      return build(FOUR_OCTET_AS, sub, (v) => {
        v.setUint32(2, asn);
        v.setUint16(6, n);
      });
    }
    const asn = num(a, 0xffff);
    const n = num(b, 0xffffffff);
    return build(TWO_OCTET_AS, sub, (v) => {
      v.setUint16(2, asn);
      v.setUint32(4, n);
    });
  }
  if (kind === 'color' && parts.length === 2) {
    const n = num(a, 0xffffffff);
    return build(OPAQUE, 0x0b, (v) => {
      v.setUint32(4, n);
    });
  }
  if (kind === 'encap' && parts.length === 2) {
    const n = num(a, 0xffff);
    return build(OPAQUE, 0x0c, (v) => {
      v.setUint16(6, n);
    });
  }
  if (kind === 'redirect' && parts.length === 3) {
    const asn = num(a, 0xffff);
    const n = num(b, 0xffffffff);
    return build(FLOW_SPEC, 0x08, (v) => {
      v.setUint16(2, asn);
      v.setUint32(4, n);
    });
  }
  const rate = (s: string | undefined): number => {
    const x = Number(s);
    if (s === undefined || s === '' || !Number.isFinite(x) || x < 0) throw badText(text);
    return x;
  };
  if (kind === 'link-bandwidth' || kind === 'link-bandwidth-transitive') {
    const lb = parseLinkBandwidth(t);
    if (lb === undefined) throw badText(text);
    return encodeLinkBandwidth(lb);
  }
  if (kind === 'rate-limit' && parts.length === 2) {
    const bw = rate(a);
    return build(FLOW_SPEC, 0x06, (v) => {
      v.setFloat32(4, bw);
    });
  }
  throw badText(text);
}
