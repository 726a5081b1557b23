import { LinkType } from './capture-record.js';

/**
 * Strips the link-layer header of a captured frame and returns the IP packet it
 * carries (IPv4 or IPv6; the version nibble tells which), or undefined for a frame
 * that carries something else (ARP, LLC, …) or is too short. VLAN tags
 * (802.1Q/802.1ad) and MPLS label stacks in between are skipped.
 */
export function decodeLinkLayer(linkType: number, data: Uint8Array): Uint8Array | undefined {
  switch (linkType) {
    case LinkType.ETHERNET:
      return ethernet(data, 0);
    case LinkType.NULL:
      return nullLoopback(data, false);
    case LinkType.LOOP:
      return nullLoopback(data, true);
    case LinkType.RAW:
    case LinkType.RAW_OPENBSD:
    case LinkType.RAW_BSDOS:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return ipByVersion(data, 0);
    case LinkType.LINUX_SLL:
      // packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
      return data.length < 16 ? undefined : byEtherType(data, 16, u16(data, 14));
    case LinkType.LINUX_SLL2:
      // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8)
      return data.length < 20 ? undefined : byEtherType(data, 20, u16(data, 0));
    case LinkType.PPP:
    case LinkType.PPP_HDLC:
      return ppp(data, 0);
    case LinkType.PPP_ETHER:
      // PPPoE session header (6 octets), then PPP.
      return data.length < 6 ? undefined : ppp(data, 6);
    case LinkType.C_HDLC:
      // address(1) control(1) protocol(2, an EtherType)
      return data.length < 4 ? undefined : byEtherType(data, 4, u16(data, 2));
    case LinkType.JUNIPER_ETHER:
      return juniperEthernet(data);
    default:
      return undefined;
  }
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

const EtherType = {
  IPV4: 0x0800,
  IPV6: 0x86dd,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  QINQ_OLD: 0x9100,
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
  PPPOE_SESSION: 0x8864,
} as const;

function ethernet(data: Uint8Array, at: number): Uint8Array | undefined {
  if (data.length < at + 14) return undefined;
  return byEtherType(data, at + 14, u16(data, at + 12));
}

function byEtherType(data: Uint8Array, at: number, etherType: number): Uint8Array | undefined {
  // Every tag adds one level; a frame cannot hold more tags than bytes, so this ends.
  while (etherType === EtherType.VLAN || etherType === EtherType.QINQ || etherType === EtherType.QINQ_OLD) {
    if (data.length < at + 4) return undefined;
    etherType = u16(data, at + 2);
    at += 4;
  }
  switch (etherType) {
    case EtherType.IPV4:
    case EtherType.IPV6:
      return ipByVersion(data, at);
    case EtherType.MPLS:
    case EtherType.MPLS_MULTICAST:
      return mpls(data, at);
    case EtherType.PPPOE_SESSION:
      return data.length < at + 6 ? undefined : ppp(data, at + 6);
    default:
      return undefined;
  }
}

/** An MPLS label stack (RFC 3032): skip to the bottom-of-stack entry, then IP. */
function mpls(data: Uint8Array, at: number): Uint8Array | undefined {
  while (data.length >= at + 4) {
    const bottom = (data[at + 2]! & 0x01) !== 0;
    at += 4;
    if (bottom) return ipByVersion(data, at);
  }
  return undefined;
}

/** PPP (RFC 1661), with or without the HDLC-like `ff 03` address and control octets (RFC 1662). */
function ppp(data: Uint8Array, at: number): Uint8Array | undefined {
  if (data.length >= at + 2 && data[at] === 0xff && data[at + 1] === 0x03) at += 2;
  if (data.length < at + 2) return undefined;
  switch (u16(data, at)) {
    case 0x0021:
    case 0x0057:
      return ipByVersion(data, at + 2);
    case 0x0281:
      return mpls(data, at + 2);
    default:
      return undefined;
  }
}

/**
 * BSD loopback: a 4-octet address family in the capturing host's byte order
 * (LINKTYPE_NULL) or in network order (LINKTYPE_LOOP). AF_INET is 2 everywhere;
 * AF_INET6 is 24, 28 or 30 depending on the OS, so the IP version nibble decides.
 */
function nullLoopback(data: Uint8Array, networkOrder: boolean): Uint8Array | undefined {
  if (data.length < 4) return undefined;
  const le = data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24);
  const be = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
  const family = networkOrder ? be : le >>> 0 <= 0xffff ? le >>> 0 : be;
  if (family !== 2 && family !== 24 && family !== 28 && family !== 30) return undefined;
  return ipByVersion(data, 4);
}

/**
 * Juniper's capture header (the "MGC" cookie of DLT_JUNIPER_ETHER): magic(3),
 * flags(1), then, when flag 0x80 is set, a 2-octet extension length and the TLV
 * extensions. Flag 0x02 says no layer-2 header follows (a 4-octet family word and IP).
 */
function juniperEthernet(data: Uint8Array): Uint8Array | undefined {
  if (data.length < 4 || data[0] !== 0x4d || data[1] !== 0x47 || data[2] !== 0x43) return undefined;
  const flags = data[3]!;
  let at = 4;
  if (flags & 0x80) {
    if (data.length < at + 2) return undefined;
    at += 2 + u16(data, at);
  }
  if (flags & 0x02) return ipByVersion(data, at + 4);
  return ethernet(data, at);
}

function ipByVersion(data: Uint8Array, at: number): Uint8Array | undefined {
  if (data.length <= at) return undefined;
  const version = data[at]! >> 4;
  return version === 4 || version === 6 ? data.subarray(at) : undefined;
}
