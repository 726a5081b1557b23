import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  encodeInt,
  encodeSockaddr,
  encodeTcpMd5Sig,
  TCP_MD5SIG_MAXKEYLEN,
  TCP_MD5SIG_SIZE,
  TcpAuthError,
  ttlOfIpHeader,
} from '../src/index.js';

const le16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);

describe('struct tcp_md5sig (linux/tcp.h) for TCP_MD5SIG, RFC 2385', () => {
  it('is 216 octets: sockaddr_storage 128, flags, prefixlen, keylen u16, ifindex int, key[80]', () => {
    expect(TCP_MD5SIG_SIZE).toBe(216);
    expect(TCP_MD5SIG_MAXKEYLEN).toBe(80);
  });

  it('an IPv4 peer on an IPv4 socket: sockaddr_in family AF_INET, port 0, address at 4; keylen at 130; key at 136', () => {
    const key = new TextEncoder().encode('s3cret');
    const b = encodeTcpMd5Sig(4, Uint8Array.of(10, 250, 0, 2), key);
    expect(b.length).toBe(216);
    expect(le16(b, 0)).toBe(AF_INET);
    expect([...b.subarray(2, 4)]).toEqual([0, 0]);
    expect([...b.subarray(4, 8)]).toEqual([10, 250, 0, 2]);
    expect(b.subarray(8, 128).every((x) => x === 0)).toBe(true);
    expect(b[128]).toBe(0); // tcpm_flags
    expect(b[129]).toBe(0); // tcpm_prefixlen
    expect(le16(b, 130)).toBe(6); // tcpm_keylen
    expect([...b.subarray(132, 136)]).toEqual([0, 0, 0, 0]); // tcpm_ifindex
    expect(new TextDecoder().decode(b.subarray(136, 142))).toBe('s3cret');
    expect(b.subarray(142).every((x) => x === 0)).toBe(true);
  });

  it('an IPv6 peer: sockaddr_in6 family AF_INET6, flowinfo 0, address at 8, scope id 0', () => {
    const addr = Uint8Array.of(0xfd, 0, 2, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);
    const b = encodeTcpMd5Sig(6, addr, Uint8Array.of(1, 2, 3));
    expect(le16(b, 0)).toBe(AF_INET6);
    expect([...b.subarray(2, 8)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...b.subarray(8, 24)]).toEqual([...addr]);
    expect([...b.subarray(24, 28)]).toEqual([0, 0, 0, 0]);
    expect(le16(b, 130)).toBe(3);
  });

  it('an IPv4 peer on an IPv6 (dual-stack) socket is written IPv4-mapped, ::ffff:a.b.c.d', () => {
    const s = encodeSockaddr(6, Uint8Array.of(192, 0, 2, 1));
    expect(le16(s, 0)).toBe(AF_INET6);
    expect([...s.subarray(8, 24)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]);
  });

  it('an empty key (keylen 0) is the removal of the peer key', () => {
    const b = encodeTcpMd5Sig(4, Uint8Array.of(10, 0, 0, 1), new Uint8Array(0));
    expect(le16(b, 130)).toBe(0);
  });

  it('takes a key of exactly 80 octets and refuses 81 with ANYVIP_TCP_MD5_KEY_TOO_LONG', () => {
    const b = encodeTcpMd5Sig(4, Uint8Array.of(10, 0, 0, 1), new Uint8Array(80).fill(0x61));
    expect(le16(b, 130)).toBe(80);
    expect(b[215]).toBe(0x61);
    const tooLong = (): Uint8Array => encodeTcpMd5Sig(4, Uint8Array.of(10, 0, 0, 1), new Uint8Array(81));
    expect(tooLong).toThrow(TcpAuthError);
    expect(tooLong).toThrow(expect.objectContaining({ code: 'ANYVIP_TCP_MD5_KEY_TOO_LONG' }));
  });

  it('refuses an IPv6 peer on an IPv4 socket and an address of the wrong size', () => {
    expect(() => encodeSockaddr(4, new Uint8Array(16))).toThrow(
      expect.objectContaining({ code: 'ANYVIP_TCP_AUTH_BAD_ADDRESS' }),
    );
    expect(() => encodeSockaddr(6, new Uint8Array(5))).toThrow(
      expect.objectContaining({ code: 'ANYVIP_TCP_AUTH_BAD_ADDRESS' }),
    );
  });

  it('an int option is 4 octets in host order', () => {
    expect([...encodeInt(255)]).toEqual([255, 0, 0, 0]);
    expect([...encodeInt(-1)]).toEqual([255, 255, 255, 255]);
  });
});

describe('ttlOfIpHeader (the saved SYN, for RFC 5082 checks)', () => {
  it('reads the IPv4 TTL at octet 8 and the IPv6 hop limit at octet 7', () => {
    const v4 = new Uint8Array(20);
    v4[0] = 0x45;
    v4[8] = 254;
    expect(ttlOfIpHeader(v4)).toBe(254);
    const v6 = new Uint8Array(40);
    v6[0] = 0x60;
    v6[7] = 253;
    expect(ttlOfIpHeader(v6)).toBe(253);
  });

  it('is undefined for an empty or truncated header', () => {
    expect(ttlOfIpHeader(new Uint8Array(0))).toBeUndefined();
    expect(ttlOfIpHeader(Uint8Array.of(0x45, 0, 0))).toBeUndefined();
    expect(ttlOfIpHeader(Uint8Array.of(0x60, 0, 0, 0, 0, 0, 0, 1))).toBeUndefined();
  });
});
