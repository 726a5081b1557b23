import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPasswordFile, resolveTcpSecurity, type TcpSecurity } from '../../src/session/tcp-security.js';
import {
  type ConnectRequest,
  nodeTransport,
  type TransportConnection,
  type TransportServer,
} from '../../src/session/transport.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('resolveTcpSecurity (RFC 2385 keys, RFC 5082 GTSM)', () => {
  it('asks nothing when no password, GTSM or TTL is given', () => {
    expect(resolveTcpSecurity({})).toBeUndefined();
    expect(resolveTcpSecurity({ ttlSecurity: false })).toBeUndefined();
  });

  it('a password becomes its UTF-8 octets; 80 octets are allowed, 81 and empty are refused', () => {
    expect(resolveTcpSecurity({ password: 'héllo' })).toEqual({ md5Key: bytes('héllo') });
    expect(resolveTcpSecurity({ password: 'x'.repeat(80) })?.md5Key?.length).toBe(80);
    for (const password of ['x'.repeat(81), '']) {
      expect(() => resolveTcpSecurity({ password })).toThrow(
        expect.objectContaining({ code: 'ANYVIP_INVALID_PEER_CONFIG' }),
      );
    }
  });

  it('an over-long password error never quotes the password', () => {
    const password = `secret-${'y'.repeat(80)}`;
    try {
      resolveTcpSecurity({ password });
      expect.unreachable();
    } catch (e) {
      expect(String(e)).not.toContain('secret');
    }
  });

  it('ttlSecurity true is TTL 255 sent, 255 required; hops n requires 256 − n (RFC 5082 §3)', () => {
    expect(resolveTcpSecurity({ ttlSecurity: true })).toEqual({ ttl: 255, minTtl: 255 });
    expect(resolveTcpSecurity({ ttlSecurity: { hops: 3 } })).toEqual({ ttl: 255, minTtl: 253 });
    for (const hops of [0, 255, 1.5]) {
      expect(() => resolveTcpSecurity({ ttlSecurity: { hops } })).toThrow(
        expect.objectContaining({ code: 'ANYVIP_INVALID_PEER_CONFIG' }),
      );
    }
  });

  it('ttlSecurity cannot be combined with another TTL, nor password with passwordFile', () => {
    expect(() => resolveTcpSecurity({ ttlSecurity: true, ttl: 2 })).toThrow(/cannot be combined/);
    expect(() => resolveTcpSecurity({ password: 'a', passwordFile: '/nonexistent' })).toThrow(/not both/);
  });

  it('a plain ttl (multihop) is kept as the sent TTL, best effort', () => {
    expect(resolveTcpSecurity({ ttl: 2 })).toEqual({ ttl: 2 });
  });
});

describe('readPasswordFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const file = (content: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'anyvip-pw-'));
    dirs.push(dir);
    const path = join(dir, 'password');
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };

  it('drops exactly one trailing newline (echo secret > file), keeps other whitespace', () => {
    expect(readPasswordFile(file('secret\n'))).toBe('secret');
    expect(readPasswordFile(file('secret\r\n'))).toBe('secret');
    expect(readPasswordFile(file(' sec ret \n\n'))).toBe(' sec ret \n');
    expect(resolveTcpSecurity({ passwordFile: file('k\n') })).toEqual({ md5Key: bytes('k') });
  });

  it('an unreadable file is ANYVIP_PASSWORD_FILE_UNREADABLE with the errno', () => {
    expect(() => readPasswordFile('/nonexistent/anyvip/password')).toThrow(
      expect.objectContaining({
        code: 'ANYVIP_PASSWORD_FILE_UNREADABLE',
        message: expect.stringContaining('ENOENT'),
      }),
    );
  });
});

const hasIpv6Loopback = Object.values(networkInterfaces())
  .flat()
  .some((i) => i?.address === '::1');

/**
 * Real sockets over loopback: the kernel checks the MD5 option and the minimum TTL
 * for 127.0.0.1 as for any peer. A refused SYN is dropped silently, so a refused
 * connect is one still pending after a while.
 */
