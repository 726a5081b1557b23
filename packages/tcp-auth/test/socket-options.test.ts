import { afterEach, describe, expect, it } from 'vitest';
import { loadBinding, loadTcpAuth, type SocketOptions } from '../src/index.js';

// The addon is optional at install; CI builds it (ANYVIP_TCP_AUTH_REQUIRED=1 in ./run).
const load = loadTcpAuth();
const binding = loadBinding();
const available = load.kind === 'available' && binding.kind === 'available';

describe('loadTcpAuth', () => {
  it('never throws and gives a reason when the addon is missing', () => {
    if (load.kind === 'unavailable') expect(load.reason).toMatch(/addon|Linux/);
    else expect(load.options).toBeDefined();
  });
});

describe.skipIf(!available)('SocketOptions on real sockets (Linux setsockopt)', () => {
  const options = (load as { options: SocketOptions }).options;
  const c = binding.kind === 'available' ? binding.binding.constants : undefined;
  const fds: number[] = [];
  const socket = (v: 4 | 6): number => {
    const fd = options.socket(v);
    fds.push(fd);
    return fd;
  };
  afterEach(() => {
    for (const fd of fds.splice(0)) options.close(fd);
  });

  it('sets IP_TTL and IP_MINTTL on an IPv4 socket (RFC 5082 §3: 255 and 255)', () => {
    const fd = socket(4);
    options.setTtl(fd, 4, 255);
    options.setMinTtl(fd, 4, 255);
    expect(options.getInt(fd, c!.IPPROTO_IP, c!.IP_TTL)).toBe(255);
    expect(options.getInt(fd, c!.IPPROTO_IP, c!.IP_MINTTL)).toBe(255);
  });

  it('sets IPV6_UNICAST_HOPS and IPV6_MINHOPCOUNT on an IPv6 socket, and the IPv4 options for mapped peers', () => {
    const fd = socket(6);
    options.setTtl(fd, 6, 255);
    options.setMinTtl(fd, 6, 254);
    expect(options.getInt(fd, c!.IPPROTO_IPV6, c!.IPV6_UNICAST_HOPS)).toBe(255);
    expect(options.getInt(fd, c!.IPPROTO_IPV6, c!.IPV6_MINHOPCOUNT)).toBe(254);
    expect(options.getInt(fd, c!.IPPROTO_IP, c!.IP_MINTTL)).toBe(254);
  });

  it('takes and removes a TCP-MD5 key for IPv4 and IPv6 peers; removing an absent key is ENOENT', () => {
    const v4 = socket(4);
    options.setMd5Key(v4, 4, Uint8Array.of(127, 0, 0, 1), new TextEncoder().encode('k'));
    options.setMd5Key(v4, 4, Uint8Array.of(127, 0, 0, 1), new Uint8Array(0));
    const v6 = socket(6);
    options.setMd5Key(v6, 6, Uint8Array.of(10, 250, 0, 1), new TextEncoder().encode('k'));
    options.setMd5Key(v6, 6, new Uint8Array(16).fill(0xfd, 0, 1), new TextEncoder().encode('k'));
    expect(() => options.setMd5Key(v4, 4, Uint8Array.of(127, 0, 0, 9), new Uint8Array(0))).toThrow(
      expect.objectContaining({
        code: 'ANYVIP_TCP_AUTH_SYSCALL',
        errno: 'ENOENT',
        syscall: 'setsockopt(TCP_MD5SIG)',
      }),
    );
  });

  it('reports a bad fd as ANYVIP_TCP_AUTH_SYSCALL with errno EBADF', () => {
    expect(() => options.setTtl(1_000_000, 4, 64)).toThrow(
      expect.objectContaining({ code: 'ANYVIP_TCP_AUTH_SYSCALL', errno: 'EBADF' }),
    );
  });

  it('refuses TTLs outside [1, 255] (or -1) and minimum TTLs outside [0, 255] before any system call', () => {
    const fd = socket(4);
    for (const ttl of [0, 256, -2, 1.5]) {
      expect(() => options.setTtl(fd, 4, ttl)).toThrow(
        expect.objectContaining({ code: 'ANYVIP_TCP_AUTH_BAD_TTL' }),
      );
    }
    expect(() => options.setMinTtl(fd, 4, 256)).toThrow(
      expect.objectContaining({ code: 'ANYVIP_TCP_AUTH_BAD_TTL' }),
    );
    options.setTtl(fd, 4, -1);
    expect(options.getInt(fd, c!.IPPROTO_IP, c!.IP_TTL)).toBeGreaterThan(0);
  });

  it('the native functions refuse wrong argument types with a TypeError, not a crash', () => {
    if (binding.kind !== 'available') return;
    const n = binding.binding as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => n.socket!(5)).toThrow(TypeError);
    expect(() => n.setsockopt!(0, 0, 2, 'x')).toThrow(TypeError);
    expect(() => n.setsockopt!(0, 0, 2, new Uint16Array(2))).toThrow(TypeError);
    expect(() => n.close!('x')).toThrow(TypeError);
  });
});
