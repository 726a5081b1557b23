import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  nodeTransport,
  type TransportConnection,
  type TransportServer,
} from '../../src/session/transport.js';

const hasIpv6Loopback = Object.values(networkInterfaces())
  .flat()
  .some((i) => i?.address === '::1');

const servers: TransportServer[] = [];
const streams: TransportConnection[] = [];
afterEach(async () => {
  for (const c of streams.splice(0)) c.stream.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function listen(
  host: string,
): Promise<{ server: TransportServer; accepted: Promise<TransportConnection> }> {
  let accept!: (c: TransportConnection) => void;
  const accepted = new Promise<TransportConnection>((resolve) => {
    accept = resolve;
  });
  const server = await nodeTransport.listen(
    { port: 0, host },
    (c) => {
      streams.push(c);
      accept(c);
    },
    () => {},
  );
  servers.push(server);
  return { server, accepted };
}

describe('canonicalAddress', () => {
  it('writes IPv4, IPv4-mapped IPv6 and IPv6 in one form (RFC 5952)', () => {
    expect(canonicalAddress('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalAddress('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalAddress('fe80::1%eth0')).toBe('fe80::1%eth0');
    expect(canonicalAddress('router')).toBeUndefined();
  });
});

describe('nodeTransport over loopback', () => {
  it.each([
    { host: '127.0.0.1', skip: false },
    { host: '::1', skip: !hasIpv6Loopback },
  ])(
    'connects to a listener on $host port 0, both ends seeing the same addresses',
    async ({ host, skip }) => {
      if (skip) return;
      const { server, accepted } = await listen(host);
      expect(server.port).toBeGreaterThan(0);
      const controller = new AbortController();
      const ours = await nodeTransport.connect({ host, port: server.port, signal: controller.signal });
      streams.push(ours);
      const theirs = await accepted;
      expect(ours.remoteAddress).toBe(host);
      expect(ours.remotePort).toBe(server.port);
      expect(theirs.remoteAddress).toBe(ours.localAddress);
      expect(theirs.remotePort).toBe(ours.localPort);
      const got = new Promise<Buffer>((resolve) => theirs.stream.once('data', resolve));
      ours.stream.write(Uint8Array.of(1, 2, 3));
      expect([...(await got)]).toEqual([1, 2, 3]);
    },
  );

  it('binds the local address it is given', async () => {
    const { server, accepted } = await listen('127.0.0.1');
    const ours = await nodeTransport.connect({
      host: '127.0.0.1',
      port: server.port,
      localAddress: '127.0.0.2',
      signal: new AbortController().signal,
    });
    streams.push(ours);
    expect(ours.localAddress).toBe('127.0.0.2');
    expect((await accepted).remoteAddress).toBe('127.0.0.2');
  });

  it('rejects a refused connection and an aborted one', async () => {
    const { server } = await listen('127.0.0.1');
    const port = server.port;
    await server.close();
    servers.length = 0;
    await expect(
      nodeTransport.connect({ host: '127.0.0.1', port, signal: new AbortController().signal }),
    ).rejects.toThrow(/ECONNREFUSED/);
    const controller = new AbortController();
    controller.abort();
    await expect(
      nodeTransport.connect({ host: '127.0.0.1', port, signal: controller.signal }),
    ).rejects.toThrow(/abort/);
  });

  it('sets a TTL exactly when the @anyvip/tcp-auth addon is there (Node has no IP_TTL setter on net.Socket)', () => {
    expect(nodeTransport.supportsTtl).toBe(nodeTransport.tcpSecurityUnavailable === undefined);
  });
});