describe.skipIf(nodeTransport.tcpSecurityUnavailable !== undefined)(
  'nodeTransport with TCP-MD5 and GTSM',
  () => {
    const servers: TransportServer[] = [];
    const streams: TransportConnection[] = [];
    afterEach(async () => {
      for (const c of streams.splice(0)) c.stream.destroy();
      await Promise.all(servers.splice(0).map((s) => s.close()));
    });

    async function listener(
      host: string,
      peers: ReadonlyMap<string, TcpSecurity | undefined>,
    ): Promise<{ server: TransportServer; accepted: TransportConnection[] }> {
      const accepted: TransportConnection[] = [];
      const server = await nodeTransport.listen(
        { port: 0, host },
        (c) => {
          streams.push(c);
          accepted.push(c);
        },
        () => {},
      );
      servers.push(server);
      server.applyPeerSecurity?.(peers);
      return { server, accepted };
    }

    /** 'connected' or 'refused' (still no SYN-ACK after `waitMs`). */
    async function attempt(request: Omit<ConnectRequest, 'signal'>, waitMs = 400): Promise<string> {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), waitMs);
      try {
        const c = await nodeTransport.connect({ ...request, signal: controller.signal });
        streams.push(c);
        return 'connected';
      } catch (e) {
        return e instanceof Error && e.name === 'AbortError' ? 'refused' : `error ${String(e)}`;
      } finally {
        clearTimeout(timer);
      }
    }

    it.each([
      { host: '127.0.0.1', listenOn: '127.0.0.1', skip: false },
      { host: '127.0.0.1', listenOn: '::', skip: !hasIpv6Loopback },
      { host: '::1', listenOn: '::1', skip: !hasIpv6Loopback },
    ])(
      'RFC 2385: the same key connects, a wrong or missing key is refused ($host to $listenOn)',
      async ({ host, listenOn, skip }) => {
        if (skip) return;
        const { server, accepted } = await listener(listenOn, new Map([[host, { md5Key: bytes('right') }]]));
        const port = server.port;
        expect(await attempt({ host, port, security: { md5Key: bytes('wrong') } })).toBe('refused');
        expect(await attempt({ host, port })).toBe('refused');
        expect(await attempt({ host, port, security: { md5Key: bytes('right') } })).toBe('connected');
        // Bytes flow both ways on a signed connection.
        const ours = streams.at(-1)!;
        for (let i = 0; i < 50 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        expect(accepted).toHaveLength(1);
        const got = new Promise<string>((r) =>
          accepted[0]!.stream.once('data', (d: Buffer) => r(d.toString())),
        );
        ours.stream.write('open');
        expect(await got).toBe('open');
      },
    );

    it('a key removed from the listener (peer removed) no longer lets the signed peer in', async () => {
      const { server } = await listener('127.0.0.1', new Map([['127.0.0.1', { md5Key: bytes('k') }]]));
      server.applyPeerSecurity?.(new Map());
      expect(await attempt({ host: '127.0.0.1', port: server.port, security: { md5Key: bytes('k') } })).toBe(
        'refused',
      );
      expect(await attempt({ host: '127.0.0.1', port: server.port })).toBe('connected');
    });

    it('RFC 5082: TTL 255 passes a minimum of 255; TTL 254 (one hop further) is refused before accept', async () => {
      const gtsm = { ttl: 255, minTtl: 255 };
      const { server, accepted } = await listener('127.0.0.1', new Map([['127.0.0.1', gtsm]]));
      expect(await attempt({ host: '127.0.0.1', port: server.port, ttl: 254 })).toBe('refused');
      expect(accepted).toHaveLength(0);
      expect(await attempt({ host: '127.0.0.1', port: server.port, ttl: 255, security: gtsm })).toBe(
        'connected',
      );
    });

    it('a listener with a GTSM peer reports the TTL each accepted SYN arrived with (TCP_SAVED_SYN)', async () => {
      // A mixed listener: one peer without GTSM keeps IP_MINTTL off, so the SYN gets in and its TTL is told.
      const { server, accepted } = await listener(
        '127.0.0.1',
        new Map<string, TcpSecurity | undefined>([
          ['127.0.0.1', { ttl: 255, minTtl: 255 }],
          ['127.0.0.2', undefined],
        ]),
      );
      expect(await attempt({ host: '127.0.0.1', port: server.port, ttl: 200 })).toBe('connected');
      for (let i = 0; i < 50 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(accepted[0]?.synTtl).toBe(200);
    });

    it('RFC 5082 on the active side: a SYN-ACK below our minimum TTL is dropped', async () => {
      // The listener answers with TTL 254; we require 255.
      const { server } = await listener('127.0.0.1', new Map([['127.0.0.1', { ttl: 254 }]]));
      expect(
        await attempt({
          host: '127.0.0.1',
          port: server.port,
          ttl: 255,
          security: { ttl: 255, minTtl: 255 },
        }),
      ).toBe('refused');
    });
  },
);
