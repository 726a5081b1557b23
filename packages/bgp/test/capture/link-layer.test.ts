import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/capture-record.js';
import { decodeLinkLayer } from '../../src/capture/link-layer.js';
import { concat, hex } from '../support/bytes.js';
import { ethernet, ipv4, ipv6 } from './frames.js';

const ip4 = ipv4('10.0.0.1', '10.0.0.2', hex('0102'));
const ip6 = ipv6('fd000000000000000000000000000001', 'fd000000000000000000000000000002', hex('0102'));

describe('decodeLinkLayer', () => {
  it('strips Ethernet II and 802.1Q / 802.1ad tags', () => {
    expect(decodeLinkLayer(LinkType.ETHERNET, ethernet(ip4))).toEqual(ip4);
    expect(decodeLinkLayer(LinkType.ETHERNET, ethernet(ip6, 0x86dd, [10, 20]))).toEqual(ip6);
    const qinq = concat(hex('020000000002 020000000001 88a8 0064 8100 00c8 0800'), ip4);
    expect(decodeLinkLayer(LinkType.ETHERNET, qinq)).toEqual(ip4);
  });

  it('skips an MPLS label stack to the bottom-of-stack entry (RFC 3032)', () => {
    const frame = ethernet(concat(hex('00012000 00012140'), ip4), 0x8847);
    expect(decodeLinkLayer(LinkType.ETHERNET, frame)).toEqual(ip4);
  });

  it('returns undefined for non-IP EtherTypes and truncated frames', () => {
    expect(decodeLinkLayer(LinkType.ETHERNET, ethernet(hex('0001'), 0x0806))).toBeUndefined();
    expect(decodeLinkLayer(LinkType.ETHERNET, hex('0200'))).toBeUndefined();
    expect(decodeLinkLayer(9999, ip4)).toBeUndefined();
  });

  it('strips Linux cooked headers, SLL (16 octets) and SLL2 (20 octets)', () => {
    const sll = concat(hex('0000 0001 0006 020000000001 0000 0800'), ip4);
    expect(decodeLinkLayer(LinkType.LINUX_SLL, sll)).toEqual(ip4);
    const sll2 = concat(hex('86dd 0000 00000002 0001 00 06 020000000001 0000'), ip6);
    expect(decodeLinkLayer(LinkType.LINUX_SLL2, sll2)).toEqual(ip6);
  });

  it('reads raw IP by its version nibble', () => {
    expect(decodeLinkLayer(LinkType.RAW, ip4)).toEqual(ip4);
    expect(decodeLinkLayer(LinkType.RAW, ip6)).toEqual(ip6);
    expect(decodeLinkLayer(LinkType.IPV6, ip6)).toEqual(ip6);
    expect(decodeLinkLayer(LinkType.RAW, hex('5000'))).toBeUndefined();
  });

  it('reads BSD loopback headers in host (NULL) and network (LOOP) byte order', () => {
    expect(decodeLinkLayer(LinkType.NULL, concat(hex('02000000'), ip4))).toEqual(ip4);
    expect(decodeLinkLayer(LinkType.NULL, concat(hex('00000002'), ip4))).toEqual(ip4);
    expect(decodeLinkLayer(LinkType.NULL, concat(hex('1e000000'), ip6))).toEqual(ip6);
    expect(decodeLinkLayer(LinkType.LOOP, concat(hex('00000018'), ip6))).toEqual(ip6);
    expect(decodeLinkLayer(LinkType.NULL, concat(hex('07000000'), ip4))).toBeUndefined();
  });

  it('strips PPP (with and without ff 03) and Cisco HDLC', () => {
    expect(decodeLinkLayer(LinkType.PPP, concat(hex('ff03 0021'), ip4))).toEqual(ip4);
    expect(decodeLinkLayer(LinkType.PPP, concat(hex('0057'), ip6))).toEqual(ip6);
    expect(decodeLinkLayer(LinkType.C_HDLC, concat(hex('0f00 0800'), ip4))).toEqual(ip4);
    expect(decodeLinkLayer(LinkType.C_HDLC, concat(hex('0f00 8847 00012dfe'), ip4))).toEqual(ip4);
  });

  it('strips the Juniper "MGC" cookie with its extensions, then Ethernet', () => {
    const juniper = concat(hex('4d4743 80 0004 03010102'), ethernet(ip4));
    expect(decodeLinkLayer(LinkType.JUNIPER_ETHER, juniper)).toEqual(ip4);
    expect(decodeLinkLayer(LinkType.JUNIPER_ETHER, concat(hex('000000 00'), ip4))).toBeUndefined();
  });
});
