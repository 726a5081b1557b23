import { createServer, type NetConnectOpts, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { formatAddress, formatIpv4, parseIpv4, parseIpv6 } from '../wire/address.js';

/**
 * Where TCP connections come from (RFC 4271 §8: the FSM's "initiate a TCP
 * connection" and "TCP connection request" events). The session floor takes its
 * connections from a replaceable {@link Transport}, as undici takes sockets from its
 * `connect` option: production uses {@link nodeTransport}; tests pass one that hands
 * out in-memory duplex pairs.
 *
 * What Node allows and what it does not:
 * - IPv4 and IPv6, active and passive, binding a local address, and listening on any
 *   port with a per-peer allow list (the speaker drops connections from addresses it
 *   has no peer for) all work with `node:net`.
 * - Node has no IP_TTL / IPV6_UNICAST_HOPS setter on `net.Socket` (only `dgram` has
 *   `setTTL`), so {@link nodeTransport} cannot set the TTL: packets leave with the
 *   kernel default (`net.ipv4.ip_default_ttl`, usually 64). That is enough for eBGP
 *   multihop up to that many hops and for directly connected eBGP (routers do not
 *   check an incoming TTL unless told to), but not for GTSM (RFC 5082), which needs
 *   255 on send and a check on receive: a peer with `ttl security` will not accept
 *   us. A transport built on a native socket option can honour `ttl`; it says so in
 *   {@link Transport.supportsTtl}.
 * - TCP MD5 signatures (RFC 2385) and TCP-AO (RFC 5925) need setsockopt calls Node
 *   does not offer either.
 */
export interface Transport {
  /** Whether {@link ConnectRequest.ttl} is applied to outgoing packets. */
  readonly supportsTtl: boolean;
  /** Opens a connection; rejects when it fails or when `signal` aborts it. */
  connect(request: ConnectRequest): Promise<TransportConnection>;
  /**
   * Listens for connections; resolves once listening. `onConnection` gets each
   * accepted connection; `onError` gets errors of the listening socket after that.
   */
  listen(
    request: ListenRequest,
    onConnection: (connection: TransportConnection) => void,
    onError: (error: Error) => void,
  ): Promise<TransportServer>;
}

/** One established TCP connection. Addresses are canonical text (see {@link canonicalAddress}). */
export interface TransportConnection {
  /** The byte stream; `net.Socket` in production. */
  readonly stream: Duplex;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** What {@link Transport.connect} needs. */
export interface ConnectRequest {
  readonly host: string;
  readonly port: number;
  /** Source address to bind, if any. */
  readonly localAddress?: string;
  /** IP TTL / hop limit wanted (1 for direct eBGP, 255 for GTSM); only if {@link Transport.supportsTtl}. */
  readonly ttl?: number;
  readonly signal: AbortSignal;
}

/** What {@link Transport.listen} needs; port 0 picks a free port. */
export interface ListenRequest {
  readonly port: number;
  /** Address to bind; omitted, Node binds `::` (dual stack) or `0.0.0.0`. */
  readonly host?: string;
}

/** A listening socket. */
export interface TransportServer {
  readonly address: string;
  readonly port: number;
  /** Stops listening; connections already accepted stay open. */
  close(): Promise<void>;
}

/**
 * An address in one canonical text form, so that a configured peer address and a
 * socket's remote address compare equal: dotted quad for IPv4 (also for an
 * IPv4-mapped IPv6 address such as `::ffff:192.0.2.1`, as a dual-stack listener
 * reports IPv4 peers), RFC 5952 text for IPv6. Undefined for anything else. A zone
 * index (`fe80::1%eth0`) is kept as given after the canonical address.
 */
export function canonicalAddress(text: string): string | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return formatIpv4(v4);
  const percent = text.indexOf('%');
  const zone = percent < 0 ? '' : text.slice(percent);
  const v6 = parseIpv6(percent < 0 ? text : text.slice(0, percent));
  if (v6 === undefined) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  if (mapped) return `${v6[12]}.${v6[13]}.${v6[14]}.${v6[15]}`;
  return formatAddress(v6) + zone;
}

function connectionOf(socket: Socket): TransportConnection | undefined {
  const { localAddress, localPort, remoteAddress, remotePort } = socket;
  if (localAddress === undefined || remoteAddress === undefined) return undefined;
  if (localPort === undefined || remotePort === undefined) return undefined;
  return {
    stream: socket,
    localAddress: canonicalAddress(localAddress) ?? localAddress,
    localPort,
    remoteAddress: canonicalAddress(remoteAddress) ?? remoteAddress,
    remotePort,
  };
}

/**
 * Octets a socket buffers before `write` asks the writer to wait for 'drain'. Larger
 * than Node's default (64 KiB), so that a full table goes out in fewer stop-and-go
 * rounds; the session's bound on memory per slow peer is this plus one flush.
 */
export const SOCKET_HIGH_WATER_MARK = 512 * 1024;

function abortError(): Error {
  const e = new Error('connect aborted');
  e.name = 'AbortError';
  return e;
}

/** The `node:net` transport. It cannot set a TTL (see {@link Transport}). */
export const nodeTransport: Transport = Object.freeze({
  supportsTtl: false,

  connect(request: ConnectRequest): Promise<TransportConnection> {
    return new Promise<TransportConnection>((resolve, reject) => {
      if (request.signal.aborted) {
        reject(abortError());
        return;
      }
      // net.Socket hands stream options to its Duplex base; @types/node does not list this one.
      const options: NetConnectOpts & { writableHighWaterMark: number } = {
        host: request.host,
        port: request.port,
        ...(request.localAddress !== undefined ? { localAddress: request.localAddress } : {}),
        noDelay: true,
        writableHighWaterMark: SOCKET_HIGH_WATER_MARK,
      };
      const socket = tcpConnect(options);
      const onAbort = (): void => {
        socket.destroy();
        reject(abortError());
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (err) => {
        request.signal.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(err);
      });
      socket.once('connect', () => {
        request.signal.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        const c = connectionOf(socket);
        if (c === undefined) {
          socket.destroy();
          reject(new Error('connection closed before it could be used'));
          return;
        }
        resolve(c);
      });
    });
  },

  listen(
    request: ListenRequest,
    onConnection: (connection: TransportConnection) => void,
    onError: (error: Error) => void,
  ): Promise<TransportServer> {
    return new Promise<TransportServer>((resolve, reject) => {
      const server: Server = createServer(
        { noDelay: true, highWaterMark: SOCKET_HIGH_WATER_MARK },
        (socket) => {
          const c = connectionOf(socket);
          if (c === undefined) {
            socket.destroy();
            return;
          }
          onConnection(c);
        },
      );
      server.once('error', reject);
      server.listen(
        { port: request.port, ...(request.host !== undefined ? { host: request.host } : {}) },
        () => {
          server.removeListener('error', reject);
          server.on('error', onError);
          const bound = server.address();
          const address = typeof bound === 'object' && bound !== null ? bound.address : (request.host ?? '');
          const port = typeof bound === 'object' && bound !== null ? bound.port : request.port;
          resolve({
            address: canonicalAddress(address) ?? address,
            port,
            close: () =>
              new Promise<void>((done) => {
                server.close(() => done());
              }),
          });
        },
      );
    });
  },
});
